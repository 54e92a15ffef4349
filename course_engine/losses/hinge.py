"""The max-margin (hinge) loss (notebook 06 asks for it)."""

from __future__ import annotations

from ..engine.value import Value
from .lengths import check_lengths


def max_margin(scores, labels) -> Value:
    """Hinge loss for labels +-1: mean of relu(1 - label * score)."""
    check_lengths(scores, labels, "max_margin")
    losses = [(1 + -float(y) * s).relu() for s, y in zip(scores, labels)]
    return sum(losses) * (1.0 / len(losses))
