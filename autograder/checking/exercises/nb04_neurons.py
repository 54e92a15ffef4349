"""Checks for notebook 04 (neurons): one neuron's forward pass and gradients,
the student's Module and Neuron.

The truth is computed here in plain float64 (a neuron is activation(w . x + b))
and every gradient is compared with a central difference of that float
function. The student's classes are exercised through the attributes the
notebook asks for (`w`, `b`, `parameters()`, `zero_grad()`), each check using
only the part its exercise is about, so one slip fails one graded cell.
"""

from __future__ import annotations

import math
import random
from contextlib import contextmanager
from numbers import Real

from course_engine.engine import Value
from course_engine.gradcheck import numerical_gradient

from ..core import CheckFailed, close, diagnose, exercise, fmt, random_point

FD_H = 1e-6  # central differences in float64: error near 1e-10 for these functions
GRAD_REL, GRAD_ABS = 1e-5, 1e-7  # how close a backward gradient must be to the difference


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


ACTIVATIONS = {
    "tanh": math.tanh,
    "relu": lambda z: z if z > 0 else 0.0,
    "linear": lambda z: z,
    "sigmoid": _sigmoid,
    "leaky_relu": lambda z: z if z > 0 else 0.01 * z,
}
KINKED = ("relu",)  # a finite difference across relu's kink measures nothing useful


# ---- helpers shared by the notebook 04 and 05 checks ---------------------------------


@contextmanager
def fresh_global_random(rng):
    """Seed `random` (and numpy's) from the check's rng, then put them back.

    Student classes draw their weights from the global generators; a check that
    builds a random number of them must neither depend on nor disturb the
    notebook's own random stream (nbval compares every later output).
    """
    state = random.getstate()
    try:
        import numpy as np

        np_state = np.random.get_state()
    except ImportError:  # numpy is a course dependency; this only keeps the check standalone
        np, np_state = None, None
    random.seed(rng.getrandbits(64))
    if np is not None:
        np.random.seed(rng.getrandbits(32))
    try:
        yield
    finally:
        random.setstate(state)
        if np is not None:
            np.random.set_state(np_state)


def neuron_float(ws, b, xs, activation):
    """activation(b + w . x) in float64, summed in the order the engine sums."""
    z = b
    for w, x in zip(ws, xs):
        z += w * x
    return ACTIVATIONS[activation](z)


def pre_activation(ws, b, xs):
    z = b
    for w, x in zip(ws, xs):
        z += w * x
    return z


def describe_type(x) -> str:
    if isinstance(x, (list, tuple)):
        return f"a {type(x).__name__} of {len(x)}"
    return type(x).__name__


def require_value(x, what):
    if not isinstance(x, Value):
        hint = ""
        if isinstance(x, (list, tuple)) and len(x) == 1 and isinstance(x[0], Value):
            hint = "return the Value itself, not a list holding it"
        elif isinstance(x, Real):
            hint = "build the result from Values (+, *, .tanh()) so that backward() can reach the inputs"
        raise CheckFailed(f"{what} must return a Value", got=describe_type(x), mistake=hint or None)


def numbers(xs):
    return ", ".join(fmt(float(x)) for x in xs)


def gradient_mismatch(what, name, expected, got, *, input=None, all_zero=False):
    """The message for a backward gradient that disagrees with the finite difference."""
    mistake = None
    if all_zero:
        mistake = (
            "every gradient is 0: the output is not connected to the Values it came from. "
            "Build it with Value operations (+, *, .tanh(), .relu()), never from .data or math.tanh"
        )
    elif close(got, 0.0) and not close(expected, 0.0):
        mistake = f"{name} gets no gradient: it is not part of the graph of the output"
    return CheckFailed(
        f"{what}: the gradient of the output with respect to {name} is wrong",
        input=input,
        expected=f"{fmt(expected)} (central finite difference)",
        got=f"{fmt(got)} (after backward())",
        mistake=mistake,
    )


# ---- 04.forward -----------------------------------------------------------------------

NEURON_INPUTS = ("x1", "x2", "w1", "w2", "b")


