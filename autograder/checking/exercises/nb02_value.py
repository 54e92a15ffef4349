"""Checks for notebook 02: the student's own `Value` class, built step by step.

Isolation: each step is checked without leaning on the student's other steps.
- 02.value and 02.graph test the constructor (and repr) on their own.
- 02.arith, 02.numbers and 02.relu run the student's methods with the student's
  constructor swapped for a known-good one for the duration of the check, so a
  slip in `__init__` never fails the arithmetic, and vice versa.
- 02.expr_d and 02.expr_z feed the student's expression functions `Probe`
  values: a minimal, correct stand-in for Value that supports exactly what
  the notebook's Value supports at that point (+ and *, numbers on either side).
"""

from __future__ import annotations

from contextlib import contextmanager
from numbers import Real

from ..core import CheckFailed, close, diagnose, exercise, random_point


def num(x) -> str:
    return f"{x:.10g}" if isinstance(x, float) else repr(x)


def _data(v):
    return v.data if hasattr(v, "data") else v


def _parents(v):
    """The parents a Value recorded, as a list (it may keep them in a tuple, list or set)."""
    prev = getattr(v, "_prev", None)
    try:
        return list(prev)
    except TypeError:
        return None


def _describe_prev(v) -> str:
    """_prev for a message, without calling the student's __repr__ (it may be unfinished)."""
    if not hasattr(v, "_prev"):
        return "missing"
    parents = _parents(v)
    if parents is None:
        return repr(v._prev)
    shown = [f"a Value with data {num(p.data)}" if hasattr(p, "data") else repr(p) for p in parents]
    return f"{type(v._prev).__name__} of {len(parents)}: " + ", ".join(shown) if parents else repr(v._prev)


def _holds_exactly(parents, expected) -> bool:
    """`parents` are the objects in `expected`, by identity, in any order."""
    if parents is None or len(parents) != len(expected):
        return False
    remaining = list(expected)
    for p in parents:
        match = next((i for i, e in enumerate(remaining) if e is p), None)
        if match is None:
            return False
        remaining.pop(match)
    return True


def _reference_init(self, data, _children=(), _op="", label=""):
    self.data = float(data)
    self.grad = 0.0
    self._prev = tuple(_children)
    self._op = _op
    self.label = label


@contextmanager
def known_good_constructor(cls):
    """Run the student's methods with a correct `__init__` in place of theirs."""
    if not isinstance(cls, type):
        raise CheckFailed(
            f"the check needs your Value class, got {type(cls).__name__}",
            mistake="run the cell that defines `class Value` (and do not rename it)",
        )
    had_own = "__init__" in cls.__dict__
    original = cls.__dict__.get("__init__")
    cls.__init__ = _reference_init
    try:
        yield
    finally:
        if had_own:
            cls.__init__ = original
        else:
            del cls.__init__


# ---- 02.value ---------------------------------------------------------------------


def _repr_mistake(got, x):
    expected = f"Value(data={float(x)}, grad=0.0)"
    if " object at 0x" in got:
        return (
            "Python's default description: define `def __repr__(self):` inside the class "
            "(__str__ alone is not used when a Value is shown in a cell or a list)"
        )
    if got.replace(" ", "") == expected.replace(" ", ""):
        return "the spacing differs: write exactly Value(data=..., grad=...), one space after the comma"
    if "grad" not in got:
        return "show the gradient too: Value(data=..., grad=...)"
    if isinstance(x, int) and f"data={x!r}," in got:
        return "data is not a float: store self.data = float(data)"
    return 'put the numbers in as Python prints them: f"Value(data={self.data}, grad={self.grad})"'


