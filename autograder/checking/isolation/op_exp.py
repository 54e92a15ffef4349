"""exp done right: 03.exp's answer, sent to the checks graded after it."""

import math

ANSWERS = "03.exp"
RULES = {"exp": ("exp", lambda x: (math.exp(x), (math.exp(x),)))}
