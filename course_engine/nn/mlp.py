"""MLP: layers in sequence (notebook 05 asks for it)."""

from __future__ import annotations

from ..engine.value import Value
from .layer import Layer
from .module import Module
from .plan import layer_shapes


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