@exercise(
    "02.value",
    title="a minimal Value: data as a float, grad 0.0, and a repr",
    points=2,
    hints=[
        "__init__ stores what it is given on self; __repr__ returns a string that describes the Value.",
        "In __init__: self.data = float(data) and self.grad = 0.0. In __repr__, build the text with an "
        "f-string.",
        'return f"Value(data={self.data}, grad={self.grad})"',
    ],
)
def _check_value(rng, hidden, Value):
    xs = [2.5, 3, -4, 0, 1e-3]
    for _ in range(20 if hidden else 4):
        xs.append(random_point(rng, -10, 10) if rng.random() < 0.7 else rng.randint(-20, 20))
    for x in xs:
        v = Value(x)
        if not hasattr(v, "data"):
            raise CheckFailed(
                f"Value({x!r}) has no attribute `data`", mistake="store the number: self.data = float(data)"
            )
        if isinstance(v.data, bool) or not isinstance(v.data, float):
            raise CheckFailed(
                f"Value({x!r}).data should be the float {float(x)!r}",
                expected=repr(float(x)),
                got=f"{v.data!r} ({type(v.data).__name__})",
                mistake="convert it when you store it: self.data = float(data)"
                if _data(v.data) == x
                else None,
            )
        if v.data != float(x):
            raise CheckFailed(
                f"Value({x!r}).data is the wrong number",
                expected=repr(float(x)),
                got=repr(v.data),
                mistake="store the number you are given, unchanged: self.data = float(data)",
            )
        if not hasattr(v, "grad"):
            raise CheckFailed(
                f"Value({x!r}) has no attribute `grad`",
                mistake="every Value starts with self.grad = 0.0 (backpropagation fills it in later)",
            )
        if isinstance(v.grad, bool) or not isinstance(v.grad, float) or v.grad != 0.0:
            raise CheckFailed(
                f"Value({x!r}).grad should start at 0.0",
                expected="0.0",
                got=f"{v.grad!r} ({type(v.grad).__name__})",
                mistake="self.grad = 0.0, a float (not 0, None or the data)",
            )
        expected = f"Value(data={float(x)!r}, grad=0.0)"
        got = repr(v)
        if got != expected:
            raise CheckFailed(
                f"repr(Value({x!r})) is not in the expected form",
                expected=expected,
                got=got,
                mistake=_repr_mistake(got, x),
            )
    a, b = Value(1.5), Value(-2.0)
    if a.data != 1.5:
        raise CheckFailed(
            "making a second Value changed the first one's data",
            input="a = Value(1.5); b = Value(-2.0)",
            expected="a.data == 1.5",
            got=f"a.data == {a.data!r}",
            mistake="store data on the instance (self.data = ...), not on the class (Value.data = ...)",
        )
    if b.data != -2.0 or a.grad != 0.0:
        raise CheckFailed("two Values share their numbers", mistake="store everything on self")


# ---- 02.arith and 02.numbers --------------------------------------------------------


def _operate(op, left, right):
    return left + right if op == "+" else left * right


def _arith_mistake(op, x, y, got):
    other_op = "*" if op == "+" else "+"
    method = "__add__" if op == "+" else "__mul__"
    return diagnose(
        got,
        {
            f"this is x {other_op} y: copied from the other method? {method} should use {op}": (
                _operate(other_op, x, y)
            ),
            "this is x - y: use + in __add__": x - y if op == "+" else None,
            "this is the left operand unchanged: combine self.data with other.data": x,
            "this is the right operand unchanged: combine self.data with other.data": y,
        },
    )


def _check_result(Value, result, op, expr, operands):
    """What `a op b` returned: a new Value with the right data (and, for 02.arith, history)."""
    if not isinstance(result, Value):
        raise CheckFailed(
            f"{expr} should give a new Value, got {type(result).__name__} {result!r}",
            mistake=f"return Value(<the {'sum' if op == '+' else 'product'}>, (self, other), {op!r}), "
            "not a plain number",
        )
    if any(result is v for v in operands if isinstance(v, Value)):
        raise CheckFailed(
            f"{expr} returned one of its operands instead of a new Value",
            mistake="make a new Value for the result; do not change self and return it",
        )


