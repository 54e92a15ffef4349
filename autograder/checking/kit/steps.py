"""Probe side: probes that record their steps as they go (notebooks 04 and 05), and what they
record of the reference engine's Values a student's neurons and layers give.

A stepwise probe keeps the steps it reached when student code raises, with the error: the
verdict (kit.says.in_order) judges those first, as a check stopping at its first failure would.
"""

import functools
from collections.abc import Iterator
from numbers import Real

from course_engine.engine import Value

from .observe import attempt, type_name


def stepwise(probe):
    """probe(student, case, seen) as a probe: its observation is `seen`, with "raised" if it raised."""

    def run(student, case):
        seen = {}
        if error := attempt(probe, student, case, seen)[1]:
            seen["raised"] = error
        return seen

    return functools.wraps(probe)(run)


def describe(x) -> str:
    return f"a {type_name(x)}" if isinstance(x, (list, tuple)) else type_name(x)


def result(x) -> dict:
    """A Value's data; for anything else, what it is and whether it is a number or [Value]."""
    if isinstance(x, Value):
        return {"data": float(x.data)}
    held = isinstance(x, (list, tuple)) and len(x) == 1 and isinstance(x[0], Value)
    return {"type": describe(x), "is": "list" if held else "number" if isinstance(x, Real) else None}


def outputs(out) -> dict:
    many = [result(o) for o in out] if isinstance(out, (list, tuple)) else None
    return {"type": describe(out), "one": result(out), "many": many}


def listed(params, own) -> dict:
    """parameters() as indices into `own` (another Value: a new negative index), or what it is.
    A tuple is a sequence of Values too (a list is only the convention); a generator or another
    one-pass iterator is not (it has no len() and is empty the second time)."""
    if isinstance(params, (list, tuple)) and all(isinstance(p, Value) for p in params):
        index = {id(v): i for i, v in enumerate(own)}
        return {"index": [index.setdefault(id(p), -len(index)) for p in params]}
    items = params if isinstance(params, (list, tuple)) else []
    element = next((repr(p) for p in items if not isinstance(p, Value)), None)
    nested = any(isinstance(p, (list, tuple)) for p in items)
    once = isinstance(params, Iterator)
    return {"type": describe(params), "nested": nested, "element": element, "one_pass": once}
