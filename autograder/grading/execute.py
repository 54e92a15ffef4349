"""Stage 2, execute: autograde each submission with nbgrader, in a folder of its own.

Why a folder (and a gradebook) per submission: nbgrader's autograde writes its
SQLite gradebook as it goes, so two autogrades at once contend for the same
file (nbgrader issue #174). Each job here runs the real `nbgrader autograde`
and `nbgrader generate_feedback` against a private copy of the gradebook;
stage 3 (score.py) then copies the grades into the class gradebook, one
submission at a time. The grades are nbgrader's own, computed the same way.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, Queue
from threading import Thread

from . import sandbox
from .outcome import Status
from .prepare import GRADEBOOK, open_gradebook, rows_of, view_of, write_config

FEEDBACK_EXTRA = """\
# feedback shows what failed and why, not the hidden test code (the worker renders it
# with these same steps: feedback.render)
from nbgrader.preprocessors import ClearHiddenTests, GetGrades
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from autograder.grading.feedback import ErrorMessagesOnly
c.ClearHiddenTests.enforce_metadata = False
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, ErrorMessagesOnly, CSSHTMLHeaderPreprocessor]
c.ErrorMessagesOnly.enabled = True  # a plain nbconvert preprocessor is off unless switched on
# each kernel sandboxed in this assignment's view, started by the worker while the notebook before ran
c.GuardedExecute.view = {view!r}
c.GuardedExecute.sandboxed = {sandboxed}
# the grade is decided here, not in the kernel: graded cells run only their probe, the
# judge runs the verdicts; a dead kernel or a limit costs only the cells it stopped
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import AssignLatePenalties, CheckCellMetadata, IgnorePattern, LimitOutput, SaveAutoGrades
from autograder.grading.guarded import GuardedExecute
from autograder.grading.judge import InjectProbes, Judge
c.Autograde.autograde_preprocessors = [
    InjectProbes, GuardedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
    Judge, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
]
c.GuardedExecute.memory_mb = {memory_mb}
c.GuardedExecute.processes = {processes}
c.GuardedExecute.file_mb = {file_mb}
c.GuardedExecute.tmp_mb = {tmp_mb}
c.GuardedExecute.reap = {reap}
"""


@dataclass
class Settings:
    timeout: int = 30  # seconds per cell
    memory_mb: int = 2048  # address-space cap per kernel
    sandboxed: bool = True

    @property
    def limits(self) -> sandbox.Limits:
        return sandbox.Limits(memory_mb=self.memory_mb)


@dataclass(frozen=True)
class Graded:
    """What nbgrader made of one submission, as plain data (it may cross a network, see
    cluster.py): each graded cell's score and comment, the submission's time, and the
    autograded notebook and feedback files, by "autograded/NAME" or "feedback/NAME"."""

    scores: dict[tuple[str, str], tuple[float | None, bool]]  # (notebook, cell) -> (auto, needs manual)
    comments: dict[tuple[str, str], str | None]
    timestamp: object  # datetime, or None
    files: dict[str, bytes] = field(repr=False)


MAX_FILE_BYTES = 64 << 20  # a bigger file beside a notebook is something its code wrote: left behind


def read_graded(job: Path, student: str, assignment: str) -> Graded:
    """A finished job's grades from its private gradebook, and its files."""
    with open_gradebook(job) as gb:
        submission = gb.find_submission(assignment, student)
        grades, comments = rows_of(submission)
        scores = {key: (g.auto_score, g.needs_manual_grade) for key, g in grades.items()}
        comments = {key: c.auto_comment for key, c in comments.items()}
        timestamp = submission.timestamp
    files = {}
    for kind in ("autograded", "feedback"):
        base = job / kind / student / assignment
        for path in sorted(base.rglob("*")):
            # regular files only: a link the student's code left could point anywhere
            if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_FILE_BYTES:
                files[f"{kind}/{path.relative_to(base).as_posix()}"] = path.read_bytes()
    return Graded(scores, comments, timestamp, files)


