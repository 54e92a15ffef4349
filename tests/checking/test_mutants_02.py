"""Notebook 02 (the student's Value): its checks, typical mistakes, correct alternatives.

The unit tests build small Value classes in Python and call the checks directly
(no kernel). The mutants rewrite one line of the solution notebook and run it in
a real kernel: exactly the graded cell of the broken exercise must fail, naming
the mistake (by its key). The alternatives are other correct answers: every graded cell passes.
"""

import nbformat
import pytest
from nbharness import Mutant, failure, mutant_tests, solution_path

from autograder import NotAttempted, check

# ---- a correct Value, written the way the notebook builds it ------------------------------


def make_value_class(**overrides):
    """A fresh Value class as the notebook's solution defines it, with methods replaced."""

    class Value:
        def __init__(self, data, _children=(), _op="", label=""):
            self.data = float(data)
            self.grad = 0.0
            self._prev = tuple(_children)
            self._op = _op
            self.label = label

        def __repr__(self):
            return f"Value(data={self.data}, grad={self.grad})"

        def __add__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            return Value(self.data + other.data, (self, other), "+")

        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            return Value(self.data * other.data, (self, other), "*")

        def __radd__(self, other):
            return self + other

        def __rmul__(self, other):
            return self * other

        def relu(self):
            return Value(max(0.0, self.data), (self,), "relu")

    for name, method in overrides.items():
        setattr(Value, name, method)
    return Value


def test_right_answers_pass_visible_and_hidden():
    Value = make_value_class()
    cases = {
        "02.value": (Value,),
        "02.arith": (Value,),
        "02.numbers": (Value,),
        "02.graph": (Value,),
        "02.expr_d": (lambda a, b, c: a * b + c,),
        "02.expr_z": (lambda x, y: x * x + 2 * x * y + y * y,),
        "02.relu": (Value.relu, Value),
    }
    for exercise, objects in cases.items():
        check(exercise, *objects, quiet=True)
        check(exercise, *objects, hidden=True, seed=7, quiet=True)


def test_the_curriculum_numbers_with_a_correct_value():
    Value = make_value_class()
    assert repr(Value(2.5)) == "Value(data=2.5, grad=0.0)"
    assert (Value(-4) + Value(2)).data == -2.0 and (Value(-4) * Value(2)).data == -8.0
    assert (Value(2) * Value(-3) + Value(10)).data == 4.0
    x, y = Value(3), Value(-2)
    assert (x * x + 2 * x * y + y * y).data == 1.0
    assert Value(-5).relu().data == 0.0 and Value(3).relu().data == 3.0


def test_stubs_are_not_attempted():
    def stub(*args, **kwargs):
        raise NotImplementedError()

    Stubbed = make_value_class(__init__=stub)
    with pytest.raises(NotAttempted):
        check("02.value", Stubbed, quiet=True)
    with pytest.raises(NotAttempted):
        check("02.graph", Stubbed, quiet=True)
    NoArith = make_value_class(__add__=stub, __mul__=stub, __radd__=stub, __rmul__=stub)
    for exercise in ("02.arith", "02.numbers"):
        with pytest.raises(NotAttempted):
            check(exercise, NoArith, quiet=True)
    for exercise in ("02.expr_d", "02.expr_z"):
        with pytest.raises(NotAttempted):
            check(exercise, stub, quiet=True)
    with pytest.raises(NotAttempted):
        check("02.relu", stub, make_value_class(), quiet=True)


def test_arithmetic_checks_do_not_depend_on_the_students_constructor():
    def broken_init(self, data, _children=(), _op="", label=""):
        self.data = data  # no float, no grad, no history

    Value = make_value_class(__init__=broken_init)
    for exercise in ("02.arith", "02.numbers"):
        check(exercise, Value, quiet=True)
    check("02.relu", Value.relu, Value, quiet=True)
    assert Value.__init__ is broken_init  # the check put it back
    failed = failure("02.graph", Value, hidden=False)
    assert failed.key == "no-attribute" and "has no attribute `_prev`" in str(failed)


