"""What grading a class costs, side by side with the cost of only running its notebooks.

One generated class (two in three students hand in the full solution, one in three a
typical mistake), graded every way, in one run:
  - the floor: every notebook executed in a plain fresh kernel, one after another
    (nbclient; no nbgrader, no sandbox, no feedback);
  - `micrograd-course grade` with 1 and with 2 local workers (sandboxed, feedback included),
    and with 1 worker held to one core (the fair base for how grading scales with cores:
    one worker on a machine with an idle core starts the next kernel on it);
  - plain sequential `nbgrader autograde` + `nbgrader generate_feedback`, assignment by assignment;
  - `grade --cluster` on a Dask scheduler with two workers started here.
Prints each one's time and its cost in CPU seconds (of every process the run started:
workers, kernels, sandboxes, Dask workers; see CPUClock), the ratios against the targets,
the driver's own time per submission (it records them one at a time, which bounds any
cluster), a projection of what 7,000 notebooks take on 1, 16 and 100 cores, and whether
every grade agrees.

    .venv/bin/python benchmarks/bench_grading.py [--students 4]

Each configuration is one function taking the class's folder and returning a Run
(CONFIGURATIONS; `--only` runs some of them).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grading.grade import grade
from autograder.grading.outcome import Journal
from autograder.grading.prepare import nbgrader, prepare
from autograder.grading.release import put_scripts_on_path
from autograder.grading.score import Recorder, cell_scores
from autograder.layout import ROOT, notebook_path

sys.path.insert(0, str(ROOT / "examples"))
sys.path.insert(0, str(ROOT / "tests" / "grading"))
from daskcluster import DaskCluster  # noqa: E402  (the tests' local cluster: real scheduler, real workers)
from make_sample_class import assignments, completed, spoil  # noqa: E402

MISTAKES = {  # one typical slip per notebook where the benchmark has one
    "01_derivatives": ("(f(x + h) - f(x - h)) / (2 * h)", "(f(x + h) - f(x)) / h"),
    "03_backprop": ("(1 - t**2)", "(1 - self.data**2)"),
}
CLASS_OF = 7000  # notebooks: a course of 1,000 students
CORES = (1, 16, 100)
DRIVER = {"seconds": 0.0, "recorded": 0}  # the driver's own work per submission, this run


def _timed(step, counts=False):
    """`step`, adding its time to DRIVER: the driver records every submission (its journal
    lines and its gradebook rows) one at a time, so its pace bounds a cluster of any size."""

    def timed_step(*args, **kwargs):
        start = time.perf_counter()
        try:
            return step(*args, **kwargs)
        finally:
            DRIVER["seconds"] += time.perf_counter() - start
            DRIVER["recorded"] += counts

    return timed_step


Recorder.record = _timed(Recorder.record, counts=True)
Journal.recording, Journal.done = _timed(Journal.recording), _timed(Journal.done)


@dataclass
class Run:
    label: str
    seconds: float
    cpu: float | None  # CPU seconds of all it ran (None: not measurable here, see CPUClock)
    recording: float | None = None  # seconds the driver took per submission it recorded
    scores: dict | None = field(default=None, repr=False)  # (student, assignment, cell) -> points


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


class CPUClock:
    """CPU seconds of this process and of everything it starts (workers, Dask workers,
    kernels, their sandboxes), from a control group of its own: resource usage of children
    misses a kernel killed in its sandbox, whose own parent never waits for it. Needs root
    and a cpuacct (cgroup v1) or cgroup v2 hierarchy; otherwise CPU is not measured."""

    V1, V2 = Path("/sys/fs/cgroup/cpuacct"), Path("/sys/fs/cgroup")

    def __enter__(self):
        self.group = None
        for root, usage in ((self.V1, "cpuacct.usage"), (self.V2, "cpu.stat")):
            if (root / usage).exists() or (root / "cgroup.controllers").exists():
                try:
                    group = root / f"bench-grading-{os.getpid()}"
                    group.mkdir()
                    (group / "cgroup.procs").write_text(str(os.getpid()))
                except OSError:
                    continue
                self.root, self.group, self.usage = root, group, group / usage
                break
        return self

    def seconds(self) -> float | None:
        if self.group is None:
            return None
        text = self.usage.read_text()
        if self.usage.name == "cpuacct.usage":
            return int(text) / 1e9
        return int(dict(line.split() for line in text.splitlines())["usage_usec"]) / 1e6

    def __exit__(self, *exc):
        if self.group is not None:
            (self.root / "cgroup.procs").write_text(str(os.getpid()))
            for process in (self.group / "cgroup.procs").read_text().split():  # (none should be left)
                (self.root / "cgroup.procs").write_text(process)
            self.group.rmdir()


CLOCK = CPUClock()


def timed(label, work) -> Run:
    DRIVER.update(seconds=0.0, recorded=0)
    start, cpu = time.perf_counter(), CLOCK.seconds()
    scores = work()
    seconds, cpu_after = time.perf_counter() - start, CLOCK.seconds()
    recording = DRIVER["seconds"] / DRIVER["recorded"] if DRIVER["recorded"] else None
    return Run(label, seconds, None if cpu is None else cpu_after - cpu, recording, scores)


def floor(submissions: Path, work: Path) -> Run:
    """The notebooks' own work: each in a fresh plain kernel, one after another."""
    import nbformat
    from nbclient import NotebookClient

    def run():
        for path in sorted(submissions.rglob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            resources = {"metadata": {"path": str(path.parent)}}
            NotebookClient(nb, timeout=120, kernel_name="python3", resources=resources).execute()

    return timed("floor: plain fresh kernels, sequential", run)


def grade_with(workers: int, one_core: bool = False):
    def configuration(submissions: Path, work: Path) -> Run:
        out = work / f"grade-{workers}{'-one-core' * one_core}"
        prepare(out, 30)  # the course's folder, made once before any grading

        def run():
            cores = os.sched_getaffinity(0)
            if one_core:  # the grader and all it starts (workers, kernels) inherit it
                os.sched_setaffinity(0, {min(cores)})
            try:
                grade(submissions, out, jobs=workers, progress=False)
            finally:
                os.sched_setaffinity(0, cores)
            return cell_scores(out)

        label = f"micrograd-course grade, {workers} worker{'s' * (workers > 1)}{', on one core' * one_core}"
        return timed(label, run)

    return configuration


def nbgrader_sequential(submissions: Path, work: Path) -> Run:
    """Stock nbgrader, as a course without this grader would run it."""
    out = work / "nbgrader"
    prepare(out, 30)
    shutil.copytree(submissions, out / "submitted")

    def run():
        for a in assignments():
            for step in ("autograde", "generate_feedback"):
                done = nbgrader(step, a, "--force", cwd=out)
                if done.returncode != 0:
                    print(done.stdout[-2000:], done.stderr[-2000:])
        return cell_scores(out)

    return timed("nbgrader autograde + generate_feedback", run)


def grade_on_cluster(submissions: Path, work: Path) -> Run:
    """`grade --cluster`: a Dask scheduler and two one-thread workers started here, as an
    instructor starts them (their start-up is not counted: a cluster is up before grading)."""
    out = work / "cluster"
    prepare(out, 30)
    with DaskCluster(work / "dask") as cluster:
        cluster.add_worker("w1")
        cluster.add_worker("w2")
        cluster.wait_for(2)

        def run():
            grade(submissions, out, progress=False, cluster=cluster.address)
            return cell_scores(out)

        return timed("grade --cluster, 2 Dask workers", run)


CONFIGURATIONS = {
    "floor": floor,
    "grade1": grade_with(1),
    "grade1core": grade_with(1, one_core=True),
    "grade2": grade_with(2),
    "nbgrader": nbgrader_sequential,
    "cluster": grade_on_cluster,
}


def report(runs: dict[str, Run], notebooks: int) -> None:
    print(f"{'how':<52}{'seconds':>9}{'per notebook':>14}{'CPU s':>9}{'CPU s per nb':>14}")
    for run in runs.values():
        cpu = f"{run.cpu:>9.1f}{run.cpu / notebooks:>14.2f}" if run.cpu is not None else f"{'-':>9}{'-':>14}"
        print(f"{run.label:<52}{run.seconds:>9.1f}{run.seconds / notebooks:>14.2f}{cpu}")
    t = {key: run.seconds for key, run in runs.items()}
    cpu = {key: run.cpu for key, run in runs.items()}
    print()
    print(f"grade (1 worker) / floor            {t['grade1'] / t['floor']:5.2f}x   (target at most 1.10x)")
    if cpu["floor"] is not None:
        print(
            f"  in CPU seconds                    {cpu['grade1'] / cpu['floor']:5.2f}x   (what grading costs)"
        )
    print(f"2 workers vs 1 worker               {t['grade1'] / t['grade2']:5.2f}x   (target at least 1.85x)")
    print(f"2 workers vs 1 worker on one core   {t['grade1core'] / t['grade2']:5.2f}x   (twice the cores)")
    print(f"grade (2 workers) vs nbgrader       {t['nbgrader'] / t['grade2']:5.2f}x   (target at least 2.2x)")
    print(
        f"cluster (2 Dask workers) vs local   {t['grade2'] / t['cluster']:5.2f}x   (2 local workers / cluster)"
    )
    core_seconds = t["grade2"] * 2 / notebooks  # both cores busy: the cost of a notebook on one core
    # the driver's own time per submission, where it had a core to itself (1 worker, 2 cores)
    record = runs["grade1"].recording
    hours = ", ".join(
        f"{cores} core{'s' * (cores > 1)}: {CLASS_OF * max(core_seconds / cores, record) / 3600:.2f} h"
        for cores in CORES
    )
    print(f"{CLASS_OF:,} notebooks at {core_seconds:.2f} core-seconds each (2 workers on 2 cores): {hours}")
    if cpu["grade2"] is not None:
        print(f"  (CPU measured in that run: {cpu['grade2'] / notebooks:.2f} CPU seconds a notebook)")
    print(
        f"  the driver records a submission in {record * 1000:.0f} ms (1 worker; "
        + ", ".join(f"{key} {run.recording * 1000:.0f} ms" for key, run in runs.items() if run.recording)
        + "): "
        f"at most {1 / record:.0f} a second, {CLASS_OF * record / 60:.1f} minutes for {CLASS_OF:,}, "
        f"whatever the cluster; it is the limit from {core_seconds / record:.0f} cores on"
    )
    scores = {key: run.scores for key, run in runs.items() if run.scores is not None}
    first = next(iter(scores.values()))
    agree = all(s == first for s in scores.values())
    print(f"every grade identical across {', '.join(scores)}: {agree} ({len(first)} graded cells)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=4)
    parser.add_argument("--only", nargs="*", choices=list(CONFIGURATIONS), default=list(CONFIGURATIONS))
    args = parser.parse_args()
    put_scripts_on_path()
    work = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    submissions = make_class(work / "class", args.students)
    notebooks = args.students * len(assignments())
    print(
        f"class: {args.students} students x {len(assignments())} notebooks = {notebooks} notebooks, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start"
    )
    try:
        with CLOCK:
            runs = {key: CONFIGURATIONS[key](submissions, work) for key in args.only}
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
        if set(runs) == set(CONFIGURATIONS):
            report(runs, notebooks)
        else:
            for run in runs.values():
                cpu = f", {run.cpu:.1f} CPU s" if run.cpu is not None else ""
                print(f"{run.label:<52}{run.seconds:>9.1f} s{run.seconds / notebooks:>8.2f} s/notebook{cpu}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
