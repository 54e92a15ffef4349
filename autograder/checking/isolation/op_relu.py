"""relu done right: 03.relu's answer, sent to the checks graded after it."""

ANSWERS = "03.relu"
RULES = {"relu": ("relu", lambda x: (x if x > 0.0 else 0.0, (1.0 if x > 0.0 else 0.0,)))}