@exercise(
    "04.forward",
    title="forward pass of one neuron",
    points=1,
    hints=[
        "A neuron computes a weighted sum of its inputs plus a bias, then squashes it: out = tanh(z).",
        "z = w1*x1 + w2*x2 + b with the Values themselves, then out = z.tanh().",
        "return (w1 * x1 + w2 * x2 + b).tanh()",
    ],
)
def _check_forward(rng, hidden, neuron_forward):
    cases = [(2.0, 3.0, 0.5, -0.3, 0.1)]  # the notebook's numbers: out = tanh(0.2)
    while len(cases) < (30 if hidden else 6):
        x1, x2 = random_point(rng), random_point(rng)
        w1, w2 = random_point(rng, -1, 1), random_point(rng, -1, 1)
        b = random_point(rng, -1, 1, away_from=(0.0,), gap=0.1)
        if abs(x1 - x2) > 0.2 and abs(w1 * x1 + w2 * x2 + b) > 0.05:
            cases.append((x1, x2, w1, w2, b))
    for x1, x2, w1, w2, b in cases:
        given = dict(zip(NEURON_INPUTS, (x1, x2, w1, w2, b)))
        where = ", ".join(f"{k} = {fmt(v)}" for k, v in given.items())
        leaves = [Value(v, label=k) for k, v in given.items()]
        out = neuron_forward(*leaves)
        require_value(out, "neuron_forward(x1, x2, w1, w2, b)")
        z = w1 * x1 + w2 * x2 + b
        expected = math.tanh(z)
        if not close(out.data, expected):
            raise CheckFailed(
                "neuron_forward(x1, x2, w1, w2, b) gives the wrong output",
                input=where,
                expected=f"{fmt(expected)} = tanh({fmt(z)})",
                got=fmt(out.data),
                mistake=diagnose(
                    out.data,
                    {
                        "the bias b is missing: z = w1*x1 + w2*x2 + b": math.tanh(z - b),
                        "tanh is missing: out = tanh(z), not z": z,
                        "weights paired with the wrong inputs: w1 goes with x1, w2 with x2": math.tanh(
                            w1 * x2 + w2 * x1 + b
                        ),
                        "the bias is added after tanh; it belongs inside: tanh(w1*x1 + w2*x2 + b)": math.tanh(
                            z - b
                        )
                        + b,
                        "relu applied where tanh was asked": max(z, 0.0),
                        "sigmoid applied where tanh was asked": _sigmoid(z),
                        "tanh applied to each term separately; apply it once, to the whole sum": (
                            math.tanh(w1 * x1) + math.tanh(w2 * x2) + math.tanh(b)
                        ),
                    },
                ),
            )
        # the answer must also be a graph that backward() can walk back to every input
        out.backward()
        truth = numerical_gradient(
            lambda *v: math.tanh(v[0] * v[2] + v[1] * v[3] + v[4]), (x1, x2, w1, w2, b)
        )
        all_zero = all(leaf.grad == 0.0 for leaf in leaves)
        for leaf, expected_grad in zip(leaves, truth):
            if not close(leaf.grad, expected_grad, GRAD_REL, GRAD_ABS):
                raise gradient_mismatch(
                    "neuron_forward(x1, x2, w1, w2, b)",
                    leaf.label,
                    expected_grad,
                    leaf.grad,
                    input=where,
                    all_zero=all_zero,
                )


# ---- 04.grads ---------------------------------------------------------------------------


def _as_number(x):
    if isinstance(x, Value):
        return x.data
    if isinstance(x, Real):
        return float(x)
    raise CheckFailed(
        "neuron_gradients must return three numbers (dout/dw1, dout/dw2, dout/db)",
        got=f"an element of type {type(x).__name__}",
    )


