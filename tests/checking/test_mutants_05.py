"""Notebook 05 (layers and MLPs): typical mistakes are caught by the right check,
which names their mistake key; correct alternatives pass; the checks on the notebook's classes."""

from __future__ import annotations

import random

import pytest
from nbharness import Mutant, answers_for, failure, mutant_tests, solution_namespace

from autograder import check
from course_engine import Value
from course_engine.nn import Neuron

NB = "05_mlp"
LAYER_PARAMS = "return [p for n in self.neurons for p in n.parameters()]"
MLP_PARAMS = "return [p for layer in self.layers for p in layer.parameters()]"
OUTPUT_ACTIVATION = 'layer_activation = "linear" if i == last and linear_output else activation'
ROW = "rows.append((p.grad, (up - down) / (2 * h)))"

MUTANTS = [
    Mutant(
        "layer: one output still in a list",
        NB,
        "05.layer_call",
        find="return outs[0] if len(outs) == 1 else outs",
        replace="return outs",
        key="single-output-in-list",
    ),
    Mutant(
        "layer: activation not passed to the neurons",
        NB,
        "05.layer_call",
        find="[Neuron(nin, activation) for _ in range(nout)]",
        replace="[Neuron(nin) for _ in range(nout)]",
        key="activation-not-passed",
    ),
    Mutant(
        "layer: the first neuron answers for all",
        NB,
        "05.layer_call",
        find="outs = [n(x) for n in self.neurons]",
        replace="outs = [self.neurons[0](x) for n in self.neurons]",
        key="first-neuron-only",
    ),
    Mutant(
        "layer: biases left out of parameters()",
        NB,
        "05.layer_params",
        find=LAYER_PARAMS,
        replace="return [p for n in self.neurons for p in n.w]",
        key="biases-not-listed",
    ),
    Mutant(
        "layer: a list of lists",
        NB,
        "05.layer_params",
        find=LAYER_PARAMS,
        replace="return [n.parameters() for n in self.neurons]",
        key="list-of-lists",
    ),
    Mutant(
        "layer: return inside the loop",
        NB,
        "05.layer_params",
        find=LAYER_PARAMS,
        replace="for n in self.neurons:\n            return n.parameters()",
        key="one-neuron-only",
    ),
    Mutant(
        "mlp: output layer nonlinear although linear asked",
        NB,
        "05.mlp_call",
        find=OUTPUT_ACTIVATION,
        replace="layer_activation = activation",
        key="output-not-linear",
    ),
    Mutant(
        "mlp: output layer linear although linear_output=False",
        NB,
        "05.mlp_call",
        find=OUTPUT_ACTIVATION,
        replace='layer_activation = "linear" if i == last else activation',
        key="output-activation",
    ),
    Mutant(
        "mlp: activation not passed to the layers",
        NB,
        "05.mlp_call",
        find="Layer(sizes[i], sizes[i + 1], layer_activation)",
        replace="Layer(sizes[i], sizes[i + 1])",
        key="hidden-activation",
    ),
    Mutant(
        "mlp: parameters() misses the output layer",
        NB,
        "05.mlp_params",
        find=MLP_PARAMS,
        replace="return [p for layer in self.layers[:-1] for p in layer.parameters()]",
        key="layer-left-out",
    ),
    Mutant(
        "mlp: parameters() lists the first layer twice",
        NB,
        "05.mlp_params",
        find=MLP_PARAMS,
        replace="return [p for layer in self.layers + self.layers[:1] for p in layer.parameters()]",
        key="layer-repeated",
    ),
    Mutant(
        "gradcheck: grads not zeroed",
        NB,
        "05.gradcheck",
        find="    model.zero_grad()\n    model(x).backward()",
        replace="    model(x).backward()",
        key="stale-gradient",
    ),
    Mutant(
        "gradcheck: zero_grad after backward",
        NB,
        "05.gradcheck",
        find="    model.zero_grad()\n    model(x).backward()",
        replace="    model(x).backward()\n    model.zero_grad()",
        key="zero-grad-after-backward",
    ),
    Mutant(
        "gradcheck: forward difference",
        NB,
        "05.gradcheck",
        find=ROW,
        replace="rows.append((p.grad, (up - model(x).data) / h))",
        key="forward-difference",
    ),
    Mutant(
        "gradcheck: divided by h",
        NB,
        "05.gradcheck",
        find=ROW,
        replace="rows.append((p.grad, (up - down) / h))",
        key="divided-by-h",
    ),
    Mutant(
        "gradcheck: / 2 * h",
        NB,
        "05.gradcheck",
        find=ROW,
        replace="rows.append((p.grad, (up - down) / 2 * h))",
        key="precedence-2h",
    ),
    Mutant(
        "gradcheck: parameter not put back",
        NB,
        "05.gradcheck",
        find="        p.data = original\n        rows",
        replace="        rows",
        key="parameter-not-restored",
    ),
    Mutant(
        "gradcheck: fixed h",
        NB,
        "05.gradcheck",
        find="def mlp_gradient_check(model, x, params, h=1e-6):",
        replace="def mlp_gradient_check(model, x, params, step=1e-6):\n    h = 1e-6",
        key="fixed-h",
    ),
]


