"""Grading a class both ways, side by side: plain sequential `nbgrader autograde`
and `micrograd-course grade` (parallel workers, sandboxed kernels).

A generated class of 30 students x every notebook: two in three hand in the
full solution, one in three a typical mistake. Prints both times, the speedup,
and whether every grade agrees.

    .venv/bin/python benchmarks/bench_grading.py [--students 30] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from autograder.grading.grade import grade
from autograder.grading.prepare import nbgrader, prepare
from autograder.grading.release import put_scripts_on_path
from autograder.grading.score import cell_scores
from autograder.layout import ROOT, notebook_path

sys.path.insert(0, str(ROOT / "examples"))
from make_sample_class import assignments, completed, spoil  # noqa: E402

MISTAKES = {  # one typical slip per notebook where the benchmark has one
    "01_derivatives": ("(f(x + h) - f(x - h)) / (2 * h)", "(f(x + h) - f(x)) / h"),
    "03_backprop": ("(1 - t**2)", "(1 - self.data**2)"),
}


def make_class(folder: Path, students: int) -> Path:
    full = {a: completed(a) for a in assignments()}
    for i in range(students):
        for a, nb in full.items():
            if i % 3 == 2 and a in MISTAKES:
                nb = spoil(nb, *MISTAKES[a])
            target = notebook_path(folder / f"student{i:02d}", a)
            target.parent.mkdir(parents=True)
            target.write_text(json.dumps(nb))
    return folder


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()
    put_scripts_on_path()
    work = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    submissions = make_class(work / "class", args.students)
    notebooks = args.students * len(assignments())

    sequential = work / "sequential"
    prepare(sequential, 30)
    shutil.copytree(submissions, sequential / "submitted")
    start = time.perf_counter()
    for a in assignments():
        done = nbgrader("autograde", a, "--force", cwd=sequential)
        if done.returncode != 0:
            print(done.stdout[-2000:], done.stderr[-2000:])
    t_sequential = time.perf_counter() - start

    parallel = work / "parallel"
    prepare(parallel, 30)
    start = time.perf_counter()
    grade(submissions, parallel, jobs=args.jobs, progress=False)
    t_parallel = time.perf_counter() - start

    same = cell_scores(sequential) == cell_scores(parallel)
    print(
        f"class: {args.students} students x {len(assignments())} notebooks = {notebooks} notebooks, "
        f"{os.cpu_count()} cores"
    )
    print(f"{'how':<44}{'seconds':>10}{'per notebook':>14}")
    print(f"{'nbgrader autograde, sequential':<44}{t_sequential:>10.1f}{t_sequential / notebooks:>14.2f}")
    label = f"micrograd-course grade, {args.jobs} workers, sandboxed"
    print(f"{label:<44}{t_parallel:>10.1f}{t_parallel / notebooks:>14.2f}")
    print(f"speedup {t_sequential / t_parallel:.2f}x; every grade identical: {same}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
