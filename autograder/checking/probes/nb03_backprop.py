"""Probes for notebook 03: graphs built with the student's Value (by-hand exercises: the
reference one), the student's backward code run on them, every grad recorded by node.

A graph is plain data, nodes [op, parent indices, number, label] (a leaf holds the number,
"*0.5" scales by it). An operation is an expression such as "k - x", evaluated on the case's
values with a, b, x, y made Values, every other operation a correct one (isolation)."""

from __future__ import annotations

from course_engine import Value as ReferenceValue

from ..isolation.scalar_value import arithmetic, mirror, patched, propagate, reference_order
from ..kit.observe import plain

OWN = {"**": ("__pow__",), "/": ("__truediv__", "__rtruediv__"), "-": ("__neg__", "__sub__", "__rsub__")}


def evaluate(expr, values):
    """One of the checks' own expressions, e.g. "k - x", on `values` by name (no builtins)."""
    return eval(compile(expr, "<expression>", "eval"), {"__builtins__": {}}, values)


def reference_graph(spec):
    """The nodes of a graph description, made of the reference engine's Values."""
    nodes = []
    for op, parents, number, label in spec:
        x = [nodes[i] for i in parents]
        if not x:
            made = ReferenceValue(number)
        elif op in ("+", "*", "tanh"):
            made = x[0] + x[1] if op == "+" else x[0] * x[1] if op == "*" else x[0].tanh()
        else:
            made = ReferenceValue(number * x[0].data, (x[0],), op, _local_grads=(number,))
        made.label = label
        nodes.append(made)
    return nodes


def _refused(cls, method=None):
    if not isinstance(cls, type):
        return {"refused": ["class", type(cls).__name__]}
    if method and not callable(getattr(cls, method, None)):
        return {"refused": ["method", method]}
    return None


def _by_hand(fn, name, case):
    if not callable(fn):
        return {"refused": ["function", name, type(fn).__name__]}
    nodes = reference_graph(case["graph"])
    fn(*nodes)
    return {"grads": [plain(n.grad) for n in nodes]}


def manual(student, case):
    return _by_hand(student.backprop_by_hand, "backprop_by_hand", case)


def reuse(student, case):
    return _by_hand(student.backprop_reuse_by_hand, "backprop_reuse_by_hand", case)


def _own(expr):
    """The methods of the exercise an expression checks: the student's, in that check."""
    if "." in expr:
        return (expr[2 : expr.index("(")],)
    sign = next((sign for sign in OWN if sign in expr), None)
    return OWN[sign] if sign else ("__add__", "__radd__", "__mul__", "__rmul__")


def operation(student, case):
    """03.add_mul, 03.sub ... 03.gelu: out's value, whether it reaches each input, the inputs'
    grads after out.grad = upstream and a backward pass; {"composed": x}: x.gelu()'s graph."""
    if refused := _refused(Value := student.Value):
        return refused
    with arithmetic(Value, _own(expr := case.get("expr", "x.gelu()"))):
        if "composed" in case:
            nodes = reference_order(Value(case["composed"]).gelu())
            return {"nodes": len(nodes), "ops": [str(getattr(n, "_op", "")) for n in nodes]}
        names = [name for name in ("a", "b", "x", "y") if name in case["values"]]
        xs = [Value(case["values"][name]) for name in names]
        for x, label, before in zip(xs, names, case["before"]):
            x.label, x.grad = label, before
        out = evaluate(expr, {**case["values"], **dict(zip(names, xs))})
        if not isinstance(out, Value):
            return {"returned": type(out).__name__}
        data, reached = plain(out.data), {id(n) for n in reference_order(out)}
        out.grad = case["upstream"]
        propagate(out)
        return {"data": data, "reached": [id(x) in reached for x in xs], "grads": [plain(x.grad) for x in xs]}


def topo(student, case):
    if refused := _refused(student.Value, "topological_order"):
        return refused
    nodes = mirror(student.Value, reference_graph(case["graph"]), case["graph"])
    got = nodes[-1].topological_order()
    if not isinstance(got, (list, tuple)):
        return {"returned": type(got).__name__}
    index = {id(n): i for i, n in enumerate(nodes)}  # an object not in the graph: its name
    return {"order": [index.get(id(x), str(getattr(x, "label", "") or repr(x))) for x in got]}


def backward(student, case):
    if refused := _refused(student.Value, "backward"):
        return refused
    # the student's topological_order is checked by 03.topo; here a correct one stands in for it
    with patched(student.Value, {"topological_order": reference_order}):
        nodes = mirror(student.Value, reference_graph(case["graph"]), case["graph"])
        for _ in range(case.get("passes", 1)):
            nodes[-1].backward()
    return {"grads": [plain(n.grad) for n in nodes]}
