"""Stage 1, collect: find every submission and say which ones cannot be graded.

Two input layouts are understood:
- nbgrader's submitted layout: SUBMISSIONS/STUDENT/ASSIGNMENT/NOTEBOOK.ipynb
- a learning-management-system export: a folder or a zip of notebooks whose
  file names carry the student id (e.g. `jdoe_01_derivatives.ipynb`), read with
  a regular expression that has a `student` group (and optionally `assignment`).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .outcome import Status

# written by nbgrader's submit beside the notebook; nbgrader's release_feedback reads them
SUBMISSION_FILES = ("timestamp.txt", "submission_secret.txt")

DEFAULT_PATTERN = r"^(?P<student>[A-Za-z0-9.\-]+?)_"


@dataclass
class Submission:
    student: str
    assignment: str
    path: Path | None  # None: the student submitted nothing for this assignment
    problem: str | None = None  # why it cannot be run, when it cannot

    @property
    def key(self) -> str:
        return f"{self.student}/{self.assignment}"

    @property
    def status(self) -> Status | None:
        """MISSING or INVALID when there is nothing to run; None when it can be run."""
        if self.path is None:
            return Status.MISSING
        return Status.INVALID if self.problem else None


def find_submissions(source, assignments, pattern=DEFAULT_PATTERN, expected=None) -> list[Submission]:
    """Every (student, assignment) pair to grade, with missing ones included.

    `assignments` are the course's assignment names; `expected` those every
    student in the batch owes: a student without one of them gets a "missing"
    entry (default: none; only what was handed in is graded).
    """
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(f"{source} does not exist: give a folder or a .zip of submissions")
    if source.is_file() and zipfile.is_zipfile(source):
        source = _unzip(source)
    if not source.is_dir():
        raise ValueError(f"{source} is neither a folder nor a zip file of notebooks")
    found = _nbgrader_layout(source, assignments) or _lms_layout(source, assignments, pattern)
    if not found:
        raise ValueError(
            f"no submissions found in {source}: expected STUDENT/ASSIGNMENT/NOTEBOOK.ipynb "
            f"or notebook files named like 'student_{assignments[0] if assignments else 'assignment'}"
            ".ipynb' (see --pattern)"
        )
    expected = list(expected or [])
    unknown = [a for a in expected if a not in assignments]
    if unknown:
        raise ValueError(
            f"unknown assignment(s) {', '.join(unknown)}; the course has {', '.join(assignments)}"
        )
    have = {(s.student, s.assignment) for s in found}
    students = sorted({s.student for s in found})
    missing = [
        Submission(student, assignment, None, "no notebook was submitted")
        for student in students
        for assignment in expected
        if (student, assignment) not in have
    ]
    for s in found:
        s.problem = notebook_problem(s.path)
    return sorted(found + missing, key=lambda s: (s.student, s.assignment))


def spare_earlier_work(submissions: list[Submission], handed_in) -> list[Submission]:
    """The submissions without the ones missing from this batch that an earlier
    batch brought (their keys in `handed_in`): late work graded on its own never
    turns a grade already given into a zero."""
    return [s for s in submissions if not (s.status is Status.MISSING and s.key in handed_in)]


def notebook_problem(path: Path) -> str | None:
    """Why a file cannot be read as a notebook at all, or None if it can (the repair stage
    decides, and later undoes what editors do to notebooks that can be read)."""
    from .repair import Refused, read

    readable = read(path)
    return readable.message if isinstance(readable, Refused) else None


def stage(submissions, course: Path):
    """Copy each runnable submission to course/submitted/STUDENT/ASSIGNMENT/ASSIGNMENT.ipynb
    (with the submission's timestamp and secret when nbgrader's exchange wrote them)."""
    for s in submissions:
        folder = course / "submitted" / s.student / s.assignment
        if folder.exists():
            shutil.rmtree(folder)  # a re-run replaces what was there, never mixes
        if s.path is None:
            continue
        folder.mkdir(parents=True)
        shutil.copyfile(s.path, folder / f"{s.assignment}.ipynb")
        for name in SUBMISSION_FILES:  # nbgrader's submit time and secret, for `return --exchange`
            if (s.path.parent / name).is_file():
                shutil.copyfile(s.path.parent / name, folder / name)


def _nbgrader_layout(source: Path, assignments) -> list[Submission]:
    found = []
    for student in sorted(p for p in source.iterdir() if p.is_dir() and not _clutter(Path(p.name))):
        for assignment in assignments:
            notebooks = sorted(
                p for p in (student / assignment).glob("*.ipynb") if not _clutter(Path(p.name))
            )
            if notebooks:
                preferred = student / assignment / f"{assignment}.ipynb"
                path = preferred if preferred.exists() else notebooks[0]
                found.append(Submission(student.name, assignment, path))
    return found


def _lms_layout(source: Path, assignments, pattern) -> list[Submission]:
    regex = re.compile(pattern)
    if "student" not in regex.groupindex:
        raise ValueError(f"--pattern {pattern!r} needs a named group (?P<student>...)")
    found, seen = [], set()
    for path in sorted(p for p in source.rglob("*.ipynb") if not _clutter(p.relative_to(source))):
        match = regex.search(path.name)
        if not match:
            continue
        assignment = match.groupdict().get("assignment") or next(
            (a for a in sorted(assignments, key=len, reverse=True) if a in path.name), None
        )
        if assignment not in assignments:
            continue
        key = (match.group("student"), assignment)
        if key not in seen:  # the first file wins; LMS exports sort by time
            seen.add(key)
            found.append(Submission(key[0], assignment, path))
    return found


def _clutter(relative: Path) -> bool:
    """Files no student handed in: Jupyter's checkpoints, hidden files, and the
    resource forks macOS puts in zip archives (__MACOSX/._name.ipynb)."""
    return any(part.startswith(".") or part == "__MACOSX" for part in relative.parts)


def _unzip(archive: Path) -> Path:
    target = Path(tempfile.mkdtemp(prefix="submissions-"))
    with zipfile.ZipFile(archive) as zf:
        for member in zf.infolist():
            name = Path(member.filename)
            if member.is_dir() or name.is_absolute() or ".." in name.parts:
                continue  # never write outside the target folder
            out = target / name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(zf.read(member))
    return target
