"""Notebook 03 (backpropagation): its checks, typical mistakes, and correct alternatives.

The unit tests run the checks directly on a Value class made by executing the
solution notebook's code (the given Value and every solution cell) in this
process, possibly with one line rewritten: quick, and every check can be asked.
The mutants make the same rewrites in the notebook and run it in a real kernel:
exactly the graded cell of the broken exercise must fail, naming the mistake.
The alternatives are other correct answers: every graded cell must pass.
"""

import math
import re

import nbformat
import pytest
from curriculum import stress_expression
from nbharness import Mutant, failure, mutant_tests, solution_namespace, solution_path

from autograder import CheckFailed, NotAttempted, check
from autograder.checking.methods import lost, reattach

NB = "03_backprop"
CHECK_CALL = re.compile(r'check\("(03\.[a-z_]+)", (\w+)\)')


def _notebook():
    return nbformat.read(solution_path(NB), as_version=4)


def _graded():
    """exercise id -> the name of the object its graded cell checks."""
    found = {}
    for cell in _notebook().cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"):
            found.update(CHECK_CALL.findall(cell.source.split("### BEGIN HIDDEN TESTS")[0]))
    return found


GRADED = _graded()


def answers(replacements=()):
    """The given Value and every answer cell, run here, after the replacements."""
    return solution_namespace(NB, replacements, given=("setup", "value-given"))


def outcomes(namespace, seed=0):
    """exercise id -> the CheckFailed its hidden check raised, or None when it passes."""
    results = {}
    for exercise, name in GRADED.items():
        try:
            check(exercise, namespace[name], hidden=True, seed=seed, quiet=True)
            results[exercise] = None
        except CheckFailed as failed:
            results[exercise] = failed
    return results


@pytest.fixture(scope="module")
def ns():
    return answers()


# ---- the checks, called directly ------------------------------------------------------


def test_every_exercise_is_graded():
    assert set(GRADED) == {
        "03.manual",
        "03.add_mul",
        "03.topo",
        "03.backward",
        "03.reuse",
        "03.sub",
        "03.pow",
        "03.div",
        "03.exp",
        "03.tanh",
        "03.relu",
        "03.sigmoid",
        "03.leaky_relu",
        "03.gelu",
    }


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_solution_passes_every_check(ns, seed):
    assert outcomes(ns, seed) == dict.fromkeys(GRADED)
    for exercise, name in GRADED.items():
        check(exercise, ns[name], quiet=True)  # the visible self-check, unseeded


def test_the_curriculum_numbers(ns):
    Value = ns["Value"]
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    e = a * b
    d = e + c
    L = d * f
    assert (e.data, d.data, L.data) == (-6.0, 4.0, -8.0)
    L.backward()
    assert [n.grad for n in (L, f, d, c, e, a, b)] == [1.0, 4.0, -2.0, -2.0, -2.0, 6.0, -4.0]

    x = Value(3.0)
    (x**3).backward()
    assert x.grad == 27.0
    x = Value(0.5)
    t = x.tanh()
    t.backward()
    assert round(t.data, 4) == 0.4621 and round(x.grad, 4) == 0.7864
    x = Value(0.0)
    s = x.sigmoid()
    s.backward()
    assert (s.data, x.grad) == (0.5, 0.25)
    a = Value(2.0)
    (a + a).backward()
    assert a.grad == 2.0


def test_the_stress_expression(ns):
    g, a, b = stress_expression(ns["Value"])
    assert (round(g.data, 4), round(a.grad, 4), round(b.grad, 4)) == (24.7041, 138.8338, 645.5773)


def test_stubs_are_not_attempted(ns):
    def stub(*args):
        raise NotImplementedError()

    for exercise in ("03.manual", "03.reuse"):
        with pytest.raises(NotAttempted):
            check(exercise, stub, quiet=True)
    Value = answers()["Value"]
    for name in ("topological_order", "backward", "exp", "tanh", "relu", "gelu"):
        setattr(Value, name, lambda self, *args: stub())
    for exercise in ("03.topo", "03.backward", "03.exp", "03.tanh", "03.relu", "03.gelu"):
        with pytest.raises(NotAttempted):
            check(exercise, Value, quiet=True)


def test_hard_coded_manual_grads_fail_the_check():
    def typed_in(a, b, c, e, d, f, L):
        L.grad, f.grad, d.grad, c.grad, e.grad, a.grad, b.grad = 1.0, 4.0, -2.0, -2.0, -2.0, 6.0, -4.0

    failed = failure("03.manual", typed_in)
    assert failed.key == "grads-typed-in" and "f.grad = dL/df is wrong" in str(failed)


