"""Checks for notebook 05 (layers and MLPs): the student's Layer and MLP, and
their gradient check of a whole MLP.

The student builds on the reference `course_engine.nn.Neuron`, so every neuron
here has `.w`, `.b` and `.activation` we can trust. The truth is the same
network evaluated in float64 from those weights; gradients are compared with
central differences of that float function. The MLP checks run the student's
MLP on the reference `Layer` (swapped in for the name `Layer` while the check
runs), so a slip in the Layer exercise fails only the Layer checks.
"""

from __future__ import annotations

from contextlib import contextmanager
from numbers import Real

from course_engine import nn as reference_nn
from course_engine.engine import Value
from course_engine.gradcheck import central_difference

from ..core import CheckFailed, close, exercise, fmt, random_point
from .nb04_neurons import (
    ACTIVATIONS,
    FD_H,
    GRAD_ABS,
    GRAD_REL,
    describe_type,
    fresh_global_random,
    gradient_mismatch,
    numbers,
    pre_activation,
    require_value,
)

ALL_ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")


# ---- a network read back as numbers ------------------------------------------------------


def neurons_of(layer, call):
    neurons = getattr(layer, "neurons", None)
    if not isinstance(neurons, list) or not all(
        isinstance(getattr(n, "w", None), list) and isinstance(getattr(n, "b", None), Value) for n in neurons
    ):
        raise CheckFailed(
            f"{call}: keep the layer's neurons in self.neurons, a list of Neuron",
            got=f"self.neurons is {describe_type(neurons)}"
            if neurons is not None
            else "no attribute neurons",
        )
    return neurons


def layers_of(model, call):
    layers = getattr(model, "layers", None)
    if not isinstance(layers, list):
        raise CheckFailed(
            f"{call}: keep the MLP's layers in self.layers, a list of Layer",
            got=f"self.layers is {describe_type(layers)}" if layers is not None else "no attribute layers",
        )
    return [neurons_of(layer, call) for layer in layers]


def float_layer(neurons, xs, activation):
    """Each neuron's activation(b + w . x) in float64; `activation` is a name, or None for
    each neuron's own `.activation` (what the student's code actually built)."""
    outs = []
    for n in neurons:
        z = pre_activation([w.data for w in n.w], n.b.data, xs)
        apply = ACTIVATIONS.get(activation or getattr(n, "activation", None))
        outs.append(apply(z) if apply else float("nan"))  # nan: an unknown activation explains nothing
    return outs


def float_network(layers, xs, activations):
    """Forward through a list of neuron lists; activations per layer (None: as built)."""
    for neurons, activation in zip(layers, activations):
        xs = float_layer(neurons, xs, activation)
    return xs


def kink_distance(layers, xs, activations):
    """The smallest |z| over relu neurons: how far the point is from a kink."""
    smallest = float("inf")
    for neurons, activation in zip(layers, activations):
        outs = []
        for n in neurons:
            z = pre_activation([w.data for w in n.w], n.b.data, xs)
            if activation == "relu":
                smallest = min(smallest, abs(z))
            outs.append(ACTIVATIONS[activation](z))
        xs = outs
    return smallest


def randomise(layers, rng):
    """Fresh data (and zero grads) for every weight and bias: biases start at 0 otherwise."""
    for neurons in layers:
        for n in neurons:
            for p in [*n.w, n.b]:
                p.data, p.grad = random_point(rng, -1, 1), 0.0


def leaves_of(layers):
    leaves, names = [], []
    for i, neurons in enumerate(layers):
        for j, n in enumerate(neurons):
            for k, w in enumerate(n.w):
                leaves.append(w)
                names.append(f"layer {i + 1}, neuron {j + 1}, w[{k}]")
            leaves.append(n.b)
            names.append(f"layer {i + 1}, neuron {j + 1}, b")
    return leaves, names


def weighted_total(outputs, coefficients):
    """sum(c * out) as a Value: one scalar whose gradient involves every output."""
    total = outputs[0] * coefficients[0]
    for out, c in zip(outputs[1:], coefficients[1:]):
        total = total + out * c
    return total


