"""`micrograd-course grade`: the stages wired together, nothing more.

prepare (the grading folder) -> collect (the submissions; missing and invalid
ones scored zero at once) -> repair (what editors did to a notebook) -> execute
(the rest, in parallel, sandboxed; on this machine or a Dask cluster) -> score
(each outcome into the gradebook as it arrives) -> export (grades.csv).

A run that is stopped (Ctrl-C, kill -9, a reboot) goes on when run again: a
submission already graded from the same notebook, release and limits is kept,
the others are graded (see outcome.Journal for what "recorded" means).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from contextlib import ExitStack, closing, contextmanager
from dataclasses import replace
from pathlib import Path

from ..layout import assignments
from . import sandbox
from .collect import DEFAULT_PATTERN, SUBMISSION_FILES, find_submissions, spare_earlier_work, stage
from .execute import Settings, Worker, run_all
from .export import export, save_lms_ids
from .outcome import Journal, Outcome, Status, load_outcomes, save_outcomes
from .prepare import SOURCE_STAMP, prepare, view_of
from .release import put_scripts_on_path
from .repair import Refused, repair_staged
from .score import Recorder


def grade(
    submissions,
    out,
    jobs: int | None = None,
    timeout: int = 30,
    memory_mb: int = 2048,
    pattern: str = DEFAULT_PATTERN,
    expected=None,
    sandboxed: bool | None = None,
    progress: bool = True,
    lms: str | None = None,
    notices: list | None = None,
    force: bool = False,
    cluster: str | None = None,
) -> dict[str, Outcome]:
    """Grade every submission into the folder `out`; returns every outcome the
    folder holds (this run's and earlier ones), by "student/assignment".
    `lms` reads that LMS's download (see collect.LMS_PATTERNS); `notices`, a
    list, receives what collecting set aside or chose; `force` grades again what
    an earlier run graded already; `cluster`, a Dask scheduler's address, grades
    there instead of on this machine's cores."""
    notices = [] if notices is None else notices
    # bad input fails first
    found = find_submissions(submissions, assignments(), pattern, expected, lms, notices)
    course = Path(out).resolve()
    course.mkdir(parents=True, exist_ok=True)
    with ExitStack() as held:
        if cluster:
            from .cluster import connect, run_on_cluster

            client = held.enter_context(connect(cluster))  # unreachable: said before any work
        held.enter_context(only_run(course))
        outcomes = load_outcomes(course)
        found = spare_earlier_work(found, {k for k, o in outcomes.items() if o.status is not Status.MISSING})
        put_scripts_on_path()
        jobs = jobs or os.cpu_count() or 1
        # started now, so that their imports (seconds) overlap the preparing below
        workers = [] if cluster else [Worker().start() for _ in range(min(jobs, len(found)))]
        held.callback(lambda: [worker.stop() for worker in workers])  # (run_all stops them, unless we fail)
        names = prepare(course, timeout)
        if cluster:  # the workers run the kernels, and each one proves it can sandbox them
            sandboxed = sandboxed is not False
        else:
            sandboxed = sandbox.choose(
                view_of(course, names[0]), sandbox.Limits(memory_mb=memory_mb), sandboxed
            )
        settings = Settings(timeout=timeout, memory_mb=memory_mb, sandboxed=sandboxed)
        digests = {s.key: digest_of(s, course, settings) for s in found if s.status is None}
        if not force:
            found = keep_earlier_grades(found, outcomes, digests, notices)
        stage(found, course)
        if lms:
            save_lms_ids(course, lms, found)
        for s in found:  # what editors and students do to notebooks, undone (and said) before grading
            if s.status is None and isinstance(
                refused := repair_staged(course, s.student, s.assignment), Refused
            ):
                s.problem = refused.message

        journal = held.enter_context(closing(Journal(course)))
        recorder = held.enter_context(Recorder(course))

        def keep(key, write, *args):  # a submission is recorded once all of `write` is done
            journal.recording(key)
            outcomes[key] = write(*args)
            journal.done(outcomes[key])

        for s in found:
            if s.status is not None:
                keep(s.key, recorder.zero, s.student, s.assignment, s.status, s.problem)
        # assignment by assignment, so a worker's next kernel is for the notebook that comes next
        pairs = sorted(
            ((s.student, s.assignment) for s in found if s.status is None), key=lambda p: (p[1], p[0])
        )
        bar = _progress(len(pairs), progress)

        def graded(execution):
            return replace(recorder.record(execution), digest=digests[execution.key])

        def on_done(execution):
            keep(execution.key, graded, execution)
            bar.set_postfix_str(execution.key)
            bar.update()

        if cluster:
            run_on_cluster(client, course, pairs, settings, on_done, notices)
        else:
            run_all(course, pairs, settings, jobs, on_done, workers)
        bar.close()
        save_outcomes(course, outcomes)
        export(course)
    return outcomes


def digest_of(submission, course: Path, settings: Settings) -> str:
    """What a grade depends on: the files handed in, the release they are graded
    against, and the limits they run under."""
    digest = hashlib.sha256(submission.path.read_bytes())
    for name in SUBMISSION_FILES:
        if (submission.path.parent / name).is_file():
            digest.update((submission.path.parent / name).read_bytes())
    digest.update((course / SOURCE_STAMP).read_bytes())
    digest.update(f"{settings.timeout} {settings.memory_mb} {settings.sandboxed}".encode())
    return digest.hexdigest()


def keep_earlier_grades(found, outcomes, digests, notices):
    """The submissions still to grade: without those an earlier run recorded from the same
    files, release and limits (an internal error is always tried again)."""
    kept = [
        s
        for s in found
        if s.key in digests
        and (o := outcomes.get(s.key)) is not None
        and o.digest == digests[s.key]
        and o.status is not Status.INTERNAL_ERROR
    ]
    if kept:
        notices.append(
            f"{len(kept)} submission(s) graded by an earlier run from the same notebook, release "
            "and limits kept their grades (--force grades them again)"
        )
    kept = {s.key for s in kept}
    return [s for s in found if s.key not in kept]


@contextmanager
def only_run(course: Path):
    """One `grade` at a time per grading folder: two would interleave their records."""
    with open(course / ".grading.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(
                f"another `micrograd-course grade` is grading into {course}: wait for it to "
                "finish (or stop it), then run this again"
            ) from None
        yield  # the lock goes with the process, however it ends


def _progress(total, enabled):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="grading", unit="notebook", disable=not enabled)
