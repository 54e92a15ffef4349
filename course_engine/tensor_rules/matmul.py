"""The gradients of a matrix product (notebook 07 asks for them)."""

from __future__ import annotations

import numpy as np

from .broadcasting import unbroadcast


def matmul_backward(a, b, grad):
    """The gradients of a @ b: grad @ b.T for a, a.T @ grad for b (2-d arrays).

    A 1-d input is a row on the left or a column on the right, as numpy treats
    it; stacked (3-d and up) inputs broadcast over their leading axes."""
    a2 = a.reshape(1, -1) if a.ndim == 1 else a
    b2 = b.reshape(-1, 1) if b.ndim == 1 else b
    batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    grad = np.reshape(grad, (*batch, a2.shape[-2], b2.shape[-1]))
    grad_a = unbroadcast(grad @ np.swapaxes(b2, -1, -2), a2.shape)
    grad_b = unbroadcast(np.swapaxes(a2, -1, -2) @ grad, b2.shape)
    return grad_a.reshape(a.shape), grad_b.reshape(b.shape)
