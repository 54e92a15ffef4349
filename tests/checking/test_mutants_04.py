"""Notebook 04 (neurons): typical mistakes are caught by the right check, which names
their mistake key; correct alternatives pass; the checks on plain functions."""

from __future__ import annotations

import math
import random

import pytest
from nbharness import Mutant, answers_for, failure, mutant_tests, solution_namespace

from autograder import check
from course_engine import Value

NB = "04_neurons"
FORWARD = "z = w1 * x1 + w2 * x2 + b\n    return z.tanh()"

MUTANTS = [
    Mutant(
        "forward: bias missing",
        NB,
        "04.forward",
        find=FORWARD,
        replace="z = w1 * x1 + w2 * x2\n    return z.tanh()",
        key="bias-missing",
    ),
    Mutant(
        "forward: weights on the wrong inputs",
        NB,
        "04.forward",
        find=FORWARD,
        replace="z = w1 * x2 + w2 * x1 + b\n    return z.tanh()",
        key="weights-swapped",
    ),
    Mutant(
        "forward: math.tanh on .data cuts the graph",
        NB,
        "04.forward",
        find=FORWARD,
        replace="z = w1 * x1 + w2 * x2 + b\n    return Value(math.tanh(z.data))",
        key="graph-disconnected",
    ),
    Mutant(
        "grads: 1 - z**2 for tanh's slope",
        NB,
        "04.grads",
        find="out = math.tanh(w1 * x1 + w2 * x2 + b)\n    dout_dz = 1 - out**2",
        replace="z = w1 * x1 + w2 * x2 + b\n    dout_dz = 1 - z**2",
        key="slope-from-z",
    ),
    Mutant(
        "grads: the weight instead of the input",
        NB,
        "04.grads",
        find="return x1 * dout_dz, x2 * dout_dz, dout_dz",
        replace="return w1 * dout_dz, w2 * dout_dz, dout_dz",
        key="weight-for-input",
    ),
    Mutant(
        "grads: bias gradient 1",
        NB,
        "04.grads",
        find="return x1 * dout_dz, x2 * dout_dz, dout_dz",
        replace="return x1 * dout_dz, x2 * dout_dz, 1.0",
        key="bias-grad-one",
    ),
    Mutant(
        "module: zero_grad clears data",
        NB,
        "04.module",
        find="p.grad = 0.0",
        replace="p.data = 0.0",
        key="data-cleared",
    ),
    Mutant(
        "module: zero_grad rebinds the loop variable",
        NB,
        "04.module",
        find="p.grad = 0.0",
        replace="p = 0.0",
        key="loop-variable-rebound",
    ),
    Mutant(
        "module: parameters returns None",
        NB,
        "04.module",
        find="return []",
        replace="pass",
        key="parameters-none",
    ),
    Mutant(
        "neuron: weights from [0, 1)",
        NB,
        "04.neuron_init",
        find="Value(random.uniform(-1, 1)) for _ in range(nin)",
        replace="Value(random.uniform(0, 1)) for _ in range(nin)",
        key="no-negative-weights",
    ),
    Mutant(
        "neuron: gaussian weights leave [-1, 1]",
        NB,
        "04.neuron_init",
        find="Value(random.uniform(-1, 1)) for _ in range(nin)",
        replace="Value(random.gauss(0, 1)) for _ in range(nin)",
        key="weights-out-of-range",
    ),
    Mutant(
        "neuron: one Value repeated nin times",
        NB,
        "04.neuron_init",
        find="[Value(random.uniform(-1, 1)) for _ in range(nin)]",
        replace="[Value(random.uniform(-1, 1))] * nin",
        key="shared-weight",
    ),
    Mutant(
        "neuron: bias left out of parameters()",
        NB,
        "04.neuron_init",
        find="return self.w + [self.b]",
        replace="return self.w",
        key="bias-not-listed",
    ),
    Mutant(
        "neuron: bias left out of the sum",
        NB,
        "04.neuron_call",
        find="z = self.b\n",
        replace="z = 0.0\n",
        key="bias-missing",
    ),
    Mutant(
        "neuron: only the last product kept",
        NB,
        "04.neuron_call",
        find="z = z + wi * xi",
        replace="z = self.b + wi * xi",
        key="last-term-only",
    ),
    Mutant(
        "neuron: tanh where relu was asked",
        NB,
        "04.neuron_call",
        find="return z.relu()",
        replace="return z.tanh()",
        key="wrong-activation",
    ),
    Mutant(
        "neuron: linear neuron still squashed",
        NB,
        "04.neuron_call",
        find="        return z\n        ### END SOLUTION",
        replace="        return z.tanh()\n        ### END SOLUTION",
        key="wrong-activation",
    ),
    Mutant(
        "neuron: output rebuilt from .data",
        NB,
        "04.neuron_call",
        find="            return z.tanh()\n        if",
        replace="            return Value(math.tanh(z.data))\n        if",
        key="graph-disconnected",
    ),
]


