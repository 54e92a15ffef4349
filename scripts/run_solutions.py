"""Execute every notebook in solutions/ in place, so its stored outputs are current.

Run after editing a solution notebook or anything its outputs depend on (checks,
drawings), then `make release`. nbval compares these outputs in `make test`.

    .venv/bin/python scripts/run_solutions.py [NAME ...]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
os.environ["MICROGRAD_COURSE_STRICT"] = "1"  # a solution whose check fails stops the run, loudly


def run(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        coalesce_streams=True,  # one stream per cell, and a progress line (redrawn with \r) as its final state
    ).execute()
    seconds = time.perf_counter() - start
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # timestamps would make every run a diff
    nbformat.write(nb, path)
    return seconds


def main(names):
    paths = sorted((ROOT / "solutions").glob("*/*.ipynb"))
    if names:
        paths = [p for p in paths if p.parent.name in names]
    for path in paths:
        print(f"{path.parent.name}: {run(path):.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
