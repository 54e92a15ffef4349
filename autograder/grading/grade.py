"""`micrograd-course grade`: the stages wired together, nothing more.

prepare (the grading folder) -> collect (the submissions; missing and invalid
ones scored zero at once) -> repair (what editors did to a notebook) -> execute (the rest, in parallel, sandboxed) ->
score (each outcome into the gradebook as it arrives) -> export (grades.csv).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..layout import assignments
from . import sandbox
from .collect import DEFAULT_PATTERN, find_submissions, spare_earlier_work, stage
from .execute import Settings, run_all
from .export import export, save_lms_ids
from .outcome import Outcome, Status, load_outcomes, save_outcomes
from .prepare import prepare, view_of
from .release import put_scripts_on_path
from .repair import Refused, repair_staged
from .score import record, record_zero


def grade(
    submissions,
    out,
    jobs: int | None = None,
    timeout: int = 30,
    memory_mb: int = 2048,
    pattern: str = DEFAULT_PATTERN,
    expected=None,
    sandboxed: bool | None = None,
    progress: bool = True,
    lms: str | None = None,
    notices: list | None = None,
) -> dict[str, Outcome]:
    """Grade every submission into the folder `out`; returns every outcome the
    folder holds (this run's and earlier ones), by "student/assignment".
    `lms` reads that LMS's download (see collect.LMS_PATTERNS); `notices`, a
    list, receives what collecting set aside or chose."""
    # bad input fails first
    found = find_submissions(submissions, assignments(), pattern, expected, lms, notices)
    course = Path(out).resolve()
    outcomes = load_outcomes(course)
    found = spare_earlier_work(found, {k for k, o in outcomes.items() if o.status is not Status.MISSING})
    course.mkdir(parents=True, exist_ok=True)
    put_scripts_on_path()
    names = prepare(course, timeout)
    sandboxed = sandbox.choose(view_of(course, names[0]), sandbox.Limits(memory_mb=memory_mb), sandboxed)
    stage(found, course)
    if lms:
        save_lms_ids(course, lms, found)
    for s in found:  # what editors and students do to notebooks, undone (and said) before grading
        if s.status is None and isinstance(
            refused := repair_staged(course, s.student, s.assignment), Refused
        ):
            s.problem = refused.message

    for s in found:
        if s.status is not None:
            outcomes[s.key] = record_zero(course, s.student, s.assignment, s.status, s.problem)
    save_outcomes(course, outcomes)
    runnable = [(s.student, s.assignment) for s in found if s.status is None]
    bar = _progress(len(runnable), progress)

    def on_done(execution):
        outcome = record(course, execution)
        outcomes[outcome.key] = outcome
        save_outcomes(course, outcomes)
        bar.set_postfix_str(outcome.key)
        bar.update()

    settings = Settings(timeout=timeout, memory_mb=memory_mb, sandboxed=sandboxed)
    run_all(course, runnable, settings, jobs or os.cpu_count() or 1, on_done)
    bar.close()
    export(course)
    return outcomes


def _progress(total, enabled):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="grading", unit="notebook", disable=not enabled)