@dataclass(frozen=True)
class Execution:
    """How one submission's run went: GRADED (with what nbgrader made of it) or why
    not (CRASHED, TIMED_OUT, NBGRADER_ERROR, INTERNAL_ERROR)."""

    student: str
    assignment: str
    status: Status
    reason: str | None = None
    seconds: float = 0.0
    graded: Graded | None = None
    sandboxed: bool = True
    log: str = field(default="", repr=False)

    @property
    def key(self) -> str:
        return f"{self.student}/{self.assignment}"


def job_folder(course: Path, student: str, assignment: str) -> Path:
    return course / "work" / f"{student}__{assignment}"


def prepare_job(
    course: Path, template_db: Path, student: str, assignment: str, settings: Settings, run: Path
) -> Path:
    """A course folder for one submission: its notebook, a copy of the gradebook,
    the source, and the nbgrader config naming the sandbox its kernel gets (the
    kernel itself, in a folder of its own, comes from the worker: kernels.py).
    `run` is the job's Jupyter runtime folder."""
    job = job_folder(course, student, assignment)
    if job.exists():
        shutil.rmtree(job)
    submitted = job / "submitted" / student / assignment
    submitted.mkdir(parents=True)
    name = f"{assignment}.ipynb"
    shutil.copyfile(course / "submitted" / student / assignment / name, submitted / name)
    shutil.copyfile(template_db, job / GRADEBOOK)
    (job / "source").symlink_to(course / "source", target_is_directory=True)
    (job / "autograded" / student / assignment).mkdir(parents=True)
    limits = settings.limits
    extra = FEEDBACK_EXTRA.format(
        view=str(view_of(course, assignment)), sandboxed=settings.sandboxed,
        memory_mb=limits.memory_mb, processes=limits.processes, file_mb=limits.file_mb,
        tmp_mb=limits.tmp_mb, reap=settings.sandboxed,
    )  # fmt: skip
    write_config(job, settings.timeout, extra)
    return job


class Worker:
    """One `python -m autograder.grading.worker` process, restarted when it dies or hangs."""

    command = (sys.executable, "-m", "autograder.grading.worker")

    def __init__(self):
        self.process = None

    def start(self) -> Worker:
        """Start the process if it is not running: it imports nbgrader (seconds) while the
        caller does other work, then waits for jobs."""
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                list(self.command),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                start_new_session=True,  # so a hung job can be killed with all its children
                preexec_fn=_die_with_parent,
            )
        return self

    def run(
        self, job: Path, run: Path, student: str, assignment: str, limit: float
    ) -> tuple[Status, str | None, str]:
        """(status, the reason when not GRADED, nbgrader's log)."""
        self.start()
        request = {"folder": str(job), "runtime": str(run), "assignment": assignment, "student": student}
        hung, line = False, ""
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            ready, _, _ = select.select([self.process.stdout], [], [], limit)
            hung = not ready
            line = "" if hung else self.process.stdout.readline()  # "" at once: it died
        except (BrokenPipeError, OSError):
            pass  # it died before it could read the job
        if not line:
            self.stop()
            if hung:
                return Status.TIMED_OUT, f"grading took longer than {limit:.0f} s and was stopped", ""
            return Status.CRASHED, "the grader crashed while running the notebook", ""
        try:
            answer = json.loads(line)
        except json.JSONDecodeError:
            self.stop()
            return Status.INTERNAL_ERROR, "the grader returned something unreadable", line
        if answer["ok"]:
            return Status.GRADED, None, answer["log"]
        return (*failure_status(answer["log"]), answer["log"])

    def stop(self, grace: float = 0.0):
        """End the process: at once (a hung or garbled one), or given `grace` seconds to
        shut its spare kernels down and tidy their folders after its input ends."""
        if self.process is not None and self.process.poll() is None:
            if grace:
                self.process.stdin.close()
                try:
                    self.process.wait(grace)
                except subprocess.TimeoutExpired:
                    pass
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None