def test_manual_seed_missing_is_named(ns):
    def no_seed(a, b, c, e, d, f, L):
        ns["backprop_by_hand"](a, b, c, e, d, f, L)
        L.grad = 0.0

    assert failure("03.manual", no_seed).key == "seed-not-one"


def test_the_checks_leave_the_class_as_they_found_it():
    Value = answers()["Value"]
    before = dict(Value.__dict__)
    for exercise in ("03.backward", "03.sub", "03.div", "03.tanh", "03.gelu"):
        check(exercise, Value, quiet=True)
    assert dict(Value.__dict__) == before


def test_add_mul_without_backward_is_named():
    Value = answers(
        [
            (
                "    out._backward = _backward\n    return out\n\n\n@add_method(Value)\ndef __mul__",
                "    return out\n\n\n@add_method(Value)\ndef __mul__",
            )
        ]
    )["Value"]
    assert failure("03.add_mul", Value).key == "not-passed"


def test_kahn_topological_order_passes():
    def kahn(self):
        nodes, stack = {}, [self]
        while stack:
            node = stack.pop()
            if id(node) not in nodes:
                nodes[id(node)] = node
                stack.extend(node._prev)
        waiting = {k: len(set(map(id, n._prev))) for k, n in nodes.items()}
        users = {k: [] for k in nodes}
        for n in nodes.values():
            for p in {id(p): p for p in n._prev}:
                users[p].append(n)
        ready = [n for k, n in nodes.items() if waiting[k] == 0]
        order = []
        while ready:
            node = ready.pop()
            order.append(node)
            for user in users[id(node)]:
                waiting[id(user)] -= 1
                if waiting[id(user)] == 0:
                    ready.append(user)
        return order

    Value = answers()["Value"]
    Value.topological_order = kahn
    check("03.topo", Value, hidden=True, quiet=True)


# the solution's depth-first order, and the same with one slip: a node reached twice is visited twice
_order = answers()["topological_order"]
_order_revisiting = answers([("if v not in visited:", "if True:")])["topological_order"]


@pytest.mark.parametrize(
    "order, key",
    [
        (lambda self: tuple(_order(self))[:-1], "missing-self"),
        (lambda self: _order(self)[::-1], "order-reversed"),
        (_order_revisiting, "visited-twice"),
        (lambda self: sorted(_order(self), key=lambda n: n.label), "parent-after-child"),
    ],
)
def test_topological_order_mistakes_are_named(order, key):
    Value = answers()["Value"]
    Value.topological_order = order
    assert failure("03.topo", Value).key == key


def test_topological_order_must_be_a_list():
    Value = answers()["Value"]
    Value.topological_order = lambda self: iter(_order(self))
    failed = failure("03.topo", Value)
    assert failed.keys == () and "should return a list of Values, got list_iterator" in str(failed)


@pytest.mark.parametrize(
    "backward, key",
    [
        (lambda self: _run(self, _order(self)[::-1], seed=False), "seed-missing"),
        (lambda self: _run(self, _order_revisiting(self)[::-1]), "visited-twice"),
        (lambda self: _run(self, _order(self)), "not-reversed"),
        (lambda self: _run(self, _order(self)[::-1], reset=True), "reset-grads"),
        (lambda self: _run(self, _order(self)[::-1], seed_add=True), "seed-added"),
    ],
)
def test_backward_mistakes_are_named(backward, key):
    Value = answers()["Value"]
    Value.backward = backward
    assert failure("03.backward", Value).key == key


def _run(root, visit, reset=False, seed=True, seed_add=False):
    """A backward pass over `visit`, right or wrong in the ways asked for."""
    if reset:
        for node in visit:
            node.grad = 0.0
    if seed:
        root.grad = root.grad + 1.0 if seed_add else 1.0
    for node in visit:
        node._backward()


def test_backward_with_its_own_recursive_order_passes():
    Value = answers()["Value"]
    Value.backward = lambda self: _run(self, _order(self)[::-1])
    check("03.backward", Value, hidden=True, quiet=True)


def test_backward_check_does_not_depend_on_the_students_topological_order():
    Value = answers([("if v not in visited:", "if True:")])["Value"]
    check("03.backward", Value, hidden=True, quiet=True)
    assert failure("03.topo", Value).key == "visited-twice"