@exercise(
    "04.grads",
    title="gradients of one neuron by the chain rule",
    points=2,
    hints=[
        "Chain rule: dout/dw1 = dout/dz * dz/dw1. Which of these does tanh give you, and which the sum?",
        "dout/dz = 1 - tanh(z)**2 (one minus the output squared); dz/dw1 = x1, dz/dw2 = x2, dz/db = 1.",
        "t = math.tanh(w1*x1 + w2*x2 + b); d = 1 - t**2; return x1 * d, x2 * d, d",
    ],
)
def _check_grads(rng, hidden, neuron_gradients):
    cases = [(2.0, 3.0, 0.5, -0.3, 0.1)]
    while len(cases) < (30 if hidden else 6):
        x1, x2 = random_point(rng, away_from=(0.0,), gap=0.2), random_point(rng, away_from=(0.0,), gap=0.2)
        w1, w2 = random_point(rng, -1, 1), random_point(rng, -1, 1)
        b = random_point(rng, -1, 1, away_from=(0.0,), gap=0.1)
        z = w1 * x1 + w2 * x2 + b
        # distinct numbers, and not so saturated that every gradient is nearly 0
        if abs(x1 - x2) > 0.2 and abs(abs(x1) - abs(w1)) > 0.2 and 0.05 < abs(z) < 2.0:
            cases.append((x1, x2, w1, w2, b))
    names = ("dout/dw1", "dout/dw2", "dout/db")
    for x1, x2, w1, w2, b in cases:
        where = f"x1 = {fmt(x1)}, x2 = {fmt(x2)}, w1 = {fmt(w1)}, w2 = {fmt(w2)}, b = {fmt(b)}"
        got = neuron_gradients(x1, x2, w1, w2, b)
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            raise CheckFailed(
                "neuron_gradients must return three numbers (dout/dw1, dout/dw2, dout/db)",
                input=where,
                got=describe_type(got),
            )
        got = [_as_number(g) for g in got]
        truth = numerical_gradient(lambda p, q, r: math.tanh(p * x1 + q * x2 + r), (w1, w2, b), FD_H)
        z = w1 * x1 + w2 * x2 + b
        t = math.tanh(z)
        d = 1 - t * t
        candidates = {
            "tanh's slope written as 1 - z**2; it is 1 - tanh(z)**2, one minus the OUTPUT squared": (
                x1 * (1 - z * z),
                x2 * (1 - z * z),
                1 - z * z,
            ),
            "tanh's slope is missing (chain rule): multiply dz/dw by dout/dz = 1 - tanh(z)**2": (x1, x2, 1.0),
            "tanh's slope is 1 - tanh(z)**2, not 1 - tanh(z)": (x1 * (1 - t), x2 * (1 - t), 1 - t),
            "tanh's slope is 1 - tanh(z)**2, not tanh(z) * (1 - tanh(z)) (that is sigmoid's form)": (
                x1 * t * (1 - t),
                x2 * t * (1 - t),
                t * (1 - t),
            ),
            "a weight's gradient uses the weight; dz/dw1 is the INPUT x1 (and dz/dw2 is x2)": (
                w1 * d,
                w2 * d,
                d,
            ),
            "x1 and x2 swapped: dout/dw1 = x1 * (1 - tanh(z)**2)": (x2 * d, x1 * d, d),
            "the bias's gradient is 1 - tanh(z)**2, not 1: the chain rule goes through tanh": (
                x1 * d,
                x2 * d,
                1.0,
            ),
            "the bias's gradient is 1 - tanh(z)**2, not 0: z changes one for one with b": (
                x1 * d,
                x2 * d,
                0.0,
            ),
        }
        for i, name in enumerate(names):
            if not close(got[i], truth[i], GRAD_REL, GRAD_ABS):
                mistake = next(
                    (m for m, c in candidates.items() if all(close(g, v, 1e-6) for g, v in zip(got, c))),
                    None,
                )
                raise CheckFailed(
                    f"neuron_gradients gives the wrong {name}",
                    input=where,
                    expected=f"{numbers(truth)} (central finite differences)",
                    got=numbers(got),
                    mistake=mistake,
                )


# ---- 04.module --------------------------------------------------------------------------


