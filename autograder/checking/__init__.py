"""What runs in a student's notebook: the exercises, the check toolkit, check, hint, progress."""

from .exercise import all_exercises, exercises_in, get_exercise
from .kit.failure import CheckFailed, NotAttempted
from .methods import add_method
from .progress import progress
from .runner import check, hint

__all__ = [
    "check",
    "hint",
    "progress",
    "add_method",
    "CheckFailed",
    "NotAttempted",
    "get_exercise",
    "all_exercises",
    "exercises_in",
]