# ---- correct alternatives: every graded cell passes -----------------------------------

ALTERNATIVES = {
    "tanh from exp, slope from cosh, bias drawn at random": [
        (FORWARD, "z = w1 * x1 + w2 * x2 + b\n    e = (2 * z).exp()\n    return (e - 1) / (e + 1)"),
        ("dout_dz = 1 - out**2", "dout_dz = 1 / math.cosh(w1 * x1 + w2 * x2 + b) ** 2"),
        ("self.b = Value(0.0)", "self.b = Value(random.uniform(-1, 1))"),
    ],
    "sum() from the bias, activations in a table, integer zero": [
        (
            "        z = self.b\n        for wi, xi in zip(self.w, x):\n            z = z + wi * xi\n",
            "        z = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)\n",
        ),
        (
            '        if self.activation == "tanh":\n            return z.tanh()\n',
            '        apply = {"tanh": Value.tanh, "relu": Value.relu}.get(self.activation)\n'
            "        if apply is not None:\n            return apply(z)\n",
        ),
        ("p.grad = 0.0", "p.grad = 0"),
        ("return self.w + [self.b]", "return [*self.w, self.b]"),
    ],
    "the engine's fused weighted sum, numpy weights and gradients, parameters as tuples": [
        ("        return []\n", "        return ()\n"),
        ("return self.w + [self.b]", "return (*self.w, self.b)"),
        (
            "return x1 * dout_dz, x2 * dout_dz, dout_dz",
            "return np.array([x1, x2, 1.0]) * dout_dz",
        ),
        (
            "        z = self.b\n        for wi, xi in zip(self.w, x):\n            z = z + wi * xi\n",
            "        z = Value.weighted_sum(self.w, x, self.b)\n",
        ),
        (
            "[Value(random.uniform(-1, 1)) for _ in range(nin)]",
            "[Value(float(v)) for v in np.random.uniform(-1, 1, nin)]",
        ),
    ],
}


test_mutant_is_caught, test_correct_alternative_passes = mutant_tests(MUTANTS, ALTERNATIVES, NB)


# ---- the checks on plain Python objects (no kernel) ---------------------------------


def test_forward_check_accepts_right_and_names_wrong():
    check("04.forward", lambda x1, x2, w1, w2, b: (w1 * x1 + w2 * x2 + b).tanh(), hidden=True, quiet=True)
    assert failure("04.forward", lambda x1, x2, w1, w2, b: w1 * x1 + w2 * x2 + b).key == "tanh-missing"
    as_float = failure("04.forward", lambda x1, x2, w1, w2, b: math.tanh((w1 * x1 + w2 * x2 + b).data))
    assert as_float.key == "number-not-value" and "must return a Value" in str(as_float)
    after = failure("04.forward", lambda x1, x2, w1, w2, b: (w1 * x1 + w2 * x2).tanh() + b)
    assert after.key == "bias-after-activation"


def test_forward_check_rejects_a_hard_coded_answer():
    hard_coded = failure("04.forward", lambda *args: Value(0.197375))
    assert hard_coded.keys == () and "wrong output" in str(hard_coded)


def right_grads(x1, x2, w1, w2, b):
    d = 1 - math.tanh(w1 * x1 + w2 * x2 + b) ** 2
    return x1 * d, x2 * d, d


