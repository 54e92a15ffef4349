"""Stage 1, collect: find every submission and say which ones cannot be graded.

Two input layouts are understood:
- nbgrader's submitted layout: SUBMISSIONS/STUDENT/ASSIGNMENT/NOTEBOOK.ipynb
- a learning-management-system export: a folder or a zip of notebooks whose
  file names carry the student id (e.g. `jdoe_01_derivatives.ipynb`), read with
  a regular expression that has a `student` group (and optionally `assignment`).
  `LMS_PATTERNS` are those of the "download all submissions" archives of Canvas,
  Moodle and Blackboard; their other groups (name, submission, attempt, ...) are
  kept on the Submission so that `export --lms` can write ids the LMS knows.
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

# Matched against the file's path inside the download (folders joined by "/").
# Canvas: lastfirst_[LATE_]userid_attachmentid_original.ipynb (attachmentid: the
#   submitted file's id, which Canvas's re-upload checks), where the original
#   name gets "-1", "-2" when the student uploaded a file of that name again.
# Moodle: "Full Name_12345_assignsubmission_file_/original.ipynb" (download in
#   folders, the default since 3.1; 4.1 and later drop the last "_") or the older
#   flat "Full Name_12345_assignsubmission_file_original.ipynb"; 12345 is the
#   participant id (the blind-marking id when marking is anonymous).
# Blackboard: Assignment_username_attempt_YYYY-MM-DD-HH-MM-SS_original.ipynb, with
#   a receipt Assignment_username_attempt_DATE.txt beside each attempt.
LMS_PATTERNS = {
    "canvas": r"(?:^|/)(?P<prefix>(?P<name>[^_/]+)_(?P<late>LATE_|late_)?(?P<student>\d+)_(?P<attachment>\d+)_)"
    r"(?P<file>[^/]*?)(?:-(?P<reupload>\d+))?\.ipynb$",
    "moodle": r"(?:^|/)(?P<prefix>(?P<name>[^/]+?)_(?P<student>\d+)_assignsubmission_file_?)/?(?P<file>.*)\.ipynb$",
    "blackboard": r"(?:^|/)(?P<prefix>(?P<item>[^/]+)_(?P<student>[^_/]+)_attempt_(?P<attempt>\d{4}(?:-\d\d){5})_?)"
    r"(?P<file>[^/]*)\.ipynb$",
}


@dataclass
class Submission:
    student: str
    assignment: str
    path: Path | None  # None: the student submitted nothing for this assignment
    problem: str | None = None  # why it cannot be run, when it cannot
    lms: dict | None = None  # what the LMS's file name said (name, prefix, ids), for `export --lms`

    @property
    def key(self) -> str:
        return f"{self.student}/{self.assignment}"

    @property
    def status(self) -> Status | None:
        """MISSING or INVALID when there is nothing to run; None when it can be run."""
        if self.path is None:
            return Status.MISSING
        return Status.INVALID if self.problem else None


def find_submissions(
    source, assignments, pattern=DEFAULT_PATTERN, expected=None, lms=None, notices=None
) -> list[Submission]:
    """Every (student, assignment) pair to grade, with missing ones included.

    `assignments` are the course's assignment names; `expected` those every
    student in the batch owes: a student without one of them gets a "missing"
    entry (default: none; only what was handed in is graded). `lms` names the
    LMS whose download this is (a key of LMS_PATTERNS, instead of `pattern`);
    `notices`, a list, receives a sentence for each file set aside or chosen
    among several (an earlier attempt, a notebook of no assignment).
    """
    if lms is not None:
        if lms not in LMS_PATTERNS:
            raise ValueError(f"unknown LMS {lms!r}: use one of {', '.join(LMS_PATTERNS)}")
        pattern = LMS_PATTERNS[lms]
    notices = [] if notices is None else notices
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(f"{source} does not exist: give a folder or a .zip of submissions")
    if source.is_file() and zipfile.is_zipfile(source):
        source = _unzip(source)
    if not source.is_dir():
        raise ValueError(f"{source} is neither a folder nor a zip file of notebooks")
    found = (None if lms else _nbgrader_layout(source, assignments)) or _lms_layout(
        source, assignments, pattern, lms is not None, expected, notices
    )
    if not found:
        if lms:
            raise ValueError(f"no {lms} submissions found in {source}: {LMS_HINTS[lms]}")
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


LMS_HINTS = {
    "canvas": "expected notebooks named like 'lastfirst_12345_678901_01_derivatives.ipynb' "
    "(Canvas's Download Submissions zip)",
    "moodle": "expected folders named like 'Full Name_12345_assignsubmission_file_' "
    "(Moodle's Download all submissions zip)",
    "blackboard": "expected notebooks named like 'Assignment_jdoe_attempt_2026-01-31-23-59-59_file.ipynb' "
    "(Blackboard's Download Assignment zip)",
}


def _lms_layout(source: Path, assignments, pattern, by_path, expected, notices) -> list[Submission]:
    regex = re.compile(pattern)
    if "student" not in regex.groupindex:
        raise ValueError(f"--pattern {pattern!r} needs a named group (?P<student>...)")
    candidates: dict[tuple[str, str], list[tuple[tuple, Path, dict]]] = {}
    for n, path in enumerate(
        sorted(p for p in source.rglob("*.ipynb") if not _clutter(p.relative_to(source)))
    ):
        relative = path.relative_to(source).as_posix()
        match = regex.search(relative if by_path else path.name)
        if not match:
            if by_path:
                notices.append(f"{relative}: not named as the LMS names submissions, so set aside")
            continue
        groups = {k: v for k, v in match.groupdict().items() if v is not None}
        assignment = groups.get("assignment") or _assignment_of(
            path, relative, assignments, expected, notices
        )
        if assignment not in assignments:
            continue
        if by_path and expected and assignment not in expected:
            notices.append(f"{relative}: is the notebook of {assignment}, so it is graded as {assignment}")
        # the first file wins unless the LMS numbers attempts: then the latest one does
        order = (groups.get("attempt", ""), int(groups.get("reupload", 0)), -n)
        candidates.setdefault((match.group("student"), assignment), []).append((order, path, groups))
    found = []
    for (student, assignment), files in candidates.items():
        files.sort(key=lambda f: f[0], reverse=True)
        _, path, groups = files[0]
        if len(files) > 1:
            earlier = ", ".join(f[1].relative_to(source).as_posix() for f in files[1:])
            which = "the latest of" if "attempt" in groups or "reupload" in groups else "the first of"
            notices.append(
                f"{student}/{assignment}: graded {which} {len(files)} attempts, "
                f"{path.relative_to(source).as_posix()} (not {earlier})"
            )
        lms = {k: v for k, v in groups.items() if k not in ("student", "assignment")} if by_path else None
        found.append(Submission(student, assignment, path, lms=lms))
    return found


def _assignment_of(path: Path, relative: str, assignments, expected, notices) -> str | None:
    """The assignment a file name names, or else the one whose released cells the
    notebook holds; a notebook that holds none is set aside, and said."""
    named = next((a for a in sorted(assignments, key=len, reverse=True) if a in path.name), None)
    if named:
        return named
    from .repair import RECOGNISED, Refused, identify, read, releases, share_found

    readable = read(path)
    if isinstance(readable, Refused):
        if expected and len(expected) == 1:
            return expected[0]  # the batch is of one assignment: graded zero with the reason
        notices.append(
            f"{relative}: cannot be read ({readable.message}) and its name names no assignment, "
            "so it is not graded: pass --assignment NAME to grade it (zero, with the reason) as NAME"
        )
        return None
    cells = readable[0]["cells"]
    shares = {
        name: share_found(identify(cells, r), r) for name, r in releases().items() if name in assignments
    }
    best = max(shares, key=shares.get, default=None)
    if best is not None and shares[best] >= RECOGNISED:
        return best
    notices.append(
        f"{relative}: holds the cells of no assignment of the course, so it is not graded "
        "(rename it to contain the assignment, e.g. 01_derivatives, to grade it anyway)"
    )
    return None


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
