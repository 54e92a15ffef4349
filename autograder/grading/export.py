"""Stage 4, export: the class's grades as grades.csv, and in an LMS's import formats.

nbgrader's own CSV exporter writes it, so its columns and numbers are the ones
`nbgrader export` gives: one row per student and assignment, zeros included.
"""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

from .prepare import open_gradebook

GRADES_CSV = "grades.csv"


def export(course: Path) -> Path:
    """Write COURSE/grades.csv from the class gradebook; returns its path."""
    from nbgrader.plugins import CsvExportPlugin

    target = Path(course) / GRADES_CSV
    with open_gradebook(course) as gb:
        CsvExportPlugin(to=str(target)).export(gb)
    return target


# LMS gradebooks ------------------------------------------------------------------------

LMS_IDS = "lms.json"  # what the LMS's file names said of each graded submission


def save_lms_ids(course: Path, lms: str, submissions) -> None:
    """Keep, for each submission read from an LMS download, the names and ids the
    LMS gave it, so `export --lms` can key grades and feedback by them."""
    target = Path(course) / LMS_IDS
    ids = json.loads(target.read_text()) if target.exists() else {}
    for s in submissions:
        if s.lms is not None:
            ids[s.key] = {"lms": lms, "student": s.student, "assignment": s.assignment, **s.lms}
    target.write_text(json.dumps(ids, indent=1, sort_keys=True, ensure_ascii=False))


def export_lms(course: Path, lms: str, only: str | None = None, column: str | None = None) -> list[Path]:
    """The grades of COURSE in `lms`'s import format, and a zip of feedback files per
    assignment named the way its feedback upload matches them to students.

    Canvas: one gradebook CSV (Student, ID, SIS User ID, SIS Login ID, Section,
    then a column per assignment, after a "Points Possible" row), matched on ID,
    Canvas's user id; feedback in a zip for "Re-Upload Submissions", each file
    named with the submission's own download prefix (lastfirst_userid_attachmentid_: Canvas reads the
    first two all-digit "_" fields as user and attachment id and needs that attachment
    on the user's submission).
    Moodle: per assignment, the offline grading worksheet CSV, matched on its
    "Participant N" identifier, and a feedback zip of the download's folders
    (Full Name_N_assignsubmission_file_/), for "Upload multiple feedback files in a zip".
    `column` is the Canvas column title of `only` as Canvas's own gradebook export
    writes it ("Homework 1 (4711)"), so the import fills that assignment instead of
    adding a new one.
    """
    course = Path(course)
    if lms not in LMS_WRITERS:
        raise ValueError(f"export --lms supports {', '.join(LMS_WRITERS)}, not {lms!r}")
    source = course / LMS_IDS
    ids = json.loads(source.read_text()) if source.exists() else {}
    ids = {k: v for k, v in ids.items() if v["lms"] == lms and (only is None or v["assignment"] == only)}
    if not ids:
        raise ValueError(
            f"{course} holds no submissions read from a {lms} download"
            + (f" for {only}" if only else "")
            + f": grade them with `micrograd-course grade DOWNLOAD.zip --lms {lms} --out {course}` first"
        )
    if column is not None and (lms != "canvas" or only is None):
        raise ValueError(
            "--column names the Canvas column of one assignment: give --lms canvas and --assignment"
        )
    grades = {
        f"{r['student_id']}/{r['assignment']}": (float(r["score"]), float(r["max_score"]))
        for r in csv.DictReader(export(course).open(newline=""))
    }
    if column is not None:
        return _canvas(course, ids, grades, {only: column})
    return LMS_WRITERS[lms](course, ids, grades)


def _number(x: float) -> str:
    return f"{x:g}"


def _feedback_zip(course: Path, target: Path, entries) -> Path:
    """A zip of each (key, name in the zip) submission's feedback page."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for key, name in entries:
            student, assignment = key.split("/")
            page = course / "feedback" / student / assignment / f"{assignment}.html"
            if page.exists():
                zf.write(page, name)
    return target


def _canvas(course: Path, ids: dict, grades: dict, titles: dict | None = None) -> list[Path]:
    assignments = sorted({v["assignment"] for v in ids.values()})
    students = {}
    for v in ids.values():
        students.setdefault(v["student"], v["name"])
    target = course / "canvas_grades.csv"
    with target.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        titles = titles or {}
        out.writerow(
            [
                "Student",
                "ID",
                "SIS User ID",
                "SIS Login ID",
                "Section",
                *(titles.get(a, a) for a in assignments),
            ]
        )
        most = {
            a: max((g[1] for k, g in grades.items() if k.endswith(f"/{a}")), default=0) for a in assignments
        }
        out.writerow(["    Points Possible", "", "", "", "", *(_number(most[a]) for a in assignments)])
        for student, name in sorted(students.items()):
            row = [grades.get(f"{student}/{a}") for a in assignments]
            out.writerow([name, student, "", "", "", *("" if g is None else _number(g[0]) for g in row)])
    written = [target]
    for a in assignments:
        entries = [
            (k, f"{v['prefix']}{a}_feedback.html") for k, v in sorted(ids.items()) if v["assignment"] == a
        ]
        written.append(_feedback_zip(course, course / f"canvas_feedback_{a}.zip", entries))
    return written


MOODLE_COLUMNS = [
    "Identifier",
    "Full name",
    "Email address",
    "Status",
    "Grade",
    "Maximum Grade",
    "Grade can be changed",
    "Last modified (submission)",
    "Last modified (grade)",
    "Feedback comments",
]


def _moodle(course: Path, ids: dict, grades: dict) -> list[Path]:
    written = []
    for a in sorted({v["assignment"] for v in ids.values()}):
        mine = {k: v for k, v in sorted(ids.items()) if v["assignment"] == a}
        target = course / f"moodle_grades_{a}.csv"
        with target.open("w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(MOODLE_COLUMNS)
            for key, v in mine.items():
                score, most = grades.get(key, (0.0, 0.0))
                out.writerow(
                    [
                        f"Participant {v['student']}",
                        v["name"],
                        "",
                        "Submitted for grading",
                        _number(score),
                        _number(most),
                        "Yes",
                        "",
                        "",
                        f"Autograded: {_number(score)} of {_number(most)} points; see {a}_feedback.html.",
                    ]
                )
        entries = [(k, f"{v['prefix']}/{a}_feedback.html") for k, v in mine.items()]
        written += [target, _feedback_zip(course, course / f"moodle_feedback_{a}.zip", entries)]
    return written


LMS_WRITERS = {"canvas": _canvas, "moodle": _moodle}
