"""Module: what every part of a network is (notebook 04 asks for it)."""

from __future__ import annotations

from ..engine.value import Value


class Module:
    """Anything with parameters: it can list them and reset their gradients."""

    def parameters(self) -> list[Value]:
        return []

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0
