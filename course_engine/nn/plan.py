"""The layer plan of an MLP, shared by the scalar and the tensor MLP (part of what
notebook 05 asks for)."""

from __future__ import annotations


def layer_shapes(nin: int, nouts, activation: str, linear_output: bool):
    """(inputs, outputs, activation) of each layer of an MLP: the last one linear
    when `linear_output`."""
    if not nouts:
        raise ValueError("an MLP needs at least one layer: nouts=[...] is empty")
    sizes = [nin, *nouts]
    last = len(nouts) - 1
    return [
        (sizes[i], sizes[i + 1], "linear" if i == last and linear_output else activation)
        for i in range(len(nouts))
    ]
