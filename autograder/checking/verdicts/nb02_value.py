"""Verdicts for notebook 02: the student's own Value class, built step by step.

+, *, numbers and relu were observed with a known-good constructor in the student's class,
the expressions on stand-in Values: each step is judged on its own. A verdict goes down its
rows (failed?, what happened[, mistake]) and reports the first that failed (kit.says); a
wrong number is explained by the typical slip that gives exactly that number.
"""

import functools

from ..exercise import get_exercise
from ..kit.compare import close
from ..kit.fmt import num
from ..kit.says import Says
from ..probes.nb02_value import operate
from ..runner import crashed, not_attempted

SAY = Says.beside(__file__)
MISTAKES = SAY.mistakes
EXACT = {"rel": 1e-12, "abs_": 1e-12}


def fell_over(exercise_id, outcome):
    """The runner's own failure for a stub or a crash met partway through a check."""
    ex = get_exercise(exercise_id)
    return not_attempted(ex) if "stub" in outcome else crashed(ex, outcome["raised"])


def holds(parents, n) -> bool:
    """The parents are the n known Values themselves, each once, in any order."""
    return parents is not None and sorted(-1 if p[0] is None else p[0] for p in parents) == list(range(n))


def value(case, o):
    if "pair" in case:
        (x, y), (a, b, grad) = case["pair"], o["pair"]
        return SAY.first(
            [(a != x, "class-attribute"), (b != y or grad != 0.0, "shared-numbers")], x=x, y=y, a=a
        )
    x, data, grad, text = case["x"], o["data"], o["grad"], o["repr"]
    rows = [
        (not data["has"], "no-data", _misnamed(o, "data", "no-data")),
        (not data["float"], "data-not-float", "data-not-float" if data["inner"] == x else None),
        (data["value"] != float(x), "data-changed"),
        (not grad["has"], "no-grad", _misnamed(o, "grad", "no-grad")),
        (not grad["float"] or grad["value"] != 0.0, "grad-not-zero"),
    ]
    if failure := SAY.first(rows, **o, x=x, fx=float(x)):
        return failure
    if "returned" not in text:
        return _repr_crash(x, text, o.get("printed", "")) or fell_over("02.value", text)
    got, want = text["returned"], f"Value(data={float(x)!r}, grad=0.0)"
    keys = [
        (" object at 0x" in got, "default-repr"),
        ("{" in got and "}" in got, "repr-not-f-string"),
        (got.replace(" ", "") == want.replace(" ", ""), "repr-spacing"),
        ("grad" not in got, "repr-without-grad"),
        (got.startswith(want[:-1]) and got.endswith(")"), "repr-extra"),  # Value(data=.., grad=.., label=..)
        (isinstance(x, int) and f"data={x!r}," in got, "repr-data-not-float"),
    ]
    key = next((key for hit, key in keys if hit), "repr-format")  # its message shows braces: not filled
    return SAY("repr", MISTAKES(key), x=x, got=got, want=want) if got != want else None


NAMES = {"data", "grad", "_prev", "_op", "label"}  # what draw, backward and the checks read


def _misnamed(seen, name, otherwise):
    """A Value that stores something, but not under the name asked for: say which names it used."""
    others = [n for n in seen.get("stored", []) if n not in NAMES]
    return MISTAKES("misnamed", name=name, others=", ".join(others)) if others else otherwise


def _repr_crash(x, outcome, printed):
    """repr() raised: a __repr__ that prints its text, returns something not a string, adds a
    number to a string, or names data without self."""
    error = outcome.get("raised", {})
    kind, message = error.get("type"), error.get("message", "")
    if kind == "TypeError" and "concatenate str" in message:
        return SAY("repr-crashed", "repr-concatenates", x=x, error=error)
    if kind == "NameError" and any(f"'{name}'" in message for name in ("data", "grad")):
        return SAY("repr-crashed", "repr-without-self", x=x, error=error)
    if kind != "TypeError" or "returned non-string" not in message:
        return None
    returned = error["message"].split("(type ", 1)[-1].rstrip(")")
    if printed.strip():
        key = "repr-prints"
    else:
        key = "repr-no-return" if returned == "NoneType" else "repr-not-a-string"
    return SAY(key, x=x, printed=printed.strip(), returned=returned)


# the cells that attach methods to the class of exercise 1, in notebook order
ARITHMETIC = ("__add__", "__mul__", "__radd__", "__rmul__")
ATTACHING_CELLS = [
    ("exercise 2's cell (value_add, value_mul, value_radd, value_rmul)", ARITHMETIC),
    ("exercise 3's cell (value_init)", ("__init__",)),
    ("exercise 6's cell (value_relu)", ("relu",)),
]


