"""L2 regularisation: a penalty on large weights."""

from __future__ import annotations

from ..engine.value import Value
from ..tensor import l2 as one_node


def l2(parameters, alpha: float):
    """alpha * sum of squared parameters: pulls weights towards zero.

    Of Values, one node per operation, as notebook 06 builds it; of Tensors, one node
    (course_engine.tensor.l2) with the same value and gradients."""
    parameters = list(parameters)
    if parameters and not isinstance(parameters[0], Value):
        return one_node(parameters, alpha)
    return alpha * sum(p * p for p in parameters)
