"""Verdicts for notebook 04 (and what notebook 05's share). The truth is float64: a neuron
[w..., b] computes activation(b + w . x), a network is layers of them; every gradient is
compared with a central difference of that float function."""

from __future__ import annotations

import functools
import math

from course_engine.gradcheck import numerical_gradient

from ..exercise import get_exercise
from ..kit.compare import close, first_matching
from ..kit.failure import Failure, Mistakes
from ..kit.fmt import fmt
from ..probes.nb04_neurons import NAMES
from ..runner import crashed

FD_H = 1e-6  # central differences in float64: error near 1e-10 for these functions
GRAD_REL, GRAD_ABS = 1e-5, 1e-7  # how close a backward gradient must be to the difference
M = MISTAKES = Mistakes.beside(__file__)
# what happened -> "what | input: ... | expected: ... | got: ...", filled from the verdict's fields
SAYS = {
    "not-a-value": "{what} must return a Value | got: {type}",
    "gradient": "{what}: the gradient of the output with respect to {name} is wrong | input: {where} | expected: {want:.6g} (central finite difference) | got: {got:.6g} (after backward())",
    "forward": "neuron_forward(x1, x2, w1, w2, b) gives the wrong output | input: {where} | expected: {want:.6g} = tanh({z:.6g}) | got: {got:.6g}",
    "not-three": "neuron_gradients must return three numbers (dout/dw1, dout/dw2, dout/db) | input: {where} | got: {type}",
    "not-numbers": "neuron_gradients must return three numbers (dout/dw1, dout/dw2, dout/db) | got: an element of type {type}",
    "grads": "neuron_gradients gives the wrong {name} | input: {where} | expected: {want} (central finite differences) | got: {got}",
    "not-empty": "Module().parameters() should return an empty list: a bare Module has no parameters | expected: [] | got: {empty}",
    "data-changed": "zero_grad() changed the parameters' .data | input: {where} | expected: data unchanged: {data} | got: {got}",
    "not-reset": "zero_grad() did not reset every gradient to 0 | input: {where} | expected: {want} | got: {got}",
    "w-not-values": "{call}: self.w must be a list of Values, one weight per input | got: {got}",
    "w-count": "{call}: the neuron should have one weight per input | expected: {nin} weights | got: {w} weights",
    "no-bias": "{call}: the neuron needs a bias, stored as self.b (a Value) | got: {got}",
    "shared": "{call}: several weights are the same Value object",
    "params-type": "{call}.parameters() must return a list of Values | got: {type}",
    "params": "{call}.parameters() does not list the neuron's weights and bias | expected: {n} Values: {nin} weights and 1 bias (a 3-input neuron has 4) | got: {count} Values",
    "outside": "the initial weights must lie in [-1, 1] | got: a weight of {w:.6g}",
    "same": "every initial weight is the same number | got: all {n} weights are {w:.6g}",
    "narrow": "the initial weights do not cover [-1, 1] | got: {n} weights between {low:.6g} and {high:.6g}",
    "call": "the output of a {call} is wrong | input: {where} | expected: {want:.6g} = {activation}({z:.6g}) | got: {got:.6g}",
    "plain": "a {call} called on plain numbers gives a different output | input: {where} | expected: {want:.6g} | got: {got:.6g}",
}
ACTIVATIONS = {
    "tanh": math.tanh,
    "relu": lambda z: z if z > 0 else 0.0,
    "linear": lambda z: z,
    "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z)),
    "leaky_relu": lambda z: z if z > 0 else 0.01 * z,
}


class Says:
    """Failures by name from a table of "what | input: .. | expected: .. | got: ..", filled from
    fields, naming a mistake (a key of `mistakes`, filled from the fields too, or a Mistake)."""

    def __init__(self, table, mistakes):
        self.table, self.mistakes = table, mistakes

    def __call__(self, name, mistake=None, /, **fields) -> Failure:
        what, *parts = (part.format(**fields) for part in self.table[name].split(" | "))
        part = dict(p.split(": ", 1) for p in parts)
        mistake = self.mistakes(mistake, **fields) if isinstance(mistake, str) else mistake
        return Failure(what, part.get("input"), part.get("expected"), part.get("got"), mistake)

    def slip(self, got, slips, /, rel=1e-6, abs_=1e-9, **fields):
        """The first mistake whose slip (key: the number or numbers it gives) gives `got`."""
        candidates = [(self.mistakes(key, **fields), p) for key, p in slips.items()]
        return first_matching(got, candidates, rel=rel, abs_=abs_)


SAY = Says(SAYS, MISTAKES)


def pre(neuron, xs):
    """b + w . x for a neuron [w..., b], summed in the order the engine sums."""
    z = neuron[-1]
    for w, x in zip(neuron[:-1], xs):
        z += w * x
    return z


def network(layers, xs, activations, kinks=None):
    """The outputs of layers of neurons: one activation per layer, or a list of one per neuron
    (unknown: nan, it explains nothing); each relu's |z| is added to `kinks` if given."""
    for neurons, names in zip(layers, activations):
        names = names if isinstance(names, list) else [names] * len(neurons)
        zs = [pre(n, xs) for n in neurons]
        if kinks is not None:
            kinks += [abs(z) for z, a in zip(zs, names) if a == "relu"]
        xs = [ACTIVATIONS.get(a, lambda z: math.nan)(z) for z, a in zip(zs, names)]
    return xs