def rerun(lost, error=None):
    """The failure of a Value class that lost the methods later cells attached to it."""
    cells = [cell for cell, attributes in ATTACHING_CELLS if set(attributes) & set(lost)]
    crash = f"{error['type']}: {error['message']}" if error else "so a Value keeps no _prev"
    return SAY("detached", lost=", ".join(lost), cells=", then ".join(cells), crash=crash)


def isolated(verdict):
    """The verdict, where the probe could give the student's Value its known-good constructor."""

    @functools.wraps(verdict)
    def judge(case, o):
        if "detached" in o:
            return rerun(o["detached"], o["error"])
        return SAY("not-a-class", **o) if "not_a_class" in o else verdict(case, o)

    return judge


def shown(case, o, **fields):
    """What the rows of an operation's verdict may show."""
    what = "sum" if case["op"] == "+" else "product"
    return {**o, **case, "what": what, "got": o.get("data", {}).get("value"), **fields}


def _parents_mistake(o, parents, op, otherwise, one_value="parents-not-a-tuple"):
    """The mistake of a result whose _prev is not its operands: a single Value, not in a tuple?
    The operation's text (the arguments swapped)? The operands' numbers instead of the Values?"""
    if o.get("prev_is_one_value"):
        return one_value
    if parents and "".join(p[1].strip("'") for p in parents) == op:
        return "swapped-arguments"
    if not parents:
        return ""
    if all(p[2] for p in parents):
        return "parents-are-numbers"
    if all(p[0] is None for p in parents):  # Values, but none of them an operand: new ones made from them
        return "parents-copied"
    if all(p[0] is not None for p in parents):  # operands only, but one twice or one left out
        return "not-each-operand"
    return otherwise


@isolated
def arith(case, o):
    x, y, op, got, parents = case["x"], case["y"], case["op"], o["data"]["value"], o["parents"]
    method, other = ("__add__", "*") if op == "+" else ("__mul__", "+")
    slips = {"other-operation": operate(other, x, y), "subtracted": x - y if op == "+" else None}
    found = SAY.slip(got, {**slips, "left-operand": x, "right-operand": y}, other=other, method=method, op=op)
    rows = [
        (o["other"], "not-a-value"),
        (o["operand"] is not None, "returned-operand"),
        (o["operands"] != [x, y], "changed-operands"),
        (not close(got, operate(op, x, y), **EXACT), "wrong-data", found),
        (not holds(parents, 2), "forgot-parents", _parents_mistake(o, parents, op, "parents-not-operands")),
        (o["_op"] != repr(op), "wrong-op"),
    ]
    held = (
        ", ".join(p[1] for p in parents) if parents else o["_prev"] if o["prev_is_one_value"] else "nothing"
    )
    fields = shown(case, o, expr=f"Value({num(x)}) {op} Value({num(y)})", want=operate(op, x, y), held=held)
    return SAY.first(rows, **fields, args="(self, other)")


@isolated
def numbers(case, o):
    op, x, n, left = case["op"], case["x"], case["n"], case["left"]
    method = ("__radd__" if op == "+" else "__rmul__") if left else ("__add__" if op == "+" else "__mul__")
    fields = shown(case, o, expr=f"{n!r} {op} a" if left else f"a {op} {n!r}", method=method)
    if "error" in o:  # the crashes a number on either side typically causes, explained
        crashes = {
            "RecursionError": ("recursion",),
            "AttributeError": ("crashed", "number-not-wrapped"),
            "TypeError": ("crashed", "no-reflected" if left else "rejects-number"),
        }
        said = crashes.get(o["error"]["type"])
        return SAY(*said, **fields) if said else fell_over("02.numbers", {"raised": o["error"]})
    # judged against the student's own Value-with-Value result, so that a slip in
    # __add__ or __mul__ themselves is reported by 02.arith only
    want = operate(op, x, n) if o["same"] is None else o["same"]
    slips = {"number-other-operation": x * n if op == "+" else x + n, "ignored-number": x}
    rows = [
        (o["other"], "not-a-value"),
        (o["operand"] is not None, "returned-operand"),
        (o["operands"] != [x], "changed-a", "changed-operands"),
        (
            not close(fields["got"], want, **EXACT),
            "wrong-number-data",
            SAY.slip(fields["got"], slips, **fields),
        ),
    ]
    return SAY.first(rows, **fields, want=want)


