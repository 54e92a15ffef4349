"""Verdicts for notebook 03: backpropagation, by hand and then automatically.

The truth about every gradient is a central difference in float64, or the reference engine on the
same graph. Before a backward pass the inputs' grads are nonzero and out.grad is not 1, so the
expected gradient is `before + out.grad * local` and each typical mistake (`=` for `+=`, out.grad
forgotten, ...) predicts another number; a wrong backward() is told by replaying the typical wrong
passes on the same graph. What happened is said from the table beside this module (kit.says).
"""

import math
from collections import Counter

from course_engine import Value
from course_engine.gradcheck import central_difference

from ..kit.compare import close, first_matching, matching
from ..kit.failure import Failure
from ..kit.fmt import fmt
from ..kit.says import Says
from ..probes.nb03_backprop import evaluate

SAY = Says.beside(__file__)
M = MISTAKES = SAY.mistakes
# tolerances: the same float operations as a right answer; a finite difference
EXACT, NUMERIC = {"rel": 1e-9, "abs_": 1e-12}, {"rel": 1e-5, "abs_": 1e-6}
REFUSED = {
    "class": "pass your Value class itself to check (check(..., Value)), got {}",
    "method": "Value has no method {}(): run the exercise cell above first",
    "function": "pass your function {} to check, got {}",
}


def reference_graph(spec):
    """The nodes of a graph description, made of the reference engine's Values."""
    nodes = []
    for op, parents, number, label in spec:
        x = [nodes[i] for i in parents]
        if not x:
            made = Value(number)
        elif op in ("+", "*", "tanh"):
            made = x[0] + x[1] if op == "+" else x[0] * x[1] if op == "*" else x[0].tanh()
        else:
            made = Value(number * x[0].data, (x[0],), op, _local_grads=(number,))
        made.label = label
        nodes.append(made)
    return nodes


def numbered(case, local=True):
    """A graph case with each node's value (and local derivatives), for the probe."""
    nodes = reference_graph(case["graph"])
    local = {"local": [list(n._local_grads) for n in nodes]} if local else {}
    return {**case, "data": [n.data for n in nodes], **local}


def guarded(verdict):
    """The verdict, unless the check was refused what it needs (a class, a method, a function)."""

    def judged(case, observation):
        if "refused" not in observation:
            return verdict(case, observation)
        kind, *fields = observation["refused"]
        if kind != "lost":
            return Failure(REFUSED[kind].format(*fields))
        # the class's cell was run again after the cells that added methods to it
        name, cells = fields
        groups = "; ".join(" and ".join(cell) for cell in cells)
        return SAY("defined-again", "class-defined-again", name=name, cells=groups)

    return judged


def _drawn(nodes, grads, truth, wrong, source="should be"):
    """The graph to draw: reference nodes holding the grads observed, every one labelled with
    the grad it should hold, the `wrong` ones (indices) highlighted with where that came from."""
    out = nodes[-1].label
    for node, grad, should in zip(nodes, grads, truth):
        node.grad = grad if isinstance(grad, float) else math.nan
        node.label = f"{node.label} (d{out}/d{node.label} = {fmt(should)})"
    return nodes[-1], {nodes[i]: f"wrong: {source} {fmt(truth[i])}" for i in wrong}


# ---- 03.manual and 03.reuse: backpropagation by hand -------------------------------------


def _manual_mistakes(name, v, g):
    """What each typical mistake writes into `name`.grad (v: data, g: true grads, by label)."""
    swapped, sign = M("product-operands-swapped"), lambda detail: M("sign-error", detail=detail)
    if name == "L":
        return M("seed-not-one")
    if name in ("f", "d"):
        other = "d" if name == "f" else "f"
        return [(swapped, v[name]), (sign(f"dL/d{name} = {other}.data * L.grad"), -v[other])]
    if name in ("c", "e"):
        why = "through d = e + c the local derivative is 1, and it must be multiplied by d.grad (upstream)"
        times = M("sum-times-data", name=name, other="c" if name == "e" else "e")
        return [
            (M("chain-rule-upstream", detail=why), 1.0),
            (sign("+ passes d.grad on unchanged"), -g["d"]),
            (times, g["d"] * v["c" if name == "e" else "e"]),
        ]
    other = "b" if name == "a" else "a"
    why = f"the local derivative {other}.data must be multiplied by e.grad (upstream)"
    upstream, wrong_sign = M("chain-rule-upstream", detail=why), sign(f"d{name} = {other}.data * e.grad")
    # {other}.grad for {other}.data: a grad not filled in yet (0), or b's after a's
    unset = M("grad-for-data-by-hand", name=name, other=other)
    wrong = [(upstream, v[other]), (swapped, v[name] * g["e"]), (wrong_sign, -v[other] * g["e"])]
    return [*wrong, (unset, 0.0), (unset, g["a"] * g["e"] if name == "b" else None)]


