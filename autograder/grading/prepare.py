"""Stage 0, prepare: the grading folder, nbgrader's course layout, config and gradebook.

DIR/nbgrader_config.py   settings every nbgrader step here reads
DIR/source/              a copy of solutions/ (with hidden tests)
DIR/gradebook.db         nbgrader's gradebook: assignments, students, grades
DIR/submitted/ autograded/ feedback/   per student, as nbgrader lays them out
DIR/views/ASSIGNMENT/    the course packages as that assignment's grading kernel sees them

Every folder nbgrader works in (the class's, and each job's own, see execute)
keeps its gradebook at FOLDER/gradebook.db; `gradebook_url` is the one place
that turns a folder into the address nbgrader opens.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

from ..layout import SOLUTIONS, assignments

GRADEBOOK = "gradebook.db"
SOURCE_STAMP = ".source-digest"  # the release the grading folder holds, by source_digest
CONFIG = """\
# written by micrograd-course grade
c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = {db!r}
c.Execute.timeout = {timeout}
c.Execute.interrupt_on_timeout = True
c.OverwriteCells.add_missing_cells = True
c.Autograde.create_student = True
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
{extra}
"""


def gradebook_url(folder: Path) -> str:
    """The SQLAlchemy address of the gradebook of a grading (or job) folder."""
    return f"sqlite:///{Path(folder).resolve() / GRADEBOOK}"


def open_gradebook(folder: Path):
    """nbgrader's Gradebook of a grading (or job) folder, to use in a `with` block."""
    from nbgrader.api import Gradebook

    _quiet_sqlalchemy()
    return Gradebook(gradebook_url(folder))


def rows_of(submission) -> tuple[dict, dict]:
    """A submission's grade rows and comment rows in nbgrader's gradebook, each by
    (notebook, cell)."""
    grades = {(nb.name, g.name): g for nb in submission.notebooks for g in nb.grades}
    comments = {(nb.name, c.name): c for nb in submission.notebooks for c in nb.comments}
    return grades, comments


def _quiet_sqlalchemy():
    from sqlalchemy.exc import SAWarning

    # nbgrader's own queries trip SQLAlchemy's autoflush warnings; they say nothing to an instructor
    warnings.filterwarnings("ignore", category=SAWarning)


def write_config(folder: Path, timeout: int, extra: str = "") -> None:
    """nbgrader_config.py for the course folder `folder`, with its own gradebook."""
    folder.mkdir(parents=True, exist_ok=True)
    text = CONFIG.format(root=str(folder), db=gradebook_url(folder), timeout=timeout, extra=extra)
    (folder / "nbgrader_config.py").write_text(text)


def nbgrader(*args, cwd: Path, timeout=None) -> subprocess.CompletedProcess:
    """Run one nbgrader command in `cwd` (which holds its nbgrader_config.py)."""
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def nbgrader_api(course: Path):
    """nbgrader's Python API on a course folder, configured by its nbgrader_config.py
    (in this process: nbgrader takes seconds to import, once is enough)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    _quiet_sqlalchemy()
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def source_digest(solutions: Path = SOLUTIONS) -> str:
    """A fingerprint of every source notebook: prepare regenerates only when it changes."""
    digest = hashlib.sha256()
    for path in sorted(solutions.rglob("*.ipynb")):
        if ".ipynb_checkpoints" not in path.parts:
            digest.update(path.relative_to(solutions.parent).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def view_of(course: Path, assignment: str) -> Path:
    return Path(course) / "views" / assignment


def build_views(course: Path, names) -> None:
    """Each assignment's grading view, afresh (a copy of a few hundred small files): the
    course as installed now, without verdicts, isolation code or the reference pieces the
    assignment asks for."""
    from .sandbox import FONT_CACHE
    from .view import build_view_for

    fonts = Path(course) / "views" / FONT_CACHE
    if not fonts.exists():  # matplotlib's font list: seconds to build, so once, not per kernel
        fonts.mkdir(parents=True)
        build = "import matplotlib.font_manager"
        subprocess.run(
            [sys.executable, "-c", build], env={**os.environ, "MPLCONFIGDIR": str(fonts)}, check=True
        )
    for name in names:
        if view_of(course, name).exists():
            shutil.rmtree(view_of(course, name))
        build_view_for(name, view_of(course, name))
        shutil.copytree(fonts, view_of(course, name) / FONT_CACHE)


def prepare(course: Path, timeout: int) -> list[str]:
    """Create or update the grading folder; returns the assignment names.

    The gradebook keeps every grade across runs; the assignments are
    (re)generated only when solutions/ changed since the last run.
    """
    course = Path(course).resolve()
    write_config(course, timeout)
    names = assignments()
    build_views(course, names)
    stamp = course / SOURCE_STAMP
    digest = source_digest()
    if stamp.exists() and stamp.read_text() == digest and (course / GRADEBOOK).exists():
        return names
    if (course / "source").exists():
        shutil.rmtree(course / "source")
    shutil.copytree(SOLUTIONS, course / "source", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    api = nbgrader_api(course)
    for name in names:
        result = api.generate_assignment(name, force=True)
        if not result["success"]:
            raise RuntimeError(
                f"nbgrader generate_assignment {name} failed:\n{result['log']}{result.get('error', '')}"
            )
    stamp.write_text(digest)
    return names
