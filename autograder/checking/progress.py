"""A student's progress over every notebook: passing, failing, not attempted, not checked.

    progress()                              in a notebook (its setup cell imports it)
    micrograd-course progress [FOLDER]      in a terminal

The notebook you are working in is live: what the checks run in this kernel found
(`session`), not what was last saved. Every other notebook's status is read from the
outputs saved in its file (no kernel is started, so it takes a fraction of a second);
the display names the folder it read and when each file was saved.
"""

import html
import json
import pkgutil
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..cells import graded_cells
from . import session

STUB = "raise NotImplementedError()"
NOTEBOOK = re.compile(r"\d\d_\w+")
MARKS = {"passing": "\u2714", "failing": "\u2718", "not attempted": "\u00b7", "not checked": "?"}
COLOURS = {"passing": "#1e8449", "failing": "#c0392b", "not attempted": "#7f8c8d", "not checked": "#7f8c8d"}
HOW_TO_POINT = (
    "run it in the folder that holds your notebooks (01_derivatives/, 02_value/, ...), "
    "or name that folder: micrograd-course progress PATH (in a notebook: progress(PATH))"
)


class NoCourseFolder(FileNotFoundError):
    """No course notebooks (NN_name/NN_name.ipynb) where progress looked."""


@dataclass
class Row:
    notebook: str
    exercise: str
    title: str
    points: float
    status: str  # "passing", "failing", "not attempted", "not checked"
    message: str = ""

    @property
    def earned(self) -> float:
        return self.points if self.status == "passing" else 0.0


@dataclass
class NotebookProgress:
    name: str
    rows: list[Row]
    source: str  # "live" (this kernel), "saved" (the file's outputs) or "missing" (no file)
    path: Path | None = None
    saved_at: float | None = None  # the file's modification time

    @property
    def where(self) -> str:
        if self.source == "live":
            return "live: this kernel's checks"
        if self.source == "missing":
            return "no saved file"
        saved = "saved " + time.strftime("%Y-%m-%d %H:%M", time.localtime(self.saved_at))
        if self.rows and all(r.status == "not checked" for r in self.rows):
            return saved + ", without check outputs"
        return saved


