"""Probes for notebook 02: make the student's Values and record what each one holds."""

import contextlib
import functools
import io
from numbers import Real

from ..kit.fmt import num
from ..kit.observe import attempt, number, piece, raised

BOOKKEEPING = ("_prev", "_op", "label")
# what the notebook's later cells attach to the class of exercise 1 (Value.__add__ = value_add, ...)
ATTACHED = {
    "__add__": "value_add",
    "__mul__": "value_mul",
    "__radd__": "value_radd",
    "__rmul__": "value_rmul",
    "__init__": "value_init",
    "relu": "value_relu",
}


def detached(cls) -> list[str]:
    """The methods the notebook defined and attached to Value that this Value class lacks: what
    re-running the class cell after those cells leaves (the class is new, the functions are not)."""
    names = next((f.__globals__ for f in vars(cls).values() if hasattr(f, "__globals__")), {})
    return [
        attribute
        for attribute, name in ATTACHED.items()
        if callable(names.get(name)) and vars(cls).get(attribute) is not names[name]
    ]


def outcome(fn):
    """fn() as data: {"returned": ...}, {"raised": record}, or {"stub": True} for a stub."""
    try:
        return {"returned": fn()}
    except NotImplementedError:
        return {"stub": True}
    except Exception as error:
        return {"raised": raised(error)}


def kept(v) -> dict:
    """What v keeps of how it was made: its _prev, _op and label, or for a Value made by the
    grader's constructor (isolation.good_constructor), what that constructor recorded."""
    made = getattr(v, "_made_with", None)
    if isinstance(made, tuple):
        return dict(zip(BOOKKEEPING, made))
    return {name: getattr(v, name) for name in BOOKKEEPING if hasattr(v, name)}


def parents_of(v):
    """The parents a Value recorded, as a list (it may keep them in a tuple, list or set)."""
    try:
        return list(kept(v).get("_prev"))
    except TypeError:
        return None


def held(v, name):
    """v.<name>: whether v has it, its number, its .data's (if it has one), a float?, repr, type."""
    x = getattr(v, name, None)
    return {
        "has": hasattr(v, name),
        "value": number(x),
        "inner": number(getattr(x, "data", x)),
        "float": isinstance(x, float),
        "repr": repr(x),
        "type": type(x).__name__,
    }


def node(v, known=()):
    """What a Value holds. Each parent: [the index of the known Value it is, the repr of its
    data, a plain number?]; _prev also in words, without the student's __repr__."""
    book = kept(v)
    parents = parents_of(v)
    one_value = hasattr(book.get("_prev"), "data")  # (self) for (self,): a Value, not a tuple of them
    if one_value:
        prev = f"a single Value with data {num(book['_prev'].data)}, not a tuple"
    elif parents:
        shown = [f"a Value with data {num(p.data)}" if hasattr(p, "data") else repr(p) for p in parents]
        prev = f"{type(book['_prev']).__name__} of {len(parents)}: " + ", ".join(shown)
    else:  # empty, or not a collection: no Value's __repr__ is called
        prev = repr(book["_prev"]) if "_prev" in book else "missing"
    return {
        "data": held(v, "data"),
        "grad": held(v, "grad"),
        "missing": [name for name in BOOKKEEPING if name not in book],
        "stored": sorted(name for name in getattr(v, "__dict__", {}) if name != "_made_with"),
        "parents": parents
        and [[index(known, p), repr(getattr(p, "data", p)), isinstance(p, Real)] for p in parents],
        "_prev": prev,
        "prev_is_one_value": one_value,
        "_op": repr(book.get("_op", "missing")),
        "label": repr(book.get("label", "missing")),
    }


def index(known, x):
    return next((i for i, k in enumerate(known) if k is x), None)


def operate(op, left, right):
    return left + right if op == "+" else left * right


def value(student, case):
    if "pair" in case:
        a, b = (student.Value(x) for x in case["pair"])
        return {"pair": [number(a.data), number(b.data), number(a.grad)]}
    v, printed = student.Value(case["x"]), io.StringIO()
    with contextlib.redirect_stdout(printed):
        shown = outcome(lambda: repr(v))
    return {**node(v), "repr": shown, "printed": printed.getvalue()[:200]}


def isolated(probe):
    """The probe, run with a known-good constructor in the student's Value class."""

    @functools.wraps(probe)
    def run(student, case):
        if not isinstance(student.Value, type):
            return {"not_a_class": type(student.Value).__name__}
        lost = detached(student.Value)
        # + and * crashing in a class that lost them: the class cell was run again (said by the verdict)
        explained = case["op"] != "relu" and set(lost) & {"__add__", "__mul__", "__radd__", "__rmul__"}
        with piece("good_constructor").known_good_constructor(student.Value) as Value:
            try:
                seen = probe(student, Value, case)
            except NotImplementedError:
                raise
            except Exception as error:
                if not explained:
                    raise
                seen = {"error": raised(error)}
        return {"detached": lost, "error": seen["error"]} if explained and "error" in seen else seen

    return run


@isolated
def operation(student, Value, case):
    """a + b, a * b (02.arith), a op n, n op a (02.numbers) or relu(a) (02.relu): what it gave
    ("other": type and repr, if not a Value; "operand": which operand it is), the operands after."""
    op, x, n = case["op"], case["x"], case.get("n")
    operands = (Value(x),) if "y" not in case else (Value(x), Value(case["y"]))
    a, same = operands[0], None
    if op == "relu":
        out, error = attempt(student.value_relu, a)
        if error:
            return {"error": error}
    elif n is None:
        out = operate(op, *operands)
    else:
        out, error = attempt(operate, op, *((n, a) if case["left"] else (a, n)))
        if error:
            return {"error": error}
        if isinstance(out, Value) and index(operands, out) is None:  # a new Value: and Value(x) op Value(n)?
            same = operate(op, Value(x), Value(n))
            same = same.data if isinstance(same, Value) and isinstance(same.data, float) else None
    other = None if isinstance(out, Value) else [type(out).__name__, repr(out)]
    observed = {**node(out, operands), "other": other, "operand": index(operands, out), "same": same}
    return {**observed, "operands": [number(v.data) for v in operands]}


def graph(student, case):
    Value, x, y = student.Value, case["x"], case["y"]
    leaf = node(Value(x))  # each Value observed before the next is made
    a, b = Value(x), Value(y)
    made = node(Value(x + y, (a, b), "+"), (a, b))
    named = node(Value(x, label="w1"))
    return {
        "detached": detached(Value) if isinstance(Value, type) else [],
        "leaf": leaf,
        "made": made,
        "named": named,
        "single": node(Value(max(x, 0.0), (a,), "relu"), (a,)),
    }


def expression(fn, case):
    """fn on stand-in Values: what it returned, and whether that Value's graph reaches every input."""
    stand_in = piece("stand_in")
    inputs = [stand_in.StandIn(x) for x in case["inputs"]]
    try:
        out = fn(*inputs)
    except stand_in.Unsupported as refused:
        return {"unsupported": refused.what, "operand": refused.operand}
    if isinstance(out, Real) or not hasattr(out, "data"):
        return {"other": [type(out).__name__, repr(out)], "number": isinstance(out, Real)}
    seen, stack = set(), [out]
    while stack:
        v = stack.pop()
        if id(v) not in seen:
            seen.add(id(v))
            stack.extend(parents_of(v) or [])
    return {"data": float(out.data), "reaches": all(id(v) in seen for v in inputs)}


def expr_d(student, case):
    return expression(student.d_of, case)


def expr_z(student, case):
    return expression(student.z_of, case)