def test_grads_check():
    check("04.grads", right_grads, hidden=True, quiet=True)
    assert failure("04.grads", lambda x1, x2, w1, w2, b: (x1, x2, 1.0)).key == "slope-missing"
    assert (
        failure("04.grads", lambda *a: right_grads(*a)[1::-1] + right_grads(*a)[2:]).key == "inputs-swapped"
    )
    two = failure("04.grads", lambda *a: right_grads(*a)[:2])
    assert two.keys == () and "three numbers" in str(two)
    constant = failure("04.grads", lambda *a: (1.922086, 2.883129, 0.961043))
    assert constant.keys == () and "wrong dout/dw1" in str(constant)


class GoodModule:
    def parameters(self):
        return []

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0


def test_module_check():
    check("04.module", GoodModule, hidden=True, quiet=True)

    class OnlyFirst(GoodModule):
        def zero_grad(self):
            self.parameters()[0].grad = 0.0

    class ToNone(GoodModule):
        def zero_grad(self):
            for p in self.parameters():
                p.grad = None

    assert failure("04.module", OnlyFirst).key == "only-first-reset"
    assert failure("04.module", ToNone).key == "grad-none"


def make_neuron(
    weights=lambda nin: [Value(random.uniform(-1, 1)) for _ in range(nin)], params=None, act=None
):
    class Neuron(GoodModule):
        def __init__(self, nin, activation="relu"):
            self.w, self.b, self.activation = weights(nin), Value(0.0), activation

        def __call__(self, x):
            z = self.b
            for wi, xi in zip(self.w, x):
                z = z + wi * xi
            name = act or self.activation
            return z if name == "linear" else getattr(z, name)()

        def parameters(self):
            return params(self) if params else self.w + [self.b]

    return Neuron


def test_neuron_checks_accept_a_right_neuron():
    check("04.neuron_init", make_neuron(), hidden=True, quiet=True)
    check("04.neuron_call", make_neuron(), hidden=True, quiet=True)


def test_neuron_checks_name_mistakes():
    assert failure("04.neuron_init", make_neuron(params=lambda n: [n.w, n.b])).key == "nested-parameters"
    copies = make_neuron(params=lambda n: [Value(p.data) for p in [*n.w, n.b]])
    assert failure("04.neuron_init", copies).key == "copies-listed"
    assert failure("04.neuron_init", make_neuron(params=lambda n: n.w + n.w[:1])).key == "listed-twice"
    same = make_neuron(weights=lambda nin: [Value(0.5) for _ in range(nin)])
    assert failure("04.neuron_init", same).key == "identical-weights"
    sigmoid = failure("04.neuron_call", make_neuron(act="sigmoid"))
    assert sigmoid.key == "wrong-activation" and "sigmoid applied" in str(sigmoid)


def test_a_neuron_that_fails_on_plain_numbers_is_judged_on_values_first():
    class DataOfInputs(make_neuron()):  # xi.data: the inputs' grads are lost, and plain numbers raise
        def __call__(self, x):
            z = self.b
            for wi, xi in zip(self.w, x):
                z = z + wi * xi.data
            return z if self.activation == "linear" else getattr(z, self.activation)()

    assert failure("04.neuron_call", DataOfInputs).key == "no-gradient"


def test_checks_leave_the_global_random_stream_alone():
    random.seed(123)
    expected = [random.random() for _ in range(3)]
    random.seed(123)
    check("04.neuron_init", make_neuron(), quiet=True)
    check("04.neuron_call", make_neuron(), quiet=True)
    assert [random.random() for _ in range(3)] == expected


def test_unusual_but_right_answers_pass():
    # parameters() as a tuple is a sequence of Values (a list is only the convention), an empty tuple
    # for a bare Module, and gradients returned as a numpy array of three
    check("04.neuron_init", make_neuron(params=lambda n: (*n.w, n.b)), hidden=True, quiet=True)

    class TupleModule(GoodModule):
        def parameters(self):
            return ()

    check("04.module", TupleModule, hidden=True, quiet=True)
    check("04.grads", lambda *a: __import__("numpy").array(right_grads(*a)), hidden=True, quiet=True)


