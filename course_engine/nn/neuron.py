"""Neuron: one weighted sum and an activation (notebook 04 asks for it)."""

from __future__ import annotations

import random

from ..engine.value import Value
from .activations import pick_activation
from .module import Module


class Neuron(Module):
    """activation(w . x + b) for one output."""

    def __init__(self, nin: int, activation: str = "relu"):
        if nin < 1:
            raise ValueError(f"a neuron needs at least one input, got nin={nin}")
        self._apply = pick_activation(activation)
        self.activation = activation
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)

    def __call__(self, x):
        if len(x) != len(self.w):
            raise ValueError(f"{self!r} takes {len(self.w)} inputs, got {len(x)}")
        z = Value.weighted_sum(self.w, x, self.b)
        return z if self._apply is None else self._apply(z)

    def parameters(self):
        return [*self.w, self.b]

    def __repr__(self):
        return f"Neuron({len(self.w)}, {self.activation})"
