"""LMS downloads in (Canvas, Moodle, Blackboard) and gradebook imports out (Canvas, Moodle).

The archives are built from each LMS's naming rules:
- Canvas "Download Submissions": lastfirst_[LATE_]userid_attachmentid_original.ipynb,
  the original name with "-1", "-2" when the student uploaded that name again;
- Moodle "Download all submissions": per-student folders
  "Full Name_participantid_assignsubmission_file_/original.ipynb" (4.1 and later
  without the last "_"), or the older flat "Full Name_id_assignsubmission_file_original.ipynb";
- Blackboard "Download Assignment": Item_username_attempt_YYYY-MM-DD-HH-MM-SS_original.ipynb,
  each attempt with its receipt Item_username_attempt_DATE.txt.
"""

from __future__ import annotations

import csv
import json
import shutil
import zipfile

import pytest
from tinycourse import ASSIGNMENT

from autograder import get_exercise
from autograder.grading.cli import main
from autograder.grading.collect import find_submissions
from autograder.grading.export import LMS_IDS, export_lms, save_lms_ids
from autograder.grading.outcome import Status
from autograder.layout import NOTEBOOKS, SAMPLE_CLASS, notebook_path

ASSIGNMENTS = ["01_derivatives", "02_value", "03_backprop"]
RELEASED = {a: notebook_path(NOTEBOOKS, a).read_bytes() for a in ASSIGNMENTS}
STRANGER = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def download(tmp_path, files: dict[str, bytes], name="submissions.zip"):
    """A zip as the LMS hands it out: the given members, and macOS clutter around them."""
    archive = tmp_path / name
    with zipfile.ZipFile(archive, "w") as zf:
        for member, data in files.items():
            zf.writestr(member, data)
        zf.writestr("__MACOSX/._anything.ipynb", b"\x00\x05\x16\x07")
    return archive


def collect(source, lms, **options):
    notices = []
    found = find_submissions(source, ASSIGNMENTS, lms=lms, notices=notices, **options)
    return {(s.student, s.assignment): s for s in found}, notices


def test_canvas_names_late_reuploads_and_assignments_told_by_the_cells(tmp_path):
    archive = download(
        tmp_path,
        {
            "lovelaceada_12345_900001_01_derivatives.ipynb": RELEASED["01_derivatives"],
            "lovelaceada_12345_900001_01_derivatives-1.ipynb": RELEASED["01_derivatives"],
            "lovelaceada_12345_900001_01_derivatives-2.ipynb": RELEASED["01_derivatives"],
            "godelkurt_LATE_23456_900002_my notebook (final).ipynb": RELEASED["01_derivatives"],
            "noetheremmy_34567_900003_Untitled.ipynb": RELEASED["02_value"],
            "turingalan_45678_900004_scratch.ipynb": STRANGER,
            "hoppergrace_56789_900005_01_derivatives.ipynb": b"{ this is not json",
            "syllabus.ipynb": RELEASED["01_derivatives"],
        },
    )
    got, notices = collect(archive, "canvas")
    assert set(got) == {
        ("12345", "01_derivatives"),
        ("23456", "01_derivatives"),
        ("34567", "02_value"),
        ("56789", "01_derivatives"),
    }
    ada = got["12345", "01_derivatives"]
    assert ada.path.name.endswith("-2.ipynb")
    assert ada.lms["prefix"] == "lovelaceada_12345_900001_" and ada.lms["name"] == "lovelaceada"
    assert got["23456", "01_derivatives"].lms["late"] == "LATE_"
    assert got["56789", "01_derivatives"].status is Status.INVALID  # zero, with the reason
    assert any("graded the latest of 3 attempts" in n and "-2.ipynb" in n for n in notices)
    assert any("turingalan_45678_900004_scratch.ipynb" in n and "no assignment" in n for n in notices)
    assert any(n.startswith("syllabus.ipynb: not named") for n in notices)


def test_a_broken_notebook_of_no_named_assignment_is_reported_or_graded_as_the_one_expected(tmp_path):
    (tmp_path / "hoppergrace_56789_900005_work.ipynb").write_bytes(b"")
    with pytest.raises(ValueError, match="no canvas submissions"):
        collect(tmp_path, "canvas")
    (tmp_path / "noetheremmy_34567_900003_homework.ipynb").write_bytes(RELEASED["02_value"])
    got, notices = collect(tmp_path, "canvas", expected=["01_derivatives"])
    assert got["56789", "01_derivatives"].status is Status.INVALID
    assert got["34567", "01_derivatives"].status is Status.MISSING
    assert (
        "noetheremmy_34567_900003_homework.ipynb: is the notebook of 02_value, so it is graded as 02_value"
        in notices
    )


