"""A topological order done right: 03.topo's answer, sent to the checks graded after it."""

ANSWERS = "03.topo"


def topological_order(root) -> list:
    """Every node `root` was made from, each after all of its parents (no recursion)."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((parent, False) for parent in reversed(tuple(node._prev)))
    return order
