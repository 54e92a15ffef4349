"""Checks for notebook 03: backpropagation, by hand and then automatically.

The truth about every gradient is a central difference in float64. Each check
tests one exercise in isolation: graphs are built with the student's `Value`
constructor (given, read-only code) and, where the exercise is a single
operation, every other operation is temporarily replaced by a correct one
(`_reference_arithmetic`), so a mistake in one cell fails only that cell's check.

To catch `=` written for `+=` and a local derivative not multiplied by
`out.grad`, the inputs' grads are set to nonzero numbers before the backward
pass and `out.grad` to a number other than 1: the expected gradient is then
`before + out.grad * local`, and each typical mistake predicts another number.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass

from course_engine import Value as ReferenceValue
from course_engine.gradcheck import central_difference

from ..core import CheckFailed, close, exercise, fmt, random_point

# ---- typical mistakes, worded once ---------------------------------------------------

OVERWRITE = (
    "gradient overwritten instead of accumulated: use += in _backward "
    "(a value used in several places must collect every contribution)"
)
NO_UPSTREAM = (
    "local derivative not multiplied by out.grad: the chain rule is input.grad += local_derivative * out.grad"
)
NOT_PASSED = (
    "no gradient reached this input: set out._backward to your _backward function, "
    "and create out with its inputs as children so that backward() can reach them"
)
PRODUCT_SWAPPED = (
    "operands swapped in the product rule: through out = self * other, self.grad gets "
    "other.data * out.grad (the OTHER factor), and other.grad gets self.data * out.grad"
)
SUB_SIGN = (
    "sign error in subtraction: out = x - y grows with x and shrinks with y, so the local "
    "derivatives are +1 for x and -1 for y"
)
NEG_SIGN = "sign error: the local derivative of -x is -1"
RSUB_REVERSED = "k - x computed as x - k: __rsub__(self, other) must compute other - self"
NEG_FORWARD = "-x computed as x: __neg__ must flip the sign"
POW_N = "power rule off by one: d/dx x**n = n * x**(n - 1), not n * x**n"
POW_NO_N = "power rule: the factor n is missing: d/dx x**n = n * x**(n - 1), not x**(n - 1)"
POW_PLUS = "power rule: the exponent goes down by one: d/dx x**n = n * x**(n - 1), not n * x**(n + 1)"
POW_MINUS = "power rule: multiply by n, not by n - 1: d/dx x**n = n * x**(n - 1)"
DIV_SIGN = "sign error in division: d(x/y)/dy = -x / y**2 (x / y shrinks when the denominator grows)"
DIV_NO_X = "d(x/y)/dy = -x / y**2: the factor x (the numerator) is missing"
DIV_TIMES = "through x / y, x's local derivative is 1 / y, not y"
RDIV_REVERSED = "k / x computed as x / k: __rtruediv__(self, other) must compute other / self"
EXP_X = "the local derivative of exp(x) is exp(x) itself (out.data), not x"
EXP_XE = "the local derivative of exp(x) is exp(x) itself (out.data), not x * exp(x)"
EXP_ONE = "the local derivative of exp(x) is exp(x) itself (out.data), not 1"
TANH_INPUT = (
    "used 1 - x**2 with the input x; the local derivative of tanh is 1 - tanh(x)**2, that is 1 - out.data**2"
)
TANH_NO_SQUARE = "the local derivative of tanh is 1 - tanh(x)**2 (squared), not 1 - tanh(x)"
TANH_NO_ONE = "the local derivative of tanh is 1 - tanh(x)**2, not tanh(x)**2"
RELU_OUTPUT = (
    "relu's gradient taken from the output value (out.data * out.grad); its local derivative is "
    "1 where the input is above 0 and 0 elsewhere"
)
RELU_CONDITION = (
    "wrong condition in relu's gradient: it passes out.grad on only where the input is above 0 "
    "(local derivative 1 there, 0 elsewhere)"
)
RELU_FORWARD = "relu(x) = max(0, x): 0 for a negative input, x itself otherwise"
SIGMOID_S = "the local derivative of sigmoid is s * (1 - s) with s = out.data, not s alone"
SIGMOID_1MS = "the local derivative of sigmoid is s * (1 - s) with s = out.data, not (1 - s) alone"
SIGMOID_INPUT = (
    "used the input x in x * (1 - x); the local derivative of sigmoid is s * (1 - s) "
    "with s = out.data (the output)"
)
SIGMOID_SQUARE = "the local derivative of sigmoid is s * (1 - s) with s = out.data, not s * s"
LEAKY_ZERO = (
    "leaky relu keeps a small slope below zero: its local derivative there is the slope, "
    "not 0 (that would be plain relu)"
)
LEAKY_OUTPUT = (
    "leaky relu's gradient taken from the output value; below zero its local derivative is the slope"
)
LEAKY_CONDITION = (
    "wrong condition in leaky relu's gradient: the local derivative is 1 where the input is "
    "above 0 and the slope elsewhere"
)
LEAKY_FORWARD_RELU = "below zero, leaky relu gives slope * x, not 0"
LEAKY_DEFAULT = "the default slope is 0.01: def leaky_relu(self, slope=0.01)"
GELU_EXACT = (
    "that is the exact GELU (with erf); this exercise asks for the tanh approximation "
    "0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))"
)
GELU_HALF = "the factor 0.5 in 0.5 * x * (1 + tanh(...)) is missing"
GELU_FORWARD = (
    "compare your formula term by term with the tanh approximation "
    "0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))"
)

SEED = "the output's grad was never seeded: backward() must start with self.grad = 1.0"
NOT_REVERSED = (
    "nodes visited in topological order, not reversed: the output must pass its gradient on "
    "first, so walk reversed(self.topological_order())"
)
VISITED_TWICE = (
    "nodes visited twice: a value reached along two paths had its _backward called twice. "
    "Keep a visited set so each node is listed (and visited) once"
)
RESET_GRADS = (
    "backward() reset the grads: it must add to them (+=), so calling it twice on the same graph "
    "accumulates. Zeroing grads is a separate step (zero_grad, notebook 06)"
)
SEED_ADDED = "seed with self.grad = 1.0 (set it), not self.grad += 1.0"


def _diagnose(got, expected, candidates, rel=1e-5, abs_=1e-6):
    """The mistakes whose prediction matches `got` (and differs from the right answer);
    when several match at this input, all of them, the likeliest first."""
    found = []
    for mistake, predicted in candidates.items():
        if predicted is None or close(predicted, expected, rel, abs_):
            continue
        if close(got, predicted, rel, abs_) and mistake.strip() not in found:
            found.append(mistake.strip())
    return "\n    or: ".join(found) or None


def _require_class(cls):
    if not isinstance(cls, type):
        raise CheckFailed(
            f"pass your Value class itself to check (check(..., Value)), got {type(cls).__name__}"
        )


def _require_callable(fn, what):
    if not callable(fn):
        raise CheckFailed(f"pass your function {what} to check, got {type(fn).__name__}")


def _nonzero(rng, lo=-1.5, hi=1.5, gap=0.3):
    return random_point(rng, lo, hi, away_from=(0.0,), gap=gap)


def _upstream(rng):
    """An out.grad that is not 0 or +-1, so that a forgotten factor shows."""
    return random_point(rng, -2.0, 2.0, away_from=(0.0, 1.0, -1.0), gap=0.2)


def _derivative(f, xs, i):
    """d f / d xs[i] by a central difference in float64."""
    return central_difference(lambda t: f(*xs[:i], t, *xs[i + 1 :]), xs[i])


def _reference_order(root):
    """Every node root depends on, each after its parents (iterative DFS, no recursion)."""
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


def _propagate(root):
    """The backward pass without seeding: root.grad is whatever the check set."""
    for node in reversed(_reference_order(root)):
        node._backward()


# ---- 03.manual: backpropagation by hand ------------------------------------------------


def _manual_output(vals, node=None, value=None):
    """L = (a*b + c) * f, with the node called `node` forced to `value`."""
    v = dict(vals)
    if node is not None:
        v[node] = value
    e = v["a"] * v["b"] if node != "e" else v["e"]
    d = e + v["c"] if node != "d" else v["d"]
    return d * v["f"] if node != "L" else v["L"]


def _manual_candidates(name, v, g):
    """What each typical mistake writes into `name`.grad (v: data, g: true grads)."""
    if name == "L":
        return {}
    if name == "f":
        return {PRODUCT_SWAPPED: v["f"], "sign error: dL/df = d.data * L.grad": -v["d"]}
    if name == "d":
        return {PRODUCT_SWAPPED: v["d"], "sign error: dL/dd = f.data * L.grad": -v["f"]}
    if name in ("c", "e"):
        return {
            "chain rule: through d = e + c the local derivative is 1, and it must be multiplied by "
            "d.grad (upstream)": 1.0,
            "sign error: + passes d.grad on unchanged": -g["d"],
        }
    other, own = ("b", "a") if name == "a" else ("a", "b")
    return {
        f"chain rule: the local derivative {other}.data must be multiplied by e.grad (upstream)": v[other],
        PRODUCT_SWAPPED: v[own] * g["e"],
        f"sign error: d{name} = {other}.data * e.grad": -v[other] * g["e"],
    }


def _manual_graph(vals):
    a, b, c, f = (ReferenceValue(vals[k], label=k) for k in "abcf")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return {"a": a, "b": b, "c": c, "e": e, "d": d, "f": f, "L": L}


@exercise(
    "03.manual",
    title="backpropagation by hand through L = (a*b + c) * f",
    points=2,
    hints=[
        "Start at the output: L.grad = 1.0. Then go backwards one operation at a time, "
        "always using grads you have already filled in.",
        "Through L = d * f: d.grad = f.data * L.grad and f.grad = d.data * L.grad. "
        "Through d = e + c, both e and c get d.grad unchanged.",
        "Through e = a * b: a.grad = b.data * e.grad and b.grad = a.data * e.grad. "
        "Read numbers from .data and .grad; never type the numbers themselves.",
    ],
)
def _check_manual(rng, hidden, backprop_by_hand):
    _require_callable(backprop_by_hand, "backprop_by_hand")
    cases = [{"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}]
    for _ in range(30 if hidden else 5):
        cases.append({k: random_point(rng, -4.0, 4.0, away_from=(0.0,), gap=0.2) for k in "abcf"})
    for leaves in cases:
        nodes = _manual_graph(leaves)
        data = {k: n.data for k, n in nodes.items()}
        backprop_by_hand(*(nodes[k] for k in ("a", "b", "c", "e", "d", "f", "L")))
        truth = {
            k: central_difference(lambda t, k=k, data=data: _manual_output(data, k, t), data[k]) for k in data
        }
        wrong = {
            nodes[k]: f"finite difference {fmt(truth[k])}"
            for k in nodes
            if isinstance(nodes[k].grad, (int, float))
            and not close(nodes[k].grad, truth[k], rel=1e-5, abs_=1e-6)
        }
        for name in ("L", "f", "d", "c", "e", "a", "b"):
            got = nodes[name].grad
            if not isinstance(got, (int, float)):
                raise CheckFailed(
                    f"{name}.grad should be a number, got {type(got).__name__}",
                    mistake="set each grad to a float computed from the nodes' .data and .grad",
                )
            if not close(got, truth[name], rel=1e-5, abs_=1e-6):
                given = ", ".join(f"{k} = {fmt(leaves[k])}" for k in "abcf")
                mistake = _diagnose(got, truth[name], _manual_candidates(name, data, truth))
                if name == "L":
                    mistake = "dL/dL = 1: nudging L by h changes L by h, so L.grad = 1.0"
                raise CheckFailed(
                    f"{name}.grad = dL/d{name} is wrong (checked against a finite difference)",
                    input=given,
                    expected=fmt(truth[name]),
                    got=fmt(got),
                    mistake=mistake
                    or "compute each grad from .data and the grads already filled in, never from "
                    "numbers typed in: the hidden tests use other values",
                    graph=(nodes["L"], wrong),
                )


# ---- 03.add_mul: local _backward of + and * ---------------------------------------------


def _sum_mistakes(local):
    def candidates(i, own, other, before, u):
        return {OVERWRITE: local * u, NO_UPSTREAM: before + local, NOT_PASSED: before}

    return candidates


def _product_mistakes(factor=None):
    """factor: the constant the input is multiplied by (None: the other input's value)."""

    def candidates(i, own, other, before, u):
        k = other if factor is None else factor
        return {
            PRODUCT_SWAPPED: before + own * u,
            OVERWRITE: k * u,
            NO_UPSTREAM: before + k,
            NOT_PASSED: before,
        }

    return candidates


def _square_mistakes(i, own, other, before, u):
    return {OVERWRITE: own * u, NO_UPSTREAM: before + 2 * own, NOT_PASSED: before}


def _add_mul_cases(k):
    """(expression, build, forward value, local derivatives, mistakes) with a, b the inputs."""
    return [
        ("a + b", lambda a, b: a + b, lambda x, y: x + y, lambda x, y: (1.0, 1.0), _sum_mistakes(1.0)),
        ("a * b", lambda a, b: a * b, lambda x, y: x * y, lambda x, y: (y, x), _product_mistakes()),
        (f"a + {fmt(k)}", lambda a, b: a + k, lambda x, y: x + k, lambda x, y: (1.0,), _sum_mistakes(1.0)),
        (f"{fmt(k)} + a", lambda a, b: k + a, lambda x, y: k + x, lambda x, y: (1.0,), _sum_mistakes(1.0)),
        (f"a * {fmt(k)}", lambda a, b: a * k, lambda x, y: x * k, lambda x, y: (k,), _product_mistakes(k)),
        (f"{fmt(k)} * a", lambda a, b: k * a, lambda x, y: k * x, lambda x, y: (k,), _product_mistakes(k)),
        ("a + a", lambda a, b: a + a, lambda x, y: 2 * x, lambda x, y: (2.0,), _sum_mistakes(2.0)),
        ("a * a", lambda a, b: a * a, lambda x, y: x * x, lambda x, y: (2 * x,), _square_mistakes),
    ]


@exercise(
    "03.add_mul",
    title="local _backward of + and *",
    points=2,
    hints=[
        "Inside _backward, out.grad is already known. Each input adds its local derivative "
        "times out.grad to its own grad.",
        "For out = self + other the local derivative is 1 for both. For out = self * other "
        "it is other.data for self and self.data for other.",
        "self.grad += other.data * out.grad (and the mirror line for other). Use +=, not =: "
        "in a + a both lines land on the same Value.",
    ],
)
def _check_add_mul(rng, hidden, Value):
    _require_class(Value)
    for _ in range(10 if hidden else 2):
        x = random_point(rng, away_from=(0.0, 1.0, -1.0), gap=0.1)
        y = random_point(rng, away_from=(0.0, 1.0, -1.0, x), gap=0.1)
        k = random_point(rng, away_from=(0.0, 1.0, -1.0, x, y), gap=0.1)
        for expr, build, forward, local, mistakes in _add_mul_cases(k):
            a, b = Value(x), Value(y)
            a.label, b.label = "a", "b"
            befores = (_nonzero(rng), _nonzero(rng))
            a.grad, b.grad = befores
            out = build(a, b)
            if not isinstance(out, Value):
                raise CheckFailed(f"{expr} should return a Value, got {type(out).__name__}")
            if not close(out.data, forward(x, y), rel=1e-9):
                raise CheckFailed(
                    f"the forward value of {expr} is wrong",
                    input=f"a = {fmt(x)}, b = {fmt(y)}",
                    expected=fmt(forward(x, y)),
                    got=fmt(out.data),
                    mistake="keep the forward line (out = Value(...)) as it was given",
                )
            u = _upstream(rng)
            out.grad = u
            out._backward()
            inputs = ((a, "a", x, y), (b, "b", y, x))[: len(local(x, y))]
            for i, (leaf, name, own, other) in enumerate(inputs):
                expected = befores[i] + u * local(x, y)[i]
                if close(leaf.grad, expected, rel=1e-9, abs_=1e-12):
                    continue
                raise CheckFailed(
                    f"after out = {expr}, out._backward() leaves the wrong {name}.grad",
                    input=f"a = {fmt(x)}, b = {fmt(y)}; before the call {name}.grad = {fmt(befores[i])} "
                    f"and out.grad = {fmt(u)}",
                    expected=f"{fmt(expected)}  (= {fmt(befores[i])} + out.grad * {fmt(local(x, y)[i])})",
                    got=fmt(leaf.grad),
                    mistake=_diagnose(
                        leaf.grad, expected, mistakes(i, own, other, befores[i], u), rel=1e-9, abs_=1e-12
                    ),
                )


# ---- graphs built by the checks themselves ----------------------------------------------


class _Graph:
    """Nodes made with the student's constructor, with correct _backward functions,
    and a side table of local derivatives for simulating right and wrong passes."""

    def __init__(self, cls):
        self.cls, self.nodes, self.rules = cls, [], {}

    def leaf(self, x, label):
        node = self.cls(x, (), "", label)
        self.nodes.append(node)
        return node

    def op(self, op, parents, data, local_grads, label):
        node = self.cls(data, tuple(parents), op, label)

        def _backward():
            for parent, local in zip(parents, local_grads):
                parent.grad += local * node.grad

        node._backward = _backward
        self.rules[id(node)] = (tuple(parents), tuple(local_grads))
        self.nodes.append(node)
        return node

    def add(self, x, y, label):
        return self.op("+", (x, y), x.data + y.data, (1.0, 1.0), label)

    def mul(self, x, y, label):
        return self.op("*", (x, y), x.data * y.data, (y.data, x.data), label)

    def tanh(self, x, label):
        t = math.tanh(x.data)
        return self.op("tanh", (x,), t, (1 - t * t,), label)

    def scale(self, x, k, label):
        return self.op(f"*{k:g}", (x,), k * x.data, (k,), label)

    def simulate(self, root, visit, *, passes=1, seed="set", reset=False, start=None):
        """The grads a backward pass that visits nodes in `visit` order would leave."""
        visit = list(visit)
        grads = {id(n): (start or {}).get(id(n), 0.0) for n in self.nodes}
        for _ in range(passes):
            if reset:
                grads = dict.fromkeys(grads, 0.0)
            if seed == "set":
                grads[id(root)] = 1.0
            elif seed == "add":
                grads[id(root)] += 1.0
            for node in visit:
                parents, local_grads = self.rules.get(id(node), ((), ()))
                for parent, local in zip(parents, local_grads):
                    grads[id(parent)] += local * grads[id(node)]
        return grads


def _order_with_repeats(root):
    """Depth-first post-order without a visited set: a node reached twice is listed twice."""
    order, stack = [], [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((parent, False) for parent in reversed(tuple(node._prev)))
    return order


def _expression_graph(cls, vals):
    g = _Graph(cls)
    a, b, c = g.leaf(vals[0], "a"), g.leaf(vals[1], "b"), g.leaf(vals[2], "c")
    e = g.mul(a, b, "e")
    d = g.add(e, c, "d")
    f = g.leaf(vals[3], "f")
    return (
        g,
        g.mul(d, f, "L"),
        "L = (a*b + c) * f with " + ", ".join(f"{k} = {fmt(v)}" for k, v in zip("abcf", vals)),
    )


def _reuse_graph(cls, x):
    g = _Graph(cls)
    a = g.leaf(x, "a")
    b = g.add(a, a, "b")
    c = g.mul(a, b, "c")
    return g, g.add(c, a, "L"), f"b = a + a, c = a * b, L = c + a with a = {fmt(x)}"


def _random_graph(cls, rng, n_leaves=3, n_ops=10):
    """Random operations on earlier nodes: values get reused, some nodes end up unused."""
    g = _Graph(cls)
    pool = [g.leaf(random_point(rng, -1.5, 1.5), f"x{i}") for i in range(n_leaves)]
    for i in range(n_ops):
        kind = rng.choice(("add", "mul", "tanh", "scale"))
        x = rng.choice(pool[-4:]) if rng.random() < 0.7 else rng.choice(pool)
        y = rng.choice(pool)
        label = f"n{i}"
        if kind == "add":
            node = g.add(x, y, label)
        elif kind == "mul":
            node = g.mul(x, y, label)
        elif kind == "tanh":
            node = g.tanh(x, label)
        else:
            node = g.scale(x, rng.choice((0.5, -1.5, 2.0)), label)
        pool.append(node)
    # the output uses the last node and one earlier one: shared paths are almost certain
    root = g.add(pool[-1], rng.choice(pool[n_leaves:-1]), "out")
    return (
        g,
        root,
        f"a random graph of {len(_reference_order(root))} nodes in which some values are used twice",
    )


def _chain_graph(cls, length):
    g = _Graph(cls)
    node = g.leaf(0.5, "x0")
    for i in range(1, length):
        node = g.tanh(node, f"x{i}") if i % 10 == 0 else g.scale(node, 0.99, f"x{i}")
    return g, node, f"a chain of {length} operations"


def _graphs(cls, rng, hidden):
    yield _expression_graph(cls, (2.0, -3.0, 10.0, -2.0))
    yield _reuse_graph(cls, random_point(rng, away_from=(0.0,), gap=0.2))
    for _ in range(12 if hidden else 3):
        yield _random_graph(cls, rng, n_ops=rng.randint(5, 14))
    yield _chain_graph(cls, 150)


# ---- 03.topo: topological order ---------------------------------------------------------


def _name(node):
    return getattr(node, "label", "") or repr(node)


@exercise(
    "03.topo",
    title="topological order of a graph",
    points=2,
    hints=[
        "Depth first: before you append a node, visit (recursively) every node in its _prev. "
        "The output is appended last.",
        "Keep a set of visited nodes; a value used twice (as in a * b + a) must be listed once.",
        "def build(v): if v not in visited: visited.add(v); for p in v._prev: build(p); "
        "then order.append(v). Call build(self) and return order.",
    ],
)
def _check_topo(rng, hidden, Value):
    _require_class(Value)
    if not callable(getattr(Value, "topological_order", None)):
        raise CheckFailed("Value has no method topological_order(): run the exercise cell above first")
    for _graph, root, described in _graphs(Value, rng, hidden):
        got = root.topological_order()
        if not isinstance(got, (list, tuple)):
            raise CheckFailed(
                f"topological_order() should return a list of Values, got {type(got).__name__}",
                input=described,
            )
        got = list(got)
        right = _reference_order(root)
        wanted = {id(n) for n in right}
        counts = {}
        for node in got:
            counts[id(node)] = counts.get(id(node), 0) + 1
        for node in got:
            if counts[id(node)] > 1:
                raise CheckFailed(
                    f"node {_name(node)} appears {counts[id(node)]} times in the order",
                    input=described,
                    expected="each node exactly once",
                    got=f"{len(got)} entries for {len(right)} nodes",
                    mistake=VISITED_TWICE,
                )
            if id(node) not in wanted:
                raise CheckFailed(
                    f"{_name(node)!s} is in the order but the output does not depend on it",
                    input=described,
                    mistake="start from self and follow _prev only: list what the output was made from",
                )
        for node in right:
            if id(node) not in counts:
                raise CheckFailed(
                    f"node {_name(node)} is missing from the order",
                    input=described,
                    expected=f"{len(right)} nodes",
                    got=f"{len(got)}",
                    mistake="the order must hold every value the output depends on, leaves and "
                    "the output itself included" + (" (append self too)" if node is root else ""),
                )
        position = {id(n): i for i, n in enumerate(got)}
        if all(position[id(p)] > position[id(n)] for n in got for p in n._prev) and len(got) > 1:
            raise CheckFailed(
                "the order is reversed: the output comes first",
                input=described,
                expected=f"{_name(root)} last, each node after its parents",
                got=f"{_name(got[0])} first",
                mistake="append a node after visiting its parents (post-order); backward() is the "
                "one that walks the list in reverse",
            )
        for node in got:
            for parent in node._prev:
                if position[id(parent)] > position[id(node)]:
                    raise CheckFailed(
                        f"{_name(node)} comes before its parent {_name(parent)}",
                        input=described,
                        expected="every node after all of its parents",
                        mistake="visit all of a node's parents before appending the node itself",
                    )


# ---- 03.backward: backward() ------------------------------------------------------------


def _reference_topological_order(self):
    return _reference_order(self)


@contextmanager
def _patched(cls, replacements):
    """Temporarily set class attributes, restoring (or removing) them afterwards."""
    missing = object()
    saved = {name: cls.__dict__.get(name, missing) for name in replacements}
    try:
        for name, attribute in replacements.items():
            setattr(cls, name, attribute)
        yield
    finally:
        for name, old in saved.items():
            if old is missing:
                delattr(cls, name)
            else:
                setattr(cls, name, old)


def _compare_grads(g, root, got, expected, mistakes, described, what):
    """Raise at the first node (from the output back) whose grad is not the expected one."""
    for node in reversed(_reference_order(root)):
        if close(got[id(node)], expected[id(node)], rel=1e-9, abs_=1e-12):
            continue
        mistake = None
        for text, predicted in mistakes.items():
            if all(close(got[k], predicted[k], rel=1e-9, abs_=1e-12) for k in got):
                mistake = text
                break
        wrong = {
            n: f"should be {fmt(expected[id(n)])}"
            for n in _reference_order(root)
            if not close(got[id(n)], expected[id(n)], rel=1e-9, abs_=1e-12)
        }
        raise CheckFailed(
            f"{what}: {_name(node)}.grad is wrong",
            input=described,
            expected=fmt(expected[id(node)]),
            got=fmt(got[id(node)]),
            mistake=mistake
            or "backward() should set self.grad = 1.0, then call _backward() on every node of "
            "reversed(self.topological_order()), each exactly once",
            graph=(root, wrong),
        )


@exercise(
    "03.backward",
    title="backward(): seed, then every _backward in reverse topological order",
    points=2,
    hints=[
        "Two steps: the output's own gradient is 1 (dL/dL), then each node passes its gradient "
        "to its parents, the output first.",
        "A node may call _backward() only once its own grad is complete, that is after every "
        "node that uses it: walk the topological order backwards.",
        "self.grad = 1.0, then: for node in reversed(self.topological_order()): node._backward()",
    ],
)
def _check_backward(rng, hidden, Value):
    _require_class(Value)
    if not callable(getattr(Value, "backward", None)):
        raise CheckFailed("Value has no method backward(): run the exercise cell above first")
    # your topological_order is checked by 03.topo; here a correct one stands in for it
    with _patched(Value, {"topological_order": _reference_topological_order}):
        for g, root, described in _graphs(Value, rng, hidden):
            root.backward()
            right = _reference_order(root)
            got = {id(n): n.grad for n in g.nodes}
            mistakes = {
                SEED: g.simulate(root, reversed(right), seed=None),
                NOT_REVERSED: g.simulate(root, right),
                VISITED_TWICE: g.simulate(root, list(reversed(_order_with_repeats(root)))),
            }
            expected = g.simulate(root, reversed(right))
            _compare_grads(g, root, got, expected, mistakes, described, "after backward()")
        # a fresh graph, backward() twice: the second pass adds to the first
        vals = [random_point(rng, -3.0, 3.0, away_from=(0.0,), gap=0.2) for _ in range(4)]
        g, root, described = _expression_graph(Value, vals)
        root.backward()
        root.backward()
        right = _reference_order(root)
        got = {id(n): n.grad for n in g.nodes}
        expected = g.simulate(root, reversed(right), passes=2)
        mistakes = {
            RESET_GRADS: g.simulate(root, reversed(right), passes=2, reset=True),
            SEED_ADDED: g.simulate(root, reversed(right), passes=2, seed="add"),
        }
        _compare_grads(
            g,
            root,
            got,
            expected,
            mistakes,
            described + ", backward() called twice",
            "after two backward() calls",
        )


# ---- 03.reuse: a value used twice, by hand ---------------------------------------------


def _reuse_output(a, node=None, value=None):
    b = a + a if node != "b" else value
    c = a * b if node != "c" else value
    return c + a if node != "L" else value


@exercise(
    "03.reuse",
    title="a value used more than once: gradients from every path add up",
    points=2,
    hints=[
        "a reaches L along several paths: directly (L = c + a), through c = a * b, and through "
        "b = a + a, where a is BOTH operands. Each path adds its share to a.grad.",
        "Go backwards as before, but write a.grad += ... for every place a is used, instead of a.grad = ...",
        "L.grad = 1; c.grad += L.grad; a.grad += L.grad; a.grad += b.data * c.grad; "
        "b.grad += a.data * c.grad; then b = a + a gives a.grad += b.grad twice.",
    ],
)
def _check_reuse(rng, hidden, backprop_reuse_by_hand):
    _require_callable(backprop_reuse_by_hand, "backprop_reuse_by_hand")
    points = [1.5] + [
        random_point(rng, -3.0, 3.0, away_from=(0.0,), gap=0.2) for _ in range(30 if hidden else 5)
    ]
    for x in points:
        a = ReferenceValue(x, label="a")
        b = a + a
        c = a * b
        L = c + a
        backprop_reuse_by_hand(a, b, c, L)
        nodes = {"L": L, "c": c, "b": b, "a": a}
        data = {"a": x, "b": b.data, "c": c.data, "L": L.data}
        for name in ("L", "c", "b", "a"):
            truth = central_difference(
                (lambda t: _reuse_output(t))
                if name == "a"
                else (lambda t, n=name, x=x: _reuse_output(x, n, t)),
                data[name],
            )
            got = nodes[name].grad
            if close(got, truth, rel=1e-5, abs_=1e-6):
                continue
            candidates = {}
            if name == "a":
                one_path = (
                    "a.grad was overwritten, so only one path counts: add (+=) the contribution of "
                    "every place a is used"
                )
                candidates = {
                    "b = a + a uses a twice, so a collects b.grad twice (db/da = 2)": 1 + 3 * x,
                    "a path from L to a is missing: a is used directly in L = c + a, in c = a * b, "
                    "and twice in b = a + a": 1 + 2 * x,
                    "the direct path L = c + a is missing (or overwritten by a later a.grad = ...): it adds "
                    "L.grad to a.grad": 4 * x,
                    one_path: 2 * x,
                    one_path + " ": 1.0,
                    one_path + "  ": x,
                }
            elif name == "b":
                candidates = {PRODUCT_SWAPPED: data["b"], "chain rule: multiply by c.grad": x}
            mistake = _diagnose(got, truth, candidates)
            raise CheckFailed(
                f"{name}.grad = dL/d{name} is wrong (checked against a finite difference)",
                input=f"a = {fmt(x)}, b = a + a, c = a * b, L = c + a",
                expected=fmt(truth),
                got=fmt(got),
                mistake=mistake.strip()
                if mistake
                else "compute each grad from .data and grads already filled in",
                graph=(L, {nodes[name]: f"finite difference {fmt(truth)}"}),
            )


# ---- more operations: one check per operation -------------------------------------------


def _node(cls, data, parents, op, local_grads):
    out = cls(data, tuple(parents), op)

    def _backward():
        for parent, local in zip(parents, local_grads):
            parent.grad += local * out.grad

    out._backward = _backward
    return out


def _reference_methods(cls):
    """Correct versions of every operation, making nodes of the student's class."""

    def wrap(other):
        return other if isinstance(other, cls) else cls(other)

    def add(self, other):
        other = wrap(other)
        return _node(cls, self.data + other.data, (self, other), "+", (1.0, 1.0))

    def mul(self, other):
        other = wrap(other)
        return _node(cls, self.data * other.data, (self, other), "*", (other.data, self.data))

    def neg(self):
        return _node(cls, -self.data, (self,), "neg", (-1.0,))

    def sub(self, other):
        other = wrap(other)
        return _node(cls, self.data - other.data, (self, other), "-", (1.0, -1.0))

    def rsub(self, other):
        return _node(cls, other - self.data, (self,), "-", (-1.0,))

    def truediv(self, other):
        other = wrap(other)
        x, y = self.data, other.data
        return _node(cls, x / y, (self, other), "/", (1.0 / y, -x / (y * y)))

    def rtruediv(self, other):
        x = self.data
        return _node(cls, other / x, (self,), "/", (-other / (x * x),))

    def power(self, n):
        return _node(cls, self.data**n, (self,), f"**{n}", (n * self.data ** (n - 1),))

    def exp(self):
        out = math.exp(self.data)
        return _node(cls, out, (self,), "exp", (out,))

    def tanh(self):
        t = math.tanh(self.data)
        return _node(cls, t, (self,), "tanh", (1 - t * t,))

    def relu(self):
        x = self.data
        return _node(cls, max(x, 0.0), (self,), "relu", (1.0 if x > 0 else 0.0,))

    def sigmoid(self):
        s = _sigmoid(self.data)
        return _node(cls, s, (self,), "sigmoid", (s * (1 - s),))

    def leaky_relu(self, slope=0.01):
        x = self.data
        return _node(cls, x if x > 0 else slope * x, (self,), "leaky_relu", (1.0 if x > 0 else slope,))

    def gelu(self):
        return _node(cls, _gelu(self.data), (self,), "gelu", (_derivative(_gelu, (self.data,), 0),))

    return {
        "__add__": add,
        "__radd__": add,
        "__mul__": mul,
        "__rmul__": mul,
        "__neg__": neg,
        "__sub__": sub,
        "__rsub__": rsub,
        "__truediv__": truediv,
        "__rtruediv__": rtruediv,
        "__pow__": power,
        "exp": exp,
        "tanh": tanh,
        "relu": relu,
        "sigmoid": sigmoid,
        "leaky_relu": leaky_relu,
        "gelu": gelu,
    }


def _reference_arithmetic(cls, keep):
    """Every operation but those in `keep` replaced by a correct one, for the check's duration."""
    return _patched(cls, {k: v for k, v in _reference_methods(cls).items() if k not in keep})


def _sigmoid(x):
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


GELU_C = math.sqrt(2 / math.pi)


def _gelu(x):
    return 0.5 * x * (1 + math.tanh(GELU_C * (x + 0.044715 * x**3)))


@dataclass
class _Case:
    """One expression to check: `n_values` leading numbers become Values, the rest stay numbers."""

    expr: str
    build: callable
    truth: callable
    n_values: int
    mistakes: callable = None  # (numbers, i) -> {mistake: wrong local derivative of input i}
    forward_mistakes: callable = None  # numbers -> {mistake: wrong forward value}
    forward_hint: str = None  # said when no forward mistake matches
    constant: str = "k"  # what the plain-number operand is called in messages


def _check_case(cls, case, numbers, rng):
    names = ("x", "y")[: case.n_values]
    leaves = [cls(v) for v in numbers[: case.n_values]]
    for leaf, name in zip(leaves, names):
        leaf.label = name
    befores = [_nonzero(rng) for _ in leaves]
    for leaf, before in zip(leaves, befores):
        leaf.grad = before
    given = ", ".join(f"{n} = {fmt(v)}" for n, v in zip((*names, case.constant), numbers))
    out = case.build(*leaves, *numbers[case.n_values :])
    if not isinstance(out, cls):
        raise CheckFailed(f"{case.expr} should return a Value, got {type(out).__name__}", input=given)
    truth = case.truth(*numbers)
    if not close(out.data, truth, rel=1e-9, abs_=1e-12):
        candidates = case.forward_mistakes(*numbers) if case.forward_mistakes else {}
        raise CheckFailed(
            f"the forward value of {case.expr} is wrong",
            input=given,
            expected=fmt(truth),
            got=fmt(out.data),
            mistake=_diagnose(out.data, truth, candidates, rel=1e-9, abs_=1e-12) or case.forward_hint,
        )
    reached = {id(n) for n in _reference_order(out)}
    for leaf, name in zip(leaves, names):
        if id(leaf) not in reached:
            raise CheckFailed(
                f"the result of {case.expr} does not remember {name}: {name} is not among its "
                "children (_prev), so backward() could never reach it",
                input=given,
                mistake="create the result with its inputs as children, e.g. Value(..., (self,), 'op')",
            )
    u = _upstream(rng)
    out.grad = u
    _propagate(out)
    for i, (leaf, name) in enumerate(zip(leaves, names)):
        local = _derivative(case.truth, numbers, i)
        expected = befores[i] + u * local
        if close(leaf.grad, expected, rel=1e-5, abs_=1e-6):
            continue
        wrong = case.mistakes(*numbers, i) if case.mistakes else {}
        candidates = {m: befores[i] + u * w for m, w in wrong.items()}
        candidates.update({OVERWRITE: u * local, NO_UPSTREAM: befores[i] + local, NOT_PASSED: befores[i]})
        raise CheckFailed(
            f"the gradient of {case.expr} with respect to {name} is wrong",
            input=f"{given}; before the backward pass {name}.grad = {fmt(befores[i])} and "
            f"out.grad = {fmt(u)}",
            expected=f"{fmt(expected)}  (= {fmt(befores[i])} + out.grad * d(out)/d{name}, "
            f"where d(out)/d{name} = {fmt(local)} by finite differences)",
            got=fmt(leaf.grad),
            mistake=_diagnose(leaf.grad, expected, candidates),
        )


def _check_operation(rng, hidden, cls, keep, plan):
    """Run each (case, numbers) of `plan` with every other operation made correct."""
    _require_class(cls)
    with _reference_arithmetic(cls, keep):
        for case, numbers in plan:
            _check_case(cls, case, numbers, rng)


def _point(rng, lo=-3.0, hi=3.0, away=(0.0,), gap=0.3):
    return random_point(rng, lo, hi, away_from=away, gap=gap)


# 03.sub ------------------------------------------------------------------------------

_SUB = _Case(
    "x - y",
    lambda x, y: x - y,
    lambda x, y: x - y,
    2,
    mistakes=lambda x, y, i: {SUB_SIGN: -1.0} if i == 0 else {SUB_SIGN: 1.0},
    forward_mistakes=lambda x, y: {"x - y computed as y - x": y - x, "x - y computed as x + y": x + y},
)
_SUB_K = _Case(
    "x - k",
    lambda x, k: x - k,
    lambda x, k: x - k,
    1,
    mistakes=lambda x, k, i: {SUB_SIGN: -1.0},
    forward_mistakes=lambda x, k: {"x - k computed as k - x": k - x},
)
_RSUB = _Case(
    "k - x",
    lambda x, k: k - x,
    lambda x, k: k - x,
    1,
    mistakes=lambda x, k, i: {SUB_SIGN: 1.0},
    forward_mistakes=lambda x, k: {RSUB_REVERSED: x - k, "k - x computed as k + x": k + x},
)
_NEG = _Case(
    "-x",
    lambda x: -x,
    lambda x: -x,
    1,
    mistakes=lambda x, i: {NEG_SIGN: 1.0},
    forward_mistakes=lambda x: {NEG_FORWARD: x},
)


@exercise(
    "03.sub",
    title="unary minus and subtraction both ways",
    points=1,
    hints=[
        "-x is x * -1; x - y is x + (-y). Built from + and *, they need no _backward of their own.",
        "__rsub__(self, other) handles 5 - x: there other is the number 5, so compute other - self.",
        "def __neg__(self): return self * -1;  def __sub__(self, other): return self + (-other);  "
        "def __rsub__(self, other): return other + (-self)",
    ],
)
def _check_sub(rng, hidden, Value):
    plan = []
    for _ in range(8 if hidden else 2):
        x, y, k = _point(rng), _point(rng), _point(rng)
        plan += [(_NEG, (x,)), (_SUB, (x, y)), (_SUB_K, (x, k)), (_RSUB, (x, k))]
    plan.append((_Case("x - x", lambda x: x - x, lambda x: 0.0 * x, 1), (_point(rng),)))
    _check_operation(rng, hidden, Value, {"__neg__", "__sub__", "__rsub__"}, plan)


# 03.pow ------------------------------------------------------------------------------


def _pow_mistakes(x, n, i):
    return {
        POW_N: n * x**n,
        POW_NO_N: x ** (n - 1),
        POW_PLUS: n * x ** (n + 1),
        POW_MINUS: (n - 1) * x ** (n - 1),
    }


_POW = _Case("x ** n", lambda x, n: x**n, lambda x, n: x**n, 1, mistakes=_pow_mistakes, constant="n")


@exercise(
    "03.pow",
    title="power with a number exponent",
    points=1,
    hints=[
        "out = x**n for a plain number n. Its local derivative is the power rule.",
        "d/dx x**n = n * x**(n - 1): for x = 3, n = 3 that is 27.",
        "self.grad += n * self.data ** (n - 1) * out.grad",
    ],
)
def _check_pow(rng, hidden, Value):
    plan = [(_POW, (3.0, 3))]
    for _ in range(6 if hidden else 2):
        plan.append((_POW, (_point(rng, away=(0.0, 1.0, -1.0)), rng.choice((2, 3, 4, -1, -2)))))
        plan.append(
            (_POW, (random_point(rng, 0.3, 3.0, away_from=(1.0,)), rng.choice((0.5, 1.5, 2.5, -0.5))))
        )
    _check_operation(rng, hidden, Value, {"__pow__"}, plan)


# 03.div ------------------------------------------------------------------------------

_DIV = _Case(
    "x / y",
    lambda x, y: x / y,
    lambda x, y: x / y,
    2,
    mistakes=lambda x, y, i: {DIV_TIMES: y} if i == 0 else {DIV_SIGN: x / y**2, DIV_NO_X: -1 / y**2},
    forward_mistakes=lambda x, y: {"x / y computed as y / x": y / x},
)
_DIV_K = _Case(
    "x / k",
    lambda x, k: x / k,
    lambda x, k: x / k,
    1,
    mistakes=lambda x, k, i: {DIV_TIMES: k},
    forward_mistakes=lambda x, k: {"x / k computed as k / x": k / x},
)
_RDIV = _Case(
    "k / x",
    lambda x, k: k / x,
    lambda x, k: k / x,
    1,
    mistakes=lambda x, k, i: {DIV_SIGN: k / x**2, DIV_NO_X: -1 / x**2},
    forward_mistakes=lambda x, k: {RDIV_REVERSED: x / k},
)


@exercise(
    "03.div",
    title="division both ways",
    points=1,
    hints=[
        "x / y is x * y**-1: with * and ** already done, division needs no _backward of its own.",
        "__rtruediv__(self, other) handles 10 / x: there other is the number 10.",
        "def __truediv__(self, other): return self * other**-1  (wrap a number other in a Value "
        "first);  def __rtruediv__(self, other): return other * self**-1",
    ],
)
def _check_div(rng, hidden, Value):
    plan = []
    for _ in range(8 if hidden else 2):
        x, y, k = _point(rng), _point(rng), _point(rng)
        plan += [(_DIV, (x, y)), (_DIV_K, (x, k)), (_RDIV, (x, k))]
    _check_operation(rng, hidden, Value, {"__truediv__", "__rtruediv__"}, plan)


# 03.exp, 03.tanh, 03.relu, 03.sigmoid, 03.leaky_relu -----------------------------------

_EXP = _Case(
    "x.exp()",
    lambda x: x.exp(),
    math.exp,
    1,
    mistakes=lambda x, i: {EXP_X: x, EXP_XE: x * math.exp(x), EXP_ONE: 1.0},
)


@exercise(
    "03.exp",
    title="exp",
    points=1,
    hints=[
        "out = exp(x) (math.exp). Which function is its own derivative?",
        "The local derivative of exp(x) is exp(x), which is already stored in out.data.",
        "self.grad += out.data * out.grad",
    ],
)
def _check_exp(rng, hidden, Value):
    plan = [(_EXP, (_point(rng),)) for _ in range(10 if hidden else 3)]
    _check_operation(rng, hidden, Value, {"exp"}, [*plan, (_EXP, (0.0,))])


_TANH = _Case(
    "x.tanh()",
    lambda x: x.tanh(),
    math.tanh,
    1,
    mistakes=lambda x, i: {
        TANH_INPUT: 1 - x**2,
        TANH_NO_SQUARE: 1 - math.tanh(x),
        TANH_NO_ONE: math.tanh(x) ** 2,
    },
)


@exercise(
    "03.tanh",
    title="tanh",
    points=1,
    hints=[
        "out = tanh(x) (math.tanh). Its derivative is written with tanh itself.",
        "d/dx tanh(x) = 1 - tanh(x)**2, and tanh(x) is out.data: tanh(0.5) = 0.4621, slope 0.7864.",
        "t = out.data; self.grad += (1 - t**2) * out.grad",
    ],
)
def _check_tanh(rng, hidden, Value):
    plan = [(_TANH, (0.5,))] + [(_TANH, (_point(rng, -2.5, 2.5),)) for _ in range(10 if hidden else 3)]
    _check_operation(rng, hidden, Value, {"tanh"}, plan)


def _relu_mistakes(x, i):
    return {RELU_OUTPUT: x} if x > 0 else {RELU_CONDITION: 1.0}


_RELU = _Case(
    "x.relu()",
    lambda x: x.relu(),
    lambda x: max(x, 0.0),
    1,
    mistakes=_relu_mistakes,
    forward_mistakes=lambda x: {RELU_FORWARD: x if x < 0 else 0.0},
)


def _alternating(rng, n, negative_first=True, lo=-3.0, hi=3.0):
    """n points away from the kink at 0, of alternating signs. The order matters for the
    diagnosis: a flipped condition shows first on the side where the truth is 0."""
    points = []
    for i in range(n):
        x = abs(_point(rng, lo, hi, away=(0.0,), gap=0.05))
        points.append(-x if (i % 2 == 0) == negative_first else x)
    return points


@exercise(
    "03.relu",
    title="relu",
    points=1,
    hints=[
        "out = max(0, x). Where x > 0 relu is the identity; elsewhere it is flat.",
        "The local derivative is 1 where the input self.data > 0 and 0 elsewhere: a switch, not the output value.",
        "self.grad += (1.0 if self.data > 0 else 0.0) * out.grad",
    ],
)
def _check_relu(rng, hidden, Value):
    plan = [(_RELU, (x,)) for x in _alternating(rng, 12 if hidden else 4)]
    _check_operation(rng, hidden, Value, {"relu"}, plan)


_SIGMOID = _Case(
    "x.sigmoid()",
    lambda x: x.sigmoid(),
    _sigmoid,
    1,
    mistakes=lambda x, i: {
        SIGMOID_INPUT: x * (1 - x),
        SIGMOID_S: _sigmoid(x),
        SIGMOID_1MS: 1 - _sigmoid(x),
        SIGMOID_SQUARE: _sigmoid(x) ** 2,
    },
    forward_mistakes=lambda x: {"sigmoid(x) = 1 / (1 + exp(-x)), with -x": 1 / (1 + math.exp(x))},
)


@exercise(
    "03.sigmoid",
    title="sigmoid",
    points=1,
    hints=[
        "out = s = 1 / (1 + exp(-x)). Its derivative is written with s itself.",
        "d/dx sigmoid(x) = s * (1 - s) with s = out.data: at x = 0, s = 0.5 and the slope is 0.25.",
        "s = out.data; self.grad += s * (1 - s) * out.grad",
    ],
)
def _check_sigmoid(rng, hidden, Value):
    # the curriculum's sigmoid(0) last: at 0, s = 1 - s and two mistakes look alike
    plan = [(_SIGMOID, (_point(rng, -4.0, 4.0),)) for _ in range(10 if hidden else 3)] + [(_SIGMOID, (0.0,))]
    _check_operation(rng, hidden, Value, {"sigmoid"}, plan)


def _leaky_mistakes(x, slope, i):
    if x > 0:
        return {LEAKY_CONDITION: slope, LEAKY_OUTPUT: x}
    return {LEAKY_ZERO: 0.0, LEAKY_OUTPUT: slope * x, LEAKY_CONDITION: 1.0}


def _leaky_forward_mistakes(x, slope):
    return {LEAKY_FORWARD_RELU: max(x, 0.0)}


_LEAKY = _Case(
    "x.leaky_relu(k)",
    lambda x, k: x.leaky_relu(k),
    lambda x, k: x if x > 0 else k * x,
    1,
    mistakes=_leaky_mistakes,
    forward_mistakes=_leaky_forward_mistakes,
)
_LEAKY_DEFAULT = _Case(
    "x.leaky_relu()",
    lambda x: x.leaky_relu(),
    lambda x: x if x > 0 else 0.01 * x,
    1,
    mistakes=lambda x, i: _leaky_mistakes(x, 0.01, i),
    forward_mistakes=lambda x: {LEAKY_FORWARD_RELU: max(x, 0.0), LEAKY_DEFAULT: 0.1 * x},
)


@exercise(
    "03.leaky_relu",
    title="leaky relu",
    points=1,
    hints=[
        "Like relu, but below zero the output is slope * x instead of 0, so the gradient never dies.",
        "The local derivative is 1 where the input is above 0 and `slope` elsewhere.",
        "self.grad += (1.0 if self.data > 0 else slope) * out.grad",
    ],
)
def _check_leaky_relu(rng, hidden, Value):
    plan = []
    for x in _alternating(rng, 12 if hidden else 4, negative_first=False):
        plan += [(_LEAKY_DEFAULT, (x,)), (_LEAKY, (x, round(rng.uniform(0.05, 0.3), 3)))]
    _check_operation(rng, hidden, Value, {"leaky_relu"}, plan)


# 03.gelu -----------------------------------------------------------------------------

_GELU = _Case(
    "x.gelu()",
    lambda x: x.gelu(),
    _gelu,
    1,
    forward_mistakes=lambda x: {
        GELU_EXACT: 0.5 * x * (1 + math.erf(x / math.sqrt(2))),
        GELU_HALF: 2 * _gelu(x),
    },
    forward_hint=GELU_FORWARD,
)


@exercise(
    "03.gelu",
    title="GELU built from other operations",
    points=2,
    hints=[
        "Write the formula with Value operations only: *, +, ** and tanh. Each of them already "
        "knows its local derivative, so gelu needs no _backward.",
        "0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3))), with sqrt(2 / pi) a plain "
        "number (math.sqrt(2 / math.pi)).",
        "inner = math.sqrt(2 / math.pi) * (self + 0.044715 * self**3); "
        "return 0.5 * self * (1 + inner.tanh())",
    ],
)
def _check_gelu(rng, hidden, Value):
    points = [0.5, -1.0] + [_point(rng, -3.0, 3.0, away=()) for _ in range(10 if hidden else 3)]
    _check_operation(rng, hidden, Value, {"gelu"}, [(_GELU, (x,)) for x in points])
    with _reference_arithmetic(Value, {"gelu"}):
        out = Value(0.7).gelu()
        nodes = _reference_order(out)
    if len(nodes) < 5 or not any(getattr(n, "_op", "") == "tanh" for n in nodes):
        raise CheckFailed(
            f"gelu should be built from other operations, but its graph has {len(nodes)} nodes and no tanh",
            mistake="compose gelu from *, +, ** and tanh (no _backward of its own): each piece "
            "already knows its local derivative",
        )