@exercise(
    "02.arith",
    title="+ and * between Values, each result remembering (self, other) and its operation",
    points=2,
    hints=[
        "Each method returns a brand new Value whose data is computed from self.data and other.data.",
        "Pass the parents and the operation to the constructor: Value(self.data + other.data, (self, other), "
        "'+'). The constructor does not store them yet; exercise 02.graph will.",
        "return Value(self.data * other.data, (self, other), '*') in value_mul",
    ],
)
def _check_arith(rng, hidden, Value):
    pairs = [(-4.0, 2.0), (2.0, -3.0)]
    for _ in range(20 if hidden else 4):
        pairs.append((random_point(rng, -5, 5), random_point(rng, -5, 5, away_from=(0.0, 1.0, 2.0))))
    with known_good_constructor(Value):
        for x, y in pairs:
            for op in ("+", "*"):
                a, b = Value(x), Value(y)
                expr = f"Value({num(x)}) {op} Value({num(y)})"
                result = _operate(op, a, b)
                _check_result(Value, result, op, expr, (a, b))
                expected = x + y if op == "+" else x * y
                if a.data != x or b.data != y:
                    raise CheckFailed(
                        f"{expr} changed its operands",
                        expected=f"a.data = {num(x)}, b.data = {num(y)} afterwards",
                        got=f"a.data = {num(a.data)}, b.data = {num(b.data)}",
                        mistake="compute the result into a new Value; do not assign to self.data",
                    )
                if not close(result.data, expected, rel=1e-12, abs_=1e-12):
                    raise CheckFailed(
                        f"{expr} has the wrong data",
                        expected=num(expected),
                        got=num(result.data),
                        mistake=_arith_mistake(op, x, y, result.data),
                    )
                parents = _parents(result)
                if not _holds_exactly(parents, (a, b)):
                    got = "nothing" if not parents else ", ".join(repr(_data(p)) for p in parents)
                    raise CheckFailed(
                        f"the result of {expr} does not remember its parents",
                        expected=f"_prev holding the two operands themselves ({num(x)} and {num(y)})",
                        got=f"_prev holding {got}",
                        mistake="pass them when you make the result: Value(..., (self, other), "
                        f"{op!r})" + (" (the Values themselves, not their .data)" if parents else ""),
                    )
                if getattr(result, "_op", None) != op:
                    raise CheckFailed(
                        f"the result of {expr} recorded the wrong operation",
                        expected=repr(op),
                        got=repr(getattr(result, "_op", None)),
                        mistake=f"pass {op!r} as the third argument: Value(..., (self, other), {op!r})",
                    )


def _number_case(Value, op, a, x, n, left_number):
    """Evaluate `a op n` or `n op a`, turning the typical crashes into explanations."""
    expr = f"{n!r} {op} a" if left_number else f"a {op} {n!r}"
    method = (
        ("__radd__" if op == "+" else "__rmul__") if left_number else ("__add__" if op == "+" else "__mul__")
    )
    try:
        result = _operate(op, n, a) if left_number else _operate(op, a, n)
    except RecursionError:
        raise CheckFailed(
            f"{expr} never finishes (RecursionError)",
            mistake=f"{method} calls `other {op} self`, and with a number on the left Python asks "
            f"{method} again, forever: write `return self {op} other`",
        ) from None
    except AttributeError as error:
        raise CheckFailed(
            f"{expr} crashed: AttributeError: {error}",
            mistake="a plain number has no .data: at the start of __add__ and __mul__, turn a number into "
            "a Value: other = other if isinstance(other, Value) else Value(other)",
        ) from None
    except TypeError as error:
        raise CheckFailed(
            f"{expr} crashed: TypeError: {error}",
            mistake=f"with a number on the left, Python calls a.{method}(number); define it and attach it "
            f"(Value.{method} = ...)"
            if left_number
            else "__add__ and __mul__ must accept a plain number as other: wrap it in a Value first",
        ) from None
    _check_result(Value, result, op, expr, (a,))
    # judged against the student's own Value-with-Value result, so that a slip in
    # __add__ or __mul__ themselves is reported by 02.arith only
    same_with_values = _operate(op, Value(x), Value(n))
    expected = same_with_values.data if isinstance(same_with_values, Value) else None
    if not isinstance(expected, float):
        expected = x + n if op == "+" else x * n
    if a.data != x:
        raise CheckFailed(
            f"{expr} changed a itself",
            expected=f"a.data = {num(x)} afterwards",
            got=f"a.data = {num(a.data)}",
            mistake="compute the result into a new Value; do not assign to self.data",
        )
    if not close(result.data, expected, rel=1e-12, abs_=1e-12):
        raise CheckFailed(
            f"{expr} has the wrong data: it should equal a {op} Value({n!r})",
            input=f"a = Value({num(x)})",
            expected=num(expected),
            got=num(result.data),
            mistake=diagnose(
                result.data,
                {
                    f"{method} does the other operation: it should use {op}": x * n if op == "+" else x + n,
                    f"{method} ignored the number: use other": x,
                },
            ),
        )


