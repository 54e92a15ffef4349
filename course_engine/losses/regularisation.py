"""L2 regularisation: a penalty on large weights."""

from __future__ import annotations

from ..engine.value import Value


def l2(parameters, alpha: float) -> Value:
    """alpha * sum of squared parameters: pulls weights towards zero."""
    return alpha * sum(p * p for p in parameters)
