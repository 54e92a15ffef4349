"""The contract between the stages: what became of each submission.

collect finds the submissions (some MISSING or INVALID before anything runs),
execute runs the others (GRADED, or CRASHED, TIMED_OUT, NBGRADER_ERROR,
INTERNAL_ERROR), score records each as an `Outcome` in the class gradebook and
in results.json, and report reads the outcomes back as the same types.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from ..cells import GradedCell

RESULTS = "results.json"


class Status(Enum):
    GRADED = "graded"  # nbgrader ran the notebook to the end and scored it
    MISSING = "missing"  # owed (--assignment) but never handed in
    INVALID = "invalid"  # handed in, but not a notebook: empty, not JSON, not nbformat 4
    CRASHED = "crashed"  # the kernel or the grader died while running it
    TIMED_OUT = "timed out"  # the whole notebook took longer than its bound and was stopped
    NBGRADER_ERROR = "nbgrader error"  # nbgrader reported an error and graded nothing
    INTERNAL_ERROR = "internal error"  # this pipeline failed: not the student's doing

    @classmethod
    def _missing_(cls, value):
        return cls.INVALID if value == "broken" else None  # the name results.json used before


@dataclass(frozen=True)
class Outcome:
    student: str
    assignment: str
    status: Status
    score: float
    max_score: float
    reason: str | None = None  # why it was not graded, a sentence the student can act on
    cells: tuple[GradedCell, ...] = ()  # each graded cell, as the autograded notebook shows it
    seconds: float = 0.0
    sandboxed: bool | None = None  # None: it never ran (missing or invalid)

    @property
    def key(self) -> str:
        return f"{self.student}/{self.assignment}"

    @property
    def failed_cells(self) -> tuple[GradedCell, ...]:
        return tuple(c for c in self.cells if not c.passed)

    def to_json(self) -> dict:
        return {
            "student": self.student,
            "assignment": self.assignment,
            "status": self.status.value,
            "score": self.score,
            "max_score": self.max_score,
            "reason": self.reason,
            "cells": [c.to_json() for c in self.cells],
            "seconds": round(self.seconds, 2),
            "sandboxed": self.sandboxed,
        }

    @classmethod
    def from_json(cls, data: dict) -> Outcome:
        return cls(
            student=data["student"],
            assignment=data["assignment"],
            status=Status(data["status"]),
            score=float(data["score"]),
            max_score=float(data["max_score"]),
            reason=data.get("reason"),
            cells=tuple(GradedCell.from_json(c) for c in data.get("cells", [])),
            seconds=float(data.get("seconds", 0.0)),
            sandboxed=data.get("sandboxed"),
        )


def results_path(course: Path) -> Path:
    return Path(course) / RESULTS


def load_outcomes(course: Path) -> dict[str, Outcome]:
    """The outcomes saved in a grading folder, by "student/assignment" (none when it
    has not graded anything yet)."""
    path = results_path(course)
    if not path.exists():
        return {}
    return {key: Outcome.from_json(value) for key, value in json.loads(path.read_text()).items()}


def save_outcomes(course: Path, outcomes: dict[str, Outcome]) -> None:
    data = {key: outcomes[key].to_json() for key in sorted(outcomes)}
    path = results_path(course)
    scratch = path.with_suffix(".json.partial")
    scratch.write_text(json.dumps(data, indent=1, sort_keys=True))
    scratch.replace(path)  # never a half-written file if the run is interrupted
