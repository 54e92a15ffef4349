"""Probes for notebook 03: graphs built with the student's Value (by-hand exercises: plain
nodes holding numbers), the student's backward code run on them, every grad recorded by node.

A graph is plain data, nodes [op, parent indices, number, label] (a leaf holds the number,
"*0.5" scales by it), with each node's value and local derivatives worked out by the grader
(case["data"], case["local"]): nothing here computes a derivative. An operation is an
expression such as "k - x", evaluated on the case's values with a, b, x, y made Values and
the operations of earlier exercises done right (isolation)."""

from ..isolation.scalar_value import arithmetic, mirror, patched, reachable
from ..kit.observe import attempt, piece, plain, type_name
from ..methods import cells_to_rerun, lost

# the operations of each exercise, in the notebook's order; a check swaps in correct versions
# of the earlier ones (isolation.op_<exercise>), and the student's own are used for the rest
EXERCISES = {
    "add_mul": ("__add__", "__radd__", "__mul__", "__rmul__"),
    "sub": ("__neg__", "__sub__", "__rsub__"),
    "pow": ("__pow__",),
    "div": ("__truediv__", "__rtruediv__"),
    **{name: (name,) for name in ("exp", "tanh", "relu", "sigmoid", "leaky_relu", "gelu")},
}


def evaluate(expr, values):
    """One of the checks' own expressions, e.g. "k - x", on `values` by name (no builtins)."""
    return eval(compile(expr, "<expression>", "eval"), {"__builtins__": {}}, values)


class Node:
    """A value of a graph to backpropagate through by hand: its number and a grad to fill in."""

    def __init__(self, data, label):
        self.data, self.grad, self.label, self._prev, self._op = data, 0.0, label, (), ""

    def __repr__(self):
        return f"Node(data={self.data}, grad={self.grad}, label={self.label!r})"


def _refused(cls, method=None, needs=()):
    """Why the check cannot run: not a class, a method missing, or the class defined again
    (its cell run again) without the methods of `needs` that later cells had added to it."""
    if not isinstance(cls, type):
        return {"refused": ["class", type(cls).__name__]}
    gone = lost(cls)
    if any(name in (method, *needs) for name in gone):
        return {"refused": ["lost", cls.__name__, cells_to_rerun(cls, gone)]}
    if method and not callable(getattr(cls, method, None)):
        return {"refused": ["method", method]}
    return None


def _by_hand(fn, name, case):
    if not callable(fn):
        return {"refused": ["function", name, type(fn).__name__]}
    nodes = [Node(data, row[3]) for row, data in zip(case["graph"], case["data"])]
    returned = fn(*nodes)
    # attributes the function set besides grad (a.gard = ...), by name
    added = sorted({name for n in nodes for name in vars(n)} - {"data", "grad", "label", "_prev", "_op"})
    seen = {"grads": [plain(n.grad) for n in nodes], "set": added}
    return seen if returned is None else {**seen, "returned": type_name(returned)}


def manual(student, case):
    return _by_hand(student.backprop_by_hand, "backprop_by_hand", case)


def reuse(student, case):
    return _by_hand(student.backprop_reuse_by_hand, "backprop_reuse_by_hand", case)


def _exercise(expr):
    """The exercise an expression checks: "x.exp()" -> "exp", "k - x" -> "sub"."""
    if "." in expr:
        return expr[2 : expr.index("(")]
    return next(
        (name for sign, name in (("**", "pow"), ("/", "div"), ("-", "sub")) if sign in expr), "add_mul"
    )


def operation(student, case):
    """03.add_mul, 03.sub ... 03.gelu: out's value, whether it reaches each input, the inputs'
    grads after out.grad = upstream and a backward pass; {"composed": x}: x.gelu()'s graph."""
    own = list(EXERCISES).index(_exercise(expr := case.get("expr", "x.gelu()")))
    if refused := _refused(Value := student.Value, needs=EXERCISES[list(EXERCISES)[own]]):
        return refused
    rules = {
        name: rule for group in list(EXERCISES)[:own] for name, rule in piece(f"op_{group}").RULES.items()
    }
    with arithmetic(Value, rules):
        seen, error = attempt(_operation, Value, case, expr, own)
    return seen if error is None else {"raised": error, "in": expr}  # the verdict may know why


def _operation(Value, case, expr, own):
    if "composed" in case:
        nodes = piece("scalar_order").topological_order(Value(case["composed"]).gelu())
        return {"nodes": len(nodes), "ops": [str(getattr(n, "_op", "")) for n in nodes]}
    names = [name for name in ("a", "b", "x", "y") if name in case["values"]]
    xs = [Value(case["values"][name]) for name in names]
    for x, label, before in zip(xs, names, case["before"]):
        x.label, x.grad = label, before
    out = evaluate(expr, {**case["values"], **dict(zip(names, xs))})
    if not isinstance(out, Value):
        return {"returned": type(out).__name__}
    data, reached = plain(out.data), reachable(out)
    if own == list(EXERCISES).index("gelu"):  # what it is built from
        built = piece("scalar_order").topological_order(out)
        shape = {"nodes": len(built), "ops": [str(getattr(n, "_op", "")) for n in built]}
    else:
        shape = {}
    out.grad = case["upstream"]
    if own:  # the graph may have many nodes: a correct backward pass
        piece("scalar_backward").propagate(out)
    else:  # + and * make one node each
        out._backward()
    grads = [plain(x.grad) for x in xs]
    seen = {"data": data, "reached": [id(x) in reached for x in xs], "grads": grads, **shape}
    return {**seen, "out_grad": plain(out.grad)}


def topo(student, case):
    if refused := _refused(student.Value, "topological_order"):
        return refused
    nodes = mirror(student.Value, case)
    got = nodes[-1].topological_order()
    if not isinstance(got, (list, tuple)):
        return {"returned": type(got).__name__}
    index = {id(n): i for i, n in enumerate(nodes)}  # an object not in the graph: its name
    named = lambda order: [index.get(id(x), str(getattr(x, "label", "") or repr(x))) for x in order]  # noqa: E731
    seen = named(got)
    again = nodes[-1].topological_order()  # a second call on the same graph: the same order?
    if again is got or not isinstance(again, (list, tuple)):
        return {"order": seen, "again": "the same list" if again is got else type(again).__name__}
    return {"order": seen, "again": named(again)}


def backward(student, case):
    if refused := _refused(student.Value, "backward"):
        return refused
    # the student's topological_order is checked by 03.topo; here a correct one stands in for it
    order = piece("scalar_order").topological_order
    with patched(student.Value, {"topological_order": order}):
        nodes, called = mirror(student.Value, case), []
        for i, node in enumerate(nodes):  # which nodes' _backward backward() calls, in order
            node._backward = lambda step=node._backward, i=i: (called.append(i), step())[1]
        for _ in range(case.get("passes", 1)):
            nodes[-1].backward()
    return {"grads": [plain(n.grad) for n in nodes], "called": called}
