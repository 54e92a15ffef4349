"""Layers and MLPs on Tensors: a whole batch through a layer in one matrix product.

`Linear(nin, nout)` holds a weight matrix W of shape (nin, nout) and a bias b of
shape (nout,): column j of W is the weights of neuron j of nn.Layer, so for a
batch X of shape (n, nin), `X @ W + b` is every neuron on every example at once.
The weights are drawn with `random.uniform(-1, 1)` in the same order as
nn.Layer draws them, so the same `random.seed` gives the same network as the
scalar `nn.MLP`.
"""

from __future__ import annotations

import random

import numpy as np

from .nn import Module as ScalarModule
from .nn import layer_shapes, pick_activation
from .tensor import Tensor

ACTIVATIONS = {
    "relu": Tensor.relu,
    "tanh": Tensor.tanh,
    "sigmoid": Tensor.sigmoid,
    "leaky_relu": Tensor.leaky_relu,
    "linear": None,
}


def _activation(name: str):
    return pick_activation(name, ACTIVATIONS)


class Module(ScalarModule):
    """A scalar Module whose parameters are Tensors: their grads reset to zero arrays."""

    def zero_grad(self):
        for p in self.parameters():
            p.grad = np.zeros(p.data.shape)

    def parameter_count(self) -> int:
        return sum(p.data.size for p in self.parameters())


class Linear(Module):
    """activation(x @ W + b): `nout` neurons reading the last axis of x."""

    def __init__(self, nin: int, nout: int, activation: str = "linear"):
        if nin < 1 or nout < 1:
            raise ValueError(f"Linear needs at least one input and one output, got nin={nin}, nout={nout}")
        self._apply = _activation(activation)
        self.activation = activation
        # one neuron's weights after another, as nn.Layer draws them; neuron j is column j
        rows = [[random.uniform(-1, 1) for _ in range(nin)] for _ in range(nout)]
        self.W = Tensor(np.ascontiguousarray(np.array(rows).T))
        self.b = Tensor(np.zeros(nout))

    def __call__(self, x):
        if not isinstance(x, Tensor):
            x = Tensor(x, requires_grad=False)  # data: no gradient needed
        nin = self.W.data.shape[0]
        if x.data.shape[-1:] != (nin,):
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


class MLP(Module):
    """Linear layers in sequence, like nn.MLP: `activation` on the hidden layers, the
    last one linear when `linear_output` (otherwise it uses `activation` too).

    Input: a batch of shape (n, nin), or one example of shape (nin,).
    Output: shape (n, nouts[-1]) (or (nouts[-1],) for one example)."""

    def __init__(self, nin: int, nouts, activation: str = "relu", linear_output: bool = True):
        self.layers = [Linear(*shape) for shape in layer_shapes(nin, nouts, activation, linear_output)]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    @classmethod
    def from_scalar(cls, scalar_mlp):
        """A tensor MLP holding the same weights as a scalar nn.MLP (copied, not shared)."""
        model = cls.__new__(cls)
        model.layers = []
        for layer in scalar_mlp.layers:
            neurons = layer.neurons
            linear = Linear.__new__(Linear)
            linear.activation = neurons[0].activation
            linear._apply = _activation(linear.activation)
            linear.W = Tensor(np.ascontiguousarray(np.array([[w.data for w in n.w] for n in neurons]).T))
            linear.b = Tensor([n.b.data for n in neurons])
            model.layers.append(linear)
        return model

    def __repr__(self):
        layers = ", ".join(repr(layer) for layer in self.layers)
        return f"MLP([{layers}], {self.parameter_count()} parameters)"