def test_moodle_folders_old_flat_names_spaces_and_accents(tmp_path):
    archive = download(
        tmp_path,
        {
            "Ada Lovelace_12345_assignsubmission_file_/01_derivatives.ipynb": RELEASED["01_derivatives"],
            "José Núñez-Ørsted_23456_assignsubmission_file/Mi trabajo.ipynb": RELEASED["01_derivatives"],
            "José Núñez-Ørsted_23456_assignsubmission_onlinetext_/onlinetext.html": b"<p>done</p>",
            "Emmy Noether_34567_assignsubmission_file_02_value.ipynb": RELEASED["02_value"],
            "Alan Turing_45678_assignsubmission_file_/notes.ipynb": STRANGER,
        },
    )
    got, notices = collect(archive, "moodle")
    assert set(got) == {("12345", "01_derivatives"), ("23456", "01_derivatives"), ("34567", "02_value")}
    assert got["23456", "01_derivatives"].lms["name"] == "José Núñez-Ørsted"
    assert got["23456", "01_derivatives"].lms["prefix"] == "José Núñez-Ørsted_23456_assignsubmission_file"
    assert got["34567", "02_value"].lms["prefix"] == "Emmy Noether_34567_assignsubmission_file_"
    assert any("Alan Turing_45678" in n and "no assignment" in n for n in notices)


def test_blackboard_grades_the_latest_attempt_and_says_so(tmp_path):
    item = "Derivatives Homework"
    files = {}
    for user, stamps in {
        "alovelace": ["2026-01-30-10-00-00", "2026-01-31-09-15-42"],
        "kgodel": ["2026-01-29-23-59-59"],
    }.items():
        for stamp in stamps:
            files[f"{item}_{user}_attempt_{stamp}.txt"] = f"Name: {user}\nSubmission Field:\n".encode()
            files[f"{item}_{user}_attempt_{stamp}_01_derivatives.ipynb"] = RELEASED["01_derivatives"]
    got, notices = collect(download(tmp_path, files), "blackboard")
    assert set(got) == {("alovelace", "01_derivatives"), ("kgodel", "01_derivatives")}
    assert "2026-01-31-09-15-42" in got["alovelace", "01_derivatives"].path.name
    assert [n for n in notices if "latest" in n] == [
        f"alovelace/01_derivatives: graded the latest of 2 attempts, "
        f"{item}_alovelace_attempt_2026-01-31-09-15-42_01_derivatives.ipynb "
        f"(not {item}_alovelace_attempt_2026-01-30-10-00-00_01_derivatives.ipynb)"
    ]


def test_unknown_lms_is_refused(tmp_path, capsys):
    with pytest.raises(ValueError, match="canvas, moodle, blackboard"):
        collect(tmp_path, "sakai")
    assert main(["grade", str(tmp_path / "none.zip"), "--lms", "moodle", "--out", str(tmp_path / "g")]) == 2
    assert "none.zip does not exist" in capsys.readouterr().err


def lms_copy(tiny_class, tmp_path, lms, ids):
    course = tmp_path / "course"
    shutil.copytree(tiny_class, course)
    (course / LMS_IDS).unlink(missing_ok=True)
    for student, groups in ids.items():
        save_lms_ids(course, lms, [_Sub(student, groups)])
    return course


class _Sub:
    def __init__(self, student, groups):
        self.student, self.assignment, self.lms = student, ASSIGNMENT, groups
        self.key = f"{student}/{ASSIGNMENT}"


def test_canvas_gradebook_csv_has_its_header_rows_and_ids(tiny_class, tmp_path):
    course = lms_copy(
        tiny_class,
        tmp_path,
        "canvas",
        {
            "ada": {"name": "lovelaceada", "prefix": "lovelaceada_ada_1_"},
            "ben": {"name": "benben", "prefix": "benben_ben_2_"},
        },
    )
    written = export_lms(course, "canvas")
    rows = list(csv.reader(written[0].open(encoding="utf-8")))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
    assert rows[1] == ["    Points Possible", "", "", "", "", "7"]
    assert rows[2:] == [["lovelaceada", "ada", "", "", "", "7"], ["benben", "ben", "", "", "", "2"]]
    with pytest.raises(ValueError, match="--lms moodle"):
        export_lms(course, "moodle")
    titled = export_lms(course, "canvas", ASSIGNMENT, column="Derivatives (4711)")[0]
    assert next(csv.reader(titled.open(encoding="utf-8")))[-1] == "Derivatives (4711)"
    with pytest.raises(ValueError, match="--assignment"):
        export_lms(course, "canvas", column="Derivatives (4711)")