@exercise(
    "04.module",
    title="Module: parameters() and zero_grad()",
    points=1,
    hints=[
        "A bare Module has no parameters; zero_grad() resets the .grad of whatever parameters() lists.",
        "parameters() returns an empty list; zero_grad() loops over self.parameters() and sets each "
        "Value's grad to 0.0 (leave .data alone).",
        "def parameters(self): return []   and   def zero_grad(self): for p in self.parameters(): p.grad = 0.0",
    ],
)
def _check_module(rng, hidden, Module):
    empty = Module().parameters()
    if not isinstance(empty, list) or empty:
        raise CheckFailed(
            "Module().parameters() should return an empty list: a bare Module has no parameters",
            expected="[]",
            got=repr(empty),
            mistake="a function without `return` gives None; write return []" if empty is None else None,
        )

    class WithParameters(Module):  # what Neuron, Layer and MLP will be: parameters() overridden
        def __init__(self, values):
            self.values = values

        def parameters(self):
            return list(self.values)

    for _ in range(20 if hidden else 4):
        values = [Value(random_point(rng)) for _ in range(rng.randint(2, 12 if hidden else 6))]
        for v in values:
            v.grad = random_point(rng, away_from=(0.0,), gap=0.1)
        data = [v.data for v in values]
        grads = [v.grad for v in values]
        WithParameters(values).zero_grad()
        where = f"a Module whose parameters() lists {len(values)} Values with grads {numbers(grads)}"
        if [v.data for v in values] != data:
            raise CheckFailed(
                "zero_grad() changed the parameters' .data",
                input=where,
                expected=f"data unchanged: {numbers(data)}",
                got=numbers(v.data for v in values),
                mistake="zero_grad resets .grad only; setting .data to 0 would erase what the model learned",
            )
        after = [v.grad for v in values]
        if all(isinstance(g, Real) and g == 0 for g in after):
            continue
        reset = [isinstance(g, Real) and g == 0 for g in after]
        if any(g is None for g in after):
            mistake = "grad set to None; set it to the number 0.0, which backward() can add to"
        elif not any(reset):
            mistake = (
                "no gradient was reset. Rebinding the loop variable (p = 0.0) leaves the Value "
                "untouched: set its attribute, p.grad = 0.0"
            )
        elif reset[0] and not any(reset[1:]):
            mistake = "only the first parameter was reset: loop over everything self.parameters() returns"
        elif reset[-1] and not any(reset[:-1]):
            mistake = "only the last parameter was reset: the reset belongs inside the loop"
        else:
            mistake = "some parameters were left out: loop over everything self.parameters() returns"
        raise CheckFailed(
            "zero_grad() did not reset every gradient to 0",
            input=where,
            expected=numbers([0.0] * len(values)),
            got=", ".join(fmt(g) if isinstance(g, Real) else repr(g) for g in after),
            mistake=mistake,
        )


# ---- 04.neuron_init and 04.neuron_call ---------------------------------------------------


def require_neuron_structure(neuron, nin, call):
    """The attributes the notebook asks for: self.w (nin Values) and self.b (a Value)."""
    w, b = getattr(neuron, "w", None), getattr(neuron, "b", None)
    if not isinstance(w, list) or not all(isinstance(v, Value) for v in w):
        raise CheckFailed(
            f"{call}: self.w must be a list of Values, one weight per input",
            got=f"self.w is {describe_type(w)}" if w is not None else "no attribute w",
        )
    if len(w) != nin:
        raise CheckFailed(
            f"{call}: the neuron should have one weight per input",
            expected=f"{nin} weights",
            got=f"{len(w)} weights",
        )
    if not isinstance(b, Value):
        raise CheckFailed(
            f"{call}: the neuron needs a bias, stored as self.b (a Value)",
            got=f"self.b is {describe_type(b)}" if b is not None else "no attribute b",
        )


