"""What the checks run in this Python process found: each exercise's latest result.

check() records here; progress() reads it, so the notebook a student is working in
shows what its kernel knows now, not what was last saved.
"""

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    status: str  # "passing", "failing" or "not attempted"
    message: str  # the failure's first line; "" when it passed
    at: float  # when, as time.time()


RESULTS: dict[str, Result] = {}  # by exercise id, the latest check of each


def record(exercise_id: str, status: str, message: str = "") -> None:
    RESULTS[exercise_id] = Result(status, message, time.time())
