"""tanh done right: 03.tanh's answer, sent to the checks graded after it."""

import math

ANSWERS = "03.tanh"


def tanh(x):
    t = math.tanh(x)
    return t, (1.0 - t * t,)


RULES = {"tanh": ("tanh", tanh)}