def test_gelu_with_its_own_backward_is_refused():
    Value = answers()["Value"]

    def fused_gelu(self):
        x = self.data
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
        t = math.tanh(inner)
        out = Value(0.5 * x * (1 + t), (self,), "gelu")
        slope = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * x * x)

        def _backward():
            self.grad += slope * out.grad

        out._backward = _backward
        return out

    Value.gelu = fused_gelu
    assert failure("03.gelu", Value).key == "gelu-not-composed"


def test_exact_erf_gelu_is_named():
    Value = answers()["Value"]
    Value.gelu = lambda self: 0.5 * self * (1 + _erf(self * (1 / math.sqrt(2))))
    failed = failure("03.gelu", Value)
    assert failed.key == "gelu-exact" and "0.345714" in str(failed)  # the tanh approximation at x = 0.5


def _erf(v):
    """erf as a Value operation, for the test above."""
    out = type(v)(math.erf(v.data), (v,), "erf")

    def _backward():
        v.grad += 2 / math.sqrt(math.pi) * math.exp(-(v.data**2)) * out.grad

    out._backward = _backward
    return out


def test_operations_that_forget_their_inputs_are_named():
    Value = answers(
        [('out = Value(math.exp(self.data), (self,), "exp")', 'out = Value(math.exp(self.data), (), "exp")')]
    )["Value"]
    failed = failure("03.exp", Value)
    assert failed.key == "forgets-inputs" and "does not remember x" in str(failed)


def test_a_wrong_operation_fails_only_its_own_check():
    results = outcomes(
        answers([("self.grad += 1.0 * out.grad  # local", "self.grad = 1.0 * out.grad  # local")])
    )
    assert [e for e, r in results.items() if r] == ["03.add_mul"]


# ---- re-running cells -----------------------------------------------------------------------


def _given_cell():
    return next(c.source for c in _notebook().cells if c.get("id") == "value-given")


def test_a_class_defined_again_is_named_with_the_cells_to_run_again():
    """Without IPython nothing re-attaches the methods: each check that needs them says which."""
    namespace = answers()
    exec(_given_cell(), namespace)  # the Value cell run again: a new class, forward only
    for exercise in ("03.add_mul", "03.topo", "03.backward", "03.tanh", "03.gelu"):
        failed = failure(exercise, namespace["Value"])
        assert failed.key == "class-defined-again", str(failed)
        assert "__add__ and __mul__" in str(failed) and "Value cell" in str(failed)
    assert reattach(namespace["Value"])[:3] == ["__add__", "__mul__", "topological_order"]
    assert outcomes(namespace) == dict.fromkeys(GRADED)


def test_a_class_written_anew_keeps_its_own_methods():
    """A class that defines a method itself, differently, keeps it; only the lacking ones come back."""
    namespace = answers()
    exec(_given_cell().replace("self.data + other.data", "other.data + self.data"), namespace)
    Value = namespace["Value"]
    assert "__add__" not in lost(Value) and "__mul__" in lost(Value)


def test_running_the_value_cell_again_keeps_every_method():
    """In IPython (as in a notebook) the methods come back after the cell, with one line saying so."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    cells = [c.source for c in _notebook().cells if c.cell_type == "code" and not _graded_cell(c)]
    shell = InteractiveShell.instance()
    try:
        with capture_output() as shown:
            for source in [*cells[:2], *(c for c in _answer_cells()), cells[1]]:
                assert shell.run_cell(source).success
            result = shell.run_cell('check("03.add_mul", Value); check("03.gelu", Value)')
        assert result.success, shown.stdout
        said = [line for line in shown.stdout.splitlines() if "defined again" in line]
        assert len(said) == 1 and "__add__, __mul__, topological_order" in said[0]
    finally:
        InteractiveShell.clear_instance()


def _graded_cell(cell):
    return cell.metadata.get("nbgrader", {}).get("grade") or cell.metadata.get("nbgrader", {}).get("solution")


def _answer_cells():
    return [c.source for c in _notebook().cells if c.metadata.get("nbgrader", {}).get("solution")]


# ---- demo cells: the same output however often, in any order after their inputs ----------


def _demos():
    """Each demonstration cell (neither given, answer nor check) by id, in the notebook's order."""
    given = ("setup", "value-given")
    return {
        c.id: c.source
        for c in _notebook().cells
        if c.cell_type == "code" and c.id not in given and not _graded_cell(c)
    }


