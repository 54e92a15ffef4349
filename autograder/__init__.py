"""The course's checks (what runs in a student's notebook) and its grading pipeline.

`autograder.checking` is the student's side: exercise declarations, the check
toolkit, `check`, `hint`, `progress`, `validate`. `autograder.grading` is the
instructor's side: collect, prepare, execute, score, export, report.
"""

from .checking import (
    CheckFailed,
    NotAttempted,
    all_exercises,
    check,
    exercises_in,
    get_exercise,
    hint,
    progress,
)

__all__ = [
    "check",
    "hint",
    "progress",
    "CheckFailed",
    "NotAttempted",
    "get_exercise",
    "all_exercises",
    "exercises_in",
]