def compare_gradients(what, leaves, names, build_float, where):
    """backward's .grad of every leaf against a central difference of the float network."""
    values = [leaf.data for leaf in leaves]
    all_zero = all(leaf.grad == 0.0 for leaf in leaves)
    for i, (leaf, name) in enumerate(zip(leaves, names)):

        def f(v, i=i):
            return build_float(values[:i] + [v] + values[i + 1 :])

        expected = central_difference(f, values[i], FD_H)
        if not close(leaf.grad, expected, GRAD_REL, GRAD_ABS):
            raise gradient_mismatch(
                what, name, expected, leaf.grad, input=where, all_zero=all_zero and expected != 0.0
            )


def set_leaves(leaves, values):
    for leaf, v in zip(leaves, values):
        leaf.data = v


def parameter_audit(params, call, what_is_listed):
    """Which of the network's own Values parameters() misses, repeats or invents."""
    if not isinstance(params, list):
        raise CheckFailed(f"{call}.parameters() must return a list of Values", got=describe_type(params))
    if any(isinstance(p, (list, tuple)) for p in params):
        raise CheckFailed(
            f"{call}.parameters() must return one flat list of Values",
            got="a list of lists",
            mistake=(
                f"flatten it: [p for {what_is_listed} ... for p in ....parameters()], "
                "or extend one list in a loop"
            ),
        )
    if not all(isinstance(p, Value) for p in params):
        bad = next(p for p in params if not isinstance(p, Value))
        raise CheckFailed(f"{call}.parameters() must return a list of Values", got=f"an element {bad!r}")


# ---- 05.layer_params and 05.layer_call ------------------------------------------------------


@exercise(
    "05.layer_params",
    title="Layer: neurons and parameters()",
    points=1,
    hints=[
        "Layer(nin, nout) holds nout neurons, each reading all nin inputs; its parameters are all of theirs.",
        "self.neurons = [Neuron(nin, activation) for _ in range(nout)]; parameters() collects "
        "n.parameters() of every neuron into ONE flat list.",
        "return [p for n in self.neurons for p in n.parameters()]",
    ],
)
def _check_layer_params(rng, hidden, Layer):
    cases = [(3, 4, "relu")] + [
        (rng.randint(1, 6), rng.randint(1, 6), rng.choice(ALL_ACTIVATIONS))
        for _ in range(25 if hidden else 5)
    ]
    with fresh_global_random(rng):
        for nin, nout, activation in cases:
            call = f"Layer({nin}, {nout}, activation={activation!r})"
            layer = Layer(nin, nout, activation)
            neurons = neurons_of(layer, call)
            sizes = [len(n.w) for n in neurons]
            if len(neurons) != nout or any(s != nin for s in sizes):
                swapped = len(neurons) == nin and all(s == nout for s in sizes) and nin != nout
                raise CheckFailed(
                    f"{call} should hold {nout} neurons with {nin} inputs each",
                    expected=f"{nout} neurons of {nin} inputs",
                    got=f"{len(neurons)} neurons with {sorted(set(sizes))} inputs",
                    mistake="nin and nout swapped: Neuron(nin, ...), nout times" if swapped else None,
                )
            params = layer.parameters()
            parameter_audit(params, call, "n in self.neurons")
            own = [p for n in neurons for p in [*n.w, n.b]]
            if len(params) != len(own) or {id(p) for p in params} != {id(p) for p in own}:
                listed = {id(p) for p in params}
                if len(params) == nout * nin and not any(id(n.b) in listed for n in neurons):
                    mistake = (
                        "the biases are missing: take each neuron's parameters(), which include its bias"
                    )
                elif len(params) == nin + 1 and nout > 1:
                    mistake = (
                        "only one neuron's parameters: collect them from EVERY neuron "
                        "(a return inside the loop stops after the first)"
                    )
                elif len(set(map(id, params))) < len(params):
                    mistake = "some Values are listed more than once: each neuron's parameters once"
                elif not listed & {id(p) for p in own}:
                    mistake = (
                        "these are not the neurons' own Values: return the Values themselves, not copies"
                    )
                else:
                    mistake = "list every neuron's weights and bias, and nothing else"
                raise CheckFailed(
                    f"{call}.parameters() does not list its neurons' parameters",
                    expected=f"{len(own)} Values: {nout} neurons x ({nin} weights + 1 bias)"
                    + (" (Layer(3, 4) has 16)" if (nin, nout) == (3, 4) else ""),
                    got=f"{len(params)} Values",
                    mistake=mistake,
                )