def _run_demos(namespace, ids):
    import contextlib
    import io

    printed = {}
    for id in ids:
        with contextlib.redirect_stdout(io.StringIO()) as out:
            exec(_demos()[id], namespace)
        printed[id] = out.getvalue()
    return printed


@pytest.fixture(scope="module")
def demo_output():
    return _run_demos(answers(), list(_demos()))


def test_every_demo_gives_the_same_output_again_and_in_any_order(demo_output):
    namespace, ids = answers(), list(_demos())
    first = _run_demos(namespace, ids)
    assert first == demo_output
    assert _run_demos(namespace, ids[::-1]) == first
    assert _run_demos(namespace, random_order(ids)) == first


def random_order(ids):
    import random

    return random.Random(3).sample(ids, len(ids))


def test_the_payoff_shows_the_hand_computed_grads_each_time(demo_output):
    assert "a: data   2.0   grad   6.0" in demo_output["code-07"]
    assert "f: data  -2.0   grad   4.0" in demo_output["code-07"]


def test_the_seeds_lessons(demo_output):
    assert "f = 16.0; df/da = -24.0 by backward(), -24.000000 by a central difference" in demo_output["chain"]
    assert "out._backward remembers self = Value(data=2.0" in demo_output["closure"]
    assert "x.grad = -3.0, y.grad = 2.0" in demo_output["closure"]
    assert "a is still the first Value: False" in demo_output["cycles"]
    pre, right = demo_output["diamond"].splitlines()
    assert "x.grad = 2.0" in pre and "a.grad = 5.0, x.grad = 5.0" in right


# ---- what the messages show ---------------------------------------------------------------


def test_a_failure_graph_labels_every_node_with_its_gradient():
    failed = failure("03.reuse", answers([(REUSE_TWICE, "a.grad += b.grad")])["backprop_reuse_by_hand"])
    root, highlighted = failed.failure.graph
    labels = sorted(n.label for n in root.topological_order())
    assert labels == ["L (dL/dL = 1)", "a (dL/da = 7)", "b (dL/db = 1.5)", "c (dL/dc = 1)"]
    assert [n.label for n in highlighted] == ["a (dL/da = 7)"]


def test_a_rounded_gelu_constant_shows_the_digits_that_differ():
    failed = failure("03.gelu", answers([("0.044715 * self**3", "0.0447 * self**3")])["Value"])
    assert "expected: 0.3457140" in str(failed) and "got:      0.3457137" in str(failed)


def test_the_prose_is_true_without_the_solutions():
    prose = "\n".join(c.source for c in _notebook().cells if c.cell_type == "markdown")
    assert not re.search(r"\bsolution\b|\(below\)", prose, re.IGNORECASE)


def test_the_solution_sigmoid_is_as_safe_as_the_engine(ns):
    for x, s in ((-800.0, 0.0), (800.0, 1.0), (-30.0, math.exp(-30.0) / (1 + math.exp(-30.0)))):
        y = ns["Value"](x).sigmoid()
        y.backward()
        assert y.data == pytest.approx(s, rel=1e-12, abs=1e-300)


def test_the_textbook_sigmoid_passes():
    """The check stays in [-4, 4], where 1 / (1 + exp(-x)) is safe: the formula the prose gives
    must not fail for overflowing at inputs no exercise asks about."""
    textbook = answers([(SIGMOID_FORWARD, "    s = 1 / (1 + math.exp(-self.data))\n")])
    assert outcomes(textbook) == dict.fromkeys(GRADED)


# ---- mutants: one typical mistake each ----------------------------------------------------

ADD = "self.grad += 1.0 * out.grad  # local derivative 1"
MUL_SELF = "self.grad += other.data * out.grad  # each factor"
MUL_OTHER = "other.grad += self.data * out.grad"
POW = "n * self.data ** (n - 1) * out.grad"
RELU = "(1.0 if self.data > 0 else 0.0)"
REUSE_TWICE = "a.grad += b.grad\n    a.grad += b.grad"
PRE_ORDER = (
    "            for parent in v._prev:\n                build_topo(parent)\n            order.append(v)",
    "            order.append(v)\n            for parent in v._prev:\n                build_topo(parent)",
)