def _reuse_mistakes(name, v, g):
    x, once = v["a"], M("reuse-one-path")
    if name == "a":
        paths = [M("reuse-counted-once"), M("reuse-path-missing"), M("reuse-direct-path-missing")]
        return [*zip(paths, (1 + 3 * x, 1 + 2 * x, 4 * x)), (once, 2 * x), (once, 1.0), (once, x)]
    upstream = M("chain-rule-upstream", detail="multiply by c.grad")
    return [(M("product-operands-swapped"), v["b"]), (upstream, x)] if name == "b" else []


# 03.manual's worked example, a = 2, b = -3, c = 10, f = -2: each node's dL/d(node)
WORKED = {"L": 1.0, "f": 4.0, "d": -2.0, "c": -2.0, "e": -2.0, "a": 6.0, "b": -4.0}


def _grads_not_set(observation, said):
    """The failure when the function set other attributes, or none, or returned its grads."""
    attributes, returned = observation.get("set", []), observation.get("returned")
    if attributes:
        return SAY("grad-misspelled", attributes=", ".join(f".{name}" for name in attributes), said=said)
    if any(grad != 0.0 for grad in observation["grads"]):
        return None
    return SAY("grads-returned" if returned else "grads-not-set", returned=returned, said=said)


def _by_hand(case, observation, order, mistakes, said, manual):
    """Each grad, in `order`, against a finite difference of L in that node. 03.manual also
    wants numbers and highlights every wrong node; 03.reuse highlights the one it names."""
    spec, got = case["graph"], observation["grads"]
    nodes, label = reference_graph(spec), [row[3] for row in spec]
    forced = lambda i, t: reference_graph([*spec[:i], ["", [], t, ""], *spec[i + 1 :]])[-1].data  # noqa: E731
    truth = [central_difference(lambda t, i=i: forced(i, t), n.data) for i, n in enumerate(nodes)]
    wrong = [i for i in range(len(nodes)) if not close(got[i], truth[i], **NUMERIC)]
    if wrong and (unset := _grads_not_set(observation, said)):
        return unset
    for i, name in ((label.index(name), name) for name in order):
        if manual and not isinstance(got[i], float):
            kind = got[i]["type"] if isinstance(got[i], dict) else type(got[i]).__name__
            return SAY("grad-not-a-number", name=name, kind=kind)
        if i not in wrong:
            continue
        named = mistakes(name, dict(zip(label, (n.data for n in nodes))), dict(zip(label, truth)))
        if isinstance(named, list):
            # a number typed in from the worked example is right there, and wrong elsewhere
            typed = manual and got[i] == WORKED.get(name)
            otherwise = M("grads-typed-in" if typed else "chain-rule-node" if manual else "grads-from-data")
            named = matching(got[i], named, expected=truth[i], **NUMERIC) or otherwise
        failure = SAY("by-hand", named, name=name, said=said, want=fmt(truth[i]), got=fmt(got[i]))
        failure.graph = _drawn(nodes, got, truth, wrong, "finite difference")
        return failure
    return None


@guarded
def manual(case, observation):
    said = ", ".join(f"{label} = {fmt(number)}" for _, parents, number, label in case["graph"] if not parents)
    return _by_hand(case, observation, "Lfdceab", _manual_mistakes, said, manual=True)


@guarded
def reuse(case, observation):
    said = f"a = {fmt(case['graph'][0][2])}, b = a + a, c = a * b, L = c + a"
    return _by_hand(case, observation, "Lcba", _reuse_mistakes, said, manual=False)


# ---- 03.add_mul: local _backward of + and * ----------------------------------------------


