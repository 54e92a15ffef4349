"""+ and * done right: 03.add_mul's answer, sent to the checks graded after it.
Each rule maps the operands' numbers to (value, local derivative per operand)."""

ANSWERS = "03.add_mul"
RULES = {
    "__add__": ("+", lambda x, y: (x + y, (1.0, 1.0))),
    "__radd__": ("+", lambda x, y: (y + x, (1.0, 1.0))),
    "__mul__": ("*", lambda x, y: (x * y, (y, x))),
    "__rmul__": ("*", lambda x, y: (y * x, (y, x))),
}
