"""Generate the student notebooks in notebooks/ from the sources in solutions/."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def assignments(root: Path = ROOT) -> list[str]:
    """Every assignment folder under solutions/, in course order."""
    return sorted(p.name for p in (root / "solutions").iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def release(out: Path | None = None, root: Path = ROOT, quiet: bool = False) -> Path:
    """Run nbgrader generate_assignment on every assignment into `out` (notebooks/ by
    default): solutions replaced by stubs, hidden tests removed, outputs cleared."""
    out = Path(out) if out else root / "notebooks"
    for name in assignments(root):
        command = [
            sys.executable, "-m", "nbgrader", "generate_assignment", name,
            "--force", "--no-db",
            f"--CourseDirectory.root={root}",
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
