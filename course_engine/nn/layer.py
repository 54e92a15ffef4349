"""Layer: neurons side by side on the same inputs (notebook 05 asks for it)."""

from __future__ import annotations

from .module import Module
from .neuron import Neuron


class Layer(Module):
    """`nout` neurons reading the same inputs."""

    def __init__(self, nin: int, nout: int, activation: str = "relu"):
        self.neurons = [Neuron(nin, activation) for _ in range(nout)]

    def __call__(self, x):
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        first = self.neurons[0]
        return f"Layer({len(first.w)} -> {len(self.neurons)}, {first.activation})"
