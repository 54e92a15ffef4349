"""The mean squared error (notebook 06 asks for it)."""

from __future__ import annotations

from ..engine.value import Value
from .lengths import check_lengths


def mse(predictions, targets) -> Value:
    """Mean squared error: mean of (prediction - target)**2."""
    check_lengths(predictions, targets, "mse")
    return sum((p - t) ** 2 for p, t in zip(predictions, targets)) * (1.0 / len(predictions))
