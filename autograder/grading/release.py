"""Generate the student notebooks in notebooks/ from the sources in solutions/.

Each graded cell of a solution notebook is written from its exercise's
declaration (points, and the check() calls with the student objects it names):
`sync_graded_cells` writes them (`make course`), and `release` refuses to run
while a notebook disagrees with its declarations.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from ..checking.exercise import exercises_in
from ..layout import ROOT, assignments, notebook_path


def put_scripts_on_path():
    """nbgrader runs helper programs (alembic) by name: make sure the ones installed
    beside this Python are found even when the virtual environment is not activated."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def graded_cell_differences(nb, assignment: str, released=False) -> list[str]:
    """How the notebook's graded cells differ from the exercises declared for it
    (`released`: a student version, whose hidden tests nbgrader removed)."""
    declared = {ex.grade_id: ex for ex in exercises_in(assignment)}
    cells = {
        c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
    }
    problems = [f"graded cell {g} matches no declared exercise" for g in cells if g not in declared]
    problems += [f"exercise {ex.id} has no graded cell {g}" for g, ex in declared.items() if g not in cells]
    for grade_id, cell in cells.items():
        ex = declared.get(grade_id)
        if ex and cell.metadata.nbgrader.get("points") != ex.points:
            problems.append(
                f"{grade_id} is worth {cell.metadata.nbgrader.get('points')}, {ex.id} says {ex.points}"
            )
        if ex and cell.source != ex.cell_source(released):
            problems.append(f"{grade_id} does not hold {ex.id}'s check() calls")
    return problems


def sync_graded_cells(root: Path = ROOT) -> list[str]:
    """Write every solution's graded cells from the declarations; the notebooks changed."""
    changed = []
    for name in assignments(root):
        path = notebook_path(root / "solutions", name)
        nb = nbformat.read(path, as_version=4)
        if not graded_cell_differences(nb, name):
            continue
        declared = {e.grade_id: e for e in exercises_in(name)}
        for cell in nb.cells:
            ex = declared.get(cell.metadata.get("nbgrader", {}).get("grade_id"))
            if ex and cell.metadata.nbgrader.get("grade"):
                cell.metadata.nbgrader["points"], cell.source = ex.points, ex.cell_source()
        if problems := graded_cell_differences(nb, name):
            raise RuntimeError(f"{path}: cannot be written from its declarations: " + "; ".join(problems))
        nbformat.write(nb, path)
        changed.append(name)
    return changed


MAY_RAISE = "raises-exception"  # JupyterLab's tag: such a cell's error does not stop Run All


def tag_cells_that_may_raise(nb):
    """Tag the student version's given and demo cells (every code cell that is neither an
    answer nor a check) `raises-exception`: a demo of an exercise not written yet shows its
    NotImplementedError and Run All goes on, as it goes on past a failing check."""
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and not meta.get("solution") and not meta.get("grade"):
            tags = cell.metadata.setdefault("tags", [])
            if MAY_RAISE not in tags:
                tags.append(MAY_RAISE)
    return nb


def release(out: Path | None = None, root: Path = ROOT, quiet: bool = False, names=None) -> Path:
    """Run nbgrader generate_assignment on every assignment (or those `names`) into `out`
    (notebooks/ by default): solutions replaced by stubs, hidden tests removed, outputs
    cleared; then the cells that may raise are tagged (tag_cells_that_may_raise)."""
    out = Path(out) if out else root / "notebooks"
    course = assignments(root)
    if unknown := [n for n in names or [] if n not in course]:
        raise ValueError(f"unknown assignment(s) {', '.join(unknown)}; the course has {', '.join(course)}")
    names = list(names or course)
    for name in names:
        if problems := graded_cell_differences(
            nbformat.read(notebook_path(root / "solutions", name), 4), name
        ):
            raise RuntimeError(
                f"solutions/{name} disagrees with its declarations ({'; '.join(problems)}): run `make course`"
            )
    put_scripts_on_path()
    for name in names:
        command = [
            sys.executable, "-m", "nbgrader", "generate_assignment", name,
            "--force", "--no-db",
            f"--CourseDirectory.root={root}",
            "--CourseDirectory.source_directory=solutions",
            f"--CourseDirectory.release_directory={out.resolve()}",
        ]  # fmt: skip
        result = subprocess.run(command, cwd=root, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"nbgrader could not generate {name}:\n{result.stdout}{result.stderr}")
        for stray in (out / name).glob(".ipynb_checkpoints"):
            shutil.rmtree(stray)
        student = notebook_path(out, name)
        nbformat.write(tag_cells_that_may_raise(nbformat.read(student, as_version=4)), student)
        if not quiet:
            print(f"released {name} -> {(out / name).relative_to(out.parent)}")
    return out


if __name__ == "__main__":  # `make course`, first step
    for name in sync_graded_cells():
        print(f"graded cells of solutions/{name} written from its declarations")
