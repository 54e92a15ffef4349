"""The activations a neuron can apply, by name (shared with tensor_nn)."""

from __future__ import annotations

from ..engine.value import Value

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
