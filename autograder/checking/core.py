"""Transitional: the old one-function checks, until each is split into probe and verdict."""

from __future__ import annotations

from .exercise import EXERCISES, Exercise
from .kit import failure as _kit
from .kit.cases import random_point  # noqa: F401
from .kit.compare import close  # noqa: F401
from .kit.fmt import fmt  # noqa: F401


class CheckFailed(_kit.CheckFailed):
    def __init__(self, what, *, input=None, expected=None, got=None, mistake=None, exercise=None, graph=None):
        mistakes = (_kit.Mistake("unkeyed", mistake),) if mistake else ()
        super().__init__(_kit.Failure(what, input, expected, got, mistakes, graph), exercise)


def exercise(id, *, title, points, hints=()):
    def register(check_fn):
        EXERCISES[id] = Exercise(id, title, points, tuple(hints), (), None, None, check_fn)
        return check_fn

    return register


def diagnose(got, candidates: dict, rel=1e-6):
    for mistake, predicted in candidates.items():
        if predicted is not None and close(got, predicted, rel):
            return mistake
    return None
