"""Feedback: each error reads as its message, and the page is rendered in the worker.

`render` does what `nbgrader generate_feedback` does with the preprocessors the job's
config names (FEEDBACK_EXTRA in execute.py): the autograded notebook, its grades from
the job's gradebook, hidden tests cleared, errors as messages, as nbgrader's feedback
HTML. It keeps one exporter per process, so its templates are compiled once, not once
a notebook, and it skips a second converter pass over the course folder.
"""

from __future__ import annotations

import os
import shutil
from functools import cache
from pathlib import Path

from nbconvert.preprocessors import Preprocessor


class ErrorMessagesOnly(Preprocessor):
    """Tracebacks quote the test code that ran, hidden tests included; the message of a
    failed check already says what is wrong, so that is all the feedback keeps."""

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


@cache
def exporter():
    """nbgrader's feedback exporter, set up as GenerateFeedback sets it up."""
    import nbgrader
    from nbconvert.exporters import HTMLExporter
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import ClearHiddenTests, GetGrades
    from traitlets.config import Config

    formgrader = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
    config = Config()
    config.HTMLExporter.template_name = "feedback"
    config.HTMLExporter.extra_template_basedirs = [str(formgrader / "templates")]
    config.HTMLExporter.extra_template_paths = [
        str(formgrader / "static" / "node_modules" / "bootstrap" / "dist" / "css")
    ]
    config.ClearHiddenTests.enforce_metadata = False
    config.ErrorMessagesOnly.enabled = True
    config.Exporter.default_preprocessors = []
    html = HTMLExporter(config=config)
    for step in (GetGrades, ClearHiddenTests, ErrorMessagesOnly, CSSHTMLHeaderPreprocessor):
        html.register_preprocessor(step)  # as nbgrader registers them: each on only if configured so
    return html


def render(folder: Path, student: str, assignment: str) -> None:
    """FOLDER/feedback/STUDENT/ASSIGNMENT from FOLDER/autograded/STUDENT/ASSIGNMENT."""
    from .prepare import gradebook_url

    graded = Path(folder) / "autograded" / student / assignment
    target = Path(folder) / "feedback" / student / assignment
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in sorted(graded.rglob("*")):
        if path.is_file() and path.suffix != ".ipynb":  # what was handed in beside it, as nbgrader copies
            (target / path.relative_to(graded)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target / path.relative_to(graded))
    for notebook in sorted(graded.glob("*.ipynb")):
        resources = {
            "unique_key": notebook.stem,
            "output_files_dir": f"{notebook.stem}_files",
            "nbgrader": {
                "student": student, "assignment": assignment, "notebook": notebook.stem,
                "db_url": gradebook_url(folder),
            },
        }  # fmt: skip
        page, _ = exporter().from_filename(str(notebook), resources=resources)
        (target / f"{notebook.stem}.html").write_text(page, encoding="utf-8")
    for path in target.rglob("*"):
        if path.is_file():
            os.chmod(path, 0o644)  # nbgrader's feedback permissions
