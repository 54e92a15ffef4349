"""`micrograd-course grade`: the stages composed: prepare, collect, execute, score, export."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

from sqlalchemy.exc import SAWarning

from . import sandbox
from .collect import DEFAULT_PATTERN, find_submissions, stage
from .execute import Settings, run_all
from .prepare import prepare
from .release import ROOT, put_scripts_on_path
from .score import load_results, record_graded, record_zero, save_results

UNSANDBOXED_WARNING = (
    "WARNING: student code runs UNSANDBOXED (bubblewrap is not installed, or cannot run here):\n"
    "it can read and write anything this user can, including the gradebook. Install it\n"
    "(sudo apt-get install bubblewrap) or grade inside a disposable container."
)


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
    root: Path = ROOT,
) -> dict:
    """Grade every submission into the folder `out`; returns the results per submission."""
    course = Path(out).resolve()
    course.mkdir(parents=True, exist_ok=True)
    put_scripts_on_path()
    # nbgrader's own queries trip SQLAlchemy's autoflush warnings; they say nothing to an instructor
    warnings.filterwarnings("ignore", category=SAWarning)
    hidden = (course, root / "solutions")
    if sandboxed is None:
        sandboxed = sandbox.bwrap_works()
    if sandboxed:
        problem = sandbox.kernel_problem(hidden, memory_mb, sandboxed=True)
        if problem:
            print(f"The sandboxed grading kernel does not start here: {problem}", file=sys.stderr)
            sandboxed = False
    if not sandboxed:
        print(UNSANDBOXED_WARNING, file=sys.stderr)
        problem = sandbox.kernel_problem(hidden, memory_mb, sandboxed=False)
        if problem:
            raise RuntimeError(f"no grading kernel starts on this machine, so nothing was graded: {problem}")
    assignments = prepare(course, timeout, root)
    found = find_submissions(submissions, assignments, pattern, expected)
    stage(found, course)

    results = load_results(course)
    for s in found:
        if s.path is None:
            results[s.key] = record_zero(course, s.student, s.assignment, "missing", s.problem)
        elif s.problem:
            results[s.key] = record_zero(course, s.student, s.assignment, "broken", s.problem)
    runnable = [(s.student, s.assignment) for s in found if s.path is not None and not s.problem]

    bar = _progress(len(runnable), progress)

    def on_done(result):
        if result.ok:
            results[result.key] = record_graded(course, result)
        else:
            results[result.key] = record_zero(
                course, result.student, result.assignment, "crashed", result.reason
            )
        results[result.key]["sandboxed"] = sandboxed
        save_results(course, results)
        bar.set_postfix_str(result.key)
        bar.update()

    settings = Settings(
        timeout=timeout, memory_mb=memory_mb, sandboxed=sandboxed, hidden=(root / "solutions",)
    )
    run_all(course, runnable, settings, jobs or os.cpu_count() or 1, on_done)
    bar.close()
    save_results(course, results)
    export(course)
    return results


def export(course: Path) -> Path:
    """grades.csv through nbgrader's own CSV exporter (its columns, its numbers)."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    target = course / "grades.csv"
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        CsvExportPlugin(to=str(target)).export(gb)
    return target


def score_table(results: dict) -> str:
    """Students down, assignments across, 'score/max' or a short status."""
    students = sorted({r["student"] for r in results.values()})
    assignments = sorted({r["assignment"] for r in results.values()})
    width = max([7, *map(len, students)])
    cols = [max(9, len(a)) for a in assignments]
    lines = [f"{'student':<{width}}  " + "  ".join(f"{a:>{w}}" for a, w in zip(assignments, cols))]
    for student in students:
        cells = []
        for a, w in zip(assignments, cols):
            r = results.get(f"{student}/{a}")
            if r is None:
                text = "-"
            elif r["status"] == "graded":
                text = f"{r['score']:g}/{r['max_score']:g}"
            else:
                text = f"0 ({r['status']})"
            cells.append(f"{text:>{w}}")
        lines.append(f"{student:<{width}}  " + "  ".join(cells))
    return "\n".join(lines)


def _progress(total, enabled):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="grading", unit="notebook", disable=not enabled)
