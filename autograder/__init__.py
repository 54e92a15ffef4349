"""The course's checks (what runs in a student's notebook) and its grading pipeline.

`autograder.checking` is the student's side: exercise declarations, the check
toolkit, `check`, `hint`, `progress`, `validate`. `autograder.grading` is the
instructor's side: collect, prepare, execute, score, export, report.
"""

from . import checking
from .checking import *  # noqa: F403 (its public names, listed once in its __all__)

__all__ = list(checking.__all__)