def test_numbers_check_does_not_depend_on_the_arithmetic_itself():
    def mul_adds(self, other):
        other = other if isinstance(other, type(self)) else type(self)(other)
        return type(self)(self.data + other.data, (self, other), "*")

    Value = make_value_class(__mul__=mul_adds)
    check("02.numbers", Value, quiet=True)
    assert failure("02.arith", Value, hidden=False).key == "other-operation"


@pytest.mark.parametrize(
    "repr_method, key",
    [
        (object.__repr__, "default-repr"),
        (lambda self: f"Value(data={self.data:.4f}, grad={self.grad})", "repr-format"),
        (lambda self: f"Value(data={self.data})", "repr-without-grad"),
        (lambda self: f"Value(data={self.data},grad={self.grad})", "repr-spacing"),
    ],
)
def test_repr_mistakes(repr_method, key):
    assert failure("02.value", make_value_class(__repr__=repr_method), hidden=False).key == key


def test_value_stores_a_float_and_a_float_grad():
    def int_data(self, data, *rest, **kw):
        self.data, self.grad = data, 0.0

    def int_grad(self, data, *rest, **kw):
        self.data, self.grad = float(data), 0

    assert failure("02.value", make_value_class(__init__=int_data), hidden=False).key == "data-not-float"
    assert failure("02.value", make_value_class(__init__=int_grad), hidden=False).key == "grad-not-zero"


def test_numbers_crashes_are_explained():
    def add_no_wrap(self, other):
        return type(self)(self.data + other.data, (self, other), "+")

    def radd_loops(self, other):
        return other + self

    no_wrap = failure("02.numbers", make_value_class(__add__=add_no_wrap), hidden=False)
    assert no_wrap.key == "number-not-wrapped"
    assert failure("02.numbers", make_value_class(__radd__=radd_loops), hidden=False).key == "recursion"
    NoRmul = make_value_class()
    del NoRmul.__rmul__
    no_rmul = failure("02.numbers", NoRmul, hidden=False)
    assert no_rmul.key == "no-reflected" and "__rmul__" in str(no_rmul)


def test_graph_wants_the_values_not_their_data():
    def keeps_numbers(self, data, _children=(), _op="", label=""):
        self.data, self.grad = float(data), 0.0
        self._prev, self._op, self.label = tuple(c.data for c in _children), _op, label

    assert (
        failure("02.graph", make_value_class(__init__=keeps_numbers), hidden=False).key == "parents-are-data"
    )


def test_expressions_are_checked_with_fresh_inputs_and_need_the_graph():
    hard_coded = failure("02.expr_d", lambda a, b, c: make_value_class()(4.0), hidden=True)
    assert hard_coded.key == "lost-inputs" and "d_of" in str(hard_coded)
    off_by_one = failure("02.expr_d", lambda a, b, c: a * b + c + 0 * a + 1, hidden=False)
    assert off_by_one.key is None and "wrong value" in str(off_by_one) and "expected: 4" in str(off_by_one)
    from_data = failure(
        "02.expr_d", lambda a, b, c: make_value_class()(a.data * b.data + c.data), hidden=False
    )
    assert from_data.key == "lost-inputs"
    assert failure("02.expr_z", lambda x, y: x**2 + 2 * x * y + y**2, hidden=False).key == "uses-pow"
    assert (
        failure("02.expr_z", lambda x, y: (x * x + 2 * x * y + y * y).data, hidden=False).key
        == "returned-number"
    )
    check("02.expr_z", lambda x, y: (x + y) * (x + y), hidden=True, quiet=True)


def test_relu_mistakes():
    Value = make_value_class()

    def key(relu):
        return failure("02.relu", relu, Value, hidden=False).key

    assert key(lambda v: Value(min(0.0, v.data), (v,), "relu")) == "min-for-max"
    assert key(lambda v: v if v.data > 0 else Value(0.0, (v,), "relu")) == "returned-input"
    assert key(lambda v: Value(max(0.0, v.data))) == "forgot-parent"
    assert key(lambda v: Value(max(0.0, v.data), (v,), "ReLU")) == "wrong-op"


