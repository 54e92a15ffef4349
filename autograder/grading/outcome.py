"""The contract between the stages: what became of each submission.

collect finds the submissions (some MISSING or INVALID before anything runs),
execute runs the others (GRADED, or CRASHED, TIMED_OUT, NBGRADER_ERROR,
INTERNAL_ERROR), score records each as an `Outcome` in the class gradebook and
in results.json, and report reads the outcomes back as the same types.

While a run goes on, each outcome is appended to results.journal as it is
recorded (a line saying a submission is being recorded, then its outcome), and
results.json is rewritten from both at the end: an interrupted run loses at
most the submission it was recording, which counts as not recorded.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from ..cells import GradedCell

RESULTS = "results.json"
JOURNAL = "results.journal"


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
    digest: str | None = None  # what was graded: the notebook handed in, the release, the limits

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
            "digest": self.digest,
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
            digest=data.get("digest"),
        )


def results_path(course: Path) -> Path:
    return Path(course) / RESULTS


def load_outcomes(course: Path) -> dict[str, Outcome]:
    """The outcomes saved in a grading folder, by "student/assignment" (none when it
    has not graded anything yet), with what an unfinished run recorded."""
    path = results_path(course)
    outcomes = {}
    if path.exists():
        outcomes = {key: Outcome.from_json(value) for key, value in json.loads(path.read_text()).items()}
    journal = Path(course) / JOURNAL
    if journal.exists():
        for line in journal.read_text().splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                break  # the last line, cut short when the run was stopped
            if "recording" in entry:  # superseded; what replaces it follows, unless the run stopped
                outcomes.pop(entry["recording"], None)
            else:
                outcome = Outcome.from_json(entry["outcome"])
                outcomes[outcome.key] = outcome
    return outcomes


def save_outcomes(course: Path, outcomes: dict[str, Outcome]) -> None:
    data = {key: outcomes[key].to_json() for key in sorted(outcomes)}
    path = results_path(course)
    scratch = path.with_suffix(".json.partial")
    scratch.write_text(json.dumps(data, indent=1, sort_keys=True))
    scratch.replace(path)  # never a half-written file if the run is interrupted
    (Path(course) / JOURNAL).unlink(missing_ok=True)  # all of it is in results.json now


class Journal:
    """results.journal of a grading folder, appended to as a run records submissions:
    `recording(key)` before a submission's gradebook rows and files are replaced, `done(outcome)`
    after. Each line reaches the disk before the work it announces or concludes goes on."""

    def __init__(self, course: Path):
        self.file = open(Path(course) / JOURNAL, "a")

    def recording(self, key: str) -> None:
        self._write({"recording": key})

    def done(self, outcome: Outcome) -> None:
        self._write({"outcome": outcome.to_json()})

    def _write(self, entry: dict) -> None:
        self.file.write(json.dumps(entry, sort_keys=True) + "\n")
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self) -> None:
        self.file.close()