@exercise(
    "02.numbers",
    title="plain numbers on either side of + and *: a + 2, 2 + a, a * 3, 3 * a",
    points=1,
    hints=[
        "a + 2 calls a.__add__(2): other is a plain number there. 2 + a first tries (2).__add__(a), which "
        "gives up, and then Python calls a.__radd__(2).",
        "In __add__ and __mul__, wrap a number first: other = other if isinstance(other, Value) else "
        "Value(other). __radd__ and __rmul__ can hand the work to them.",
        "def value_radd(self, other): return self + other   (and the same with * for value_rmul)",
    ],
)
def _check_numbers(rng, hidden, Value):
    cases = [(-4.0, 2), (3.0, 2.5)]
    for _ in range(20 if hidden else 4):
        n = rng.randint(-9, 9) if rng.random() < 0.5 else random_point(rng, -5, 5)
        cases.append((random_point(rng, -5, 5), n))
    with known_good_constructor(Value):
        for x, n in cases:
            for op in ("+", "*"):
                for left_number in (False, True):
                    _number_case(Value, op, Value(x), x, n, left_number)


# ---- 02.graph ---------------------------------------------------------------------


@exercise(
    "02.graph",
    title="graph bookkeeping: a Value keeps its parents (_prev), its operation (_op) and a label",
    points=2,
    hints=[
        "The constructor receives _children (the Values this one was made from), _op (the operation, like "
        "'+') and label (a name for drawings). Keep all three on self.",
        "self._prev = tuple(_children) keeps the parents; self._op = _op; self.label = label.",
        "self._prev = tuple(_children); self._op = _op; self.label = label  (three lines)",
    ],
)
def _check_graph(rng, hidden, Value):
    for _ in range(10 if hidden else 3):
        x, y = random_point(rng, -5, 5), random_point(rng, -5, 5)
        leaf = Value(x)
        for attribute, line in (("_prev", "tuple(_children)"), ("_op", "_op"), ("label", "label")):
            if not hasattr(leaf, attribute):
                raise CheckFailed(
                    f"Value({num(x)}) has no attribute `{attribute}`",
                    mistake=f"store it in the constructor: self.{attribute} = {line}",
                )
        prev = _parents(leaf)
        if prev is None or len(prev) != 0:
            raise CheckFailed(
                "a Value made from a plain number should have no parents",
                input=f"Value({num(x)})",
                expected="_prev empty",
                got=f"_prev = {_describe_prev(leaf)}",
                mistake="self._prev = tuple(_children): a leaf is made with the default _children=()",
            )
        if getattr(leaf, "_op", None) != "":
            raise CheckFailed(
                "a Value made from a plain number should have _op == ''",
                input=f"Value({num(x)})",
                got=f"_op = {getattr(leaf, '_op', 'missing')!r}",
                mistake="self._op = _op (its default is the empty string)",
            )
        if getattr(leaf, "label", None) != "":
            raise CheckFailed(
                "a Value made without a label should have label == ''",
                input=f"Value({num(x)})",
                got=f"label = {getattr(leaf, 'label', 'missing')!r}",
                mistake="self.label = label (its default is the empty string)",
            )
        a, b = Value(x), Value(y)
        made = Value(x + y, (a, b), "+")
        parents = _parents(made)
        call = f"Value({num(x + y)}, (a, b), '+') with a = Value({num(x)}), b = Value({num(y)})"
        if not _holds_exactly(parents, (a, b)):
            if parents and all(isinstance(p, Real) for p in parents):
                why = "keep the Values themselves in _prev, not their data: self._prev = tuple(_children)"
            else:
                why = "keep the parents you are given: self._prev = tuple(_children)"
            raise CheckFailed(
                "a Value does not remember the parents it was made from",
                input=call,
                expected="_prev holding a and b themselves",
                got=f"_prev = {_describe_prev(made)}",
                mistake=why,
            )
        if getattr(made, "_op", None) != "+":
            raise CheckFailed(
                "a Value does not remember the operation it was made by",
                input=call,
                expected="_op == '+'",
                got=f"_op = {getattr(made, '_op', 'missing')!r}",
                mistake="self._op = _op",
            )
        if made.data != x + y or made.grad != 0.0:
            raise CheckFailed(
                "the constructor no longer stores data and grad",
                input=call,
                mistake="keep the lines self.data = float(data) and self.grad = 0.0",
            )
        named = Value(x, label="w1")
        if getattr(named, "label", None) != "w1":
            raise CheckFailed(
                "a Value does not keep its label",
                input=f"Value({num(x)}, label='w1')",
                expected="label == 'w1'",
                got=f"label = {getattr(named, 'label', 'missing')!r}",
                mistake="self.label = label",
            )
        single = Value(max(x, 0.0), (a,), "relu")
        if not _holds_exactly(_parents(single), (a,)) or getattr(single, "_op", None) != "relu":
            raise CheckFailed(
                "a Value made from one parent does not remember it",
                input=f"Value({num(max(x, 0.0))}, (a,), 'relu')",
                expected="_prev holding a, _op == 'relu'",
                got=f"_prev = {_describe_prev(single)}, _op = {getattr(single, '_op', None)!r}",
                mistake="self._prev = tuple(_children); self._op = _op",
            )


