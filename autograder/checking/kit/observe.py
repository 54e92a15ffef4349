"""Probe side: turning what student code did into plain, JSON-able observations.

Nothing here knows a right answer. A probe records numbers, shapes, types and
the errors student code raised; the verdict decides what they mean.
"""

import importlib
from numbers import Real


def number(x):
    """A float for a real number (a Value's or Tensor's .data stays as it is); otherwise None."""
    if isinstance(x, bool) or not isinstance(x, Real):
        return None
    return float(x)


def type_name(x) -> str:
    """'float', 'list of 3', 'NoneType': what a value is, as a message names it."""
    if isinstance(x, (list, tuple)):
        return f"{type(x).__name__} of {len(x)}"
    return type(x).__name__


def plain(x):
    """A JSON-able copy of numbers, nested lists and numpy arrays (other objects: their type)."""
    if hasattr(x, "tolist") and hasattr(x, "shape"):
        return x.tolist()
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if x is None or isinstance(x, (bool, str)):
        return x
    value = number(x)
    return value if value is not None else {"type": type_name(x)}


def raised(error: BaseException) -> dict:
    """The record of an exception student code raised: its type, message and place."""
    return {"type": type(error).__name__, "message": str(error), "where": student_frame(error)}


def attempt(fn, *args, **kwargs):
    """(result, None) when fn returns, (None, raised record) when it raises; the stub's
    NotImplementedError is let through (the exercise is not attempted)."""
    try:
        return fn(*args, **kwargs), None
    except NotImplementedError:
        raise
    except Exception as error:
        return None, raised(error)


def student_frame(error: BaseException) -> str | None:
    """'line N of f()' for the deepest frame that is not the course's own, if any."""
    tb, found = error.__traceback__, None
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if "autograder" not in name and "course_engine" not in name:
            found = tb
        tb = tb.tb_next
    if found is None:
        return None
    return f"line {found.tb_lineno} of {found.tb_frame.f_code.co_name}()"


def returned(x) -> dict:
    """What a student's function returned: its number(s) when it is a number or a list
    of them, and always its type and a short repr (for the message)."""
    numbers = None
    if number(x) is not None:
        numbers = number(x)
    elif isinstance(x, (list, tuple)) or (hasattr(x, "tolist") and hasattr(x, "shape")):
        values = [number(v) for v in (x.tolist() if hasattr(x, "tolist") else x)]
        numbers = values if all(v is not None for v in values) else None
    text = repr(x)
    return {"value": numbers, "type": type_name(x), "repr": text if len(text) <= 120 else text[:117] + "..."}


def piece(name: str):
    """An isolation module (autograder.checking.isolation.<name>), imported only when a probe
    needs it: a grading kernel gets one only inside the hidden cell of an exercise that uses it."""
    return importlib.import_module(f"{__package__.rpartition('.')[0]}.isolation.{name}")