@dataclass
class Progress:
    """What progress() shows: an HTML table in Jupyter, a few lines of text elsewhere."""

    folder: Path | None
    notebooks: list[NotebookProgress] = field(default_factory=list)

    @property
    def rows(self) -> list[Row]:
        return [row for nb in self.notebooks for row in nb.rows]

    def status(self) -> dict[str, str]:
        return {row.exercise: row.status for row in self.rows}

    def heading(self) -> str:
        live = [nb.name for nb in self.notebooks if nb.source == "live"]
        done, total = sum(r.earned for r in self.rows), sum(r.points for r in self.rows)
        said = f"Progress: {done:g} of {total:g} points."
        if live:
            said += f" {', '.join(live)}: live, from this kernel's checks."
        if self.folder is None:
            return f"{said} No other notebooks found beside this one: {HOW_TO_POINT}."
        others = "The other notebooks" if live else "Every notebook"
        return f"{said} {others}: from the outputs saved in their files in {self.folder}"

    def __str__(self) -> str:
        lines = [self.heading()]
        width = max((len(nb.rows) for nb in self.notebooks), default=0)
        for nb in self.notebooks:
            earned, total = sum(r.earned for r in nb.rows), sum(r.points for r in nb.rows)
            marks = "".join(MARKS[r.status] for r in nb.rows)
            lines.append(f"  {nb.name:<16}{f'{earned:g}/{total:g}':>7}  {marks:<{width}}  {nb.where}")
            lines += [f"      \u2718 {r.exercise}: {r.message}" for r in nb.rows if r.status == "failing"]
        lines.append(
            "  (\u2714 passing  \u2718 failing  \u00b7 not attempted  ? not checked: run its check cell, and save)"
        )
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        cell = "padding:2px 8px;text-align:left;vertical-align:top"
        rows = []
        for nb in self.notebooks:
            earned, total = sum(r.earned for r in nb.rows), sum(r.points for r in nb.rows)
            chips = " ".join(_chip(r) for r in nb.rows)
            failing = "".join(
                f'<div style="color:#c0392b;font-size:90%">\u2718 {r.exercise}: {html.escape(r.message)}</div>'
                for r in nb.rows
                if r.status == "failing"
            )
            rows.append(
                f'<tr class="micrograd-course-progress-{nb.source}"><td style="{cell}"><b>{nb.name}</b></td>'
                f'<td style="{cell}">{earned:g}/{total:g}</td><td style="{cell}">{chips}{failing}</td>'
                f'<td style="{cell};color:#555;white-space:nowrap">{nb.where}</td></tr>'
            )
        head = "".join(
            f'<th style="{cell}">{h}</th>' for h in ("notebook", "points", "exercises", "status from")
        )
        return (
            f'<div class="micrograd-course-progress"><div style="margin-bottom:4px">'
            f"{html.escape(self.heading())}</div>"
            f'<table style="border-collapse:collapse"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )


def _chip(row: Row) -> str:
    tip = html.escape(f"{row.title}: {row.status}" + (f" ({row.message})" if row.message else ""), quote=True)
    return (
        f'<span title="{tip}" data-status="{row.status}" style="color:{COLOURS[row.status]};'
        f'white-space:nowrap;margin-right:6px">{MARKS[row.status]}&nbsp;{row.exercise}</span>'
    )


def course_notebooks() -> list[str]:
    """The course's notebooks, in order, as their exercise declarations name them."""
    from . import exercises

    return sorted(info.name.removeprefix("nb") for info in pkgutil.iter_modules(exercises.__path__))


def find_folder(folder=None) -> Path | None:
    """The folder of notebooks to read: `folder`, else the working folder, its parent (a
    kernel runs in NN_name/) or its notebooks/ (the course's root), the first that holds
    NN_name/NN_name.ipynb files."""
    if folder is not None:
        folder = Path(folder).expanduser().resolve()
        if not _holds_notebooks(folder):
            raise NoCourseFolder(f"no course notebooks (NN_name/NN_name.ipynb) in {folder}: {HOW_TO_POINT}")
        return folder
    here = Path.cwd().resolve()
    return next((c for c in (here, here.parent, here / "notebooks") if _holds_notebooks(c)), None)


def _holds_notebooks(folder: Path) -> bool:
    return any(folder.glob("[0-9][0-9]_*/[0-9][0-9]_*.ipynb"))


def live_notebooks() -> set[str]:
    """The notebooks this process has run checks of, and, in a Jupyter kernel, its own
    notebook (a kernel's working folder is its notebook's: NN_name/)."""
    ran = {id.split(".")[0] for id in session.RESULTS}
    here = Path.cwd()
    if _in_kernel() and NOTEBOOK.fullmatch(here.name) and (here / f"{here.name}.ipynb").exists():
        ran.add(here.name[:2])
    return {name for name in course_notebooks() if name[:2] in ran}


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return getattr(get_ipython(), "kernel", None) is not None


def live_rows(name: str) -> list[Row]:
    from .exercise import exercises_in

    rows = []
    for ex in exercises_in(name):
        result = session.RESULTS.get(ex.id)
        status, message = (result.status, result.message) if result else ("not checked", "")
        rows.append(Row(name, ex.id, ex.title, ex.points, status, message))
    return rows


def saved_rows(path: Path, name: str) -> list[Row]:
    """Each exercise's status as the outputs saved in the notebook file show it."""
    from .exercise import exercises_in

    with path.open(encoding="utf-8") as file:
        nb = json.load(file)  # plain JSON: nbformat's validation would cost more than the rest
    cells = {cell["metadata"]["nbgrader"]["grade_id"]: cell for cell in _graded(nb)}
    seen = {cell.grade_id: cell for cell in graded_cells(nb)}
    untouched = all(
        STUB in _source(c) for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("solution")
    )
    rows = []
    for ex in exercises_in(name):
        cell, result = cells.get(ex.grade_id), seen.get(ex.grade_id)
        if untouched:
            status, message = "not attempted", ""
        elif cell is None or result is None or not cell.get("outputs"):
            status, message = "not checked", ""
        elif "not-attempted" in result.keys or result.error_name == "NotAttempted":
            status, message = "not attempted", ""
        elif not result.passed:
            status, message = "failing", re.sub(r"^\[[\w.]+\] ", "", result.first_line)
        else:
            status, message = "passing", ""
        rows.append(Row(name, ex.id, ex.title, ex.points, status, message))
    return rows


def _graded(nb) -> list:
    return [
        c
        for c in nb["cells"]
        if c.get("cell_type") == "code" and c.get("metadata", {}).get("nbgrader", {}).get("grade")
    ]


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def progress(folder=None) -> Progress:
    """Every notebook's exercises: this kernel's own notebook live, the others from the
    outputs saved in their files in `folder` (default: beside this notebook, or the
    working folder). Shown as a table in Jupyter, as text elsewhere."""
    found = find_folder(folder)
    live = live_notebooks()
    shown = Progress(found)
    for name in course_notebooks():
        path = found / name / f"{name}.ipynb" if found else None
        if name in live:
            shown.notebooks.append(NotebookProgress(name, live_rows(name), "live", path))
        elif path is not None and path.exists():
            shown.notebooks.append(
                NotebookProgress(name, saved_rows(path, name), "saved", path, path.stat().st_mtime)
            )
        elif found is not None:
            from .exercise import exercises_in

            rows = [Row(name, ex.id, ex.title, ex.points, "not checked") for ex in exercises_in(name)]
            shown.notebooks.append(NotebookProgress(name, rows, "missing", path))
    return shown