# ---- correct alternatives: every graded cell passes -----------------------------------

ALTERNATIVES = {
    "loops with extend, sizes zipped, single outputs wrapped": [
        (
            LAYER_PARAMS,
            "params = []\n        for n in self.neurons:\n            params.extend(n.parameters())\n"
            "        return params",
        ),
        (
            "return outs[0] if len(outs) == 1 else outs",
            "if len(outs) == 1:\n            return outs[0]\n        return outs",
        ),
        (
            "        self.layers = []\n        for i in range(len(nouts)):\n"
            '            layer_activation = "linear" if i == last and linear_output else activation\n'
            "            self.layers.append(Layer(sizes[i], sizes[i + 1], layer_activation))\n",
            "        acts = [activation] * last + ['linear' if linear_output else activation]\n"
            "        self.layers = [Layer(a, b, act) for a, b, act in zip(sizes, sizes[1:], acts)]\n",
        ),
        (
            "        for layer in self.layers:\n            x = layer(x)\n        return x\n",
            "        for layer in self.layers:\n            x = layer(x)\n"
            "            x = [x] if isinstance(x, Value) else x\n        return x[0] if len(x) == 1 else x\n",
        ),
        (MLP_PARAMS, "return sum((layer.parameters() for layer in self.layers), [])"),
    ],
    "gradcheck nudging in place, zeroing only the sample, parameters as tuples": [
        (LAYER_PARAMS, f"return tuple({LAYER_PARAMS[7:]})"),
        (MLP_PARAMS, f"return tuple({MLP_PARAMS[7:]})"),
        (
            "    model.zero_grad()\n    model(x).backward()",
            "    for p in params:\n        p.grad = 0.0\n    model(x).backward()",
        ),
        (
            "        original = p.data\n        p.data = original + h\n        up = model(x).data\n"
            "        p.data = original - h\n        down = model(x).data\n        p.data = original\n"
            "        rows.append((p.grad, (up - down) / (2 * h)))\n",
            "        p.data += h\n        up = model(x).data\n        p.data -= 2 * h\n"
            "        down = model(x).data\n        p.data += h\n"
            "        rows.append((p.grad, (up - down) / (2 * h)))\n",
        ),
    ],
    "gradcheck with no_grad and try/finally": [
        ("import time\n", "import time\n\nfrom course_engine import no_grad\n"),
        (
            "        original = p.data\n        p.data = original + h\n        up = model(x).data\n"
            "        p.data = original - h\n        down = model(x).data\n        p.data = original\n",
            "        original = p.data\n        try:\n            with no_grad():\n"
            "                p.data = original + h\n                up = model(x).data\n"
            "                p.data = original - h\n                down = model(x).data\n"
            "        finally:\n            p.data = original\n",
        ),
    ],
}


test_mutant_is_caught, test_correct_alternative_passes = mutant_tests(MUTANTS, ALTERNATIVES, NB)


# ---- the checks called directly on classes (no kernel) ----------------------------------------


ANSWERS = solution_namespace(NB)  # the notebook's own Layer, MLP and gradient check, right
Layer, right_gradient_check = ANSWERS["Layer"], ANSWERS["mlp_gradient_check"]


class MLP(ANSWERS["MLP"]):
    """The notebook's MLP with its layers planned another right way: all the activations first."""

    def __init__(self, nin, nouts, activation="relu", linear_output=True):
        sizes = [nin, *nouts]
        acts = [activation] * (len(nouts) - 1) + ["linear" if linear_output else activation]
        self.layers = [Layer(a, b, act) for a, b, act in zip(sizes, sizes[1:], acts)]