def _die_with_parent():
    """In a grading process, before it starts: SIGKILL it when the grader that started it
    dies (kill -9 included), so that no job of a stopped run goes on writing beside the next
    run's (its kernel goes with it: bwrap --die-with-parent). Linux's prctl(PR_SET_PDEATHSIG)."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


def run_job(course, template_db, student, assignment, settings: Settings, worker: Worker) -> Execution:
    """Autograde and render feedback for one submission; never raises for a bad submission.
    Its job folder is gone afterwards: what it made is in the Execution."""
    start = time.perf_counter()
    run = Path(tempfile.mkdtemp(prefix="mcg-"))
    job = job_folder(course, student, assignment)
    try:
        prepare_job(course, template_db, student, assignment, settings, run)
        # each cell gets `timeout`; the whole notebook a generous bound on top
        limit = 120 + 40 * settings.timeout
        status, reason, log = worker.run(job, run, student, assignment, limit)
        graded = read_graded(job, student, assignment) if status is Status.GRADED else None
    finally:
        shutil.rmtree(run, ignore_errors=True)
        shutil.rmtree(job, ignore_errors=True)
    seconds = time.perf_counter() - start
    return Execution(student, assignment, status, reason, seconds, graded, settings.sandboxed, log)


def run_job_safely(course, template_db, student, assignment, settings: Settings, worker: Worker) -> Execution:
    """run_job, with a fault of ours (not the student's) an INTERNAL_ERROR: it must not stall
    the batch either, and the submission is graded again by the next run."""
    try:
        return run_job(course, template_db, student, assignment, settings, worker)
    except Exception as error:
        reason = f"internal grading error: {error!r}"
        return Execution(student, assignment, Status.INTERNAL_ERROR, reason, sandboxed=settings.sandboxed)


def failure_status(log: str) -> tuple[Status, str]:
    """Why nbgrader did not grade a notebook, read off its log: a status and a
    sentence for the student and the report."""
    if "DeadKernelError" in log or "kernel died" in log.lower():
        return Status.CRASHED, (
            "the Python kernel died while running the notebook (os._exit, a crash, or too much "
            "memory); the notebook could not be graded"
        )
    if "CellTimeoutError" in log or "Timeout" in log:
        return Status.TIMED_OUT, "the notebook did not finish in time"
    errors = [line.strip() for line in log.splitlines() if "[ERROR]" in line or "Error" in line]
    return Status.NBGRADER_ERROR, "nbgrader could not grade the notebook: " + (
        errors[-1] if errors else "unknown error"
    )


# nbgrader's tables of what students handed in and scored, children first; the rest
# (course, assignments, notebooks, cells) is the release
STUDENT_TABLES = ("grade", "comment", "submitted_notebook", "submitted_assignment", "student")


def make_template(course: Path) -> Path:
    """The gradebook each job starts from: the class's assignments without anyone's
    grades (a still copy, as the class gradebook changes as we go; and small, as each
    job copies it however big the class is)."""
    template = course / "work" / "template.db"
    template.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(course / GRADEBOOK, template)
    with closing(sqlite3.connect(template, isolation_level=None)) as db:
        for table in STUDENT_TABLES:
            db.execute(f"DELETE FROM {table}")
        db.execute("VACUUM")  # give back the space the grades took
    return template


def run_all(course: Path, pairs, settings: Settings, jobs: int, on_done=None, started=()) -> list[Execution]:
    """Run every (student, assignment) job on `jobs` workers, calling `on_done(execution)`
    as each finishes (in the calling thread, so it may write the class gradebook).
    `started`: workers started ahead (Worker.start), used first; all are stopped at the end."""
    template = make_template(course)
    queue = Queue()
    for pair in pairs:
        queue.put(pair)
    done = Queue()
    count = max(1, min(jobs, len(pairs)))
    workers = [*started, *(Worker() for _ in range(count - len(started)))]
    for idle in workers[count:]:
        idle.stop()

    def serve(worker):
        try:
            while True:
                try:
                    student, assignment = queue.get_nowait()
                except Empty:
                    return
                done.put(run_job_safely(course, template, student, assignment, settings, worker))
        finally:
            worker.stop(grace=10)

    threads = [Thread(target=serve, args=(worker,), daemon=True) for worker in workers[:count]]
    for thread in threads:
        thread.start()
    results = []
    for _ in pairs:
        result = done.get()
        results.append(result)
        if on_done:
            on_done(result)
    for thread in threads:  # each worker shuts its spare kernels down and is gone before we return
        thread.join()
    return results