@guarded
def add_mul(case, observation):
    expr, (x, y, k), u = case["expr"], case["values"].values(), case["upstream"]
    shown, given = expr.replace("k", fmt(k)), f"a = {fmt(x)}, b = {fmt(y)}"
    if failure := _no_value(shown, given, observation, "returned"):
        return failure
    a, b = Value(x), Value(y)
    (out := evaluate(expr, {"a": a, "b": b, "k": k})).backward()  # the local derivatives: a.grad, b.grad
    if not close(data := observation["data"], out.data, rel=1e-9):
        return SAY("forward", "forward-changed", expr=shown, given=given, want=fmt(out.data), got=fmt(data))
    product, square = "*" in expr and expr != "a * a", expr == "a * a"
    inputs = list(zip("ab", (x, y), (a.grad, b.grad), case["before"], observation["grads"]))
    inputs = inputs[: 2 if "b" in expr else 1]
    right = [close(got, before + u * local, **EXACT) for _, _, local, before, got in inputs]
    for (name, own, local, before, got), ok in zip(inputs, right):
        if ok:
            continue
        expected = before + u * local
        other_grad = case["before"][1 - "ab".index(name)] if "b" in expr else None
        candidates = [
            (M("product-operands-swapped"), before + own * u if product else None),
            (M("overwrite-not-accumulate"), (own if square else local) * u),
            (M("missing-upstream"), before + local),
            (M("out-data-for-grad"), before + local * out.data),
            (M("product-local-missing"), before + u * (2 if square else 1) if "*" in expr else None),
            (M("grad-for-data"), before + other_grad * u if product and other_grad is not None else None),
        ]
        unchanged = M("not-passed")
        if "out_grad" in observation and observation["out_grad"] != u:  # it moved out.grad instead
            unchanged = M("out-grad-changed", u=fmt(u), now=fmt(observation["out_grad"]))
        elif any(right):  # the other input got its share
            unchanged = M("one-input-only", name=name, line="other" if name == "b" else "self")
        found = matching(got, candidates, expected=expected, **EXACT)
        fields = {"before": fmt(before), "u": fmt(u), "want": fmt(expected), "got": fmt(got)}
        found = found or matching(got, [(unchanged, before)], **EXACT)
        return SAY("local-grad", found, expr=shown, name=name, given=given, local=fmt(local), **fields)
    return None


def _no_value(expr, given, observation, returned):
    """An operation that raised (the mistake its message names, or where to look), or gave no Value."""
    if "raised" not in observation:
        return (
            SAY(returned, expr=expr, given=given, type=observation["returned"])
            if "returned" in observation
            else None
        )
    error = observation["raised"]
    why = next((key for text, key in RAISED.items() if text in error["message"]), "raised-in-operation")
    if why == "raised-in-operation" and expr.startswith("x ** ") and "division by zero" in error["message"]:
        why = "pow-divides-by-x"
    where = f" ({error['where']})" if error.get("where") else ""
    return SAY(
        "raised", why, expr=expr, given=given, type=error["type"], message=error["message"], where=where
    )


# ---- 03.topo and 03.backward: graphs built by the checks ---------------------------------


def describe(case, nodes) -> str:
    leaf, shape = {n.label: fmt(n.data) for n in nodes if not n._prev}, case["shape"]
    if shape == "expression":
        return "L = (a*b + c) * f with " + ", ".join(f"{k} = {leaf[k]}" for k in "abcf")
    if shape == "reuse":
        return f"b = a + a, c = a * b, L = c + a with a = {leaf['a']}"
    if shape == "random":
        size = len(nodes[-1].topological_order())
        return f"a random graph of {size} nodes in which some values are used twice"
    return f"a chain of {len(nodes)} operations"


