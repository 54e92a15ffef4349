"""Probes for notebook 05: build the student's Layer and MLP (the MLP on the reference
Layer), load the case's weights, record structure, outputs and grads; hand the student's
gradient check a reference MLP."""

from numbers import Real

from course_engine.engine import Value

from ..kit.cases import seeded
from ..kit.observe import plain
from ..kit.steps import describe, listed, outputs, stepwise


def fans(layer):
    """How many weights each neuron of layer.neurons has, or what that attribute is instead."""
    neurons = getattr(layer, "neurons", None)
    if isinstance(neurons, list) and all(
        isinstance(getattr(n, "w", None), list) and isinstance(getattr(n, "b", None), Value) for n in neurons
    ):
        return [len(n.w) for n in neurons]
    return describe(neurons)


def own(layers):
    return [p for neurons in layers for n in neurons for p in [*n.w, n.b]]


def weights(case):
    return (v for neurons in case["layers"] for n in neurons for v in n)


def run(model, layers, case, seen, inputs_too=False):
    """Load the case's weights into `layers` (of neurons), call `model` on x and record its
    outputs, each neuron's activation and the grads of sum(c * output) after backward()."""
    for p, v in zip(own(layers), weights(case)):
        p.data, p.grad = v, 0.0
    x = [Value(v) for v in case["xs"]]
    out = model(x)
    seen["out"], seen["built"] = outputs(out), [[getattr(n, "activation", None) for n in ns] for ns in layers]
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    total = outs[0] * case["c"][0]
    for o, c in zip(outs[1:], case["c"][1:]):
        total = total + o * c
    total.backward()
    seen["grads"] = [v.grad for v in own(layers) + (x if inputs_too else [])]


@stepwise
def layer(student, case, seen):
    """05.layer_params: the neurons and parameters(); 05.layer_call (a case with x): outputs and grads."""
    with seeded(case["seed"]):
        layer = student.Layer(case["nin"], case["nout"], case["activation"])
        seen["fans"] = fans(layer)
        if "xs" in case:
            return run(layer, [layer.neurons], case, seen, inputs_too=True)
        seen["params"] = listed(layer.parameters(), own([layer.neurons]))


def layer_fans(model, seen):
    layers = getattr(model, "layers", None)
    seen["layers"] = [fans(layer) for layer in layers] if isinstance(layers, list) else describe(layers)
    return [layer.neurons for layer in layers]


@stepwise
def mlp(student, case, seen):
    """On the reference Layer. 05.mlp_params: the layers, parameters() and zero_grad(); 05.mlp_call
    (a case with x): outputs and grads."""
    from ..isolation.reference_layer import reference_layers

    options = {k: case[k] for k in ("activation", "linear_output") if k in case}
    with seeded(case["seed"]), reference_layers(student.MLP):
        model = student.MLP(case["nin"], list(case["nouts"]), **options)
        layers = layer_fans(model, seen)
        if "xs" in case:
            return run(model, layers, case, seen)
        params = model.parameters()
        seen["params"] = listed(params, own(layers))
        for p, g in zip(params, case["grads"]):
            p.grad = g
        model.zero_grad()
        seen["after"] = [plain(p.grad) for p in params]


def pair(row):
    """One row mlp_gradient_check returned: its two numbers, or what it holds instead."""
    if not isinstance(row, (tuple, list)) or len(row) != 2:
        return {"type": describe(row)}
    return [
        float(x) if isinstance(x, Real) and not isinstance(x, Value) else {"type": type(x).__name__}
        for x in row
    ]


@stepwise
def gradcheck(student, case, seen):
    from ..isolation import reference_mlp

    with seeded(case["seed"]):
        model = reference_mlp.MLP(case["nin"], case["nouts"], activation=case["activation"])
        every = model.parameters()
        for p, v, g in zip(every, weights(case), case["stale"]):
            p.data, p.grad = v, g  # the stale grads: a previous backward left them behind
        params = [every[j] for j in case["sample"]]
        rows = student.mlp_gradient_check(model, list(case["xs"]), params, case["h"])
        each = [pair(r) for r in rows] if isinstance(rows, (list, tuple)) else None
        seen["rows"] = {"type": describe(rows), "rows": each}
        seen["after"] = [plain(p.data) for p in every]  # a number, or what the student left instead