TOPO_HEAD = (
    'def topological_order(self):\n    """Every Value this one depends on, itself last, each after its parents, each once."""\n'
    "    ### BEGIN SOLUTION\n    order, visited = [], set()"
)
TOPO_DEFAULT_VISITED = (
    TOPO_HEAD,
    TOPO_HEAD.replace("(self):", "(self, visited=set()):").replace(", visited = [], set()", " = []"),
)
TOPO_DEFAULT_BOTH = (
    TOPO_HEAD,
    TOPO_HEAD.replace("(self):", "(self, order=[], visited=set()):").replace(
        "order, visited = [], set()", "pass"
    ),
)
BACKWARD_OWN_STEP = (
    "    for node in reversed(self.topological_order()):\n        node._backward()",
    "    self._backward()",
)
GELU_ON_NUMBERS = (
    "    inner = math.sqrt(2 / math.pi) * (self + 0.044715 * self**3)\n    return 0.5 * self * (1 + inner.tanh())",
    "    x = self.data\n"
    "    return Value(0.5 * x * (1 + math.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))), (self,), 'gelu')",
)
MANUAL_RETURNS = (
    "    L.grad = 1.0\n    # L = d * f",
    "    return 1.0, f.data * 1.0, d.data * 1.0, f.data, f.data, b.data * f.data, a.data * f.data\n    # L = d * f",
)
MANUAL_LOCALS = ("    L.grad = 1.0\n    # L = d * f", "    L_grad = 1.0\n    return\n    # L = d * f")

MUTANTS = [
    Mutant(
        "manual: upstream grad forgotten",
        NB,
        "03.manual",
        "a.grad = b.data * e.grad",
        "a.grad = b.data",
        "chain-rule-upstream",
    ),
    Mutant(
        "manual: product operands swapped",
        NB,
        "03.manual",
        "d.grad = f.data * L.grad",
        "d.grad = d.data * L.grad",
        "product-operands-swapped",
    ),
    Mutant("+: = instead of +=", NB, "03.add_mul", ADD, ADD.replace("+=", "="), "overwrite-not-accumulate"),
    Mutant(
        "*: = instead of +=",
        NB,
        "03.add_mul",
        MUL_OTHER,
        "other.grad = self.data * out.grad",
        "overwrite-not-accumulate",
    ),
    Mutant(
        "*: operands swapped",
        NB,
        "03.add_mul",
        MUL_SELF,
        MUL_SELF.replace("other.data", "self.data"),
        "product-operands-swapped",
    ),
    Mutant(
        "*: out.grad forgotten",
        NB,
        "03.add_mul",
        MUL_OTHER,
        "other.grad += self.data",
        "missing-upstream",
    ),
    Mutant("topo: no visited set", NB, "03.topo", "if v not in visited:", "if True:", "visited-twice"),
    Mutant("topo: node before its parents", NB, "03.topo", *PRE_ORDER, "order-reversed"),
    Mutant(
        "backward: no seed",
        NB,
        "03.backward",
        "self.grad = 1.0  # the seed",
        "pass  # the seed",
        "seed-missing",
    ),
    Mutant(
        "backward: order not reversed",
        NB,
        "03.backward",
        "for node in reversed(self.topological_order()):",
        "for node in self.topological_order():",
        "not-reversed",
    ),
    Mutant(
        "reuse: b = a + a counted once",
        NB,
        "03.reuse",
        REUSE_TWICE,
        "a.grad += b.grad",
        "reuse-counted-once",
    ),
    Mutant(
        "reuse: a path overwritten",
        NB,
        "03.reuse",
        "a.grad += b.data * c.grad",
        "a.grad = b.data * c.grad",
        "reuse-direct-path-missing",
    ),
    Mutant(
        "sub: sign of y",
        NB,
        "03.sub",
        "other.grad += -1.0 * out.grad",
        "other.grad += 1.0 * out.grad",
        "sub-sign",
    ),
    Mutant(
        "rsub: x - k",
        NB,
        "03.sub",
        "return other + (-self)",
        "return self + (-other)",
        "rsub-reversed",
    ),
    Mutant("neg: no sign", NB, "03.sub", "return self * -1", "return self * 1", "neg-forward"),
    Mutant("pow: n * x**n", NB, "03.pow", POW, "n * self.data ** n * out.grad", "pow-off-by-one"),
    Mutant(
        "pow: x**(n-1) without n",
        NB,
        "03.pow",
        POW,
        "self.data ** (n - 1) * out.grad",
        "pow-no-n",
    ),
    Mutant(
        "div: sign of y",
        NB,
        "03.div",
        "(-self.data / other.data**2)",
        "(self.data / other.data**2)",
        "div-sign",
    ),
    Mutant(
        "rtruediv: x / k",
        NB,
        "03.div",
        "return Value(other) / self",
        "return self / Value(other)",
        "rdiv-reversed",
    ),
    Mutant(
        "exp: local x",
        NB,
        "03.exp",
        "self.grad += out.data * out.grad  # d/dx",
        "self.grad += self.data * out.grad  # d/dx",
        "exp-x",
    ),
    Mutant(
        "tanh: 1 - x**2",
        NB,
        "03.tanh",
        "(1 - t**2) * out.grad",
        "(1 - self.data**2) * out.grad",
        "tanh-input",
    ),
    Mutant(
        "relu: from the output",
        NB,
        "03.relu",
        RELU + " * out.grad",
        "out.data * out.grad",
        "relu-output",
    ),
    Mutant(
        "relu: condition flipped", NB, "03.relu", RELU, "(1.0 if self.data < 0 else 0.0)", "relu-condition"
    ),
    Mutant(
        "sigmoid: 1 - s",
        NB,
        "03.sigmoid",
        "s * (1 - s) * out.grad",
        "(1 - s) * out.grad",
        "sigmoid-1-minus-s",
    ),
    Mutant(
        "sigmoid: from the input",
        NB,
        "03.sigmoid",
        "s * (1 - s) * out.grad",
        "self.data * (1 - self.data) * out.grad",
        "sigmoid-input",
    ),
    Mutant(
        "leaky relu: no slope",
        NB,
        "03.leaky_relu",
        "else slope) * out.grad",
        "else 0.0) * out.grad",
        "leaky-zero",
    ),
    Mutant("gelu: wrong constant", NB, "03.gelu", "0.044715 * self**3", "0.44715 * self**3", "gelu-forward"),
    Mutant(
        "gelu: a rounded constant", NB, "03.gelu", "0.044715 * self**3", "0.0447 * self**3", "gelu-constant"
    ),
    Mutant("gelu: on plain numbers", NB, "03.gelu", *GELU_ON_NUMBERS, "gelu-on-numbers"),
    Mutant("topo: a mutable default", NB, "03.topo", *TOPO_DEFAULT_VISITED, "state-between-calls"),
    Mutant("backward: only its own step", NB, "03.backward", *BACKWARD_OWN_STEP, "only-own-backward"),
    Mutant("pow: x ** n - 1", NB, "03.pow", POW, "n * self.data ** n - 1 * out.grad", "pow-precedence"),
    Mutant("manual: grads returned", NB, "03.manual", *MANUAL_RETURNS, "grads-returned"),
]