def test_repr_that_prints_or_returns_no_string():
    def prints(self):
        print(f"Value(data={self.data}, grad={self.grad})")

    printed = failure("02.value", make_value_class(__repr__=prints), hidden=False)
    assert printed.key == "repr-prints" and "instead of returning" in str(printed)
    pieces = failure(
        "02.value", make_value_class(__repr__=lambda self: ("Value(data=", self.data)), hidden=False
    )
    assert pieces.key == "repr-not-a-string" and "tuple" in str(pieces)
    assert (
        failure("02.value", make_value_class(__repr__=lambda self: None), hidden=False).key
        == "repr-no-return"
    )
    braces = make_value_class(__repr__=lambda self: "Value(data={self.data}, grad={self.grad})")
    assert failure("02.value", braces, hidden=False).key == "repr-not-f-string"
    joined = make_value_class(__repr__=lambda self: "Value(data=" + self.data + ")")
    assert failure("02.value", joined, hidden=False).key == "repr-concatenates"

    def without_self(self):
        return f"Value(data={data}, grad={grad})"  # noqa: F821

    assert (
        failure("02.value", make_value_class(__repr__=without_self), hidden=False).key == "repr-without-self"
    )


def test_an_attribute_under_another_name_is_named():
    def stores_value(self, data, _children=(), _op="", label=""):
        self.value, self.grad = float(data), 0.0

    def stores_prev(self, data, _children=(), _op="", label=""):
        self.data, self.grad, self.prev, self._op, self.label = float(data), 0.0, tuple(_children), _op, label

    as_value = failure("02.value", make_value_class(__init__=stores_value), hidden=False)
    assert as_value.key == "misnamed" and "stores value" in str(as_value)
    as_prev = failure("02.graph", make_value_class(__init__=stores_prev), hidden=False)
    assert as_prev.key == "misnamed" and "stores prev" in str(as_prev) and "`_prev`" in str(as_prev)


def test_parents_that_are_copies_or_not_each_operand():
    def add_with(parents):
        def add(self, other):
            other = other if isinstance(other, type(self)) else type(self)(other)
            return type(self)(self.data + other.data, parents(self, other), "+")

        return add

    copies = make_value_class(__add__=add_with(lambda s, o: (type(s)(s.data), type(s)(o.data))))
    copied = failure("02.arith", copies, hidden=False)
    assert copied.key == "parents-copied" and "not their .data" not in str(copied)
    for parents in (lambda s, o: (s, s), lambda s, o: (s,)):
        assert failure("02.arith", make_value_class(__add__=add_with(parents)), hidden=False).key == (
            "not-each-operand"
        )
    Value = make_value_class()
    copy = failure(
        "02.relu", lambda v: Value(max(0.0, v.data), (Value(v.data),), "relu"), Value, hidden=False
    )
    assert copy.key == "parents-copied" and "(self,)" in str(copy)


def test_repr_with_more_than_data_and_grad():
    labelled = make_value_class(
        __repr__=lambda self: f"Value(data={self.data}, grad={self.grad}, label={self.label})"
    )
    assert failure("02.value", labelled, hidden=False).key == "repr-extra"


def test_parents_kept_in_a_set_as_in_micrograd_pass():
    def init(self, data, _children=(), _op="", label=""):
        self.data, self.grad, self._prev, self._op, self.label = float(data), 0.0, set(_children), _op, label

    Value = make_value_class(__init__=init)
    for exercise in ("02.value", "02.arith", "02.numbers", "02.graph"):
        check(exercise, Value, hidden=True, quiet=True)
    check("02.relu", Value.relu, Value, hidden=True, quiet=True)


