"""Verdicts for notebook 05: the student's Layer and MLP, and their gradient check of a
whole MLP. The truth is the case's network in float64 (kit.network); gradients are
compared with central differences of that float function."""

import re
from collections import Counter

from course_engine.gradcheck import central_difference, numerical_gradient

from ..kit import network as net
from ..kit.compare import agree, close
from ..kit.fmt import fmt
from ..kit.network import attribute, listing_slip, network, not_a_value, numbers, wrong_gradient
from ..kit.says import Says, in_order

SAY = Says.beside(__file__, net.MISTAKES)
M = MISTAKES = SAY.mistakes


def asked(nouts, activation, linear_output):
    return [activation] * (len(nouts) - 1) + ["linear" if linear_output else activation]


def count(nin, nouts):
    return sum((a + 1) * b for a, b in zip([nin, *nouts], nouts))


def flat(layers):
    return [v for neurons in layers for n in neurons for v in n]


def shaped(values, layers):
    """`values` laid out as `layers` is: layers of neurons [w..., b]."""
    it = iter(values)
    return [[[next(it) for _ in n] for n in neurons] for neurons in layers]


def audit(params, call, listed):
    """parameters() must be one flat list of Values."""
    if "index" in params:
        return None
    if params["element"] is not None and params["nested"]:
        return SAY("params-nested", "list-of-lists", call=call, listed=listed)
    got = params["type"] if params["element"] is None else f"an element {params['element']}"
    key = "parameters-one-pass" if params["one_pass"] else None
    if (params["element"] or "").startswith("Neuron(" if "neurons" in listed else "Layer("):
        key = "units-listed"  # the neurons (or layers) themselves, not their parameters
    return SAY("params-type", key, call=call, got=got, listed=listed, unit=listed.split()[0])


def outputs_failure(out, n, call, where, single, each=""):
    """Unless the outputs are the n Values asked for: what they are instead."""
    if n == 1 and out["many"] is not None and len(out["many"]) == 1:
        return SAY("one-in-list", single, call=call, where=where, type=out["type"])
    if n > 1 and (out["many"] is None or len(out["many"]) != n):
        return SAY("not-a-list", call=call, n=n, each=each, where=where, type=out["type"])
    if n == 1:
        return not_a_value(out["one"], call)
    return next(filter(None, (not_a_value(o, f"each output of {call}") for o in out["many"])), None)


def network_failure(call, case, seen, activations, where, mistake, inputs_too=False):
    """The outputs against the float network, then backward's grads of sum(c * output) against its
    central differences, in every weight and bias (and input, if `inputs_too`)."""
    layers, xs, out = case["layers"], case["xs"], seen["out"]
    got = [o["data"] for o in out["many"]] if len(case["c"]) > 1 else [out["one"]["data"]]
    want = network(layers, xs, activations)
    if not agree(got, want):
        fields = {"call": call, "where": where, "want": numbers(want), "got": numbers(got)}
        return SAY("outputs" if inputs_too else "output", mistake(got, want), **fields)
    n, leaves = len(flat(layers)), flat(layers) + (xs if inputs_too else [])
    outputs = lambda *v: network(shaped(v, layers), v[n:] if inputs_too else xs, activations)  # noqa: E731
    truth = numerical_gradient(
        lambda *v: sum(c * o for c, o in zip(case["c"], outputs(*v))), leaves, net.FD_H
    )
    labels = [
        f"layer {i + 1}, neuron {j + 1}, " + (f"w[{k}]" if k < len(n) - 1 else "b")
        for i, neurons in enumerate(layers)
        for j, n in enumerate(neurons)
        for k in range(len(n))
    ]
    if inputs_too:
        labels += [f"x[{k}]" for k in range(len(xs))]
        call, where = f"{call}, through sum(c * output)", where + f", c = [{numbers(case['c'])}]"
    return wrong_gradient(call, labels, truth, seen["grads"], where)


@in_order("05.layer_params")
def layer_params(case, seen):
    nin, nout, fans = case["nin"], case["nout"], seen["fans"]
    f = {"call": f"Layer({nin}, {nout}, activation={case['activation']!r})", "nin": nin, "nout": nout}
    if isinstance(fans, str):
        return SAY("no-neurons", got=attribute("neurons", fans), **f)
    if len(fans) != nout or any(s != nin for s in fans):
        swapped = len(fans) == nin and all(s == nout for s in fans) and nin != nout
        f.update(count=len(fans), fans=sorted(set(fans)))
        return SAY("layer-shape", "nin-nout-swapped" if swapped else None, **f)
    if failure := audit(seen["params"], f["call"], "n in self.neurons"):
        return failure
    index, want = seen["params"]["index"], nout * (nin + 1)
    biases = {j * (nin + 1) + nin for j in range(nout)}
    if len(index) == want and set(index) == set(range(want)):
        return None
    key = (
        "biases-not-listed" if len(index) == nout * nin and not biases & set(index)
        else "one-neuron-only" if len(index) == nin + 1 and nout > 1
        else listing_slip(index)
    )  # fmt: skip
    example = " (Layer(3, 4) has 16)" if (nin, nout) == (3, 4) else ""
    return SAY("layer-params", key, want=want, example=example, count=len(index), **f)