def test_checks_accept_right_classes():
    for exercise_id in ("05.layer_params", "05.layer_call"):
        check(exercise_id, Layer, hidden=True, quiet=True)
    for exercise_id in ("05.mlp_params", "05.mlp_call"):
        check(exercise_id, MLP, hidden=True, quiet=True)
    check("05.gradcheck", right_gradient_check, hidden=True, quiet=True)


def test_layer_checks_name_mistakes():
    class Swapped(Layer):
        def __init__(self, nin, nout, activation="relu"):
            self.neurons = [Neuron(nout, activation) for _ in range(nin)]

    class Reversed(Layer):
        def __call__(self, x):
            outs = super().__call__(x)
            return outs[::-1] if isinstance(outs, list) else outs

    class Copies(Layer):
        def parameters(self):
            return [Value(p.data) for p in super().parameters()]

    assert failure("05.layer_params", Swapped).key == "nin-nout-swapped"
    assert failure("05.layer_call", Reversed).key == "outputs-reversed"
    assert failure("05.layer_params", Copies).key == "copies-listed"


def test_mlp_checks_use_the_reference_layer():
    class BrokenLayer(Layer):  # what a student's broken Layer would do to their MLP
        def parameters(self):
            return []

    namespace = MLP.__init__.__globals__  # the module's globals, where MLP finds `Layer`
    mine = namespace["Layer"]
    namespace["Layer"] = BrokenLayer
    try:
        check("05.mlp_params", MLP, hidden=True, quiet=True)  # runs on course_engine's Layer instead
        assert len(MLP(2, [3, 1]).parameters()) == 0  # outside the check, the broken Layer is back
    finally:
        namespace["Layer"] = mine


def test_gradcheck_check_names_mistakes():
    def returns_values(model, x, params, h=1e-6):
        rows = right_gradient_check(model, x, params, h)
        return [(Value(a), n) for a, n in rows]

    def swapped(model, x, params, h=1e-6):
        return [(n, a) for a, n in right_gradient_check(model, x, params, h)]

    assert failure("05.gradcheck", returns_values).key == "value-in-pair"
    assert failure("05.gradcheck", swapped, seed=2).key == "pair-swapped"
    short = failure(
        "05.gradcheck", lambda model, x, params, h=1e-6: right_gradient_check(model, x, params, h)[:-1]
    )
    assert short.keys == () and "one (backward_grad, finite_difference) pair" in str(short)


def test_checks_leave_the_global_random_stream_alone():
    random.seed(7)
    expected = [random.random() for _ in range(3)]
    random.seed(7)
    check("05.layer_call", Layer, quiet=True)
    check("05.mlp_call", MLP, quiet=True)
    assert [random.random() for _ in range(3)] == expected


# ---- the notebook's own MLP with a typical slip, in this process ------------------------------

LOOP, SIZES = "for i in range(len(nouts)):", "sizes = [nin] + list(nouts)"
LAYER_LIST = {  # a layer list one too short or long, or with each layer's sizes swapped: (edits, key)
    "range one short": ([(LOOP, "for i in range(len(nouts) - 1):")], "last-layer-missing"),
    "nin left out of sizes": (
        [(SIZES, "sizes = list(nouts)"), (LOOP, "for i in range(len(sizes) - 1):")],
        "nin-left-out",
    ),
    "an output layer added": (
        [(SIZES, "sizes = [nin] + list(nouts) + [1]"), (LOOP, "for i in range(len(sizes) - 1):")],
        "extra-layer",
    ),
    "nin and nout swapped": (
        [
            (
                "Layer(sizes[i], sizes[i + 1], layer_activation)",
                "Layer(sizes[i + 1], sizes[i], layer_activation)",
            )
        ],
        "sizes-swapped",
    ),
    "parameters as a generator": (
        [(MLP_PARAMS, MLP_PARAMS.replace("[", "(").replace("]", ")"))],
        "parameters-one-pass",
    ),
}


@pytest.mark.parametrize("name", LAYER_LIST)
def test_a_wrong_layer_list_is_named(name):
    edits, key = LAYER_LIST[name]
    mlp = solution_namespace(NB, edits)["MLP"]
    for exercise in ("05.mlp_params", "05.mlp_call") if key != "parameters-one-pass" else ("05.mlp_params",):
        for hidden in (False, True):
            assert failure(exercise, mlp, hidden=hidden, seed=3).key == key, (name, exercise, hidden)


