"""What isolates one of notebook 03's exercises: nodes of the student's own class (made
with its constructor, which the notebook gives) that apply the chain rule correctly, and
the student's operations swapped, for a check's duration, for correct ones taken from the
op_* pieces of the exercises graded before it. Holds no answer itself."""

from contextlib import nullcontext
from unittest import mock

# operations whose other operand is a node too (a number is made a node first)
BINARY = ("__add__", "__radd__", "__mul__", "__rmul__", "__sub__", "__rsub__", "__truediv__", "__rtruediv__")
ANSWERS = None  # the exercise whose answer this piece holds (see the op_* pieces)


def patched(cls, replacements):
    """Class attributes set for a `with` block, then restored (or removed)."""
    return mock.patch.multiple(cls, create=True, **replacements) if replacements else nullcontext()


def node(cls, data, parents, op, local_grads, label=""):
    """A node of the student's class whose _backward applies the chain rule correctly."""
    out = cls(data, tuple(parents), op, label)

    def _backward():
        for parent, local in zip(parents, local_grads):
            parent.grad += local * out.grad

    out._backward = _backward
    return out


def reachable(root) -> set[int]:
    """The ids of every node `root` was made from, itself included (in no useful order)."""
    seen, todo = {id(root)}, [root]
    while todo:
        for parent in tuple(getattr(todo.pop(), "_prev", ())):
            if id(parent) not in seen:
                seen.add(id(parent))
                todo.append(parent)
    return seen


def correct(cls, name, op, rule):
    """Operation `name` done right on the student's class: rule(*numbers) gives the value and
    the local derivative for each parent (self, then the other operand of a binary one)."""

    def method(self, *args):
        if name in BINARY:
            other = args[0] if isinstance(args[0], cls) else cls(args[0])
            parents, numbers = (self, other), (self.data, other.data)
        else:
            parents, numbers = (self,), (self.data, *args)
        value, local = rule(*numbers)
        return node(cls, value, parents, op, local)

    return method


def arithmetic(cls, rules):
    """The operations in `rules` ({name: (op, rule)}) done right, for a `with` block."""
    return patched(cls, {name: correct(cls, name, op, rule) for name, (op, rule) in rules.items()})


def mirror(cls, case):
    """The graph of a case as nodes of the student's class: its numbers and local derivatives
    (worked out by the grader) on each node, its edges as the case lists them."""
    nodes = []
    for (op, parents, _, label), data, local in zip(case["graph"], case["data"], case["local"]):
        nodes.append(node(cls, data, [nodes[i] for i in parents], op, local, label))
    return nodes