def test_parents_that_are_not_a_tuple():
    Value = make_value_class()
    no_comma = failure("02.relu", lambda v: Value(max(0.0, v.data), (v), "relu"), Value, hidden=False)
    assert no_comma.key == "missing-comma" and "(self,)" in str(no_comma)
    of_data = failure("02.relu", lambda v: Value(max(0.0, v.data), (v.data,), "relu"), Value, hidden=False)
    assert of_data.key == "parents-are-numbers"

    def add_unpacked(self, other):
        return type(self)(self.data + other.data, self, other, "+")

    assert (
        failure("02.arith", make_value_class(__add__=add_unpacked), hidden=False).key == "parents-not-a-tuple"
    )

    def add_swapped(self, other):
        return type(self)(self.data + other.data, "+", (self, other))

    assert failure("02.arith", make_value_class(__add__=add_swapped), hidden=False).key == "swapped-arguments"
    swapped = failure("02.relu", lambda v: Value(max(0.0, v.data), "relu", (v,)), Value, hidden=False)
    assert swapped.key == "swapped-arguments"
    compared = failure("02.relu", lambda v: Value(max(0, v), (v,), "relu"), Value, hidden=False)
    assert compared.key == "relu-compares-value"

    def wraps_children(self, data, _children=(), _op="", label=""):
        self.data, self.grad = float(data), 0.0
        self._prev, self._op, self.label = (_children,), _op, label

    assert (
        failure("02.graph", make_value_class(__init__=wraps_children), hidden=False).key == "wrapped-children"
    )


def notebook_cells(*ids) -> dict:
    """The namespace left by running these solution cells (by id) in order, in this process."""
    nb = nbformat.read(solution_path(NB), as_version=4)
    source, namespace = {c.id: c.source for c in nb.cells}, {"__name__": "notebook_02"}
    for cell in ids:
        exec(compile(source[cell], f"<cell {cell}>", "exec"), namespace)
    return namespace


def test_rerunning_the_class_cell_is_named_with_the_cells_to_run_again():
    answers = ("02_value", "02_arith", "02_graph", "02_relu")
    rerun = notebook_cells(*answers, "02_value")  # the class cell of exercise 1, run again
    for exercise in ("02.graph", "02.arith", "02.numbers"):
        failed = failure(exercise, rerun["Value"], hidden=False)
        assert failed.key == "detached" and "run again" in str(failed), str(failed)
        assert "store it in the constructor" not in str(failed)
    graph = str(failure("02.graph", rerun["Value"], hidden=False))
    assert "exercise 2's cell" in graph and "exercise 3's cell (value_init)" in graph
    check("02.relu", rerun["value_relu"], rerun["Value"], quiet=True)  # relu is passed in itself
    compares = failure("02.relu", lambda v: rerun["Value"](max(0, v)), rerun["Value"], hidden=False)
    assert compares.key == "relu-compares-value"  # its own mistake, not the lost methods
    # re-running the cells it names, in order, puts everything right
    again = notebook_cells(*answers, "02_value", *answers[1:])
    for exercise in ("02.graph", "02.arith", "02.numbers"):
        check(exercise, again["Value"], hidden=True, seed=3, quiet=True)
    # a constructor that was never attached (exercise 3's cell not run) is still just a missing _prev
    assert (
        failure("02.graph", notebook_cells("02_value", "02_arith")["Value"], hidden=False).key
        == "no-attribute"
    )


# ---- mutants: one typical mistake each, run in a real kernel -----------------------------

NB = "02_value"
ADD = 'return Value(self.data + other.data, (self, other), "+")'
MUL = 'return Value(self.data * other.data, (self, other), "*")'
RELU = 'return Value(max(0.0, self.data), (self,), "relu")'