@guarded
def topo(case, observation):
    nodes, got = reference_graph(case["graph"]), observation.get("order")
    said, root, counts = describe(case, nodes), len(nodes) - 1, Counter(got)
    if "returned" in observation:
        return SAY("topo-returned", said=said, type=observation["returned"])
    if (again := observation.get("again", got)) != got:
        if again == "the same list":
            twice = f"the list of the first call again, now with {len(got)} entries or more"
        else:
            twice = f"{len(got)} entries, then {len(again) if isinstance(again, list) else again}"
        return SAY("state-between-calls", said=said, twice=twice)
    right = [nodes.index(n) for n in nodes[-1].topological_order()]
    name = lambda i: i if isinstance(i, str) else nodes[i].label  # noqa: E731 (a str: not in the graph)
    f = {"said": said, "size": len(got), "right": len(right)}
    for i in got:
        if counts[i] > 1:
            return SAY("visited-twice", node=name(i), count=counts[i], **f)
        if i not in right:
            return SAY("not-in-graph", node=name(i), **f)
    for i in (i for i in right if i not in counts):
        return SAY("missing", "missing-self" if i == root else "missing-node", node=name(i), **f)
    position, edges = {i: p for p, i in enumerate(got)}, [(i, p) for i in got for p in case["graph"][i][1]]
    if len(got) > 1 and all(position[p] > position[i] for i, p in edges):
        return SAY("order-reversed", root=name(root), first=name(got[0]), **f)
    for i, p in ((i, p) for i, p in edges if position[p] > position[i]):
        return SAY("parent-after-child", node=name(i), parent=name(p), **f)
    return None


def with_repeats(spec, i):
    """Depth-first post-order from node i with no visited set: a node reached twice is listed twice."""
    return [j for p in spec[i][1] for j in with_repeats(spec, p)] + [i]


def simulate(spec, nodes, visit, passes, seed="set", reset=False):
    """The grads (by node index) that backward passes visiting the nodes `visit` leave."""
    grads = [0.0] * len(nodes)
    for _ in range(passes):
        grads = [0.0] * len(nodes) if reset else grads
        grads[-1] = 1.0 + (grads[-1] if seed == "add" else 0.0) if seed else grads[-1]
        for i in visit:
            for p, local in zip(spec[i][1], nodes[i]._local_grads):
                grads[p] += local * grads[i]
    return grads


@guarded
def backward(case, observation):
    spec, got, passes = case["graph"], observation["grads"], case.get("passes", 1)
    nodes = reference_graph(spec)
    order = [nodes.index(n) for n in nodes[-1].topological_order()]
    run = lambda visit, **how: simulate(spec, nodes, visit, passes, **how)  # noqa: E731
    expected, back = run(order[::-1]), order[::-1]
    if passes == 2:
        mistakes = [(M("reset-grads"), run(back, reset=True)), (M("seed-added"), run(back, seed="add"))]
    else:
        mistakes = [(M("seed-missing"), run(back, seed=None)), (M("not-reversed"), run(order))]
        mistakes.append((M("visited-twice"), run(with_repeats(spec, len(spec) - 1)[::-1])))
    if not (wrong := [i for i in order if not close(got[i], expected[i], **EXACT)]):
        return None
    first, twice = wrong[-1], passes == 2  # the first wrong one from the output back
    only_own = not twice and observation.get("called") == [len(nodes) - 1]  # its own step only
    named = M("only-own-backward") if only_own else first_matching(got, mistakes, **EXACT)
    if observation.get("called") == []:  # `node._backward` names the function and does not call it
        named = M("none-called")
    elif not named and all(got[i] == 0.0 for i in order[:-1]):  # the seed came too late
        named = M("seed-after-loop")
    calls, said = "two backward() calls" if twice else "backward()", describe(case, nodes)
    said += ", backward() called twice" if twice else ""
    f = {"node": nodes[first].label, "want": fmt(expected[first]), "got": fmt(got[first])}
    failure = SAY("backward", named or M("backward-unexplained"), calls=calls, said=said, **f)
    failure.graph = _drawn(nodes, got, expected, wrong)
    return failure


# ---- one operation each: 03.sub ... 03.gelu ------------------------------------------------


