"""Plots the course draws more than once: loss curves and decision boundaries."""

from __future__ import annotations

import numpy as np

from .engine.value import Value, no_grad


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5, 3.5))
    return ax


def plot_loss(losses, ax=None, title="training loss", log=False):
    """Loss per step; `log=True` for a log scale when it spans decades."""
    ax = _axes(ax)
    ax.plot(range(len(losses)), losses, color="#1f77b4")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(title)
    if log:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    return ax


def decision_grid(model, X, resolution: float = 0.05, margin: float = 0.5):
    """The model's score on a grid covering X, as (xx, yy, scores), without a graph."""
    x_min, x_max = X[:, 0].min() - margin, X[:, 0].max() + margin
    y_min, y_max = X[:, 1].min() - margin, X[:, 1].max() + margin
    xx, yy = np.meshgrid(np.arange(x_min, x_max, resolution), np.arange(y_min, y_max, resolution))
    with no_grad():
        scores = [model([Value(a), Value(b)]).data for a, b in zip(xx.ravel(), yy.ravel())]
    return xx, yy, np.array(scores).reshape(xx.shape)


def plot_decision_boundary(model, X, y, ax=None, resolution: float = 0.05, title=None):
    """Shade where the model says +1 and -1, with the points on top."""
    ax = _axes(ax)
    xx, yy, scores = decision_grid(model, X, resolution)
    ax.contourf(xx, yy, scores > 0, levels=[-0.5, 0.5, 1.5], colors=["#f4a6a6", "#a6c8f4"], alpha=0.6)
    ax.contour(xx, yy, scores, levels=[0.0], colors="k", linewidths=1)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm_r", s=25, edgecolors="k", linewidths=0.5)
    ax.set_title(title or "decision boundary")
    ax.set_aspect("equal")
    return ax
