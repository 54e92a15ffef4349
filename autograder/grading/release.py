"""Generate the student notebooks in notebooks/ from the sources in solutions/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..layout import ROOT, assignments  # noqa: F401  (re-exported for the stages)


def put_scripts_on_path():
    """nbgrader runs helper programs (alembic) by name: make sure the ones installed
    beside this Python are found even when the virtual environment is not activated."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def release(out: Path | None = None, root: Path = ROOT, quiet: bool = False) -> Path:
    """Run nbgrader generate_assignment on every assignment into `out` (notebooks/ by
    default): solutions replaced by stubs, hidden tests removed, outputs cleared."""
    out = Path(out) if out else root / "notebooks"
    put_scripts_on_path()
    for name in assignments(root):
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
        if not quiet:
            print(f"released {name} -> {(out / name).relative_to(out.parent)}")
    return out
