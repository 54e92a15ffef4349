"""A long-lived grading process: nbgrader is imported once, then runs job after job.

Importing nbgrader takes several seconds (it pulls in the Jupyter server), more
than grading a notebook does, so each worker pays it once. The parent sends one
JSON job per line on stdin and reads one JSON result per line on stdout; the
worker itself never runs student code (that happens in the sandboxed kernel). It
keeps the next notebook's kernel warm (kernels.py) while it grades the current one.

    python -m autograder.grading.worker
"""

from __future__ import annotations

import json
import os
import sys
import traceback


def grade_in_folder(folder: str, runtime: str, assignment: str, student: str) -> dict:
    """nbgrader autograde and its feedback page for one submission, in its own course folder."""
    from pathlib import Path

    from . import feedback
    from .prepare import nbgrader_api

    os.environ["JUPYTER_RUNTIME_DIR"] = runtime
    api = nbgrader_api(Path(folder))
    graded = api.autograde(assignment, student, force=True, create=True)
    log = graded.get("log", "") + graded.get("error", "")
    if not graded["success"]:
        return {"ok": False, "log": log}
    feedback.render(Path(folder), student, assignment)  # from the notebook just graded
    return {"ok": True, "log": log}


def validate_without_checking_the_schema() -> None:
    """nbgrader validates each cell's metadata with jsonschema.validate, which first checks
    the schema itself (nbgrader's own, the same every time): a third of a second a notebook.
    Here the cell is validated as before, and the fixed schema is not checked again."""
    from types import SimpleNamespace

    import jsonschema
    from nbgrader.nbgraderformat import common

    def validate(instance, schema):
        validator = jsonschema.validators.validator_for(schema)(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error

    common.jsonschema = SimpleNamespace(validate=validate)


def gradebooks_without_waiting_for_the_disk() -> None:
    """The gradebook a job writes is its own throwaway copy: the class gradebook is written
    by the driver, from what the job hands back, and a job that dies is graded again. So
    its commits (about 35 a notebook) need not each wait for the disk to confirm, nor keep
    a journal file on it."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def in_memory_journal(connection, record):
        if type(connection).__module__ == "sqlite3":
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute("PRAGMA journal_mode = MEMORY")


def main():
    # results go to the original stdout; everything else, including what kernels
    # started from here print, goes to stderr so it can never mix with them
    results = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    from .guarded import GuardedExecute
    from .kernels import Kernels

    validate_without_checking_the_schema()
    gradebooks_without_waiting_for_the_disk()
    GuardedExecute.kernels = Kernels()  # the next notebook's kernel starts while this one runs
    try:
        for line in sys.stdin:
            job = json.loads(line)
            try:
                result = grade_in_folder(**job)
            except Exception:
                result = {"ok": False, "log": traceback.format_exc()}
            results.write(json.dumps(result) + "\n")
            results.flush()
    finally:
        GuardedExecute.kernels.close()


if __name__ == "__main__":
    main()
