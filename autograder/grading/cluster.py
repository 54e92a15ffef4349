"""Stage 2 on a Dask cluster: each submission's job runs on a worker machine.

`grade --cluster tcp://HOST:8786` sends every job to that Dask scheduler. The
driver (this process) ships what a job needs, the submitted files with each job
and the release (every assignment's source folder and the gradebook template)
once, as a task of its own that Dask can compute again if the workers holding
it die. A worker runs the very job local grading runs (execute.run_job: its own
long-lived nbgrader process, the same sandbox, the judge outside it) in a folder
of its own, and sends back an Execution, plain data. Only the driver writes the
class gradebook, one submission at a time, as each result arrives.

A worker with another version of the course (its version, or any of its files)
is refused before it grades anything, and so is one that cannot start a grading
kernel: it is retired from the cluster, named, and its job goes to another. A
worker killed mid-job costs nothing: Dask runs the job again elsewhere.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path
from uuid import uuid4

from .execute import Execution, Settings, Worker, make_template, run_job_safely
from .outcome import Status
from .prepare import build_views, view_of

IN_FLIGHT = 256  # jobs handed to the scheduler at a time: the rest wait here, not in its memory
HOW_TO_START = (
    "start a scheduler with `dask scheduler` and workers with `dask worker {address}` on machines "
    "that have this course installed (README: Grading a large class)"
)


@cache
def course_version() -> str:
    """This installation's version: the package's, and a fingerprint of its code and data,
    so that an edited check on one machine is told from the release on another."""
    from importlib.metadata import PackageNotFoundError, version

    import autograder
    import course_engine

    digest = hashlib.sha256()
    for package in (autograder, course_engine):
        root = Path(package.__file__).parent
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".toml", ".txt") and "__pycache__" not in path.parts:
                digest.update(f"{package.__name__}/{path.relative_to(root).as_posix()}".encode())
                digest.update(path.read_bytes())
    try:
        number = version("micrograd-course")
    except PackageNotFoundError:
        number = "unknown"
    return f"{number}+{digest.hexdigest()[:12]}"


def other_version(theirs: str, mine: str) -> str:
    return f"it has course version {theirs}, this grader {mine}; install the same version of micrograd-course there"


class WorkerRefused(Exception):
    """A worker that must not grade: raised on it, before it grades anything (not
    repair.Refused, which is a notebook that cannot be graded)."""

    def __init__(self, worker: str, reason: str):
        super().__init__(worker, reason)
        self.worker, self.reason = worker, reason

    def __str__(self):
        return f"Dask worker {self.worker} refused: {self.reason}"


@dataclass(frozen=True)
class Release:
    """What every job of a run needs: each assignment's source folder, by relative path,
    and the gradebook template (the assignments, nobody's grades)."""

    digest: str
    sources: dict[str, dict[str, bytes]] = field(repr=False)
    template: bytes = field(repr=False)


@dataclass(frozen=True)
class Job:
    student: str
    assignment: str
    files: dict[str, bytes] = field(repr=False)  # the submitted folder: the notebook, nbgrader's files
    settings: Settings
    version: str  # the driver's course_version()


def release_of(course: Path) -> Release:
    template = make_template(course).read_bytes()
    sources = {}
    for folder in sorted(p for p in (course / "source").iterdir() if p.is_dir()):
        sources[folder.name] = {
            f.relative_to(folder).as_posix(): f.read_bytes() for f in sorted(folder.rglob("*")) if f.is_file()
        }
    digest = hashlib.sha256(template)
    for name, files in sources.items():
        for rel, content in files.items():
            digest.update(f"{name}/{rel}".encode())
            digest.update(content)
    return Release(digest.hexdigest()[:16], sources, template)


def job_of(course: Path, student: str, assignment: str, settings: Settings) -> Job:
    folder = course / "submitted" / student / assignment
    files = {f.name: f.read_bytes() for f in sorted(folder.iterdir()) if f.is_file()}
    return Job(student, assignment, files, settings, course_version())


# ---- on a worker -------------------------------------------------------------------------

_lock = threading.Lock()
_sites: dict[str, Path] = {}  # release digest -> this process's course folder for it
_ready: dict[tuple, str | None] = {}  # (site, assignment, sandboxed, memory) -> why no kernel starts
_workers = threading.local()  # each of the Dask worker's threads keeps its own nbgrader process


def hold(release: Release) -> Release:
    """The release as a task's result: on the workers, computed again if they are lost."""
    return release


def grade_job(job: Job, release: Release) -> Execution:
    """Run on a Dask worker: one submission's job, exactly as local grading runs it."""
    from distributed import get_worker

    me, scratch = get_worker().address, get_worker().local_directory
    if job.version != course_version():
        raise WorkerRefused(me, other_version(course_version(), job.version))
    site = _site(release, job.assignment, job.settings, me, scratch)
    submitted = site / "submitted" / job.student / job.assignment
    shutil.rmtree(submitted, ignore_errors=True)
    submitted.mkdir(parents=True)
    for name, content in job.files.items():
        (submitted / name).write_bytes(content)
    if not hasattr(_workers, "worker"):
        _workers.worker = Worker()
    try:
        return run_job_safely(
            site, site / "work" / "template.db", job.student, job.assignment, job.settings, _workers.worker
        )
    finally:
        shutil.rmtree(submitted, ignore_errors=True)


def _site(release: Release, assignment: str, settings: Settings, me: str, scratch: str) -> Path:
    """This process's course folder for a release, with the assignment's grading view built
    and a grading kernel proven to start there (once each). It is made in `scratch`, the Dask
    worker's own folder, which Dask removes when the worker closes (or, if it was killed,
    when the next worker starts beside it)."""
    from .sandbox import kernel_problem

    with _lock:
        site = _sites.get(release.digest)
        if site is None:
            site = Path(tempfile.mkdtemp(prefix="mcg-site-", dir=scratch))
            for name, files in release.sources.items():
                for rel, content in files.items():
                    (site / "source" / name / rel).parent.mkdir(parents=True, exist_ok=True)
                    (site / "source" / name / rel).write_bytes(content)
            (site / "work").mkdir()
            (site / "work" / "template.db").write_bytes(release.template)
            _sites[release.digest] = site
        key = (site, assignment, settings.sandboxed, settings.memory_mb)
        if key not in _ready:
            if not view_of(site, assignment).exists():
                build_views(site, [assignment])
            _ready[key] = kernel_problem(view_of(site, assignment), settings.limits, settings.sandboxed)
    if _ready[key]:
        fix = "install bubblewrap there" if settings.sandboxed else "repair its Python installation"
        raise WorkerRefused(me, f"no grading kernel starts there ({_ready[key]}): {fix}")
    return site


# ---- on the driver -----------------------------------------------------------------------


def connect(address: str):
    from distributed import Client

    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError) as error:
        raise RuntimeError(
            f"cannot reach a Dask scheduler at {address} ({error}): " + HOW_TO_START.format(address=address)
        ) from None


