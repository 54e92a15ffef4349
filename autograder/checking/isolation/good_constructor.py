"""A constructor swapped into the student's Value class while 02.arith, 02.numbers and 02.relu
are checked, so each is checked without the student's __init__. It keeps data and grad, as
02.value asks, and what the Value was made from in a record of the grader's own (`_made_with`),
not as the _prev, _op and label that 02.graph asks for. Used by probes only."""

from contextlib import contextmanager

ANSWERS = "02.value"


def recording_init(self, data, _children=(), _op="", label=""):
    try:
        children = tuple(_children)
    except TypeError:  # one Value, as `(self)` without its comma gives: kept as it came, for the verdict
        children = _children
    self.data, self.grad, self._made_with = float(data), 0.0, (children, _op, label)


@contextmanager
def known_good_constructor(cls):
    """Run the student's methods with a correct `__init__` in place of theirs."""
    original, cls.__init__ = cls.__dict__.get("__init__"), recording_init
    try:
        yield cls
    finally:
        if original is None:
            del cls.__init__
        else:
            cls.__init__ = original
