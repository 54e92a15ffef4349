"""Stochastic gradient descent with an optional learning-rate schedule."""

from __future__ import annotations


def linear_decay(start: float = 1.0, end: float = 0.1, steps: int = 100):
    """A schedule k -> start - (start - end) * k / steps (1.0 - 0.9 k/100 by default)."""
    return lambda k: start - (start - end) * k / steps


class SGD:
    """p.data -= lr * p.grad for every parameter: a step against the gradient."""

    def __init__(self, parameters, lr=0.1):
        self.parameters = list(parameters)
        self.lr = lr  # a number, or a function of the step number
        self.steps_taken = 0

    def current_lr(self) -> float:
        return self.lr(self.steps_taken) if callable(self.lr) else self.lr

    def zero_grad(self):
        for p in self.parameters:
            p.grad = 0.0

    def step(self):
        lr = self.current_lr()
        for p in self.parameters:
            p.data -= lr * p.grad
        self.steps_taken += 1
