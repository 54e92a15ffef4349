"""What happened in each graded cell of an executed notebook.

One reader for everyone who asks: the student's progress table, the notebook
tests and the grading pipeline. A graded cell (nbgrader metadata `grade: true`)
passed when it has no error output, which is nbgrader's own rule for code
cells. When a check failed it also published an invisible output (MIME type
`FAILURE_MIME`) naming the exercise and the mistakes it recognised; those are
read here, so nobody has to parse messages for them. In a student's own kernel a
failing check shows its failure without raising (the run goes on): that record,
with its message and no error, is a failed cell too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .checking.runner import FAILURE_MIME

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class NamedMistake:
    """A mistake a failing check recognised: its stable key and the message it gave."""

    key: str
    message: str


@dataclass(frozen=True)
class GradedCell:
    grade_id: str
    points: float
    error_name: str | None = None  # the exception's class name; None when the cell passed
    error_message: str = ""  # its message, without terminal colours
    exercise: str | None = None  # the exercise id the failing check named, if it named one
    mistakes: tuple[NamedMistake, ...] = ()

    @property
    def passed(self) -> bool:
        return self.error_name is None

    @property
    def error(self) -> str | None:
        """'Name: message', or None when the cell passed."""
        return None if self.passed else f"{self.error_name}: {self.error_message}"

    @property
    def first_line(self) -> str:
        """The first line of the error message (the error's name when it has none)."""
        lines = [line for line in self.error_message.strip().splitlines() if line.strip()]
        return lines[0].strip() if lines else (self.error_name or "")

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(m.key for m in self.mistakes)

    def to_json(self) -> dict:
        return {
            "grade_id": self.grade_id,
            "points": self.points,
            "error_name": self.error_name,
            "error_message": self.error_message,
            "exercise": self.exercise,
            "mistakes": [{"key": m.key, "message": m.message} for m in self.mistakes],
        }

    @classmethod
    def from_json(cls, data: dict) -> GradedCell:
        return cls(
            grade_id=data["grade_id"],
            points=float(data["points"]),
            error_name=data["error_name"],
            error_message=data["error_message"],
            exercise=data["exercise"],
            mistakes=tuple(NamedMistake(m["key"], m["message"]) for m in data["mistakes"]),
        )


def graded_cells(nb) -> list[GradedCell]:
    """Every graded code cell of a notebook (a NotebookNode or its plain JSON dict),
    in notebook order, with what its outputs say happened."""
    found = []
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or not meta.get("grade"):
            continue
        outputs = cell.get("outputs", [])
        errors = [o for o in outputs if o.get("output_type") == "error"]
        published = [o["data"][FAILURE_MIME] for o in outputs if FAILURE_MIME in o.get("data", {})]
        error = errors[0] if errors else None
        failure = published[0] if published and error else {}  # a check raises right after it publishes
        if published and not error and "message" in published[0]:
            # in a student's own kernel a failing check shows its failure and returns
            failure = published[0]
            error = {"ename": failure.get("error_name", "CheckFailed"), "evalue": failure["message"]}
        found.append(
            GradedCell(
                grade_id=meta["grade_id"],
                points=float(meta.get("points", 0)),
                error_name=error.get("ename", "Error") if error else None,
                error_message=ANSI.sub("", error.get("evalue", "")) if error else "",
                exercise=failure.get("exercise"),
                mistakes=_mistakes(failure),
            )
        )
    return found


def read_graded_cells(path: Path) -> list[GradedCell]:
    """graded_cells() of the notebook file at `path`."""
    import nbformat

    return graded_cells(nbformat.read(path, as_version=4))


def _mistakes(failure: dict) -> tuple[NamedMistake, ...]:
    named = failure.get("mistakes")
    if named is not None:
        return tuple(NamedMistake(m["key"], m.get("message", "")) for m in named)
    return tuple(NamedMistake(key, "") for key in failure.get("keys", []))  # keys without messages
