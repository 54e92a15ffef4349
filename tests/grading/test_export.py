"""export: grades.csv with nbgrader's columns, one row per student and assignment."""

from __future__ import annotations

import csv

from tinycourse import ASSIGNMENT

from autograder.grading.export import GRADES_CSV, export


def test_grades_csv_has_nbgraders_columns_and_every_score(tiny_class):
    target = export(tiny_class)
    assert target == tiny_class / GRADES_CSV
    rows = list(csv.DictReader(target.open()))
    assert set(rows[0]) >= {"assignment", "student_id", "raw_score", "score", "max_score"}
    scores = {
        r["student_id"]: (float(r["score"]), float(r["max_score"]))
        for r in rows
        if r["assignment"] == ASSIGNMENT
    }
    assert scores == {"ada": (7, 7), "ben": (2, 7), "cy": (3, 7), "dee": (0, 7), "eve": (0, 7)}


def test_export_again_rewrites_the_file(tiny_class):
    export(tiny_class)
    first = (tiny_class / GRADES_CSV).read_text()
    export(tiny_class)
    assert (tiny_class / GRADES_CSV).read_text() == first
