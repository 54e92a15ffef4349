"""Small data sets made with numpy and a seed (no scikit-learn needed)."""

from __future__ import annotations

import numpy as np


def make_moons(n_samples: int = 100, noise: float = 0.1, seed: int = 1337):
    """Two interleaving half circles. Returns X (n, 2) and labels y in {-1, +1}."""
    rng = np.random.default_rng(seed)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    upper = np.linspace(0.0, np.pi, n_upper)
    lower = np.linspace(0.0, np.pi, n_lower)
    X = np.concatenate(
        [
            np.stack([np.cos(upper), np.sin(upper)], axis=1),
            np.stack([1.0 - np.cos(lower), 0.5 - np.sin(lower)], axis=1),
        ]
    )
    y = np.concatenate([-np.ones(n_upper), np.ones(n_lower)])
    X += rng.normal(scale=noise, size=X.shape)
    order = rng.permutation(n_samples)
    return X[order], y[order]


def make_xor():
    """The four corners of the unit square; +1 where exactly one input is 1."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([-1.0, 1.0, 1.0, -1.0])
    return X, y


def tiny_classification():
    """Four 3-d inputs with targets +-1: the first training loop of the course."""
    X = np.array([[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]])
    y = np.array([1.0, -1.0, -1.0, 1.0])
    return X, y


def line_regression(slope: float = 2.0, intercept: float = 3.0):
    """Points on y = slope * x + intercept at x = 1..4 (targets 5, 7, 9, 11 by default)."""
    X = np.array([[1.0], [2.0], [3.0], [4.0]])
    y = slope * X[:, 0] + intercept
    return X, y