@exercise(
    "05.layer_call",
    title="Layer: outputs and gradients",
    points=2,
    hints=[
        "Calling a layer calls every neuron on the same inputs and collects their outputs.",
        "outs = [n(x) for n in self.neurons]; a layer of one neuron returns that one Value, "
        "not a list holding it. Pass the activation on to each Neuron.",
        "return outs[0] if len(outs) == 1 else outs",
    ],
)
def _check_layer_call(rng, hidden, Layer):
    n_cases = 30 if hidden else 8
    with fresh_global_random(rng):
        for i in range(n_cases):
            activation = ALL_ACTIVATIONS[i % 4]
            nin = rng.randint(1, 5)
            nout = 1 if i % 3 == 1 else rng.randint(2, 5)  # one-output layers in every run
            call = f"Layer({nin}, {nout}, activation={activation!r})"
            layer = Layer(nin, nout, activation)
            neurons = neurons_of(layer, call)
            if len(neurons) != nout:
                raise CheckFailed(
                    f"{call} should hold {nout} neurons",
                    got=f"{len(neurons)}",
                    mistake="see the 05.layer_params check",
                )
            while True:
                randomise([neurons], rng)
                xs = [random_point(rng) for _ in range(nin)]
                if kink_distance([neurons], xs, [activation]) > 1e-3:
                    break
            x = [Value(v) for v in xs]
            where = f"{call} on x = [{numbers(xs)}]"
            out = layer(x)
            if nout == 1:
                if isinstance(out, (list, tuple)) and len(out) == 1:
                    raise CheckFailed(
                        f"{call} returns a list holding one Value",
                        input=where,
                        expected="the Value itself",
                        got=describe_type(out),
                        mistake=(
                            "a layer of one neuron returns its single output, not [output]: "
                            "return outs[0] if len(outs) == 1 else outs"
                        ),
                    )
                require_value(out, call)
                outs = [out]
            else:
                if not isinstance(out, (list, tuple)) or len(out) != nout:
                    raise CheckFailed(
                        f"{call} should return a list of {nout} Values, one per neuron",
                        input=where,
                        got=describe_type(out),
                    )
                for o in out:
                    require_value(o, f"each output of {call}")
                outs = list(out)
            expected = float_layer(neurons, xs, activation)
            got = [o.data for o in outs]
            if not all(close(g, e) for g, e in zip(got, expected)):
                built = [getattr(n, "activation", None) for n in neurons]
                if any(b != activation for b in built) and all(
                    close(g, e) for g, e in zip(got, float_layer(neurons, xs, None))
                ):
                    mistake = (
                        f"the neurons use {built[0]!r}, but {call} asks for {activation!r}: "
                        "pass the activation on, Neuron(nin, activation)"
                    )
                elif nout > 1 and all(close(g, expected[0]) for g in got):
                    mistake = "every output is the first neuron's: call each neuron n(x) in turn"
                elif nout > 1 and all(close(g, e) for g, e in zip(got, expected[::-1])):
                    mistake = "the outputs are in reverse order: keep the order of self.neurons"
                else:
                    mistake = None
                raise CheckFailed(
                    f"the outputs of {call} are wrong",
                    input=where,
                    expected=numbers(expected),
                    got=numbers(got),
                    mistake=mistake,
                )
            coefficients = [random_point(rng, 0.5, 2.0) for _ in outs]
            weighted_total(outs, coefficients).backward()
            leaves, names = leaves_of([neurons])
            leaves, names = leaves + x, names + [f"x[{k}]" for k in range(nin)]
            n_params = len(leaves) - nin

            def build_float(
                values,
                neurons=neurons,
                leaves=leaves,
                n_params=n_params,
                coefficients=coefficients,
                act=activation,
            ):
                saved = [leaf.data for leaf in leaves[:n_params]]
                set_leaves(leaves[:n_params], values[:n_params])
                try:
                    outs = float_layer(neurons, values[n_params:], act)
                finally:
                    set_leaves(leaves[:n_params], saved)
                return sum(c * o for c, o in zip(coefficients, outs))

            compare_gradients(
                f"{call}, through sum(c * output)",
                leaves,
                names,
                build_float,
                where + f", c = [{numbers(coefficients)}]",
            )


