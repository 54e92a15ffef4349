"""Verdict side: failures by name from a table of what happened, the first of a verdict's rows
that failed, the slip that explains a wrong number, and verdicts that read the steps of a
stepwise probe (kit.steps) in order."""

from __future__ import annotations

import functools
import string
import tomllib
from pathlib import Path

from ..exercise import get_exercise
from ..runner import crashed
from .compare import first_matching
from .failure import Failure, Mistakes
from .fmt import num


class Shown(string.Formatter):
    """str.format, showing a float without a format spec as kit.fmt.num does (10 significant digits)."""

    def format_field(self, value, spec):
        return num(value) if isinstance(value, float) and not spec else super().format_field(value, spec)


class Says:
    """Failures by name from a table of "what | input: .. | expected: .. | got: ..", filled from
    fields, each naming a mistake: a key of `mistakes` (filled from the fields too), a Mistake or
    None; when none is given, the mistake keyed like the failure, if there is one."""

    def __init__(self, table: dict[str, str], mistakes: Mistakes):
        self.table, self.mistakes = table, mistakes

    @classmethod
    def beside(cls, module_file: str, *more: Mistakes) -> Says:
        """From the .toml beside a verdict module: its mistakes (`key = "message"` lines, after
        those of `more`) and, in its [says] table, what happened."""
        with Path(module_file).with_suffix(".toml").open("rb") as file:
            mistakes = tomllib.load(file)
        says = mistakes.pop("says")
        return cls(says, functools.reduce(Mistakes.__or__, [*more, Mistakes(mistakes)]))

    def __call__(self, name, mistake="", /, **fields) -> Failure:
        what, *parts = (Shown().format(part, **fields) for part in self.table[name].split(" | "))
        part = dict(p.split(": ", 1) for p in parts)
        if mistake == "":
            mistake = name if name in self.mistakes else None
        mistake = self.mistakes(mistake, **fields) if isinstance(mistake, str) else mistake
        return Failure(what, part.get("input"), part.get("expected"), part.get("got"), mistake)

    def first(self, rows, /, **fields) -> Failure | None:
        """The failure of the first row (failed?, name[, mistake]) that failed."""
        return next((self(name, *key, **fields) for failed, name, *key in rows if failed), None)

    def slip(self, got, slips: dict, /, rel=1e-6, abs_=1e-9, **fields):
        """The first mistake whose slip (key: the number or numbers it gives) gives `got`."""
        candidates = [(self.mistakes(key, **fields), p) for key, p in slips.items()]
        return first_matching(got, candidates, rel=rel, abs_=abs_)


class NotReached(Exception):
    """A verdict reads a step its probe never reached."""


class Steps(dict):
    def __missing__(self, step):
        raise NotReached(step)


def in_order(exercise_id, explain=None):
    """A verdict over a stepwise probe's steps: reaching one the student's code never got to
    (it raised first), the failure is that error, with the mistake `explain(case, error)`
    names behind it when it knows one."""

    def wrap(verdict):
        def judge(case, seen):
            try:
                return verdict(case, Steps(seen))
            except NotReached:
                failure = crashed(get_exercise(exercise_id), seen["raised"])
                if explain and (mistake := explain(case, seen["raised"])):
                    failure.mistakes = (mistake,)
                return failure

        return functools.wraps(verdict)(judge)

    return wrap
