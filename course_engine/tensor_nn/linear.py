"""Linear: nout neurons on a batch at once, activation(x @ W + b)."""

from __future__ import annotations

import random

import numpy as np

from ..nn.activations import pick_activation
from ..tensor import Tensor

ACTIVATIONS = {
    "relu": Tensor.relu,
    "tanh": Tensor.tanh,
    "sigmoid": Tensor.sigmoid,
    "leaky_relu": Tensor.leaky_relu,
    "linear": None,
}


def activation_function(name: str):
    """The Tensor method for an activation's name (None for linear), or a clear error."""
    return pick_activation(name, ACTIVATIONS)


class Module:
    """Anything with Tensor parameters: it lists them, resets their grads to 0.0 and
    counts their numbers. (Not nn.Module, notebook 04's exercise: a tensor network
    must not need it.)"""

    def parameters(self) -> list[Tensor]:
        return []

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0  # as a result's: backward() keeps its first share, not zeros + share

    def parameter_count(self) -> int:
        return sum(p.data.size for p in self.parameters())


class Linear(Module):
    """activation(x @ W + b): `nout` neurons reading the last axis of x."""

    def __init__(self, nin: int, nout: int, activation: str = "linear"):
        if nin < 1 or nout < 1:
            raise ValueError(f"Linear needs at least one input and one output, got nin={nin}, nout={nout}")
        self._apply = activation_function(activation)
        self.activation = activation
        # one neuron's weights after another, as nn.Layer draws them; neuron j is column j
        rows = [[random.uniform(-1, 1) for _ in range(nin)] for _ in range(nout)]
        self.W = Tensor(np.ascontiguousarray(np.array(rows).T))
        self.b = Tensor(np.zeros(nout))

    def __call__(self, x):
        if not isinstance(x, (Tensor, np.ndarray)):  # an array stays one: x @ W makes it a constant
            x = Tensor(x, requires_grad=False)  # data: no gradient needed
        nin = self.W.data.shape[0]
        if x.shape[-1:] != (nin,):
            raise ValueError(
                f"{self!r} reads {nin} features on the last axis of its input, got shape {x.shape}"
                + (" (a single number? give it shape (1,) or (n, 1))" if x.ndim == 0 else "")
            )
        z = x @ self.W + self.b
        return z if self._apply is None else self._apply(z)

    def parameters(self):
        return [self.W, self.b]

    def __repr__(self):
        nin, nout = self.W.shape
        return f"Linear({nin} -> {nout}, {self.activation})"