def numbers(xs):
    return ", ".join(fmt(float(x)) for x in xs)


def attribute(name, what):
    return f"no attribute {name}" if what == "NoneType" else f"self.{name} is {what}"


class NotReached(Exception):
    """A verdict reads a step its probe never reached."""


class Steps(dict):
    def __missing__(self, step):
        raise NotReached(step)


def in_order(exercise_id):
    """A verdict over a stepwise probe's steps: reaching one the student's code never got to
    (it raised first), the failure is that error."""

    def wrap(verdict):
        def judge(case, seen):
            try:
                return verdict(case, Steps(seen))
            except NotReached:
                return crashed(get_exercise(exercise_id), seen["raised"])

        return functools.wraps(verdict)(judge)

    return wrap


def not_a_value(result, what):
    if "data" not in result:
        named = {"list": "value-in-list", "number": "number-not-value"}.get(result["is"])
        return SAY("not-a-value", named, what=what, **result)
    return None


def wrong_gradient(what, names, truth, grads, where):
    """The first backward gradient that disagrees with the finite difference, as a failure."""
    for name, want, got in zip(names, truth, grads):
        if not close(got, want, GRAD_REL, GRAD_ABS):
            mistake = "no-gradient" if close(got, 0.0) and not close(want, 0.0) else None
            mistake = "graph-disconnected" if all(g == 0.0 for g in grads) else mistake
            return SAY("gradient", mistake, what=what, name=name, where=where, want=want, got=got)
    return None


@in_order("04.forward")
def forward(case, seen):
    x1, x2, w1, w2, b = case["inputs"]
    z, where = w1 * x1 + w2 * x2 + b, ", ".join(f"{k} = {fmt(v)}" for k, v in zip(NAMES, case["inputs"]))
    if failure := not_a_value(seen["out"], "neuron_forward(x1, x2, w1, w2, b)"):
        return failure
    if not close(got := seen["out"]["data"], want := math.tanh(z)):
        slips = {
            "bias-missing": math.tanh(z - b),
            "tanh-missing": z,
            "weights-swapped": math.tanh(w1 * x2 + w2 * x1 + b),
            "bias-after-activation": math.tanh(z - b) + b,
            "relu-for-tanh": max(z, 0.0),
            "sigmoid-for-tanh": ACTIVATIONS["sigmoid"](z),
            "tanh-per-term": math.tanh(w1 * x1) + math.tanh(w2 * x2) + math.tanh(b),
        }
        sums = {"b": "b ", "sum": "w1*x1 + w2*x2 + b", "f": "tanh", "inside": ": tanh(w1*x1 + w2*x2 + b)"}
        return SAY("forward", SAY.slip(got, slips, **sums), where=where, want=want, z=z, got=got)
    truth = numerical_gradient(lambda *v: math.tanh(v[0] * v[2] + v[1] * v[3] + v[4]), case["inputs"])
    return wrong_gradient("neuron_forward(x1, x2, w1, w2, b)", NAMES, truth, seen["grads"], where)


def gradients(case, seen):
    x1, x2, w1, w2, b = case["inputs"]
    where = ", ".join(f"{k} = {fmt(v)}" for k, v in zip(NAMES, case["inputs"]))
    if "type" in seen or (bad := [g["type"] for g in seen["grads"] if isinstance(g, dict)]):
        return SAY("not-three", where=where, **seen) if "type" in seen else SAY("not-numbers", type=bad[0])
    truth = numerical_gradient(lambda p, q, r: math.tanh(p * x1 + q * x2 + r), (w1, w2, b), FD_H)
    t, s = math.tanh(w1 * x1 + w2 * x2 + b), 1 - (w1 * x1 + w2 * x2 + b) ** 2
    d = 1 - t * t
    slips = {
        "slope-from-z": (x1 * s, x2 * s, s),
        "slope-missing": (x1, x2, 1.0),
        "slope-not-squared": (x1 * (1 - t), x2 * (1 - t), 1 - t),
        "sigmoid-slope": (x1 * t * (1 - t), x2 * t * (1 - t), t * (1 - t)),
        "weight-for-input": (w1 * d, w2 * d, d),
        "inputs-swapped": (x2 * d, x1 * d, d),
        "bias-grad-one": (x1 * d, x2 * d, 1.0),
        "bias-grad-zero": (x1 * d, x2 * d, 0.0),
    }
    for name, g, e in zip(("dout/dw1", "dout/dw2", "dout/db"), got := seen["grads"], truth):
        if not close(g, e, GRAD_REL, GRAD_ABS):
            mistake, want = SAY.slip(got, slips), numbers(truth)
            return SAY("grads", mistake, name=name, where=where, want=want, got=numbers(got))
    return None