def admit(client, notices: list) -> None:
    """Refuse (and retire) the workers already there whose course differs from ours,
    before anything is sent; fail if that leaves none of the ones there were."""
    mine = course_version()
    found = client.run(course_version, on_error="return")
    refused = {}
    for worker, theirs in sorted(found.items()):
        if isinstance(theirs, BaseException):
            refused[worker] = (
                f"it cannot tell its course version ({theirs!r}): install micrograd-course there"
            )
        elif theirs != mine:
            refused[worker] = other_version(theirs, mine)
    for worker, reason in refused.items():
        _refuse(client, WorkerRefused(worker, reason), notices)
    if found and len(refused) == len(found):
        raise RuntimeError(
            "every Dask worker was refused, so nothing was graded:\n  "
            + "\n  ".join(str(WorkerRefused(w, r)) for w, r in refused.items())
        )
    if not found:
        notices.append(f"no Dask workers at {client.scheduler.address} yet: the jobs wait for some to join")


def _refuse(client, refusal: WorkerRefused, notices: list) -> None:
    notices.append(f"{refusal}; it was retired from the cluster")
    print(f"micrograd-course grade: {refusal}", flush=True)
    client.retire_workers(workers=[refusal.worker], close_workers=True)


def run_on_cluster(client, course: Path, pairs, settings: Settings, on_done, notices: list) -> None:
    """Every (student, assignment) job on the cluster `client` is connected to (see connect);
    `on_done(execution)` is called here, in the calling thread, as each result arrives."""
    from distributed import as_completed

    admit(client, notices)
    shipped = release_of(course)
    release = client.submit(hold, shipped, key=f"release-{shipped.digest}", pure=False)
    waiting, jobs, arriving = iter(pairs), {}, as_completed()

    def send(student, assignment):
        job = job_of(course, student, assignment, settings)
        key = f"grade-{student}-{assignment}-{uuid4().hex[:8]}"  # a retry is a new task
        future = client.submit(grade_job, job, release, key=key, pure=False)
        jobs[future] = (student, assignment)
        arriving.add(future)

    for pair in islice(waiting, IN_FLIGHT):
        send(*pair)
    for future in arriving:
        student, assignment = jobs.pop(future)
        try:
            execution = future.result()
        except WorkerRefused as refusal:  # a worker that joined after admit()
            _refuse(client, refusal, notices)
            if not client.scheduler_info()["workers"]:
                raise RuntimeError(
                    f"every Dask worker was refused ({refusal}); what was graded is recorded: "
                    "run grade again once the workers have the same course, it goes on from there"
                ) from None
            send(student, assignment)
            continue
        except Exception as error:  # the cluster's fault, not the student's: graded again next run
            reason = f"the Dask cluster could not grade it: {type(error).__name__}: {error}"
            execution = Execution(
                student, assignment, Status.INTERNAL_ERROR, reason, sandboxed=settings.sandboxed
            )
        finally:
            future.release()
        on_done(execution)
        for pair in islice(waiting, 1):
            send(*pair)
