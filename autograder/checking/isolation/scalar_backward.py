"""The backward pass done right, without its seed: 03.backward's answer, sent to the checks
graded after it (they set out.grad themselves)."""

from .scalar_order import topological_order

ANSWERS = "03.backward"


def propagate(root) -> None:
    for node in reversed(topological_order(root)):
        node._backward()
