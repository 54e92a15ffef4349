"""leaky relu done right: 03.leaky_relu's answer, sent to the checks graded after it."""

ANSWERS = "03.leaky_relu"
RULES = {
    "leaky_relu": (
        "leaky_relu",
        lambda x, slope=0.01: (x if x > 0.0 else slope * x, (1.0 if x > 0.0 else slope,)),
    )
}
