"""nbgrader's exchange: the instructor's side of a course on a shared machine or a JupyterHub.

Students fetch, submit and fetch feedback with nbgrader's own tools (JupyterLab's
Assignments tab, `nbgrader fetch_assignment` / `submit` / `fetch_feedback`); these
functions run nbgrader's exchange classes for the instructor, configured with the
exchange folder (Exchange.root) and the course id (CourseDirectory.course_id):

release   notebooks/ASSIGNMENT/                  -> EXCHANGE/COURSE/outbound/ASSIGNMENT/
collect   EXCHANGE/COURSE/inbound/STUDENT+ASSIGNMENT+TIME+RANDOM/ (each student's latest)
                                                 -> SUBMITTED/STUDENT/ASSIGNMENT/
return    GRADING/feedback/STUDENT/ASSIGNMENT/ASSIGNMENT.html
                                                 -> EXCHANGE/COURSE/feedback/HASH.html

nbgrader's submit writes a random secret beside each submission; `grade` keeps it with the
staged notebook (collect.stage), and release_feedback names each feedback page by a hash of
that secret and the notebook's name, which is how fetch_feedback finds a student's own page.
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
import tempfile
from io import StringIO
from pathlib import Path

from ..layout import NOTEBOOKS, assignments
from .collect import SUBMISSION_FILES
from .release import put_scripts_on_path

# world-writable with the sticky bit, as nbgrader's docs ask of the exchange root
ROOT_MODE = 0o1777


def release_to_exchange(exchange, course: str, names=None, release_dir: Path = NOTEBOOKS) -> list[str]:
    """Put the released student notebooks of `names` (default: every assignment) in the
    exchange; returns what nbgrader said, one line per assignment."""
    from nbgrader.exchange.default import ExchangeReleaseAssignment

    exchange = _exchange_root(exchange, create=True)
    said = []
    for name in _assignments(names):
        if not (Path(release_dir) / name).is_dir():
            raise FileNotFoundError(f"{Path(release_dir) / name} is missing: run `micrograd-course release`")
        replaced = (exchange / course / "outbound" / name).exists()
        settings = {"release_directory": str(Path(release_dir).resolve()), "assignment_id": name}
        _run(ExchangeReleaseAssignment, exchange, course, settings, force=True)
        where = exchange / course / "outbound" / name
        said.append(f"{'re-released' if replaced else 'released'} {name} -> {where}")
    return said


def collect_from_exchange(exchange, course: str, out, names=None) -> dict[str, list[str]]:
    """Copy each student's latest submission of `names` (default: every assignment) into
    OUT/STUDENT/ASSIGNMENT/, nbgrader's submitted layout that `grade` reads; a newer
    submission replaces one collected before. Returns the students, by assignment."""
    exchange = _exchange_root(exchange)
    inbound = exchange / course / "inbound"
    if not inbound.is_dir():
        raise FileNotFoundError(
            f"course {course!r} has no inbound folder in {exchange}: release an assignment first "
            f"(micrograd-course release --exchange {exchange} --course {course})"
        )
    put_scripts_on_path()  # collect opens a gradebook (for due dates): an empty one in memory
    out = Path(out).resolve()
    collected = {}
    for name in _assignments(names):
        settings = {
            "root": str(out.parent), "submitted_directory": out.name,
            "assignment_id": name, "db_url": "sqlite://",
        }  # fmt: skip
        app, warnings = _run(_collect_class(), exchange, course, settings, update=True, check_owner=False)
        collected[name] = sorted(record["username"] for record in app.src_records)
        for warning in warnings:
            print(f"warning: {warning}")
        for record in app.forged:
            print(
                f"not collected: {inbound / record['filename']} names {record['username']} but was "
                f"handed in by {record['owner']}"
            )
    return collected


SHARED_ACCOUNT = "jovyan"  # Docker-based hubs run everyone as it; nbgrader then names them by JUPYTERHUB_USER


def _collect_class():
    """nbgrader's collect, taking only the submissions owned by the student they name (or by
    the shared account): nbgrader itself only warns, and collects a classmate's submission
    made with `nbgrader submit --student=OTHER` as OTHER's latest. The others: `forged`."""
    import pwd

    from nbgrader.exchange.default import ExchangeCollect

    class OwnSubmissionsOnly(ExchangeCollect):
        def init_src(self):
            self.forged = []
            super().init_src()
            self.src_records = [r for r in self.src_records if r not in self.forged]

        def _path_to_record(self, path):
            record = super()._path_to_record(path)
            uid = os.stat(path).st_uid
            try:
                record["owner"] = pwd.getpwuid(uid).pw_name
            except KeyError:
                record["owner"] = f"uid {uid}"
            if record["owner"] not in (record["username"], SHARED_ACCOUNT):
                self.forged.append(record)
            return record

        def _sort_by_timestamp(self, records):  # the student's own first: latest of those is taken
            return sorted(super()._sort_by_timestamp(records), key=lambda r: r in self.forged)

    return OwnSubmissionsOnly


