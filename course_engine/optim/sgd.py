"""Plain gradient descent (notebook 06 asks for its step and its zero_grad)."""

from __future__ import annotations


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