# ---- 05.mlp_params and 05.mlp_call --------------------------------------------------------


@contextmanager
def reference_layers(MLP):
    """Run the student's MLP on course_engine's Layer: their Layer is checked elsewhere."""
    init = getattr(MLP, "__init__", None)
    namespace = getattr(init, "__globals__", None)
    if not isinstance(namespace, dict) or "Layer" not in namespace:
        yield
        return
    theirs = namespace["Layer"]
    namespace["Layer"] = reference_nn.Layer
    try:
        yield
    finally:
        namespace["Layer"] = theirs


def _architecture(rng, hidden_layers_max=2):
    nin = rng.randint(1, 4)
    hidden = [rng.randint(2, 5) for _ in range(rng.randint(0, hidden_layers_max))]
    return nin, hidden + [rng.randint(1, 3)]


def _layer_sizes_check(layers, nin, nouts, call):
    sizes = [nin, *nouts]
    if len(layers) != len(nouts):
        raise CheckFailed(
            f"{call} should have one layer per entry of nouts",
            expected=f"{len(nouts)} layers",
            got=f"{len(layers)} layers",
        )
    for i, neurons in enumerate(layers):
        fan_in = {len(n.w) for n in neurons}
        if len(neurons) != nouts[i] or fan_in != {sizes[i]}:
            if i > 0 and fan_in == {nin} and nin != sizes[i]:
                mistake = (
                    f"layer {i + 1} reads nin inputs; it reads the {sizes[i]} outputs of the layer before it"
                )
            else:
                mistake = (
                    "layer i goes from sizes[i] inputs to sizes[i + 1] outputs, with sizes = [nin] + nouts"
                )
            raise CheckFailed(
                f"{call}: layer {i + 1} has the wrong shape",
                expected=f"{nouts[i]} neurons with {sizes[i]} inputs each",
                got=f"{len(neurons)} neurons with {sorted(fan_in)} inputs",
                mistake=mistake,
            )


@exercise(
    "05.mlp_params",
    title="MLP: layers and parameters()",
    points=2,
    hints=[
        "MLP(nin, nouts) chains len(nouts) layers: each reads what the previous one outputs.",
        "sizes = [nin] + nouts; layer i is Layer(sizes[i], sizes[i + 1], ...). parameters() collects "
        "every layer's parameters into one flat list.",
        "return [p for layer in self.layers for p in layer.parameters()]",
    ],
)
def _check_mlp_params(rng, hidden, MLP):
    cases = [(3, [4, 4, 1], 41), (2, [4, 4, 1], 37), (2, [16, 16, 1], 337)]
    for _ in range(25 if hidden else 5):
        nin, nouts = _architecture(rng, 3)
        sizes = [nin, *nouts]
        cases.append((nin, nouts, sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(nouts)))))
    with fresh_global_random(rng), reference_layers(MLP):
        for nin, nouts, count in cases:
            call = f"MLP({nin}, {nouts})"
            model = MLP(nin, list(nouts))
            layers = layers_of(model, call)
            _layer_sizes_check(layers, nin, nouts, call)
            params = model.parameters()
            parameter_audit(params, call, "layer in self.layers")
            listed = {}
            for p in params:
                listed[id(p)] = listed.get(id(p), 0) + 1
            for i, neurons in enumerate(layers):
                own = [p for n in neurons for p in [*n.w, n.b]]
                seen = [listed.get(id(p), 0) for p in own]
                which = f"layer {i + 1} of {len(layers)}"
                if all(s == 0 for s in seen):
                    mistake = f"parameters() leaves out {which} (its {len(own)} parameters)"
                elif all(s >= 2 for s in seen):
                    mistake = f"parameters() lists {which} more than once"
                elif any(s != 1 for s in seen):
                    mistake = f"parameters() lists some of {which}'s parameters not exactly once"
                else:
                    continue
                raise CheckFailed(
                    f"{call}.parameters() does not list every parameter exactly once",
                    expected=f"{count} parameters",
                    got=f"{len(params)} parameters",
                    mistake=mistake,
                )
            if len(params) != count:
                raise CheckFailed(
                    f"{call}.parameters() lists Values that are not the network's",
                    expected=f"{count} parameters",
                    got=f"{len(params)} parameters",
                )
            for p in params:
                p.grad = random_point(rng, away_from=(0.0,))
            model.zero_grad()
            if any(p.grad != 0 for p in params):
                raise CheckFailed(
                    f"{call}.zero_grad() does not reset every gradient",
                    mistake="do not override zero_grad: Module's version resets whatever parameters() lists",
                )


