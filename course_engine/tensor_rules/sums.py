"""The gradient of a sum over some axes (notebook 07 asks for it)."""

from __future__ import annotations

import numpy as np

from ..tensor import _kept_shape  # the shape sum(axis, keepdims=True) gives


def sum_backward(grad, shape, axis=None, keepdims=False):
    """The gradient of `x.sum(axis, keepdims)` for an x of `shape`: every entry of x
    gets the gradient of the total it went into."""
    if axis is not None and not keepdims:
        grad = np.reshape(grad, _kept_shape(shape, axis))  # the summed axes back, with size 1
    out = np.empty(shape)
    out[...] = grad  # copied along those axes
    return out
