"""Notebook 03: backpropagation, by hand and then automatically. A graph is a list of nodes
[op, parent indices, number, label]; an operation is an expression such as "k - x" at values."""

from ..exercise import Declarations
from ..kit.cases import random_point
from ..probes import nb03_backprop as probe
from ..verdicts import nb03_backprop as verdict

declare = Declarations(__file__, verdict.MISTAKES)


def point(rng, lo=-3.0, hi=3.0, away=(0.0,), gap=0.3):
    return random_point(rng, lo, hi, away_from=away, gap=gap)


def expression_graph(a, b, c, f):
    """L = (a*b + c) * f as nodes a, b, c, e = a*b, d = e + c, f, L: backprop_by_hand's order."""
    nodes = [["", [], a, "a"], ["", [], b, "b"], ["", [], c, "c"], ["*", [0, 1], None, "e"]]
    return [*nodes, ["+", [3, 2], None, "d"], ["", [], f, "f"], ["*", [4, 5], None, "L"]]


def reuse_graph(a):
    """b = a + a, c = a * b, L = c + a."""
    return [["", [], a, "a"], ["+", [0, 0], None, "b"], ["*", [0, 1], None, "c"], ["+", [2, 0], None, "L"]]


def random_graph(rng, n_leaves=3):
    """Random operations on earlier nodes: values get reused, some nodes end up unused."""
    graph = [["", [], point(rng, -1.5, 1.5, away=()), f"x{i}"] for i in range(n_leaves)]
    for i in range(rng.randint(5, 14)):
        n, op, k = len(graph), rng.choice(("+", "*", "tanh", "scale")), rng.choice((0.5, -1.5, 2.0))
        x = rng.randrange(max(0, n - 4), n) if rng.random() < 0.7 else rng.randrange(n)
        if op in ("+", "*"):
            graph.append([op, [x, rng.randrange(n)], None, f"n{i}"])
        else:
            graph.append(["tanh", [x], None, f"n{i}"] if op == "tanh" else [f"*{k:g}", [x], k, f"n{i}"])
    # the output uses the last node and one earlier one: shared paths are almost certain
    return [*graph, ["+", [len(graph) - 1, rng.randrange(n_leaves, len(graph) - 1)], None, "out"]]


def graph_cases(rng, hidden):
    """The curriculum's expression, a reused value, random graphs, a chain of 150 operations."""
    cases = [{"shape": "expression", "graph": expression_graph(2.0, -3.0, 10.0, -2.0)}]
    cases.append({"shape": "reuse", "graph": reuse_graph(point(rng, gap=0.2))})
    cases += [{"shape": "random", "graph": random_graph(rng)} for _ in range(12 if hidden else 3)]
    chain = [
        ["*0.99", [i - 1], 0.99, f"x{i}"] if i % 10 else ["tanh", [i - 1], None, f"x{i}"]
        for i in range(1, 150)
    ]
    cases.append({"shape": "chain", "graph": [["", [], 0.5, "x0"], *chain]})
    return [verdict.numbered(case) for case in cases]


def backward_cases(rng, hidden):
    """The graphs of 03.topo, then a fresh one on which backward() runs twice."""
    graph = expression_graph(*(point(rng, gap=0.2) for _ in "abcf"))
    return [*graph_cases(rng, hidden), verdict.numbered({"shape": "expression", "graph": graph, "passes": 2})]


def manual_cases(rng, hidden):
    drawn = [[point(rng, -4.0, 4.0, gap=0.2) for _ in "abcf"] for _ in range(30 if hidden else 5)]
    graphs = [expression_graph(*values) for values in [[2.0, -3.0, 10.0, -2.0], *drawn]]
    return [verdict.numbered({"graph": graph}, local=False) for graph in graphs]


def reuse_cases(rng, hidden):
    values = [1.5, *(point(rng, gap=0.2) for _ in range(30 if hidden else 5))]
    return [verdict.numbered({"graph": reuse_graph(a)}, local=False) for a in values]


def case(rng, expr, **values):
    """An expression at `values`, with the grads its Values (a, b, x, y) hold before the backward
    pass and an out.grad that is not 0 or +-1, so that a forgotten factor shows."""
    before = [point(rng, -1.5, 1.5) for name in values if name in "abxy"]
    upstream = point(rng, -2.0, 2.0, away=(0.0, 1.0, -1.0), gap=0.2)
    return {"expr": expr, "values": values, "before": before, "upstream": upstream}


