"""Checks for the course notebooks, and the instructor's command line."""

from .core import EXERCISES, CheckFailed, NotAttempted, all_exercises, check, get_exercise, hint
from .progress import progress

__all__ = [
    "check",
    "hint",
    "CheckFailed",
    "NotAttempted",
    "EXERCISES",
    "get_exercise",
    "all_exercises",
    "progress",
]