# more typical mistakes, checked in this process only (their kernel runs would add little)
MORE_MUTANTS = [
    Mutant("pow: ^ for **", NB, "03.pow", POW, "n * self.data ^ (n - 1) * out.grad", "xor-for-power"),
    Mutant(
        "gelu: math.tanh of a Value",
        NB,
        "03.gelu",
        "(1 + inner.tanh())",
        "(1 + math.tanh(inner))",
        "math-on-value",
    ),
    Mutant(
        "exp: math.exp of a Value",
        NB,
        "03.exp",
        "math.exp(self.data), (self,)",
        "math.exp(self), (self,)",
        "math-on-value",
    ),
    Mutant("topo: both defaults mutable", NB, "03.topo", *TOPO_DEFAULT_BOTH, "state-between-calls"),
    Mutant(
        "gelu: on numbers, no children",
        NB,
        "03.gelu",
        GELU_ON_NUMBERS[0],
        GELU_ON_NUMBERS[1].replace(", (self,), 'gelu')", ")"),
        "gelu-on-numbers",
    ),
    Mutant("gelu: 1 + missing", NB, "03.gelu", "(1 + inner.tanh())", "inner.tanh()", "gelu-one-plus"),
    Mutant(
        "+: out.data for out.grad",
        NB,
        "03.add_mul",
        ADD,
        ADD.replace("out.grad", "out.data"),
        "out-data-for-grad",
    ),
    Mutant(
        "*: out.data for out.grad",
        NB,
        "03.add_mul",
        MUL_OTHER,
        MUL_OTHER.replace("out.grad", "out.data"),
        "out-data-for-grad",
    ),
    Mutant(
        "*: grad for data",
        NB,
        "03.add_mul",
        MUL_SELF,
        MUL_SELF.replace("other.data", "other.grad"),
        "grad-for-data",
    ),
    Mutant(
        "*: local derivative missing",
        NB,
        "03.add_mul",
        MUL_SELF,
        "self.grad += out.grad  # each",
        "product-local-missing",
    ),
    Mutant(
        "pow: (n * x ** n - 1)", NB, "03.pow", POW, "(n * self.data ** n - 1) * out.grad", "pow-precedence"
    ),
    Mutant(
        "pow: x ** n - 1 without n", NB, "03.pow", POW, "self.data ** n - 1 * out.grad", "pow-no-n-precedence"
    ),
    Mutant(
        "exp: out.data for out.grad",
        NB,
        "03.exp",
        "out.data * out.grad  # d/dx",
        "out.data * out.data  # d/dx",
        "out-data-for-grad",
    ),
    Mutant(
        "manual: .grad misspelled",
        NB,
        "03.manual",
        "a.grad = b.data * e.grad",
        "a.gard = b.data * e.grad",
        "grad-misspelled",
    ),
    Mutant("manual: local variables", NB, "03.manual", *MANUAL_LOCALS, "grads-not-set"),
    Mutant(
        "reuse: grads returned",
        NB,
        "03.reuse",
        "    L.grad = 1.0\n    # L = c + a",
        "    return 1.0\n    # L = c + a",
        "grads-returned",
    ),
    # a new student's slips, named by their real cause
    Mutant(
        "manual: b.grad for b.data",
        NB,
        "03.manual",
        "a.grad = b.data * e.grad",
        "a.grad = b.grad * e.grad",
        "grad-for-data-by-hand",
    ),
    Mutant(
        "manual: sum's grad times data",
        NB,
        "03.manual",
        "e.grad = 1.0 * d.grad",
        "e.grad = c.data * d.grad",
        "sum-times-data",
    ),
    Mutant(
        "+: other's grad forgotten",
        NB,
        "03.add_mul",
        "        other.grad += 1.0 * out.grad\n",
        "",
        "one-input-only",
    ),
    Mutant("+: out.grad updated instead", NB, "03.add_mul", ADD, "out.grad += self.grad", "out-grad-changed"),
    Mutant(
        "+: _backward() called, not attached",
        NB,
        "03.add_mul",
        "    out._backward = _backward\n    return out\n\n\n@add_method(Value)\ndef __mul__",
        "    out._backward = _backward()\n    return out\n\n\n@add_method(Value)\ndef __mul__",
        "backward-called-once",
    ),
    Mutant(
        "backward: _backward not called",
        NB,
        "03.backward",
        "        node._backward()",
        "        node._backward",
        "none-called",
    ),
    Mutant(
        "backward: seed after the loop",
        NB,
        "03.backward",
        "    self.grad = 1.0  # the seed: dL/dL = 1\n    for node in reversed(self.topological_order()):\n"
        "        node._backward()",
        "    for node in reversed(self.topological_order()):\n        node._backward()\n    self.grad = 1.0",
        "seed-after-loop",
    ),
    Mutant(
        "pow: factor and power mixed",
        NB,
        "03.pow",
        POW,
        "(n - 1) * self.data ** n * out.grad",
        "pow-factor-and-power-mixed",
    ),
    Mutant(
        "tanh: the square outside",
        NB,
        "03.tanh",
        "(1 - t**2) * out.grad",
        "(1 - t) ** 2 * out.grad",
        "tanh-square-outside",
    ),
    Mutant("pow: divides by x", NB, "03.pow", POW, "n * out.data / self.data * out.grad", "pow-divides-by-x"),
    Mutant(
        "leaky: 0.01 for the slope",
        NB,
        "03.leaky_relu",
        "else slope * self.data,",
        "else 0.01 * self.data,",
        "leaky-slope-ignored",
    ),
    Mutant(
        "leaky: max(slope, x)",
        NB,
        "03.leaky_relu",
        "self.data if self.data > 0 else slope * self.data,",
        "max(slope, self.data),",
        "leaky-max-slope",
    ),
    Mutant(
        "leaky: no slope below 0, no second guess",
        NB,
        "03.leaky_relu",
        "else slope) * out.grad",
        "else 0.0) * out.grad",
        "leaky-zero",
    ),
]


