"""Neurons, layers and multi-layer perceptrons built on `Value`.

`MLP(nin, nouts)` behaves like micrograd's: relu hidden layers, a linear output
layer, weights drawn from `random.uniform(-1, 1)` and biases starting at 0, so
the same `random.seed` gives the same network.
"""

from __future__ import annotations

import random

from .engine import Value

ACTIVATIONS = {
    "tanh": Value.tanh,
    "relu": Value.relu,
    "sigmoid": Value.sigmoid,
    "leaky_relu": Value.leaky_relu,
    "linear": None,
}


def pick_activation(name: str, table=ACTIVATIONS):
    """The function for an activation's name (None for linear), or a clear error."""
    if name not in table:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(table)}")
    return table[name]


def layer_shapes(nin: int, nouts, activation: str, linear_output: bool):
    """(inputs, outputs, activation) of each layer of an MLP: the last one linear
    when `linear_output`. Shared by the scalar and the tensor MLP."""
    if not nouts:
        raise ValueError("an MLP needs at least one layer: nouts=[...] is empty")
    sizes = [nin, *nouts]
    last = len(nouts) - 1
    return [
        (sizes[i], sizes[i + 1], "linear" if i == last and linear_output else activation)
        for i in range(len(nouts))
    ]


class Module:
    """Anything with parameters: it can list them and reset their gradients."""

    def parameters(self) -> list[Value]:
        return []

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0


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


class MLP(Module):
    """Layers in sequence. The last is linear when `linear_output` (regression,
    max-margin scores); otherwise it uses the same activation as the rest."""

    def __init__(self, nin: int, nouts, activation: str = "relu", linear_output: bool = True):
        self.layers = [Layer(*shape) for shape in layer_shapes(nin, nouts, activation, linear_output)]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
            if isinstance(x, Value):
                x = [x]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        layers = ", ".join(repr(layer) for layer in self.layers)
        return f"MLP([{layers}], {len(self.parameters())} parameters)"
