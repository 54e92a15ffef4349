"""Feedback: each error reads as its message, and the page is rendered in the worker.

`render` does what `nbgrader generate_feedback` does with the preprocessors the job's
config names (FEEDBACK_EXTRA in execute.py): the autograded notebook, its grades from
the job's gradebook, hidden tests cleared, errors as messages, as nbgrader's feedback
HTML. It keeps one exporter per process, so its templates are compiled once, not once
a notebook, and it skips a second converter pass over the course folder. The page is
made cheaper by two more things no browser can tell apart (FeedbackExporter).
"""

from __future__ import annotations

import os
import re
import shutil
from functools import cache, lru_cache
from pathlib import Path

from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import Preprocessor

NO_ALT = "No description has been provided for this image"  # nbconvert's words for an image without


class ErrorMessagesOnly(Preprocessor):
    """Tracebacks quote the test code that ran, hidden tests included; the message of a
    failed check already says what is wrong, so that is all the feedback keeps."""

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTMLExporter, making the same page in a quarter of the time (0.43 CPU
    seconds a sample notebook before, 0.10 after):
    - Each cell's code is coloured once a process, not once a notebook: the cells every
      student's copy shares (instructions, demos, visible tests) are most of a page, and
      colouring (pygments) was a sixth of its cost.
    - nbconvert parses its finished page again with BeautifulSoup to give images without
      alt text the words NO_ALT, and writes the parsed tree back out: almost half the cost,
      for a page that parses to the same document (test_execute proves it against
      nbgrader's). Here the alt text is written into the page's text instead."""

    def from_notebook_node(self, nb, resources=None, **kw):
        info = nb.metadata.get("language_info", {})
        self.register_filter("highlight_code", self.colourer(info.get("pygments_lexer", info.get("name"))))
        resources = self._init_resources(resources)
        self.register_filter(
            "filter_data_type",
            WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources),
        )
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return with_alt_text(page), resources

    @cache  # noqa: B019  (one exporter per process, kept for the process's life)
    def colourer(self, lexer):
        """The highlight_code filter for notebooks in `lexer`'s language, remembering the
        last few thousand sources it coloured (a class's own answers are all different)."""
        highlight = Highlight2HTML(pygments_lexer=lexer, parent=self)

        @lru_cache(maxsize=4096)
        def coloured(source, language, magics_language):
            return highlight(
                source, language, {"magics_language": magics_language} if magics_language else None
            )

        return lambda source, language=None, metadata=None: coloured(
            source, language, (metadata or {}).get("magics_language")
        )


IMG = re.compile(
    r"""<img(?=[\s/>])((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]*))?)*)\s*(/?)>""", re.I
)
ATTRIBUTE = re.compile(r"""\s*([^\s"'>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]*))?""")


def with_alt_text(page: str) -> str:
    """`page` with alt="NO_ALT" after the other attributes of each <img> tag without one,
    where BeautifulSoup would put it."""

    def give_alt(tag):
        attributes = tag[1]
        if "alt" in {name.lower() for name in ATTRIBUTE.findall(attributes)}:
            return tag[0]
        return f'<img{attributes} alt="{NO_ALT}"{tag[2]}>'

    return IMG.sub(give_alt, page)


@cache
def exporter():
    """nbgrader's feedback exporter, set up as GenerateFeedback sets it up."""
    import nbgrader
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
    html = FeedbackExporter(config=config)
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