# ---- 02.expr_d and 02.expr_z ----------------------------------------------------------


class Probe:
    """A correct minimal Value with only + and * (numbers on either side), for
    checking expression functions independently of the student's class."""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data, self.grad, self._prev, self._op, self.label = (
            float(data),
            0.0,
            tuple(_children),
            _op,
            label,
        )

    def _wrap(self, other, op):
        if isinstance(other, Probe):
            return other
        if isinstance(other, Real):
            return Probe(other)
        raise CheckFailed(
            f"your expression combined a Value with {type(other).__name__} {other!r} using {op}",
            mistake="combine Values with Values or plain numbers only; keep the inputs as Values "
            "(do not take their .data)",
        )

    def __add__(self, other):
        other = self._wrap(other, "+")
        return Probe(self.data + other.data, (self, other), "+")

    def __mul__(self, other):
        other = self._wrap(other, "*")
        return Probe(self.data * other.data, (self, other), "*")

    __radd__ = __add__
    __rmul__ = __mul__

    def _missing(self, what, instead):
        raise CheckFailed(
            f"your expression uses {what}, which your Value does not have yet (only + and * so far)",
            mistake=instead,
        )

    def __pow__(self, other):
        self._missing("**", "write x**2 as x * x")

    def __rpow__(self, other):
        self._missing("**", "write x**2 as x * x")

    def __sub__(self, other):
        self._missing("-", "use only + and *")

    def __rsub__(self, other):
        self._missing("-", "use only + and *")

    def __neg__(self):
        self._missing("unary minus", "multiply by -1 instead")

    def __truediv__(self, other):
        self._missing("/", "use only + and *")

    def __rtruediv__(self, other):
        self._missing("/", "use only + and *")


def _reaches(root, leaves) -> bool:
    """Every leaf appears in root's graph (walking _prev)."""
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(_parents(node) or [])
    return all(id(leaf) in seen for leaf in leaves)


def _check_expression(name, call, fn, values, expected, mistakes):
    inputs = [Probe(v) for v in values]
    out = fn(*inputs)
    if isinstance(out, Real):
        raise CheckFailed(
            f"{call} should return a Value, got the plain number {out!r}",
            mistake="return the Value the expression produces, not its .data",
        )
    if not hasattr(out, "data"):
        raise CheckFailed(
            f"{call} should return a Value, got {type(out).__name__} {out!r}",
            mistake="end the function with `return <the expression>`",
        )
    if not close(out.data, expected, rel=1e-12, abs_=1e-12):
        raise CheckFailed(
            f"{call} has the wrong value",
            expected=num(expected),
            got=num(float(out.data)),
            mistake=diagnose(out.data, mistakes),
        )
    if not _reaches(out, inputs):
        raise CheckFailed(
            f"the Value returned by {call} has the right number but does not remember all its inputs",
            mistake=f"build {name} from the input Values with + and *; a Value made from their .data "
            "forgets where it came from",
        )


@exercise(
    "02.expr_d",
    title="d_of(a, b, c): the forward value of d = a*b + c",
    points=1,
    hints=[
        "Write the formula with the Values themselves: Python calls your __mul__ and __add__.",
        "return a * b + c",
    ],
)
def _check_expr_d(rng, hidden, d_of):
    points = [(2.0, -3.0, 10.0)]
    for _ in range(20 if hidden else 4):
        a = random_point(rng, -5, 5, away_from=(0.0, 1.0))
        b = random_point(rng, -5, 5, away_from=(0.0, 1.0))
        points.append((a, b, random_point(rng, -10, 10, away_from=(0.0, 1.0))))
    for a, b, c in points:
        _check_expression(
            "d",
            f"d_of(Value({num(a)}), Value({num(b)}), Value({num(c)}))",
            d_of,
            (a, b, c),
            a * b + c,
            {
                "this is a * (b + c): the product comes first, then add c": a * (b + c),
                "this is (a + b) * c: d = a*b + c": (a + b) * c,
                "this is a * b * c: add c, do not multiply by it": a * b * c,
                "this is a + b + c: multiply a by b": a + b + c,
                "this is a * b: you forgot + c": a * b,
            },
        )