@isolated
def relu(case, o):
    if "error" in o:  # max(0, self) compares a number with a Value
        compared = o["error"]["type"] == "TypeError" and "not supported between" in o["error"]["message"]
        if not compared:
            return fell_over("02.relu", {"raised": o["error"]})
        return SAY("crashed", "relu-compares-value", expr=f"relu(Value({num(case['x'])}))", error=o["error"])
    x, want, got = case["x"], max(0.0, case["x"]), o["data"]["value"]
    slips = {"min-for-max": min(0.0, x), "absolute": abs(x), "negated": -x if x < 0 else None}
    rows = [
        (o["operand"] == 0, "returned-input"),
        (o["other"], "not-a-value", "relu-not-a-value"),
        (o["operands"] != [x], "changed-input"),
        (not close(got, want, **EXACT), "wrong-value", SAY.slip(got, slips)),
        (
            not holds(o["parents"], 1),
            "forgot-parent",
            _parents_mistake(o, o["parents"], "relu", "forgot-parent", "missing-comma"),
        ),
        (o["_op"] != "'relu'", "wrong-op"),
    ]
    return SAY.first(rows, **shown(case, o, expr=f"relu(Value({num(x)}))", want=want, args="(self,)"))


def graph(case, o):
    x, y, leaf, made, single = case["x"], case["y"], o["leaf"], o["made"], o["single"]
    if "__init__" in o.get("detached", []) and leaf["missing"]:
        return rerun(o["detached"])
    lines = {"_prev": "tuple(_children)", "_op": "_op", "label": "label"}
    attribute = next((a for a in lines if a in leaf["missing"]), None)
    numbers_only = made["parents"] and all(p[2] for p in made["parents"])
    rows = [
        (attribute, "no-attribute", _misnamed(leaf, attribute, "no-attribute")),
        (
            leaf["parents"] != [],
            "leaf-has-parents",
            "wrapped-children" if leaf["parents"] == [[None, "()", False]] else "",
        ),
        (leaf["_op"] != "''", "leaf-op"),
        (leaf["label"] != "''", "leaf-label"),
        (not holds(made["parents"], 2), "forgot-given-parents", "parents-are-data" if numbers_only else ""),
        (made["_op"] != "'+'", "forgot-op"),
        (made["data"]["value"] != x + y or made["grad"]["value"] != 0.0, "lost-data-grad"),
        (o["named"]["label"] != "'w1'", "forgot-label"),
        (not holds(single["parents"], 1) or single["_op"] != "'relu'", "forgot-single-parent"),
    ]
    call = f"Value({num(x + y)}, (a, b), '+') with a = Value({num(x)}), b = Value({num(y)})"
    return SAY.first(
        rows, **o, x=x, call=call, relu=max(x, 0.0), attribute=attribute, line=lines.get(attribute)
    )


def expression(name, formula, slips):
    """The verdict on name_of(...) with stand-in Values for the case's inputs."""

    def verdict(case, o):
        xs, got, unsupported = case["inputs"], o.get("data"), o.get("unsupported")
        uses = {"**": "uses-pow", "-": "uses-sub", "/": "uses-div", "unary minus": "uses-neg"}
        rows = [
            (unsupported and o["operand"], "operand-not-a-value"),
            (unsupported, "uses", uses.get(unsupported)),
            (o.get("number"), "returned-number"),
            ("other" in o, "no-return"),
            (not close(got, formula(*xs), **EXACT), "wrong-value", SAY.slip(got, slips(*xs))),
            (not o.get("reaches"), "lost-inputs"),
        ]
        expr = f"{name}_of({', '.join(f'Value({num(v)})' for v in xs)})"
        return SAY.first(rows, **o, expr=expr, name=name, want=formula(*xs), got=got)

    return verdict


expr_d = expression(
    "d",
    lambda a, b, c: a * b + c,
    lambda a, b, c: {
        "sum-first": a * (b + c),
        "sum-times-c": (a + b) * c,
        "times-c": a * b * c,
        "all-added": a + b + c,
        "forgot-c": a * b,
    },
)
expr_z = expression(
    "z",
    lambda x, y: x * x + 2 * x * y + y * y,
    lambda x, y: {
        "middle-term-once": x * x + x * y + y * y,
        "no-middle-term": x * x + y * y,
        "doubled-not-squared": 2 * x + 2 * x * y + 2 * y,
        "middle-term-sum": x * x + 2 * (x + y) + y * y,
    },
)
