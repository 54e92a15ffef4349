"""sigmoid done right: 03.sigmoid's answer, sent to the checks graded after it."""

import math

ANSWERS = "03.sigmoid"


def sigmoid(x):
    s = 1.0 / (1.0 + math.exp(-x)) if x >= 0.0 else math.exp(x) / (1.0 + math.exp(x))
    return s, (s * (1.0 - s),)


RULES = {"sigmoid": ("sigmoid", sigmoid)}
