"""The tensor MLP: Linear layers in sequence, planned like the scalar nn.MLP."""

from __future__ import annotations

from .._lazy import import_piece
from ..nn.plan import layer_shapes
from .linear import Linear, Module


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
        copy = import_piece(f"{__package__}.from_scalar", "MLP.from_scalar")  # notebook 07's exercise
        model = cls.__new__(cls)
        model.layers = copy.linear_layers(scalar_mlp)
        return model

    def __repr__(self):
        layers = ", ".join(repr(layer) for layer in self.layers)
        return f"MLP([{layers}], {self.parameter_count()} parameters)"
