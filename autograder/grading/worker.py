"""A long-lived grading process: nbgrader is imported once, then runs job after job.

Importing nbgrader takes several seconds (it pulls in the Jupyter server), more
than grading a notebook does, so each worker pays it once. The parent sends one
JSON job per line on stdin and reads one JSON result per line on stdout; the
worker itself never runs student code (that happens in the sandboxed kernel).

    python -m autograder.grading.worker
"""

from __future__ import annotations

import json
import os
import sys
import traceback


def grade_in_folder(folder: str, runtime: str, assignment: str, student: str) -> dict:
    """nbgrader autograde + generate_feedback for one submission, in its own course folder."""
    from pathlib import Path

    from .prepare import nbgrader_api

    os.environ["JUPYTER_PATH"] = os.path.join(folder, "jupyter")
    os.environ["JUPYTER_RUNTIME_DIR"] = runtime
    api = nbgrader_api(Path(folder))
    graded = api.autograde(assignment, student, force=True, create=True)
    log = graded.get("log", "") + graded.get("error", "")
    if not graded["success"]:
        return {"ok": False, "log": log}
    feedback = api.generate_feedback(assignment, student, force=True)
    log += feedback.get("log", "") + feedback.get("error", "")
    return {"ok": feedback["success"], "log": log}


def main():
    # results go to the original stdout; everything else, including what kernels
    # started from here print, goes to stderr so it can never mix with them
    results = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    for line in sys.stdin:
        job = json.loads(line)
        try:
            result = grade_in_folder(**job)
        except Exception:
            result = {"ok": False, "log": traceback.format_exc()}
        results.write(json.dumps(result) + "\n")
        results.flush()


if __name__ == "__main__":
    main()