MUTANTS = [
    Mutant(
        "data kept as given",
        NB,
        "02.value",
        "        self.data = float(data)",
        "        self.data = data",
        "data-not-float",
    ),
    Mutant(
        "grad starts as int 0",
        NB,
        "02.value",
        "        self.grad = 0.0",
        "        self.grad = 0",
        "grad-not-zero",
    ),
    Mutant(
        "repr rounds",
        NB,
        "02.value",
        'f"Value(data={self.data}, grad={self.grad})"',
        'f"Value(data={self.data:.2f}, grad={self.grad})"',
        "repr-format",
    ),
    Mutant(
        "repr prints",
        NB,
        "02.value",
        'return f"Value(data={self.data}, grad={self.grad})"',
        'print(f"Value(data={self.data}, grad={self.grad})")',
        "repr-prints",
    ),
    Mutant(
        "mul adds",
        NB,
        "02.arith",
        MUL,
        'return Value(self.data + other.data, (self, other), "*")',
        "other-operation",
    ),
    Mutant(
        "add forgets its parents",
        NB,
        "02.arith",
        ADD,
        'return Value(self.data + other.data, (), "+")',
        "forgot-parents",
    ),
    Mutant(
        "mul records +",
        NB,
        "02.arith",
        MUL,
        'return Value(self.data * other.data, (self, other), "+")',
        "wrong-op",
    ),
    Mutant(
        "add does not wrap numbers",
        NB,
        "02.numbers",
        "other = other if isinstance(other, Value) else Value(other)\n    " + ADD,
        ADD,
        "number-not-wrapped",
    ),
    Mutant(
        "radd calls other + self",
        NB,
        "02.numbers",
        "    return self + other",
        "    return other + self",
        "recursion",
    ),
    Mutant(
        "init forgets the parents",
        NB,
        "02.graph",
        "self._prev = tuple(_children)",
        "self._prev = ()",
        "forgot-given-parents",
    ),
    Mutant(
        "init wraps the children in a tuple",
        NB,
        "02.graph",
        "self._prev = tuple(_children)",
        "self._prev = (_children,)",
        "wrapped-children",
    ),
    Mutant(
        "init forgets the label",
        NB,
        "02.graph",
        "self.label = label",
        'self.label = ""',
        "forgot-label",
    ),
    Mutant(
        "d = a * (b + c)",
        NB,
        "02.expr_d",
        "return a * b + c",
        "return a * (b + c)",
        "sum-first",
    ),
    Mutant(
        "z without the 2",
        NB,
        "02.expr_z",
        "return x * x + 2 * x * y + y * y",
        "return x * x + x * y + y * y",
        "middle-term-once",
    ),
    Mutant(
        "relu with min",
        NB,
        "02.relu",
        RELU,
        'return Value(min(0.0, self.data), (self,), "relu")',
        "min-for-max",
    ),
    Mutant(
        "relu returns its input",
        NB,
        "02.relu",
        RELU,
        'return self if self.data > 0 else Value(0.0, (self,), "relu")',
        "returned-input",
    ),
    Mutant(
        "relu without the comma",
        NB,
        "02.relu",
        RELU,
        'return Value(max(0.0, self.data), (self), "relu")',
        "missing-comma",
    ),
    Mutant(
        "relu forgets its parent",
        NB,
        "02.relu",
        RELU,
        "return Value(max(0.0, self.data))",
        "forgot-parent",
    ),
]


# ---- correct alternatives: every graded cell must pass ------------------------------------

ALTERNATIVES = {
    "micrograd style: parents in a set, %r repr, reflected ops by name": [
        (
            'f"Value(data={self.data}, grad={self.grad})"',
            '"Value(data=%r, grad=%r)" % (self.data, self.grad)',
        ),
        ("self._prev = tuple(_children)", "self._prev = set(_children)"),
        ("    return self + other", "    return value_add(self, other)"),
        ("    return self * other", "    return value_mul(self, other)"),
        ("return x * x + 2 * x * y + y * y", "return (x + y) * (x + y)"),
        (RELU, 'return Value(self.data if self.data > 0 else 0, (self,), "relu")'),
    ],
    "explicit number test, parents in a list, other orders": [
        (
            "other = other if isinstance(other, Value) else Value(other)\n    " + MUL,
            "if isinstance(other, (int, float)):\n        other = Value(other)\n    " + MUL,
        ),
        ("self._prev = tuple(_children)", "self._prev = list(_children)"),
        ("        self.data = float(data)", "        self.data = data * 1.0"),
        ("return a * b + c", "return c + b * a"),
        ("return x * x + 2 * x * y + y * y", "return x * (x + y) + y * (x + y)"),
        (RELU, 'out = Value(0.0, (self,), "relu")\n    out.data = max(0.0, self.data)\n    return out'),
    ],
}


test_mutant_is_caught, test_correct_alternative_passes = mutant_tests(MUTANTS, ALTERNATIVES, NB)