@exercise(
    "04.neuron_init",
    title="Neuron: weights, bias and parameters()",
    points=2,
    hints=[
        "A Neuron(nin) owns nin weights (one per input) and one bias, all Values; parameters() lists them.",
        "Draw each weight with random.uniform(-1, 1), a NEW Value for each; the bias can start at 0. "
        "parameters() returns the weights followed by the bias.",
        "self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]; self.b = Value(0.0); "
        "parameters: return self.w + [self.b]",
    ],
)
def _check_neuron_init(rng, hidden, Neuron):
    activations = ["tanh", "relu", "linear"]
    cases = [(3, "tanh")] + [(rng.randint(1, 8), activations[i % 3]) for i in range(30 if hidden else 6)]
    weights = []
    with fresh_global_random(rng):
        for nin, activation in cases + [(60, "tanh")]:  # one wide neuron: enough weights to judge
            call = f"Neuron({nin}, activation={activation!r})"
            neuron = Neuron(nin, activation)
            require_neuron_structure(neuron, nin, call)
            if len({id(v) for v in neuron.w}) < nin:
                raise CheckFailed(
                    f"{call}: several weights are the same Value object",
                    mistake=(
                        "[Value(...)] * nin repeats ONE Value nin times, so all weights move together; "
                        "make a new Value for each weight (a list comprehension)"
                    ),
                )
            params = neuron.parameters()
            if not isinstance(params, list) or not all(isinstance(p, Value) for p in params):
                raise CheckFailed(
                    f"{call}.parameters() must return a list of Values",
                    got=describe_type(params),
                    mistake=(
                        "a list inside the list: write self.w + [self.b], not [self.w, self.b]"
                        if isinstance(params, list) and any(isinstance(p, list) for p in params)
                        else None
                    ),
                )
            own = [*neuron.w, neuron.b]
            ids = [id(p) for p in params]
            if len(params) != nin + 1 or sorted(ids) != sorted(id(p) for p in own):
                if len(params) == nin and not any(p is neuron.b for p in params):
                    mistake = "the bias is missing: parameters() returns the weights AND the bias"
                elif len(set(ids)) < len(ids):
                    mistake = "a Value is listed more than once: each weight once, then the bias once"
                elif not set(ids) & {id(p) for p in own}:
                    mistake = (
                        "these are copies, not the neuron's own Values: return self.w and self.b "
                        "themselves so training updates the neuron"
                    )
                else:
                    mistake = "return exactly the neuron's weights and its bias"
                raise CheckFailed(
                    f"{call}.parameters() does not list the neuron's weights and bias",
                    expected=f"{nin + 1} Values: {nin} weights and 1 bias (a 3-input neuron has 4)",
                    got=f"{len(params)} Values",
                    mistake=mistake,
                )
            weights.extend(w.data for w in neuron.w)
    outside = [w for w in weights if not -1.0 <= w <= 1.0]
    if outside:
        raise CheckFailed(
            "the initial weights must lie in [-1, 1]",
            got=f"a weight of {fmt(outside[0])}",
            mistake="random.gauss and random.uniform(-2, 2) reach outside [-1, 1]; use random.uniform(-1, 1)",
        )
    if len(set(weights)) == 1:
        raise CheckFailed(
            "every initial weight is the same number",
            got=f"all {len(weights)} weights are {fmt(weights[0])}",
            mistake=(
                "identical weights make every neuron compute and learn the same thing; "
                "draw each one with random.uniform(-1, 1)"
            ),
        )
    low, high = min(weights), max(weights)
    if low > -0.5 or high < 0.5:
        raise CheckFailed(
            "the initial weights do not cover [-1, 1]",
            got=f"{len(weights)} weights between {fmt(low)} and {fmt(high)}",
            mistake=(
                "no negative weights: random.random() and random.uniform(0, 1) only give [0, 1); "
                "use random.uniform(-1, 1)"
                if low >= 0
                else "draw each weight with random.uniform(-1, 1), spread over the whole interval"
            ),
        )


def _random_neuron_numbers(rng, nin, activation, positive=None):
    """Weights, bias and inputs with the pre-activation away from relu's kink."""
    while True:
        ws = [random_point(rng, -1, 1) for _ in range(nin)]
        b = random_point(rng, -1, 1, away_from=(0.0,), gap=0.2)
        xs = [random_point(rng, away_from=(0.0,), gap=0.1) for _ in range(nin)]
        z = pre_activation(ws, b, xs)
        if abs(z) < 0.1 or abs(z - b) < 0.1:
            continue
        if positive is not None and (z > 0) != positive:
            continue
        return ws, b, xs


