"""For notebook 06's training checks: while the student's train, fit_line or fit_xor runs,
correct versions of mse, zero_grad and sgd_step stand in for the student's (those have
checks of their own), so a slip there fails only its own exercise. Used by probes only."""

from contextlib import contextmanager

from course_engine.losses.squared_error import mse
from course_engine.optim.sgd import SGD

# what a grading kernel gets in the hidden cell with this module: 06.mse, 06.zero_grad and
# 06.step are graded before the exercises that use it
CARRIES = ["course_engine.losses.squared_error", "course_engine.optim.sgd"]


def zero_grad(parameters):
    SGD(parameters).zero_grad()


def sgd_step(parameters, lr):
    SGD(parameters, lr).step()


STAND_INS = {"mse": mse, "zero_grad": zero_grad, "sgd_step": sgd_step}


@contextmanager
def correct_pieces(function):
    """While it runs, the names in STAND_INS that the module defining `function` (the
    notebook) has are the correct ones; the student's come back afterwards."""
    namespace = getattr(function, "__globals__", None)
    names = [name for name in STAND_INS if isinstance(namespace, dict) and name in namespace]
    theirs = {name: namespace[name] for name in names}
    for name in names:
        namespace[name] = STAND_INS[name]
    try:
        yield
    finally:
        for name, value in theirs.items():
            namespace[name] = value