def return_feedback(grading, exchange, course: str, names=None) -> tuple[list[str], list[str]]:
    """Release the feedback of every submission in the grading folder that came through
    the exchange, so that each student's `nbgrader fetch_feedback` finds their own.
    Returns (the "student/assignment" pairs returned, the ones that could not be and why)."""
    from nbgrader.exchange.default import ExchangeReleaseFeedback

    grading = Path(grading).resolve()
    if not (grading / "feedback").is_dir():
        raise FileNotFoundError(
            f"{grading} has no feedback/: grade first (micrograd-course grade ... --out {grading})"
        )
    exchange = _exchange_root(exchange)
    if not (exchange / course).is_dir():
        raise FileNotFoundError(f"course {course!r} is not in the exchange {exchange}")
    returned, skipped = [], []
    for name in _assignments(names):
        with tempfile.TemporaryDirectory(prefix="feedback-") as staging:
            staged = _stage_feedback(grading, exchange / course, name, Path(staging), skipped)
            if not staged:
                continue
            _run(ExchangeReleaseFeedback, exchange, course, {"root": staging, "assignment_id": name})
        for html in (exchange / course / "feedback").glob("*.html"):
            html.chmod(0o644)  # a student reads it by its name; the folder is not listable
        returned += [f"{student}/{name}" for student in staged]
    return returned, skipped


def _stage_feedback(grading: Path, course: Path, name: str, staging: Path, skipped: list[str]) -> list[str]:
    """STAGING/feedback/STUDENT/NAME/: the feedback page and the submission's files, for
    every student graded on `name` whose submission came from the exchange."""
    staged = []
    for folder in sorted((grading / "feedback").glob(f"*/{name}")):
        student = folder.parent.name
        submitted = grading / "submitted" / student / name
        page = folder / f"{name}.html"
        if not all((submitted / f).is_file() for f in SUBMISSION_FILES) or not page.is_file():
            skipped.append(
                f"{student}/{name}: handed in outside the exchange or not at all (no submission secret in "
                f"{submitted}): give this feedback back another way"
            )
            continue
        target = staging / "feedback" / student / name
        target.mkdir(parents=True)
        for f in SUBMISSION_FILES:
            shutil.copyfile(submitted / f, target / f)
        secret = (submitted / "submission_secret.txt").read_text()
        for notebook in _notebook_names(course, student, name, secret):
            shutil.copyfile(page, target / f"{notebook}.html")
        staged.append(student)
    return staged


def _notebook_names(course: Path, student: str, name: str, secret: str) -> list[str]:
    """The name the graded notebook had in the student's submission: fetch_feedback looks
    its page up by that name (a student may have renamed it, "01_derivatives-Copy1").
    The submission is found in the inbound folder by its secret; grading chose its
    notebook by collect's rule: ASSIGNMENT.ipynb if there, else the first by name."""
    for folder in (course / "inbound").glob(f"{glob.escape(student)}+{glob.escape(name)}+*"):
        mine = folder / "submission_secret.txt"
        if mine.is_file() and mine.read_text() == secret:
            notebooks = sorted(p.stem for p in folder.glob("*.ipynb"))
            return [name] if name in notebooks or not notebooks else notebooks[:1]
    return [name]


def _assignments(names) -> list[str]:
    course = assignments()
    unknown = [n for n in names or [] if n not in course]
    if unknown:
        raise ValueError(f"unknown assignment(s) {', '.join(unknown)}; the course has {', '.join(course)}")
    return list(names or course)


def _exchange_root(exchange, create=False) -> Path:
    root = Path(exchange).resolve()
    if root.is_dir():
        return root
    if not create:
        raise FileNotFoundError(f"the exchange {root} does not exist: release an assignment into it first")
    try:
        root.mkdir(parents=True)
        root.chmod(ROOT_MODE)
    except PermissionError:
        raise RuntimeError(
            f"cannot create the exchange {root}: create it once as root, "
            f"`sudo mkdir -p {root} && sudo chmod 1777 {root}`, then run this again"
        ) from None
    return root


def _run(kind, exchange: Path, course: str, coursedir: dict, **options):
    """Run one of nbgrader's exchange steps; returns it and the warnings it logged, or
    raises RuntimeError with nbgrader's own reason."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeError
    from traitlets.config import Config

    config = Config()
    config.Exchange.root = str(exchange)
    config.CourseDirectory.course_id = course
    for key, value in coursedir.items():
        setattr(config.CourseDirectory, key, value)
    buffer = StringIO()
    log = logging.getLogger(f"micrograd-course.exchange.{kind.__name__}")
    log.setLevel(logging.INFO)
    log.propagate = False
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log.handlers = [handler]
    app = kind(
        coursedir=CourseDirectory(config=config), authenticator=Authenticator(config=config),
        config=config, log=log, **options,
    )  # fmt: skip
    try:
        app.start()
    except (ExchangeError, OSError) as error:
        raise RuntimeError(f"nbgrader's exchange refused: {error}") from None
    lines = buffer.getvalue().splitlines()
    return app, [line.split(" ", 1)[1].strip() for line in lines if line.startswith("WARNING")]