GELU = "0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))"  # the tanh approximation
MATH = dict(exp=math.exp, tanh=math.tanh, erf=math.erf, sqrt=math.sqrt, pi=math.pi, max=max)
MATH["sigmoid"] = lambda x: Value(x).sigmoid().data
LEAKY = "x if x > 0 else k * x"
VALUE = {"x.exp()": "exp(x)", "x.tanh()": "tanh(x)", "x.relu()": "max(x, 0.0)", "x.sigmoid()": "sigmoid(x)"}
VALUE |= {"x.gelu()": GELU, "x.leaky_relu(k)": LEAKY, "x.leaky_relu()": LEAKY}  # else: the expression
POW = {"pow-off-by-one": "n * x**n", "pow-no-n": "x ** (n - 1)", "pow-exponent-up": "n * x ** (n + 1)"}
TANH = {"tanh-input": "1 - x**2", "tanh-no-square": "1 - tanh(x)", "tanh-no-one": "tanh(x) ** 2"}
TANH["tanh-square-outside"] = "(1 - tanh(x)) ** 2"
SIGMOID = {"sigmoid-input": "x * (1 - x)", "sigmoid-s": "sigmoid(x)", "sigmoid-1-minus-s": "1 - sigmoid(x)"}
LEAKY_LOCAL = {"leaky-zero": "None if x > 0 else 0.0", "leaky-output": LEAKY}
LOCAL = {  # operation: {input: {mistake: the local derivative it takes instead (None: not at this x)}}
    "-x": {"x": {"neg-sign": "1.0"}},
    "x - y": {"x": {"sub-sign": "-1.0"}, "y": {"sub-sign": "1.0"}},
    "x - k": {"x": {"sub-sign": "-1.0"}},
    "k - x": {"x": {"sub-sign": "1.0"}},
    "x ** n": {
        "x": {
            **POW,
            "pow-times-n-minus-1": "(n - 1) * x ** (n - 1)",
            "pow-precedence": "n*x**n - 1",
            "pow-factor-and-power-mixed": "(n - 1) * x ** n",
        }
    },
    "x / y": {"x": {"div-times": "y"}, "y": {"div-sign": "x / y**2", "div-no-x": "-1 / y**2"}},
    "x / k": {"x": {"div-times": "k"}},
    "k / x": {"x": {"div-sign": "k / x**2", "div-no-x": "-1 / x**2"}},
    "x.exp()": {"x": {"exp-x": "x", "exp-x-exp": "x * exp(x)", "exp-one": "1.0"}},
    "x.tanh()": {"x": TANH},
    "x.relu()": {"x": {"relu-output": "x if x > 0 else None", "relu-condition": "None if x > 0 else 1.0"}},
    "x.sigmoid()": {"x": {**SIGMOID, "sigmoid-square": "sigmoid(x) ** 2"}},
    "x.leaky_relu(k)": {"x": {**LEAKY_LOCAL, "leaky-condition": "k if x > 0 else 1.0"}},
}
LOCAL["x.leaky_relu()"] = LOCAL["x.leaky_relu(k)"]  # with k = 0.01
ADDED = {  # operation: {input: {mistake: what it adds to the input's grad, u being out.grad}}
    "x ** n": {"x": {"pow-precedence": "n * x**n - 1 * u", "pow-no-n-precedence": "x**n - 1 * u"}},
}
FORWARD = {  # operation: {mistake: the value it computes instead}
    "-x": {"neg-forward": "x"},
    "x - y": {"operands-reversed": "y - x", "plus-for-minus": "x + y"},
    "x - k": {"operands-reversed": "k - x"},
    "k - x": {"rsub-reversed": "x - k", "plus-for-minus": "k + x"},
    "x / y": {"operands-reversed": "y / x"},
    "x / k": {"operands-reversed": "k / x"},
    "k / x": {"rdiv-reversed": "x / k"},
    "x.relu()": {"relu-forward": "x if x < 0 else 0.0"},
    "x.sigmoid()": {"sigmoid-minus-x": "1 / (1 + exp(x))"},
    "x.leaky_relu(k)": {
        "leaky-forward-relu": "max(x, 0.0)",
        "leaky-slope-ignored": "x if x > 0 else 0.01 * x",
        "leaky-max-slope": "max(k, x)",
    },
    "x.leaky_relu()": {
        "leaky-forward-relu": "max(x, 0.0)",
        "leaky-default": "0.1 * x",
        "leaky-max-slope": "max(k, x)",
    },
    "x.gelu()": {
        "gelu-exact": "0.5 * x * (1 + erf(x / sqrt(2)))",
        "gelu-half": f"2 * {GELU}",
        "gelu-one-plus": GELU.replace("(1 + tanh", "(tanh"),
        "gelu-sqrt": GELU.replace("sqrt(2 / pi)", "(2 / pi)"),
        "gelu-scale": GELU.replace("sqrt(2 / pi) * ", ""),
        "gelu-cube": GELU.replace("x**3", "x**2"),
    },
}