@exercise(
    "05.mlp_call",
    title="MLP: output and gradients",
    points=2,
    hints=[
        "Calling the MLP feeds x through each layer in turn: the output of one is the input of the next.",
        "Hidden layers all use `activation`; the last layer is 'linear' when linear_output is True, "
        "else it uses `activation` too.",
        "for layer in self.layers: x = layer(x)   then   return x",
    ],
)
def _check_mlp_call(rng, hidden, MLP):
    n_cases = 24 if hidden else 6
    with fresh_global_random(rng), reference_layers(MLP):
        for i in range(n_cases):
            activation = ("tanh", "relu", "sigmoid")[i % 3]
            linear_output = i % 2 == 0
            nin, nouts = _architecture(rng)
            if i == 0:
                nouts = [rng.randint(2, 5), rng.randint(1, 3)]  # a hidden layer in the first case
            if i == 1:
                nouts = [3, 1]  # a nonlinear output layer in every run
            call = f"MLP({nin}, {nouts}, activation={activation!r}, linear_output={linear_output})"
            model = MLP(nin, list(nouts), activation=activation, linear_output=linear_output)
            layers = layers_of(model, call)
            _layer_sizes_check(layers, nin, nouts, call)
            asked = [activation] * (len(nouts) - 1) + ["linear" if linear_output else activation]
            while True:
                randomise(layers, rng)
                xs = [random_point(rng) for _ in range(nin)]
                if kink_distance(layers, xs, asked) > 1e-3:
                    break
            x = [Value(v) for v in xs]
            where = f"{call} on x = [{numbers(xs)}]"
            out = model(x)
            if nouts[-1] == 1:
                if isinstance(out, (list, tuple)) and len(out) == 1:
                    raise CheckFailed(
                        f"{call} returns a list holding one Value",
                        input=where,
                        expected="the Value itself",
                        got=describe_type(out),
                        mistake="an MLP with one output returns that Value, so that out.backward() works",
                    )
                require_value(out, call)
                outs = [out]
            else:
                if not isinstance(out, (list, tuple)) or len(out) != nouts[-1]:
                    raise CheckFailed(
                        f"{call} should return a list of {nouts[-1]} Values",
                        input=where,
                        got=describe_type(out),
                    )
                for o in out:
                    require_value(o, f"each output of {call}")
                outs = list(out)
            expected = float_network(layers, xs, asked)
            got = [o.data for o in outs]
            if not all(close(g, e) for g, e in zip(got, expected)):
                raise CheckFailed(
                    f"the output of {call} is wrong",
                    input=where,
                    expected=numbers(expected),
                    got=numbers(got),
                    mistake=_activation_mistake(layers, xs, asked, got, linear_output, activation),
                )
            coefficients = [random_point(rng, 0.5, 2.0) for _ in outs]
            weighted_total(outs, coefficients).backward()
            leaves, names = leaves_of(layers)

            def build_float(
                values, layers=layers, leaves=leaves, coefficients=coefficients, asked=asked, xs=xs
            ):
                saved = [leaf.data for leaf in leaves]
                set_leaves(leaves, values)
                try:
                    outs = float_network(layers, xs, asked)
                finally:
                    set_leaves(leaves, saved)
                return sum(c * o for c, o in zip(coefficients, outs))

            compare_gradients(call, leaves, names, build_float, where)


