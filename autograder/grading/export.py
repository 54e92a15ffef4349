"""Stage 4, export: the class's grades as grades.csv, for a spreadsheet or an LMS.

nbgrader's own CSV exporter writes it, so its columns and numbers are the ones
`nbgrader export` gives: one row per student and assignment, zeros included.
"""

from __future__ import annotations

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
