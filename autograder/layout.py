"""Where the course keeps things: the one module that knows the repository's layout."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the folder holding solutions/ and notebooks/: the repository, or a copy of them that an
# installed course grades from (a Gradescope autograder's, see grading/gradescope.py)
COURSE_DIR_VARIABLE = "MICROGRAD_COURSE_DIR"
COURSE = Path(os.environ.get(COURSE_DIR_VARIABLE) or ROOT)
SOLUTIONS = COURSE / "solutions"  # nbgrader source notebooks: answers and hidden tests
NOTEBOOKS = COURSE / "notebooks"  # the student versions, generated from solutions/
SAMPLE_CLASS = ROOT / "examples" / "sample_class"


def assignments(root: Path = COURSE) -> list[str]:
    """Every assignment folder under solutions/, in course order."""
    return sorted(p.name for p in (root / "solutions").iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def notebook_path(folder: Path, assignment: str) -> Path:
    """FOLDER/NN_name/NN_name.ipynb, the course's layout for one assignment."""
    return Path(folder) / assignment / f"{assignment}.ipynb"