@pytest.mark.parametrize("mutant", MORE_MUTANTS, ids=lambda m: m.name)
def test_more_mutants_are_caught_by_their_check_alone(mutant):
    test_mutant_is_caught_by_its_check_alone(mutant)


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_mutant_is_caught_by_its_check_alone(mutant):
    """Quick, in this process: only the mutant's exercise fails, naming the mistake."""
    results = outcomes(answers([(mutant.find, mutant.replace)]))
    failed = {e: r for e, r in results.items() if r}
    assert list(failed) == [mutant.exercise], {e: str(r) for e, r in failed.items()}
    assert failed[mutant.exercise].key == mutant.key, str(failed[mutant.exercise])


# ---- correct alternatives: every graded cell must pass ------------------------------------

TANH_BODY = (
    '    t = math.tanh(self.data)\n    out = Value(t, (self,), "tanh")\n\n    def _backward():\n'
    "        self.grad += (1 - t**2) * out.grad\n\n    out._backward = _backward\n    return out\n"
)
SIGMOID_FORWARD = (
    "    x = self.data\n    # two forms of the same number, so that math.exp never sees a large positive argument\n"
    "    s = 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))\n"
)
SIGMOID_BODY = (
    SIGMOID_FORWARD + '    out = Value(s, (self,), "sigmoid")\n\n    def _backward():\n'
    "        self.grad += s * (1 - s) * out.grad\n\n    out._backward = _backward\n    return out\n"
)
SUB_BODY = (
    '    other = other if isinstance(other, Value) else Value(other)\n    out = Value(self.data - other.data, (self, other), "-")\n\n'
    "    def _backward():\n        self.grad += out.grad\n        other.grad += -1.0 * out.grad\n\n"
    "    out._backward = _backward\n    return out\n"
)
DIV_BODY = (
    '    other = other if isinstance(other, Value) else Value(other)\n    out = Value(self.data / other.data, (self, other), "/")\n\n'
    "    def _backward():\n        self.grad += (1.0 / other.data) * out.grad\n"
    "        other.grad += (-self.data / other.data**2) * out.grad\n\n    out._backward = _backward\n    return out\n"
)
TOPO_BODY = (
    "    order, visited = [], set()\n\n    def build_topo(v):\n        if v not in visited:\n            visited.add(v)\n"
    "            for parent in v._prev:\n                build_topo(parent)\n            order.append(v)\n\n"
    "    build_topo(self)\n    return order\n"
)
ITERATIVE_TOPO = (
    "    order, visited, stack = [], set(), [(self, False)]\n    while stack:\n        node, done = stack.pop()\n"
    "        if done:\n            order.append(node)\n        elif node not in visited:\n            visited.add(node)\n"
    "            stack.append((node, True))\n            stack.extend((p, False) for p in node._prev)\n    return order\n"
)