@exercise(
    "04.neuron_call",
    title="Neuron: output and gradients",
    points=2,
    hints=[
        "Calling a neuron on a list x computes activation(w . x + b) with the Values themselves.",
        "Start from the bias and add w_i * x_i for every pair (zip(self.w, x)); then apply the activation "
        "asked in __init__: z.tanh(), z.relu(), or z itself for 'linear'.",
        "z = self.b; for wi, xi in zip(self.w, x): z = z + wi * xi; then return z.tanh() / z.relu() / z",
    ],
)
def _check_neuron_call(rng, hidden, Neuron):
    activations = ["tanh", "relu", "linear"]
    n_cases = 30 if hidden else 6
    with fresh_global_random(rng):
        for i in range(n_cases):
            activation = activations[i % 3]
            nin = rng.randint(1, 6)
            # relu cases alternate sides of the kink: the positive side shows a disconnected graph
            positive = (i // 3) % 2 == 0 if activation == "relu" else None
            ws, b, xs = _random_neuron_numbers(rng, nin, activation, positive)
            call = f"Neuron({nin}, activation={activation!r})"
            neuron = Neuron(nin, activation)
            require_neuron_structure(neuron, nin, call)
            if len({id(v) for v in [*neuron.w, neuron.b]}) < nin + 1:
                # one Value shared by several weights is 04.neuron_init's finding; here
                # each weight gets its own so that the output can still be judged
                neuron.w, neuron.b = [Value(0.0) for _ in range(nin)], Value(0.0)
            for v, data in zip([*neuron.w, neuron.b], [*ws, b]):
                v.data, v.grad = data, 0.0
            x = [Value(v) for v in xs]
            where = f"{call} with w = [{numbers(ws)}], b = {fmt(b)}, called on x = [{numbers(xs)}]"
            out = neuron(x)
            require_value(out, f"calling a {call}")
            z = pre_activation(ws, b, xs)
            expected = ACTIVATIONS[activation](z)
            if not close(out.data, expected):
                candidates = {
                    "the bias is missing: z = w . x + b": ACTIVATIONS[activation](z - b),
                    "the bias is added after the activation; it belongs inside": ACTIVATIONS[activation](
                        z - b
                    )
                    + b,
                    "only the last w*x is kept: the sum must add every term (z = z + w*x in the loop)": (
                        ACTIVATIONS[activation](b + ws[-1] * xs[-1]) if nin > 1 else None
                    ),
                }
                for other in ("tanh", "relu", "sigmoid", "linear"):
                    if other != activation:
                        applied = "no activation applied" if other == "linear" else f"{other} applied"
                        candidates[f"{applied}, but the neuron was built with activation={activation!r}"] = (
                            ACTIVATIONS[other](z)
                        )
                raise CheckFailed(
                    f"the output of a {call} is wrong",
                    input=where,
                    expected=f"{fmt(expected)} = {activation}({fmt(z)})",
                    got=fmt(out.data),
                    mistake=diagnose(out.data, candidates),
                )
            out.backward()
            truth = numerical_gradient(
                lambda *v, n=nin, a=activation: neuron_float(v[:n], v[n], v[n + 1 :], a), [*ws, b, *xs], FD_H
            )
            leaves = [*neuron.w, neuron.b, *x]
            names = [f"w[{k}]" for k in range(nin)] + ["b"] + [f"x[{k}]" for k in range(nin)]
            all_zero = all(leaf.grad == 0.0 for leaf in leaves) and any(t != 0.0 for t in truth)
            for leaf, name, expected_grad in zip(leaves, names, truth):
                if not close(leaf.grad, expected_grad, GRAD_REL, GRAD_ABS):
                    raise gradient_mismatch(
                        f"a {call}", name, expected_grad, leaf.grad, input=where, all_zero=all_zero
                    )
            # plain numbers must work too: n([2.0, 3.0]) is how the notebook calls it
            again = neuron(list(xs))
            require_value(again, f"calling a {call} on plain numbers")
            if not close(again.data, expected):
                raise CheckFailed(
                    f"a {call} called on plain numbers gives a different output",
                    input=where,
                    expected=fmt(expected),
                    got=fmt(again.data),
                )