@exercise(
    "02.expr_z",
    title="z_of(x, y): the forward value of z = x^2 + 2xy + y^2 with only + and *",
    points=1,
    hints=[
        "There is no ** yet: x^2 is x * x. A plain number times a Value uses your __rmul__.",
        "return x * x + 2 * x * y + y * y   (or (x + y) * (x + y), which is the same number)",
    ],
)
def _check_expr_z(rng, hidden, z_of):
    points = [(3.0, -2.0)]
    for _ in range(20 if hidden else 4):
        x = random_point(rng, -4, 4, away_from=(0.0,), gap=0.3)
        points.append((x, random_point(rng, -4, 4, away_from=(0.0, x, -x), gap=0.3)))
    for x, y in points:
        _check_expression(
            "z",
            f"z_of(Value({num(x)}), Value({num(y)}))",
            z_of,
            (x, y),
            x * x + 2 * x * y + y * y,
            {
                "the middle term is 2xy, twice x * y": x * x + x * y + y * y,
                "you left out the middle term 2xy": x * x + y * y,
                "x^2 is x * x, not 2 * x": 2 * x + 2 * x * y + 2 * y,
                "the middle term is 2xy, not 2(x + y)": x * x + 2 * (x + y) + y * y,
            },
        )


# ---- 02.relu -------------------------------------------------------------------------


@exercise(
    "02.relu",
    title="relu: a new Value holding max(0, x), remembering its one parent and the op 'relu'",
    points=2,
    hints=[
        "relu keeps positive numbers and turns negative ones into 0. Like + and *, it makes a new Value "
        "that remembers where it came from, but it has only one parent.",
        "The data is max(0.0, self.data); the parents are (self,) (note the comma: a tuple of one); the "
        "op is 'relu'.",
        "return Value(max(0.0, self.data), (self,), 'relu')",
    ],
)
def _check_relu(rng, hidden, relu, Value):
    xs = [-5.0, 3.0, 0.0, 0.5, -0.5]
    for _ in range(20 if hidden else 4):
        xs.append(random_point(rng, -5, 5, away_from=(0.0,)))
    with known_good_constructor(Value):
        for x in xs:
            v = Value(x)
            out = relu(v)
            expected = max(0.0, x)
            call = f"relu(Value({num(x)}))"
            if out is v:
                raise CheckFailed(
                    f"{call} returned its input itself",
                    mistake="always make a new Value, even when x > 0, so the graph gets a relu node: "
                    "Value(max(0.0, self.data), (self,), 'relu')",
                )
            if not isinstance(out, Value):
                raise CheckFailed(
                    f"{call} should give a new Value, got {type(out).__name__} {out!r}",
                    mistake="return Value(max(0.0, self.data), (self,), 'relu')",
                )
            if v.data != x:
                raise CheckFailed(f"{call} changed its input", mistake="do not assign to self.data")
            if not close(out.data, expected, rel=1e-12, abs_=1e-12):
                raise CheckFailed(
                    f"{call} has the wrong value",
                    expected=num(expected),
                    got=num(out.data),
                    mistake=diagnose(
                        out.data,
                        {
                            "this is min(0, x): relu keeps the larger of 0 and x": min(0.0, x),
                            "this is |x|: negative inputs become 0, not positive": abs(x),
                            "this is -x for a negative x: negative inputs become 0": -x if x < 0 else None,
                        },
                    ),
                )
            if not _holds_exactly(_parents(out), (v,)):
                raise CheckFailed(
                    f"the result of {call} does not remember its parent",
                    expected="_prev holding the input Value",
                    got=f"_prev = {_describe_prev(out)}",
                    mistake="pass it when you make the result: Value(..., (self,), 'relu'); "
                    "(self,) with the comma is a tuple of one",
                )
            if getattr(out, "_op", None) != "relu":
                raise CheckFailed(
                    f"the result of {call} recorded the wrong operation",
                    expected="'relu'",
                    got=repr(getattr(out, "_op", None)),
                    mistake="pass 'relu' as the third argument: Value(..., (self,), 'relu')",
                )
