"""What the judge costs: for each notebook of the complete sample student, the time to
run it in a kernel (the floor of grading it) beside the time the grading process spends
drawing its cases (InjectProbes) and running its verdicts (Judge), in one run.

    .venv/bin/python benchmarks/bench_judge.py
"""

from __future__ import annotations

import copy
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder.grading.judge import InjectProbes, Judge  # noqa: E402
from autograder.layout import SAMPLE_CLASS, assignments, notebook_path  # noqa: E402


def main():
    print(f"{'notebook':<16}{'kernel run':>12}{'cases':>10}{'verdicts':>10}{'judge / run':>13}")
    totals = [0.0, 0.0, 0.0]
    for name in assignments():
        nb = nbformat.read(notebook_path(SAMPLE_CLASS / "ada", name), as_version=4)
        resources = {"nbgrader": {"assignment": name}}
        start = time.perf_counter()
        nb, resources = InjectProbes().preprocess(nb, resources)
        cases = time.perf_counter() - start
        start = time.perf_counter()
        NotebookClient(nb, timeout=300, allow_errors=True, resources={"metadata": {"path": "."}}).execute()
        run = time.perf_counter() - start
        judged = copy.deepcopy(nb)
        start = time.perf_counter()
        Judge().preprocess(judged, resources)
        verdicts = time.perf_counter() - start
        failed = sum(
            o.output_type == "error"
            for c in judged.cells
            for o in c.get("outputs", [])
            if c.metadata.get("micrograd")
        )
        for i, t in enumerate((run, cases, verdicts)):
            totals[i] += t
        print(
            f"{name:<16}{run:>10.2f} s{cases:>8.2f} s{verdicts:>8.2f} s{(cases + verdicts) / run:>12.1%}  ({failed} failed)"
        )
    run, cases, verdicts = totals
    print(f"{'all':<16}{run:>10.2f} s{cases:>8.2f} s{verdicts:>8.2f} s{(cases + verdicts) / run:>12.1%}")


if __name__ == "__main__":
    main()