@in_order("04.module")
def module(case, seen):
    if (empty := seen["empty"]) is not None:
        return SAY("not-empty", "parameters-none" if empty == "None" else None, empty=empty)
    n, grads = len(case["data"]), seen["grads"]
    where = f"a Module whose parameters() lists {n} Values with grads {numbers(case['grads'])}"
    if seen["data"] != case["data"]:
        data, got = numbers(case["data"]), numbers(seen["data"])
        return SAY("data-changed", "data-cleared", where=where, data=data, got=got)
    if all(reset := [g == 0 for g in grads]):  # a grad that is not a number is its repr here, never 0
        return None
    key = (
        "grad-none" if "None" in grads
        else "loop-variable-rebound" if not any(reset)
        else "only-first-reset" if reset[0] and not any(reset[1:])
        else "only-last-reset" if reset[-1] and not any(reset[:-1])
        else "some-not-reset"
    )  # fmt: skip
    got = ", ".join(g if isinstance(g, str) else fmt(g) for g in grads)
    return SAY("not-reset", key, where=where, want=numbers([0.0] * n), got=got)


def neuron_structure(seen, nin, call):
    """The attributes the notebook asks for: self.w (nin Values) and self.b (a Value)."""
    if isinstance(seen["w"], str) or seen["w"] != nin or seen["b"] is not None:
        name = "w-not-values" if isinstance(seen["w"], str) else "w-count" if seen["w"] != nin else "no-bias"
        got = attribute("w", seen["w"]) if name == "w-not-values" else attribute("b", seen["b"])
        return SAY(name, call=call, nin=nin, w=seen["w"], got=got)
    return None


def neuron_parameters(seen, nin, call):
    if seen["distinct"] < nin:
        return SAY("shared", "shared-weight", call=call)
    if "index" not in (params := seen["params"]):
        return SAY("params-type", "nested-parameters" if params["nested"] else None, call=call, **params)
    if sorted(index := params["index"]) == list(range(nin + 1)):
        return None
    key = (
        "bias-not-listed" if len(index) == nin and nin not in index
        else "listed-twice" if len(set(index)) < len(index)
        else "copies-listed" if all(i < 0 for i in index)
        else "not-own-parameters"
    )  # fmt: skip
    return SAY("params", key, call=call, n=nin + 1, nin=nin, count=len(index))


@in_order("04.neuron_init")
def neuron_init(case, seen):
    weights = []
    for (nin, activation), one in zip(case["neurons"], seen["neurons"]):
        call, one = f"Neuron({nin}, activation={activation!r})", Steps(one)
        if failure := neuron_structure(one, nin, call) or neuron_parameters(one, nin, call):
            return failure
        weights += one["weights"]
    seen["all_built"]  # noqa: B018 (when a neuron could not be built, the failure is the error it raised)
    low, high, n = min(weights), max(weights), len(weights)
    if outside := [w for w in weights if not -1.0 <= w <= 1.0]:
        return SAY("outside", "weights-out-of-range", w=outside[0])
    if len(set(weights)) == 1:
        return SAY("same", "identical-weights", n=n, w=weights[0])
    if low > -0.5 or high < 0.5:
        key = "no-negative-weights" if low >= 0 else "weights-not-spread"
        return SAY("narrow", key, n=n, low=low, high=high)
    return None


@in_order("04.neuron_call")
def neuron_call(case, seen):
    nin, activation, neuron, xs = case["nin"], case["activation"], case["neuron"], case["xs"]
    call = f"Neuron({nin}, activation={activation!r})"
    if failure := neuron_structure(seen, nin, call) or not_a_value(seen["out"], f"calling a {call}"):
        return failure
    where = f"{call} with w = [{numbers(neuron[:-1])}], b = {fmt(neuron[-1])}, called on x = [{numbers(xs)}]"
    apply, z, b, got = ACTIVATIONS[activation], pre(neuron, xs), neuron[-1], seen["out"]["data"]
    if not close(got, apply(z)):
        slips = [
            (M("bias-missing", b="", sum="w . x + b"), apply(z - b)),
            (M("bias-after-activation", f="the activation", inside=""), apply(z - b) + b),
            (M("last-term-only"), apply(b + neuron[-2] * xs[-1]) if nin > 1 else None),
        ]
        for other in [a for a in ("tanh", "relu", "sigmoid", "linear") if a != activation]:
            applied = "no activation applied" if other == "linear" else f"{other} applied"
            slips.append(
                (M("wrong-activation", applied=applied, activation=activation), ACTIVATIONS[other](z))
            )
        fields = {"call": call, "where": where, "want": apply(z), "z": z, "got": got}
        return SAY("call", first_matching(got, slips), activation=activation, **fields)
    truth = numerical_gradient(lambda *v: apply(pre(v[: nin + 1], v[nin + 1 :])), [*neuron, *xs], FD_H)
    names = [f"w[{k}]" for k in range(nin)] + ["b"] + [f"x[{k}]" for k in range(nin)]
    if failure := wrong_gradient(f"a {call}", names, truth, seen["grads"], where):
        return failure
    if failure := not_a_value(seen["again"], f"calling a {call} on plain numbers"):
        return failure
    if not close(again := seen["again"]["data"], apply(z)):
        return SAY("plain", call=call, where=where, want=apply(z), got=again)
    return None