def _activation_mistake(layers, xs, asked, got, linear_output, activation):
    """Name the layer whose activation differs from what was asked, when that explains `got`."""
    built = [getattr(neurons[0], "activation", None) for neurons in layers]
    if built == asked or not all(close(g, e) for g, e in zip(got, float_network(layers, xs, built))):
        return None
    last = len(layers) - 1
    for i, (b, a) in enumerate(zip(built, asked)):
        if b == a:
            continue
        if i == last and linear_output:
            return (
                f"the output layer applies {b!r}, but linear_output=True asks for a linear output "
                "(regression needs outputs that are not squashed)"
            )
        if i == last:
            return f"the output layer is {b!r}, but linear_output=False asks for {activation!r} there too"
        return f"hidden layer {i + 1} uses {b!r}, but activation={activation!r} was asked: pass it to every Layer"
    return None


# ---- 05.gradcheck ---------------------------------------------------------------------------


def _pair(row, i):
    if not isinstance(row, (tuple, list)) or len(row) != 2:
        raise CheckFailed(
            "mlp_gradient_check must return one (backward_grad, finite_difference) pair per parameter",
            got=f"entry {i} is {describe_type(row)}",
        )
    for x in row:
        if isinstance(x, Value) or not isinstance(x, Real):
            raise CheckFailed(
                "each pair must hold two numbers (p.grad and the finite difference)",
                got=f"entry {i} holds a {type(x).__name__}",
                mistake="p.grad is already a number; use model(x).data, not model(x), in the difference"
                if isinstance(x, Value)
                else None,
            )
    return float(row[0]), float(row[1])