ALTERNATIVES = {
    "tanh through exp, sigmoid through exp": [
        (TANH_BODY, "    e = (2 * self).exp()\n    return (e - 1) / (e + 1)\n"),
        (SIGMOID_BODY, "    return 1 / (1 + (-self).exp())\n"),
    ],
    "iterative depth-first topological order": [(TOPO_BODY, ITERATIVE_TOPO)],
    "subtraction and division built from other operations": [
        (SUB_BODY, "    return self + (-other)\n"),
        (DIV_BODY, "    return self * other**-1\n"),
        ("return Value(other) / self", "return other * self**-1"),
        ("return self * -1", "return -1 * self"),
    ],
    "micrograd-style relu, manual from closed forms, reuse summed at once": [
        (RELU + " * out.grad", "(out.data > 0) * out.grad"),
        ("a.grad = b.data * e.grad", "a.grad = b.data * f.data * L.grad"),
        (REUSE_TWICE, "a.grad += 2 * b.grad"),
        ("0.5 * self * (1 + inner.tanh())", "self * (0.5 + 0.5 * inner.tanh())"),
    ],
}


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_correct_alternative_passes_without_a_kernel(name):
    assert outcomes(answers(ALTERNATIVES[name])) == dict.fromkeys(GRADED)


test_mutant_is_caught, test_correct_alternative_passes = mutant_tests(MUTANTS, ALTERNATIVES, NB)


def test_a_grad_left_unchanged_is_not_also_called_unattached():
    # leaky relu's 0 below zero leaves x.grad as it was: the slope is the cause, not a missing _backward
    zero = answers([("else slope) * out.grad", "else 0.0) * out.grad")])["Value"]
    failed = failure("03.leaky_relu", zero)
    assert failed.keys == ("leaky-zero",) and "or:" not in str(failed)
    # a wrong number that is not typed in from the worked example is not said to be
    slip = failure(
        "03.manual", answers([("e.grad = 1.0 * d.grad", "e.grad = 2.0 * d.grad")])["backprop_by_hand"]
    )
    assert slip.key == "chain-rule-node" and "typed in" not in str(slip)
