"""Summing a broadcast gradient back down to an input's shape (notebook 07 asks for it)."""

from __future__ import annotations


def unbroadcast(grad, shape):
    """Sum a gradient of the broadcast shape back down to an input's `shape`.

    Axes numpy added in front are summed away; axes where the input had size 1
    are summed and kept, with size 1."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if grad.shape[extra:] == shape:  # only axes added in front, as for a bias added to a batch
        return grad.sum(axis=tuple(range(extra)))
    stretched = tuple(extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1)
    return grad.sum(axis=tuple(range(extra)) + stretched, keepdims=True).reshape(shape)