@exercise(
    "05.gradcheck",
    title="gradient check of a whole MLP",
    points=3,
    hints=[
        "Two answers for each parameter: p.grad after one backward(), and (f(p + h) - f(p - h)) / 2h "
        "with f the network's output, changing only p.data.",
        "Reset the gradients with model.zero_grad() first, then model(x).backward(). For each p: remember "
        "p.data, set it to +h and -h around it, read model(x).data each time, and put the value back.",
        "rows.append((p.grad, (up - down) / (2 * h))) after p.data = original + h; up = model(x).data; "
        "p.data = original - h; down = model(x).data; p.data = original",
    ],
)
def _check_gradcheck(rng, hidden, mlp_gradient_check):
    n_cases = 12 if hidden else 3
    with fresh_global_random(rng):
        for i in range(n_cases):
            activation = ("tanh", "sigmoid")[i % 2]
            nin, hidden_sizes = rng.randint(1, 3), [rng.randint(2, 5) for _ in range(rng.randint(1, 2))]
            nouts = [*hidden_sizes, 1]
            model = reference_nn.MLP(nin, nouts, activation=activation)
            layers = [layer.neurons for layer in model.layers]
            randomise(layers, rng)
            all_params = model.parameters()
            params = rng.sample(all_params, rng.randint(3, min(8, len(all_params))))
            xs = [random_point(rng) for _ in range(nin)]
            h = (1e-2, 1e-3)[i % 2]  # large enough that a forward difference is visibly off
            # a previous backward left gradients behind: a check must clear them first
            stale = {}
            for p in all_params:
                p.grad = random_point(rng, 0.5, 3.0)
                stale[id(p)] = p.grad
            before = [p.data for p in all_params]
            where = (
                f"MLP({nin}, {nouts}, activation={activation!r}) on x = [{numbers(xs)}], "
                f"{len(params)} sampled parameters, h = {fmt(h)}"
            )
            rows = mlp_gradient_check(model, xs, params, h)
            if not isinstance(rows, (list, tuple)) or len(rows) != len(params):
                raise CheckFailed(
                    "mlp_gradient_check must return one (backward_grad, finite_difference) pair per parameter",
                    input=where,
                    expected=f"{len(params)} pairs",
                    got=describe_type(rows),
                )
            pairs = [_pair(row, k) for k, row in enumerate(rows)]
            after = [p.data for p in all_params]
            for k, (b, a) in enumerate(zip(before, after)):
                if abs(a - b) > 1e-12 * max(1.0, abs(b)):  # a few ulps from += h, -= 2h, += h is fine
                    off = a - b
                    by_h = close(abs(off), h, 1e-6) or close(abs(off), 2 * h, 1e-6)
                    raise CheckFailed(
                        "mlp_gradient_check changed the model's parameters",
                        input=where,
                        expected=f"parameter {k} still {fmt(b)}",
                        got=f"{fmt(a)}",
                        mistake="put p.data back to its original value after the nudges"
                        if by_h
                        else "the check must leave every p.data as it found it",
                    )
            asked = [activation] * (len(nouts) - 1) + ["linear"]
            for k, (p, (analytic, numeric)) in enumerate(zip(params, pairs)):
                original = p.data

                def f(v, p=p, original=original, layers=layers, xs=xs, asked=asked):
                    p.data = v
                    try:
                        return float_network(layers, xs, asked)[0]
                    finally:
                        p.data = original

                truth = central_difference(f, original, FD_H)
                up, down, mid = f(original + h), f(original - h), f(original)
                expected_numeric = (up - down) / (2 * h)
                label = f"sampled parameter {k} (data {fmt(original)})"
                if not close(analytic, truth, GRAD_REL, GRAD_ABS):
                    if close(analytic, truth + stale[id(p)], GRAD_REL, GRAD_ABS):
                        mistake = (
                            "the gradient from an earlier backward() was still there: call "
                            "model.zero_grad() before model(x).backward()"
                        )
                    elif analytic == 0.0:
                        mistake = (
                            "p.grad is 0: run model(x).backward() first, and zero_grad() BEFORE it, not after"
                        )
                    elif close(analytic, stale[id(p)]):
                        mistake = "p.grad is the old value: model(x).backward() never ran"
                    elif close(analytic, expected_numeric, 1e-9) or close(analytic, numeric, 1e-9):
                        mistake = (
                            "the first number of each pair is backward's p.grad, the second the difference"
                        )
                    else:
                        mistake = None
                    raise CheckFailed(
                        f"the backward gradient reported for {label} is wrong",
                        input=where,
                        expected=f"{fmt(truth)} (d output / d p)",
                        got=fmt(analytic),
                        mistake=mistake,
                    )
                if not close(numeric, expected_numeric, 1e-7, 1e-9):
                    candidates = {
                        "a forward difference (f(p + h) - f(p)) / h; use the central one, "
                        "(f(p + h) - f(p - h)) / 2h": (up - mid) / h,
                        "a backward difference (f(p) - f(p - h)) / h; use the central one, "
                        "(f(p + h) - f(p - h)) / 2h": (mid - down) / h,
                        "divided by h instead of 2h: the two nudges are 2h apart": (up - down) / h,
                        "divided by 2 and then multiplied by h: write / (2 * h)": (up - down) / 2 * h,
                    }
                    mistake = next((m for m, v in candidates.items() if close(numeric, v, 1e-7, 1e-9)), None)
                    if mistake is None and abs(numeric - truth) < abs(expected_numeric - truth) / 10:
                        mistake = f"this is not a difference with the h given ({fmt(h)}): use the argument h"
                    raise CheckFailed(
                        f"the finite difference reported for {label} is wrong",
                        input=where,
                        expected=f"{fmt(expected_numeric)} = (f(p + h) - f(p - h)) / 2h",
                        got=fmt(numeric),
                        mistake=mistake,
                    )
