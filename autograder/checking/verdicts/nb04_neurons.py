"""Verdicts for notebook 04: one neuron's forward pass and gradients, the student's Module and
Neuron. The truth is the neuron's float function (kit.network), its gradients central differences."""

import math

from course_engine.gradcheck import numerical_gradient

from ..kit import network as net
from ..kit.compare import close, first_matching
from ..kit.fmt import fmt
from ..kit.network import attribute, listing_slip, not_a_value, numbers, pre, wrong_gradient
from ..kit.says import Says, Steps, in_order
from ..probes.nb04_neurons import NAMES

SAY = Says.beside(__file__, net.MISTAKES)
M = MISTAKES = SAY.mistakes


def explained(case, error):
    """The mistake behind an error that a new student's parameters() or zero_grad() raises."""
    message = error.get("message", "")
    if error.get("type") == "TypeError" and "'method' object is not iterable" in message:
        return M("method-not-called")
    if error.get("type") == "TypeError" and message.startswith("cannot compute") and "+ list" in message:
        return M("list-plus-value")
    return None


def given(case):
    return ", ".join(f"{k} = {fmt(v)}" for k, v in zip(NAMES, case["inputs"]))


@in_order("04.forward")
def forward(case, seen):
    (x1, x2, w1, w2, b), where = case["inputs"], given(case)
    z = w1 * x1 + w2 * x2 + b
    if failure := not_a_value(seen["out"], "neuron_forward(x1, x2, w1, w2, b)"):
        return failure
    if not close(got := seen["out"]["data"], want := math.tanh(z)):
        slips = {
            "bias-missing": math.tanh(z - b),
            "tanh-missing": z,
            "weights-swapped": math.tanh(w1 * x2 + w2 * x1 + b),
            "bias-after-activation": math.tanh(z - b) + b,
            "relu-for-tanh": max(z, 0.0),
            "sigmoid-for-tanh": net.ACTIVATIONS["sigmoid"](z),
            "tanh-per-term": math.tanh(w1 * x1) + math.tanh(w2 * x2) + math.tanh(b),
        }
        sums = {"b": "b ", "sum": "w1*x1 + w2*x2 + b", "f": "tanh", "inside": ": tanh(w1*x1 + w2*x2 + b)"}
        return SAY("forward", SAY.slip(got, slips, **sums), where=where, want=want, z=z, got=got)
    truth = numerical_gradient(lambda *v: math.tanh(v[0] * v[2] + v[1] * v[3] + v[4]), case["inputs"])
    return wrong_gradient("neuron_forward(x1, x2, w1, w2, b)", NAMES, truth, seen["grads"], where)


def gradients(case, seen):
    (x1, x2, w1, w2, b), where = case["inputs"], given(case)
    if "type" in seen or (bad := [g["type"] for g in seen["grads"] if isinstance(g, dict)]):
        return SAY("not-three", where=where, **seen) if "type" in seen else SAY("not-numbers", type=bad[0])
    truth = numerical_gradient(lambda p, q, r: math.tanh(p * x1 + q * x2 + r), (w1, w2, b), net.FD_H)
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
        "input-factor-missing": (d, d, d),
        "slope-sign": (-x1 * d, -x2 * d, -d),
        "grads-out-of-order": (d, x1 * d, x2 * d),
    }
    for name, g, e in zip(("dout/dw1", "dout/dw2", "dout/db"), got := seen["grads"], truth):
        if not close(g, e, net.GRAD_REL, net.GRAD_ABS):
            mistake, want = SAY.slip(got, slips), numbers(truth)
            return SAY("grads", mistake, name=name, where=where, want=want, got=numbers(got))
    return None