def test_export_of_a_folder_graded_without_lms_says_what_to_do(tiny_class):
    with pytest.raises(ValueError, match="grade them with"):
        export_lms(tiny_class, "canvas")


# round trips: grade a real download, export, read the import files back -------------------

FIRST = "01_derivatives"
CLASS = {  # sample-class student -> (Canvas name, user id, Moodle full name, participant id)
    "ada": ("lovelaceada", "11001", "Ada Lovelace", "501"),
    "chen": ("chénwei", "11002", "Chén Wèi", "502"),
    "dara": ("obrien-dara", "11003", "Dara O'Brien", "503"),
}


def local_grades(course):
    """Each notebook's local grade, as the sample-class grading test asserts it."""
    full = next(float(r["max_score"]) for r in csv.DictReader((course / "grades.csv").open()))
    return {"ada": full, "chen": full - get_exercise("01.central").points, "dara": 0}


@pytest.fixture(scope="module")
def graded_downloads(tmp_path_factory):
    from autograder.grading.grade import grade

    tmp = tmp_path_factory.mktemp("lms")
    notebook = {s: (SAMPLE_CLASS / s / FIRST / f"{FIRST}.ipynb").read_bytes() for s in CLASS}
    canvas = download(
        tmp,
        {
            f"{c}_{'LATE_' if s == 'chen' else ''}{uid}_7{uid}_{FIRST}{'-1' if s == 'ada' else ''}.ipynb": notebook[
                s
            ]
            for s, (c, uid, _, _) in CLASS.items()
        },
        "canvas.zip",
    )
    moodle = download(
        tmp,
        {
            f"{n}_{pid}_assignsubmission_file_/homework one.ipynb": notebook[s]
            for s, (_, _, n, pid) in CLASS.items()
        },
        "moodle.zip",
    )
    out = tmp / "graded"  # one grading folder for both: Canvas and Moodle ids differ
    for lms, archive in (("canvas", canvas), ("moodle", moodle)):
        grade(archive, out, jobs=2, timeout=20, lms=lms, progress=False)
    return out


def test_canvas_round_trip(graded_downloads):
    course = graded_downloads
    assert main(["export", str(course), "--lms", "canvas"]) == 0
    grades_csv, feedback = export_lms(course, "canvas")
    rows = list(csv.DictReader(grades_csv.open(encoding="utf-8")))
    assert rows[0]["Student"].strip() == "Points Possible"
    got = {r["ID"]: float(r[FIRST]) for r in rows[1:]}
    assert got == {CLASS[s][1]: g for s, g in local_grades(course).items()}
    names = sorted(zipfile.ZipFile(feedback).namelist())
    assert names == sorted(
        f"{c}_{'LATE_' if s == 'chen' else ''}{uid}_7{uid}_{FIRST}_feedback.html"
        for s, (c, uid, _, _) in CLASS.items()
    )


def test_moodle_round_trip(graded_downloads):
    course = graded_downloads
    worksheet, feedback = export_lms(course, "moodle")
    rows = list(csv.DictReader(worksheet.open(encoding="utf-8")))
    # the header line of the worksheet Moodle hands out for offline grading, every column in its place
    assert worksheet.read_text(encoding="utf-8").splitlines()[0] == (
        "Identifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
        "Last modified (submission),Last modified (grade),Feedback comments"
    )
    got = {r["Identifier"]: (r["Full name"], float(r["Grade"])) for r in rows}
    assert got == {f"Participant {CLASS[s][3]}": (CLASS[s][2], g) for s, g in local_grades(course).items()}
    names = sorted(zipfile.ZipFile(feedback).namelist())
    assert names == sorted(
        f"{n}_{pid}_assignsubmission_file_/{FIRST}_feedback.html" for _, _, n, pid in CLASS.values()
    )
    page = zipfile.ZipFile(feedback).read(names[0]).decode()
    assert "<html" in page.lower()
