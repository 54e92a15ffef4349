"""Unary minus and subtraction done right: 03.sub's answer, sent to the checks graded after it."""

ANSWERS = "03.sub"
RULES = {
    "__neg__": ("neg", lambda x: (-x, (-1.0,))),
    "__sub__": ("-", lambda x, y: (x - y, (1.0, -1.0))),
    "__rsub__": ("-", lambda x, y: (y - x, (-1.0, 1.0))),
}