def add_mul_cases(rng, hidden):
    cases = []
    for _ in range(10 if hidden else 2):
        x = point(rng, away=(0.0, 1.0, -1.0), gap=0.1)
        y = point(rng, away=(0.0, 1.0, -1.0, x), gap=0.1)
        k = point(rng, away=(0.0, 1.0, -1.0, x, y), gap=0.1)
        for expr in ("a + b", "a * b", "a + k", "k + a", "a * k", "k * a", "a + a", "a * a"):
            cases.append(case(rng, expr, a=x, b=y, k=k))
    return cases


def rounds(*exprs, last=None):
    """Each expression at x, y, k drawn afresh each round (then `last` at a new x)."""

    def cases(rng, hidden):
        made = []
        for _ in range(8 if hidden else 2):
            drawn = {"x": point(rng), "y": point(rng), "k": point(rng)}
            made += [case(rng, e, **{n: v for n, v in drawn.items() if n in e}) for e in exprs]
        return made + ([case(rng, last, x=point(rng))] if last else [])

    return cases


def pow_cases(rng, hidden):
    cases = [case(rng, "x ** n", x=3.0, n=3)]
    for _ in range(6 if hidden else 2):
        cases.append(
            case(rng, "x ** n", x=point(rng, away=(0.0, 1.0, -1.0)), n=rng.choice((2, 3, 4, -1, -2)))
        )
        x = point(rng, 0.3, 3.0, away=(1.0,), gap=0.05)
        cases.append(case(rng, "x ** n", x=x, n=rng.choice((0.5, 1.5, 2.5, -0.5))))
    return [*cases, case(rng, "x ** n", x=0.0, n=2)]  # at 0: a derivative that divides by x fails


def unary(*exprs, first=(), last=(), lo=-3.0, hi=3.0, away=(0.0,), kink=None):
    """Each x.f() at the worked points `first`, random ones, then `last`; a "(k)" gets a slope k.
    With a kink at 0 (kink: the sign of the first point) the points alternate in sign: the
    order matters for the diagnosis, a flipped condition shows first where the truth is 0."""

    def cases(rng, hidden):
        if kink:
            xs = [abs(point(rng, gap=0.05)) * kink * (-1) ** i for i in range(12 if hidden else 4)]
        else:
            xs = [*first, *(point(rng, lo, hi, away=away) for _ in range(10 if hidden else 3)), *last]
        slope = lambda e: {"k": round(rng.uniform(0.05, 0.3), 3)} if "(k)" in e else {}  # noqa: E731
        return [case(rng, e, x=x, **slope(e)) for x in xs for e in exprs]

    return cases


def gelu_cases(rng, hidden):
    """Its values and gradients, then its own graph: built from other operations, with a tanh."""
    return [*unary("x.gelu()", first=(0.5, -1.0), away=())(rng, hidden), {"composed": 0.7}]


declare("03.manual", manual_cases, probe.manual, verdict.manual)
declare("03.add_mul", add_mul_cases, probe.operation, verdict.add_mul)
declare("03.topo", graph_cases, probe.topo, verdict.topo)
declare("03.backward", backward_cases, probe.backward, verdict.backward)
declare("03.reuse", reuse_cases, probe.reuse, verdict.reuse)
declare("03.sub", rounds("-x", "x - y", "x - k", "k - x", last="x - x"), probe.operation, verdict.operation)
declare("03.pow", pow_cases, probe.operation, verdict.operation)
declare("03.div", rounds("x / y", "x / k", "k / x"), probe.operation, verdict.operation)
declare("03.exp", unary("x.exp()", last=(0.0,)), probe.operation, verdict.operation)
declare("03.tanh", unary("x.tanh()", first=(0.5,), lo=-2.5, hi=2.5), probe.operation, verdict.operation)
declare("03.relu", unary("x.relu()", kink=-1), probe.operation, verdict.operation)
# the curriculum's sigmoid(0) last: at 0, s = 1 - s and two mistakes look alike
declare("03.sigmoid", unary("x.sigmoid()", last=(0.0,), lo=-4.0, hi=4.0), probe.operation, verdict.operation)
declare(
    "03.leaky_relu", unary("x.leaky_relu()", "x.leaky_relu(k)", kink=1), probe.operation, verdict.operation
)
declare("03.gelu", gelu_cases, probe.operation, verdict.operation)