WIDTH = re.compile(r"takes (\d+) inputs?, got (\d+)")


def _wrong_width(advice, fed_wrong):
    """The mistake behind a neuron given another number of inputs than it has weights, when
    `fed_wrong(case, takes, got)` says the units were built right but fed the wrong list."""

    def explain(case, error):
        found = WIDTH.search(error.get("message", "")) if error.get("type") == "ValueError" else None
        return M(advice) if found and fed_wrong(case, *map(int, found.groups())) else None

    return explain


# a Layer's neurons take nin inputs but got another list; an MLP's layer got the first x again
LAYER_FED = _wrong_width("neuron-reads-all", lambda case, takes, got: takes == case["nin"] != got)
MLP_FED = _wrong_width("layers-in-sequence", lambda case, takes, got: got == case["nin"] != takes)


@in_order("05.layer_call", LAYER_FED)
def layer_call(case, seen):
    nout, activation, fans, xs = case["nout"], case["activation"], seen["fans"], case["xs"]
    call = f"Layer({case['nin']}, {nout}, activation={activation!r})"
    if isinstance(fans, str):
        return SAY("no-neurons", call=call, got=attribute("neurons", fans))
    if len(fans) != nout:
        return SAY("neuron-count", "wrong-neuron-count", call=call, nout=nout, count=len(fans))

    def mistake(got, want):
        built = seen["built"][0]
        if any(b != activation for b in built) and agree(got, network(case["layers"], xs, [built])):
            return M("activation-not-passed", built=built[0], call=call, activation=activation)
        if nout > 1 and all(close(g, want[0]) for g in got):
            return M("first-neuron-only")
        return M("outputs-reversed") if nout > 1 and agree(got, want[::-1]) else None

    where = f"{call} on x = [{numbers(xs)}]"
    single, each = "single-output-in-list", ", one per neuron"
    if failure := outputs_failure(seen["out"], nout, call, where, single, each):
        return failure
    return network_failure(call, case, seen, [activation], where, mistake, inputs_too=True)


def shape_of(fans, size, nout):
    return {"nout": nout, "size": size, "count": len(fans), "fans": sorted(set(fans))}


def layers_slip(built, wanted, nouts):
    """The mistake that gives a network one layer too few or too many, if one explains `built`."""
    if built == wanted[:-1]:
        return "last-layer-missing"
    if built == [([a], b) for a, b in zip(nouts, nouts[1:])]:
        return "nin-left-out"
    return "extra-layer" if len(built) == len(wanted) + 1 and built[:-1] == wanted else None


def layers_failure(layers, nin, nouts, call):
    if isinstance(layers, str):
        return SAY("no-layers", call=call, got=attribute("layers", layers))
    if bad := [fans for fans in layers if isinstance(fans, str)]:
        return SAY("no-neurons", call=call, got=attribute("neurons", bad[0]))
    built = [(sorted(set(fans)), len(fans)) for fans in layers]  # (inputs, neurons) of each layer
    wanted = [([a], b) for a, b in zip([nin, *nouts], nouts)]  # (inputs, neurons) asked for
    if len(layers) != len(nouts):
        slip = layers_slip(built, wanted, nouts)
        return SAY("layer-count", slip, call=call, want=len(nouts), count=len(layers))
    if built != wanted and built == [([b], a) for (a,), b in wanted]:
        shape = shape_of(layers[0], nin, nouts[0])
        return SAY("wrong-shape", "sizes-swapped", call=call, i=1, **shape)
    for i, (fans, size, nout) in enumerate(zip(layers, [nin, *nouts], nouts)):
        if len(fans) != nout or set(fans) != {size}:
            key = "fan-in-is-nin" if i > 0 and set(fans) == {nin} and nin != size else "layer-shape"
            return SAY("wrong-shape", key, call=call, i=i + 1, **shape_of(fans, size, nout))
    return None


@in_order("05.mlp_params")
def mlp_params(case, seen):
    nin, nouts = case["nin"], case["nouts"]
    call, want, start = f"MLP({nin}, {nouts})", count(nin, nouts), 0
    if failure := layers_failure(seen["layers"], nin, nouts, call):
        return failure
    if failure := audit(seen["params"], call, "layer in self.layers"):
        return failure
    index = seen["params"]["index"]
    listed, f = Counter(index), {"call": call, "want": want, "count": len(index)}
    for i, size in enumerate(count(a, [b]) for a, b in zip([nin, *nouts], nouts)):
        times, start = [listed[j] for j in range(start, start + size)], start + size
        key = (
            "layer-left-out" if all(t == 0 for t in times)
            else "layer-repeated" if all(t >= 2 for t in times)
            else "layer-partly-listed" if any(t != 1 for t in times)
            else None
        )  # fmt: skip
        if key:
            return SAY("not-once", key, which=f"layer {i + 1} of {len(nouts)}", size=size, **f)
    if len(index) != want:
        return SAY("not-own", **f)
    return SAY("not-zeroed", "zero-grad-overridden", **f) if any(g != 0 for g in seen["after"]) else None


