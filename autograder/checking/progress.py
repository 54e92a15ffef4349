"""A student's progress over every notebook: not attempted, failing or passing.

micrograd-course progress [FOLDER]      (default: notebooks/)
from autograder import progress; progress()
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..cells import graded_cells
from ..layout import ROOT
from .exercise import exercises_in, get_exercise

STUB = "raise NotImplementedError()"


@dataclass
class Row:
    notebook: str
    exercise: str
    title: str
    points: float
    status: str  # "not attempted", "failing", "passing"
    message: str = ""


def graded_exercises(nb, name) -> list[tuple[str, object]]:
    """(exercise id, graded cell) in notebook order, for the exercises declared for it."""
    declared = {ex.grade_id: ex.id for ex in exercises_in(name)}
    return [
        (declared[cell.metadata.nbgrader.grade_id], cell)
        for cell in nb.cells
        if cell.metadata.get("nbgrader", {}).get("grade_id") in declared
    ]


def untouched(nb) -> bool:
    answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    return all(STUB in c.source for c in answers)


def notebook_progress(path: Path, timeout: int = 60) -> list[Row]:
    """Run one notebook from the top in a fresh kernel and read its graded cells."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    name = path.stem
    if not untouched(nb):
        NotebookClient(
            nb, timeout=timeout, allow_errors=True, resources={"metadata": {"path": str(path.parent)}}
        ).execute()
    rows = []
    cells = {c.grade_id: c for c in graded_cells(nb)}
    for exercise_id, cell in graded_exercises(nb, name):
        ex, seen = get_exercise(exercise_id), cells[cell.metadata.nbgrader.grade_id]
        if untouched(nb) or "not-attempted" in seen.keys or "not attempted yet" in seen.error_message:
            rows.append(Row(name, exercise_id, ex.title, ex.points, "not attempted"))
        elif not seen.passed:
            rows.append(Row(name, exercise_id, ex.title, ex.points, "failing", seen.first_line))
        else:
            rows.append(Row(name, exercise_id, ex.title, ex.points, "passing"))
    return rows


def default_folder() -> Path:
    here = Path.cwd()
    for candidate in (here, here.parent):
        if any(candidate.glob("[0-9][0-9]_*/*.ipynb")):
            return candidate
    return ROOT / "notebooks"


def progress_table(rows: list[Row]) -> str:
    marks = {
        "passing": "\u2714 passing",
        "failing": "\u2718 failing",
        "not attempted": "\u00b7 not attempted",
    }
    lines = [f"{'exercise':<18}{'status':<18}{'points':>8}  title / first line of the failure"]
    for notebook in dict.fromkeys(r.notebook for r in rows):
        mine = [r for r in rows if r.notebook == notebook]
        earned = sum(r.points for r in mine if r.status == "passing")
        lines.append(f"{notebook}  ({earned:g} of {sum(r.points for r in mine):g} points)")
        for r in mine:
            earned_here = r.points if r.status == "passing" else 0
            detail = r.message or r.title
            lines.append(
                f"  {r.exercise:<16}{marks[r.status]:<18}{f'{earned_here:g}/{r.points:g}':>8}  {detail}"
            )
    total = sum(r.points for r in rows)
    done = sum(r.points for r in rows if r.status == "passing")
    lines.append(f"total: {done:g} of {total:g} points")
    return "\n".join(lines)


def progress(folder=None, show=True) -> list[Row]:
    """Print (and return) the table for every notebook in `folder`."""
    folder = Path(folder) if folder else default_folder()
    paths = sorted(p for p in folder.glob("[0-9][0-9]_*/*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    if not paths:
        raise FileNotFoundError(f"no course notebooks (NN_name/NN_name.ipynb) under {folder}")
    rows = [row for path in paths for row in notebook_progress(path)]
    if show:
        print(progress_table(rows))
    return rows