def test_parameters_as_tuples_pass():
    # a tuple is a sequence of Values: only the convention says list
    ns = solution_namespace(
        NB,
        [
            (LAYER_PARAMS, f"return tuple({LAYER_PARAMS[7:]})"),
            (MLP_PARAMS, f"return tuple({MLP_PARAMS[7:]})"),
        ],
    )
    for exercise, cls in (("05.layer_params", "Layer"), ("05.mlp_params", "MLP")):
        check(exercise, ns[cls], quiet=True)
        check(exercise, ns[cls], hidden=True, seed=2, quiet=True)


def test_layer_outputs_as_a_tuple_pass():
    class TupleLayer(Layer):
        def __call__(self, x):
            outs = tuple(n(x) for n in self.neurons)
            return outs[0] if len(outs) == 1 else outs

    check("05.layer_call", TupleLayer, hidden=True, quiet=True)


def test_a_parameter_left_as_a_value_is_named_not_crashed():
    # the gradient check restoring p.data to a Value: the checker reads it without raising
    def restores_a_value(model, x, params, h=1e-6):
        rows = right_gradient_check(model, x, params, h)
        params[0].data = Value(params[0].data)
        return rows

    got = failure("05.gradcheck", restores_a_value)
    assert got.key == "data-not-a-number" and "raised" not in str(got), str(got)


# ---- the notebook's numbers --------------------------------------------------------------------


def test_the_bytes_per_node_are_measured_and_the_prose_quotes_the_measurement():
    import re
    import sys

    import nbformat
    from nbharness import solution_path

    from course_engine.nn import MLP as ReferenceMLP

    cells = {c.id: c for c in nbformat.read(solution_path(NB), as_version=4).cells}
    printed = "".join(o.get("text", "") for o in cells["size-memory"].outputs)
    per_node = int(re.search(r"about (\d+) bytes per node", printed)[1])
    assert f"about {per_node} bytes (measured above)" in cells["size-notes"].source

    random.seed(1)  # counted again here: what the nodes of one chained forward pass own
    net = ReferenceMLP(2, [64, 64, 1], activation="tanh")
    x = [0.7, -1.2]
    for layer in net.layers:
        outs = []
        for n in layer.neurons:
            z = n.b
            for wi, xi in zip(n.w, x):
                z = z + wi * xi
            outs.append(z if n.activation == "linear" else z.tanh())
        x = outs
    weights = {id(p) for p in net.parameters()}
    created = [node for node in x[0].topological_order() if id(node) not in weights]
    # a node, its number and its local derivatives (its parents live in its own slots)
    parts = {id(p): p for n in created for p in (n, n.data, *n._local_grads)}
    measured = sum(map(sys.getsizeof, parts.values())) / len(created)
    assert 100 < measured < 200 and abs(measured - per_node) <= 5, (measured, per_node)


# ---- a new student's slips, each named by its real cause (in this process) ----------------

LAYER_CALL = "outs = [n(x) for n in self.neurons]\n        return outs[0] if len(outs) == 1 else outs"
MLP_CALL = "        for layer in self.layers:\n            x = layer(x)\n        return x"
NUDGES = "        p.data = original + h\n        up = model(x).data\n        p.data = original - h"


@pytest.mark.parametrize(
    "exercise, edit, key",
    [
        ("05.layer_params", (LAYER_PARAMS, "return self.neurons"), "units-listed"),
        ("05.mlp_params", (MLP_PARAMS, "return self.layers"), "units-listed"),
        (
            "05.layer_call",
            (
                LAYER_CALL,
                LAYER_CALL.replace("n(x) for n in self.neurons", "n([xi]) for n, xi in zip(self.neurons, x)"),
            ),
            "neuron-reads-all",
        ),
        (
            "05.mlp_call",
            (MLP_CALL, "        for layer in self.layers:\n            out = layer(x)\n        return out"),
            "layers-in-sequence",
        ),
        (
            "05.gradcheck",
            (NUDGES, "        p.data += h\n        up = model(x).data\n        p.data -= h"),
            "down-not-moved",
        ),
    ],
)
def test_a_new_students_slips_are_named(exercise, edit, key):
    failed = failure(exercise, *answers_for(exercise, solution_namespace(NB, [edit])))
    assert failed.key == key, str(failed)


def test_a_layer_built_with_nin_and_nout_swapped_is_not_told_to_feed_x():
    swapped = solution_namespace(
        NB,
        [
            (
                "[Neuron(nin, activation) for _ in range(nout)]",
                "[Neuron(nout, activation) for _ in range(nin)]",
            )
        ],
    )["Layer"]
    assert failure("05.layer_call", swapped).key != "neuron-reads-all"
