"""A scalar nn.MLP's weights as tensor Linear layers (notebook 07 asks for the copy)."""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .linear import Linear, activation_function


def linear_layers(scalar_mlp) -> list[Linear]:
    """One Linear per layer of `scalar_mlp`, holding copies of its numbers: neuron j's
    weights are column j of W."""
    layers = []
    for layer in scalar_mlp.layers:
        neurons = layer.neurons
        linear = Linear.__new__(Linear)
        linear.activation = neurons[0].activation
        linear._apply = activation_function(linear.activation)
        linear.W = Tensor(np.ascontiguousarray(np.array([[w.data for w in n.w] for n in neurons]).T))
        linear.b = Tensor([n.b.data for n in neurons])
        layers.append(linear)
    return layers
