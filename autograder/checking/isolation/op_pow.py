"""A power with a number exponent done right: 03.pow's answer, sent to the checks graded after it."""

ANSWERS = "03.pow"
RULES = {"__pow__": ("**", lambda x, n: (x**n, (n * x ** (n - 1),)))}