@in_order("05.mlp_call", MLP_FED)
def mlp_call(case, seen):
    nin, nouts, activation, linear = case["nin"], case["nouts"], case["activation"], case["linear_output"]
    call = f"MLP({nin}, {nouts}, activation={activation!r}, linear_output={linear})"
    want, where = asked(nouts, activation, linear), f"{call} on x = [{numbers(case['xs'])}]"

    def mistake(got, expected):
        """The layer whose activation differs from what was asked, when that explains `got`."""
        built = [b[0] for b in seen["built"]]
        if built == want or not agree(got, network(case["layers"], case["xs"], built)):
            return None
        i, b = next((i, b) for i, (b, a) in enumerate(zip(built, want)) if b != a)
        hidden = "hidden-activation" if i < len(want) - 1 else None
        key = hidden or ("output-not-linear" if linear else "output-activation")
        return M(key, i=i + 1, built=b, activation=activation)

    if failure := layers_failure(seen["layers"], nin, nouts, call):
        return failure
    if failure := outputs_failure(seen["out"], nouts[-1], call, where, "mlp-output-in-list"):
        return failure
    return network_failure(call, case, seen, want, where, mistake)


def pair_failure(case, k, j, analytic, numeric, where):
    """Sampled parameter k (number j of the network): its pair against the truth."""
    values, h, want = flat(case["layers"]), case["h"], asked(case["nouts"], case["activation"], True)
    f = lambda v: network(shaped(values[:j] + [v] + values[j + 1 :], case["layers"]), case["xs"], want)[0]  # noqa: E731
    truth, p = central_difference(f, values[j], net.FD_H), values[j]
    up, down, mid = (f(p + d) for d in (h, -h, 0))
    central, stale = (up - down) / (2 * h), case["stale"][j]
    fields = {"label": f"sampled parameter {k} (data {fmt(values[j])})", "where": where}
    if not close(analytic, truth, net.GRAD_REL, net.GRAD_ABS):
        key = (
            "stale-gradient" if close(analytic, truth + stale, net.GRAD_REL, net.GRAD_ABS)
            else "zero-grad-after-backward" if analytic == 0.0
            else "backward-not-run" if close(analytic, stale)
            else "pair-swapped" if close(analytic, central, 1e-9) or close(analytic, numeric, 1e-9)
            else None
        )  # fmt: skip
        return SAY("analytic", key, want=truth, got=analytic, **fields)
    if close(numeric, central, 1e-7, 1e-9):
        return None
    slips = {
        "forward-difference": (up - mid) / h,
        "backward-difference": (mid - down) / h,
        "divided-by-h": (up - down) / h,
        "precedence-2h": (up - down) / 2 * h,
        "down-not-moved": (up - mid) / (2 * h),
    }
    mistake = SAY.slip(numeric, slips, rel=1e-7, abs_=1e-9)
    if mistake is None and abs(numeric - truth) < abs(central - truth) / 10:
        mistake = M("fixed-h", h=h)
    return SAY("numeric", mistake, want=central, got=numeric, **fields)


@in_order("05.gradcheck")
def gradcheck(case, seen):
    nin, nouts, xs, sample, h = (case[k] for k in ("nin", "nouts", "xs", "sample", "h"))
    rows = seen["rows"]
    where = f"MLP({nin}, {nouts}, activation={case['activation']!r}) on x = [{numbers(xs)}], "
    where += f"{len(sample)} sampled parameters, h = {fmt(h)}"
    if rows["rows"] is None or len(rows["rows"]) != len(sample):
        return SAY("pairs", where=where, n=len(sample), type=rows["type"])
    for i, row in enumerate(rows["rows"]):
        if isinstance(row, dict):
            return SAY("entry", i=i, **row)
        if bad := [x["type"] for x in row if isinstance(x, dict)]:
            return SAY("pair", "value-in-pair" if bad[0] == "Value" else None, i=i, type=bad[0])
    for k, (b, a) in enumerate(zip(flat(case["layers"]), seen["after"])):
        if not isinstance(a, float):
            what = a["type"] if isinstance(a, dict) else repr(a)
            return SAY("changed-type", "data-not-a-number", where=where, k=k, want=b, type=what)
        if abs(a - b) > 1e-12 * max(1.0, abs(b)):  # a few ulps from += h, -= 2h, += h is fine
            by_h = close(abs(a - b), h, 1e-6) or close(abs(a - b), 2 * h, 1e-6)
            f = {"where": where, "k": k, "want": b, "got": a}
            return SAY("changed", "parameter-not-restored" if by_h else "parameters-changed", **f)
    pairs = enumerate(zip(sample, rows["rows"]))
    failures = (pair_failure(case, k, j, *pair, where) for k, (j, pair) in pairs)
    return next(filter(None, failures), None)
