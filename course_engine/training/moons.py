"""Two moons, MLP(2, [16, 16, 1]) with relu, max-margin + L2, a decaying learning rate."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..datasets import make_moons
from ..engine.value import Value
from ..losses import accuracy, l2, max_margin
from ..nn import MLP
from ..optim import SGD, linear_decay
from .progress import Progress


@dataclass
class History:
    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)


def train_moons(steps=100, n_samples=100, noise=0.1, seed=1337, alpha=1e-4, progress=True):
    """Train MLP(2, [16, 16, 1]) with relu on two moons; returns (model, X, y, history)."""
    X, y = make_moons(n_samples, noise=noise, seed=seed)
    random.seed(seed)
    model = MLP(2, [16, 16, 1], activation="relu")
    optimizer = SGD(model.parameters(), lr=linear_decay(1.0, 0.1, steps))
    inputs = [[Value(a), Value(b)] for a, b in X.tolist()]
    history = History()
    bar = Progress(desc="training", total=steps, enabled=progress)
    for _ in range(steps):
        scores = [model(x) for x in inputs]
        loss = max_margin(scores, y.tolist()) + l2(model.parameters(), alpha)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.loss.append(loss.data)
        history.accuracy.append(accuracy(scores, y.tolist()))
        bar.show(loss=loss.data, accuracy=f"{history.accuracy[-1]:.0%}")
        bar.update()
    bar.close()
    return model, X, y, history