@in_order("04.module", explained)
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
        else "grad-not-a-number" if any(isinstance(g, str) for g in grads)
        else "module-grad-set" if not any(reset) and seen.get("module_grad")
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
    if seen.get("w_after", nin) != nin:  # self.w.append(self.b): the list of weights itself grew
        return SAY("params-grew", "parameters-append", call=call, nin=nin, after=seen["w_after"])
    if seen["distinct"] < nin:
        return SAY("shared", "shared-weight", call=call)
    if "index" not in (params := seen["params"]):
        key = "nested-parameters" if params["nested"] else None
        key = "parameters-one-pass" if params["one_pass"] else key
        return SAY("params-type", key, call=call, **params)
    if sorted(index := params["index"]) == list(range(nin + 1)):
        return None
    key = "bias-not-listed" if len(index) == nin and nin not in index else listing_slip(index)
    return SAY("params", key, call=call, n=nin + 1, nin=nin, count=len(index))


@in_order("04.neuron_init", explained)
def neuron_init(case, seen):
    weights = []
    for (nin, activation), one in zip(case["neurons"], seen["neurons"]):
        call, one = f"Neuron({nin}, activation={activation!r})", Steps(one)
        if failure := neuron_structure(one, nin, call) or neuron_parameters(one, nin, call):
            return failure
        weights += one["weights"]
    seen["all_built"]  # noqa: B018 (when a neuron could not be built, the failure is the error it raised)
    low, high, outside = min(weights), max(weights), [w for w in weights if not -1.0 <= w <= 1.0]
    rows = [
        (outside, "outside", "weights-out-of-range"),
        (len(set(weights)) == 1, "same", "identical-weights"),
        (low > -0.5 or high < 0.5, "narrow", "no-negative-weights" if low >= 0 else "weights-not-spread"),
    ]
    return SAY.first(rows, w=(outside or weights)[0], n=len(weights), low=low, high=high)


@in_order("04.neuron_call")
def neuron_call(case, seen):
    nin, activation, neuron, xs = case["nin"], case["activation"], case["neuron"], case["xs"]
    call = f"Neuron({nin}, activation={activation!r})"
    if failure := neuron_structure(seen, nin, call) or not_a_value(seen["out"], f"calling a {call}"):
        return failure
    where = f"{call} with w = [{numbers(neuron[:-1])}], b = {fmt(neuron[-1])}, called on x = [{numbers(xs)}]"
    apply, z, b, got = net.ACTIVATIONS[activation], pre(neuron, xs), neuron[-1], seen["out"]["data"]
    if not close(got, apply(z)):
        slips = [
            (M("bias-missing", b="", sum="w . x + b"), apply(z - b)),
            (M("bias-after-activation", f="the activation", inside=""), apply(z - b) + b),
            (M("last-term-only"), apply(b + neuron[-2] * xs[-1]) if nin > 1 else None),
            (M("bias-every-term"), apply(z + (nin - 1) * b) if nin > 1 else None),
            (M("terms-multiplied"), apply(b * math.prod(w * x for w, x in zip(neuron[:-1], xs)))),
            (M("first-weight-only"), apply(b + neuron[0] * sum(xs)) if nin > 1 else None),
        ]
        for other in [a for a in ("tanh", "relu", "sigmoid", "linear") if a != activation]:
            applied = "no activation applied" if other == "linear" else f"{other} applied"
            slips.append(
                (M("wrong-activation", applied=applied, activation=activation), net.ACTIVATIONS[other](z))
            )
        fields = {"call": call, "where": where, "want": apply(z), "z": z, "got": got}
        return SAY("call", first_matching(got, slips), activation=activation, **fields)
    truth = numerical_gradient(lambda *v: apply(pre(v[: nin + 1], v[nin + 1 :])), [*neuron, *xs], net.FD_H)
    names = [f"w[{k}]" for k in range(nin)] + ["b"] + [f"x[{k}]" for k in range(nin)]
    if failure := wrong_gradient(f"a {call}", names, truth, seen["grads"], where):
        return failure
    if failure := not_a_value(seen["again"], f"calling a {call} on plain numbers"):
        return failure
    if not close(again := seen["again"]["data"], apply(z)):
        return SAY("plain", call=call, where=where, want=apply(z), got=again)
    return None
