"""Each exercise is declared once; the self-check, the hidden test, the points, the
hints and the report's mistake names all come from its declaration."""

import importlib
import pkgutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from .kit.failure import Mistakes


@dataclass(frozen=True)
class Exercise:
    """An exercise: who it is, what it checks, and its three parts.

    cases(rng, hidden) -> [case]: the inputs, plain data, the worked numbers first.
    probe(student, case) -> observation: runs the student's code on one case and
        records what it did (plain data); it knows no right answer.
    verdict(case, observation) -> Failure | None: pure; the truth from the
        reference engine and finite differences, the mistake from `mistakes`.
    """

    id: str
    title: str
    points: float
    hints: tuple[str, ...]
    objects: tuple[str, ...]  # the student's objects, as named in the notebook and passed to check()
    cases: Callable
    probe: Callable
    verdict: Callable
    mistakes: Mistakes = field(default_factory=lambda: Mistakes({}))
    optional: tuple[str, ...] = ()  # further objects check() may be given (default None)
    supersedes: tuple[
        str, ...
    ] = ()  # reference modules this exercise asks for: a grading kernel goes without
    isolation: tuple[str, ...] = ()  # isolation modules its probe uses: sent in its hidden cell only

    @property
    def notebook(self) -> str:
        return self.id.split(".")[0]

    @property
    def grade_id(self) -> str:
        """The nbgrader grade_id of the exercise's graded cell: 03.manual -> 03_manual_test."""
        return self.id.replace(".", "_") + "_test"

    def bind(self, objects) -> SimpleNamespace:
        """The student's objects by name, as the probe sees them."""
        names = self.objects + self.optional
        if not len(self.objects) <= len(objects) <= len(names):
            raise TypeError(
                f"check({self.id!r}, ...) takes {', '.join(self.objects)}"
                + (f" (and optionally {', '.join(self.optional)})" if self.optional else "")
                + f"; it was given {len(objects)} object(s)"
            )
        return SimpleNamespace(**{**dict.fromkeys(names), **dict(zip(names, objects))})

    def cell_source(self, released=False) -> str:
        """The graded cell: the visible self-check, then (in the source) the hidden test."""
        call = f"check({self.id!r}, {', '.join(self.objects)}".replace("'", '"')
        if released:  # what students get: nbgrader removes the hidden part
            return f"{call})"
        return f"{call})\n### BEGIN HIDDEN TESTS\n{call}, hidden=True)\n### END HIDDEN TESTS"


EXERCISES: dict[str, Exercise] = {}
FACT_FIELDS = {"title", "points", "hints", "objects", "optional", "supersedes", "isolation"}


class Declarations:
    """The exercises of one notebook. Their facts (title, points, hints, the student's
    objects) are data in the .toml file beside the module, editable without Python;
    the module declares each one's functions: `declare(id, cases, probe, verdict)`."""

    def __init__(self, module_file: str, mistakes: Mistakes | None = None):
        path = Path(module_file).with_suffix(".toml")
        self.mistakes = mistakes or Mistakes({})
        self.source, self.facts = path.name, tomllib.loads(path.read_text(encoding="utf-8"))
        for id, facts in self.facts.items():
            if set(facts) - FACT_FIELDS or not {"title", "points", "hints", "objects"} <= set(facts):
                raise ValueError(
                    f"{self.source}: [{id!r}] needs title, points, hints, objects (and only {FACT_FIELDS})"
                )
            if not 1 <= len(facts["hints"]) <= 3:
                raise ValueError(f"{self.source}: exercise {id!r} needs one to three hints")

    def __call__(self, id, cases, probe, verdict) -> Exercise:
        if id in EXERCISES:
            raise ValueError(f"exercise {id!r} is declared twice")
        if id not in self.facts:
            raise ValueError(f"exercise {id!r} has no [{id!r}] table in {self.source}")
        facts = {k: tuple(v) if isinstance(v, list) else v for k, v in self.facts[id].items()}
        ex = Exercise(id=id, cases=cases, probe=probe, verdict=verdict, mistakes=self.mistakes, **facts)
        EXERCISES[id] = ex
        return ex

    def missing(self) -> list[str]:
        return [id for id in self.facts if id not in EXERCISES]


def all_exercises() -> dict[str, Exercise]:
    """Every declared exercise, by id, in course order."""
    _load()
    return dict(sorted(EXERCISES.items()))


def get_exercise(exercise_id) -> Exercise:
    _load()
    if exercise_id not in EXERCISES:
        known = ", ".join(sorted(EXERCISES))
        raise KeyError(f"no exercise called {exercise_id!r}; the exercises are: {known}")
    return EXERCISES[exercise_id]


def exercises_in(notebook) -> list[Exercise]:
    """The exercises of one notebook ("03_backprop", its path, or "03"), in declaration order."""
    prefix = str(notebook).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1][:2] + "."
    _load()
    return [ex for ex in EXERCISES.values() if ex.id.startswith(prefix)]


def _load():
    # importing the per-notebook declaration modules registers their exercises
    from . import exercises

    for info in pkgutil.iter_modules(exercises.__path__):
        module = importlib.import_module(f"{exercises.__name__}.{info.name}")
        declared = getattr(module, "declare", None)
        if isinstance(declared, Declarations) and declared.missing():
            raise ValueError(
                f"{declared.source} lists {declared.missing()}, which {info.name}.py never declares"
            )