def test_a_generator_of_parameters_is_named():
    once = failure("04.neuron_init", make_neuron(params=lambda n: (p for p in [*n.w, n.b])))
    assert once.key == "parameters-one-pass" and "generator" in str(once)


def test_strange_values_never_break_the_checker():
    # whatever a student's code leaves behind, the check answers with a message, never a crash of its own
    class ToText(GoodModule):
        def zero_grad(self):
            for p in self.parameters():
                p.grad = "0"

    assert failure("04.module", ToText).key == "grad-not-a-number"
    for strange in (None, "1.0", [1.0, 2.0, 3.0]):
        got = failure("04.grads", lambda *a, s=strange: (s, s, s))
        assert "three numbers" in str(got), str(got)


# ---- the notebook's prose ---------------------------------------------------------------------


def test_the_setup_says_which_operations_the_reference_value_has():
    import nbformat
    from nbharness import solution_path

    nb = nbformat.read(solution_path(NB), as_version=4)
    (text,) = [c.source for c in nb.cells if c.id == "setup-md"]
    listed = text.split("but one:")[1].split(". GELU")[0]
    methods = [
        name.strip("`")
        for name in listed.replace(" and ", ", ").split(", ")
        if name.strip("`").isidentifier()
    ]
    assert methods and all(callable(getattr(Value, name, None)) for name in methods), methods
    assert "GELU is not among them" in text and not hasattr(Value, "gelu")
    assert "every operation" not in text


# ---- a new student's slips, each named by its real cause (in this process) ----------------


def _answers(*edits):
    return solution_namespace(NB, list(edits))


ZERO_GRAD = "        for p in self.parameters():\n            p.grad = 0.0"
NEURON_SUM = "        z = self.b\n        for wi, xi in zip(self.w, x):\n            z = z + wi * xi"
GRADS = "return x1 * dout_dz, x2 * dout_dz, dout_dz"


@pytest.mark.parametrize(
    "exercise, edit, key",
    [
        ("04.module", (ZERO_GRAD, "        self.grad = 0.0"), "module-grad-set"),
        (
            "04.module",
            (ZERO_GRAD, ZERO_GRAD.replace("p.grad = 0.0", "p.grad == 0.0")),
            "loop-variable-rebound",
        ),
        ("04.module", (ZERO_GRAD, ZERO_GRAD.replace("parameters()", "parameters")), "method-not-called"),
        ("04.neuron_init", ("return self.w + [self.b]", "return self.w + self.b"), "list-plus-value"),
        (
            "04.neuron_init",
            ("        return self.w + [self.b]", "        self.w.append(self.b)\n        return self.w"),
            "parameters-append",
        ),
        ("04.grads", (GRADS, "return dout_dz, dout_dz, dout_dz"), "input-factor-missing"),
        ("04.grads", ("dout_dz = 1 - out**2", "dout_dz = out**2 - 1"), "slope-sign"),
        ("04.grads", (GRADS, "return dout_dz, x1 * dout_dz, x2 * dout_dz"), "grads-out-of-order"),
        (
            "04.neuron_call",
            (NEURON_SUM, NEURON_SUM.replace("z = self.b", "z = 0").replace("wi * xi", "wi * xi + self.b")),
            "bias-every-term",
        ),
        (
            "04.neuron_call",
            (NEURON_SUM, NEURON_SUM.replace("z + wi * xi", "z * wi * xi")),
            "terms-multiplied",
        ),
        (
            "04.neuron_call",
            (NEURON_SUM, "        z = self.b\n        for xi in x:\n            z = z + self.w[0] * xi"),
            "first-weight-only",
        ),
    ],
)
def test_a_new_students_slips_are_named(exercise, edit, key):
    failed = failure(exercise, *answers_for(exercise, _answers(edit)))
    assert failed.key == key, str(failed)
    assert "p = 0.0" not in str(failed) or key == "loop-variable-rebound"


def test_a_sum_written_with_numpy_dot_passes():
    neuron = _answers((NEURON_SUM, "        import numpy as np\n\n        z = np.dot(self.w, x) + self.b"))[
        "Neuron"
    ]
    check("04.neuron_call", neuron, hidden=True, quiet=True)