def _at(formula, values):
    """A formula of the tables above, in floats (leaky relu's slope k is 0.01 unless given)."""
    return evaluate(formula, {**MATH, "k": 0.01, **values})


def _predicted(formulas, values, expr=None):
    return [(M(key, expr=expr, instead=f), _at(f, values)) for key, f in formulas.items()]


RAISED = {  # what an error's message says: the mistake behind it
    "for ^:": "xor-for-power",
    "must be real number, not": "math-on-value",
    "'NoneType' object is not callable": "backward-called-once",
}


def apart(expected, got):
    """Both numbers with the digits it takes to tell them apart (0.345714 vs 0.345714 is no help)."""
    if not (isinstance(expected, float) and isinstance(got, float)):
        return fmt(expected), fmt(got)
    digits = next((d for d in range(6, 18) if f"{expected:.{d}g}" != f"{got:.{d}g}"), 17)
    return f"{expected:#.{digits}g}", f"{got:#.{digits}g}"


def _composed(observation):
    """gelu's graph is made of other operations, with a tanh among them."""
    return observation["nodes"] >= 5 and "tanh" in observation["ops"]


def _locals(case):
    """The local derivative of the case's operation in each of its Value inputs, by finite differences."""
    expr, values = case["expr"], case["values"]
    formula = VALUE.get(expr, expr)
    return [
        central_difference(lambda t, name=name: _at(formula, {**values, name: t}), values[name])
        for name in (n for n in "xy" if n in values)
    ]


def _gradients_right(case, observation):
    upstream, grads = case["upstream"], observation["grads"]
    pairs = zip(grads, case["before"], _locals(case))
    return all(close(got, before + upstream * local, **NUMERIC) for got, before, local in pairs)


@guarded
def operation(case, observation):
    if "composed" in case:  # gelu's own graph
        return None if _composed(observation) else SAY("gelu-not-composed", n=observation["nodes"])
    expr, values, u, data = case["expr"], case["values"], case["upstream"], observation.get("data")
    given, names = ", ".join(f"{k} = {fmt(v)}" for k, v in values.items()), [n for n in "xy" if n in values]
    if failure := _no_value(expr, given, observation, "returned-given"):
        return failure
    if not close(data, truth := _at(VALUE.get(expr, expr), values), **EXACT):
        found = matching(data, _predicted(FORWARD.get(expr, {}), values, expr), expected=truth, **EXACT)
        if expr == "x.gelu()" and not found:
            found = M("gelu-constant" if close(data, truth, rel=1e-2) else "gelu-forward")
        want, got = apart(truth, data)
        return SAY("forward", found, expr=expr, given=given, want=want, got=got)
    if "nodes" in observation and not _composed(observation) and not _gradients_right(case, observation):
        return SAY("gelu-on-numbers", given=given)
    for name in (name for name, reached in zip(names, observation["reached"]) if not reached):
        return SAY("forgets-inputs", expr=expr, name=name, given=given)
    for name, before, got, local in zip(names, case["before"], observation["grads"], _locals(case)):
        if close(got, expected := before + u * local, **NUMERIC):
            continue
        own = _predicted(LOCAL.get(expr, {}).get(name, {}), values)
        wrong = [(m, None if w is None else before + u * w) for m, w in own]
        added = _predicted(ADDED.get(expr, {}).get(name, {}), {**values, "u": u})
        wrong += [(m, before + w) for m, w in added]
        generic = [(M("overwrite-not-accumulate"), u * local), (M("missing-upstream"), before + local)]
        generic.append((M("out-data-for-grad"), before + data * local))
        found = matching(got, [*wrong, *generic], expected=expected, **NUMERIC)
        found = found or matching(got, [(M("not-passed"), before)], **NUMERIC)
        fields = {"before": fmt(before), "u": fmt(u), "want": fmt(expected), "got": fmt(got)}
        return SAY("gradient", found, expr=expr, name=name, given=given, local=fmt(local), **fields)
    return None
