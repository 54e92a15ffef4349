"""Division both ways done right: 03.div's answer, sent to the checks graded after it."""

ANSWERS = "03.div"
RULES = {
    "__truediv__": ("/", lambda x, y: (x / y, (1.0 / y, -x / (y * y)))),
    "__rtruediv__": ("/", lambda x, y: (y / x, (-y / (x * x), 1.0 / x))),
}
