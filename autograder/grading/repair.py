"""Before grading, repair: turn what a student handed in into the notebook they meant.

Editors and students change notebooks in ways that have nothing to do with the
answers: a byte-order mark, an older nbformat minor, cell ids lost or repeated,
Colab's or VS Code's metadata and kernels, megabytes of saved outputs, an
answer cell copied, cell metadata stripped, a cell's type switched, a locked
or test cell edited, deleted or moved. nbgrader knows a cell only by its
nbgrader metadata, and most of these cost the student every point. So each
submission is rebuilt against the released student notebook of its assignment,
in small steps:

    read       the file's bytes -> a notebook, or a refusal the student can act on
    identify   which released cell each submitted cell is: by grade id, text, cell id
    recognise  refuse a notebook of another assignment, or of none
    place      answer cells that lost their grade id, found by position and definition
    choose     one submitted cell per released cell (the last copy of an answer)
    assemble   every released nbgrader cell once, in release order, with the
               release's metadata; locked cells with the release's text, answers
               with the student's; the student's own cells kept as plain cells

Because every released nbgrader cell is then present, nbgrader never has to add
one back (its `add_missing_cells` raises KeyError on 04-07 when the cell before
a missing one is a locked cell that is not graded, such as 'forward-try').
Every change that can matter to the student comes back as a `Repair` with a
sentence naming the cell.

    result = repair(path_or_bytes, load_release("04_neurons"), others=releases().values())
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import cache, cached_property
from pathlib import Path

import nbformat

from ..layout import NOTEBOOKS, notebook_path

HUGE_OUTPUTS = 1_000_000  # bytes of saved outputs worth telling the student about
RECOGNISED = 0.5  # share of the release's cells a notebook must hold to be taken for it
UNRECOGNISABLE = 0.2  # below this share, a notebook is not graded against the release at all
CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # nbformat 4.5's rule for cell ids
PLAIN_METADATA = ("tags",)  # the only cell metadata a student's own cell keeps
# metadata keys that name the editor that wrote them ("id" in a cell's metadata is Colab's)
EDITORS = {
    key: "Google Colab" for key in ("colab", "accelerator", "gpuClass", "outputId", "id", "executionInfo")
}
EDITORS |= {"vscode": "VS Code", "interpreter": "VS Code", "kaggle": "Kaggle", "deepnote": "Deepnote"}
EDITORS |= {"widgets": "Jupyter widgets"}
QUIET_CELL_KEYS = {"nbgrader", "deletable", "editable", "tags", "collapsed", "scrolled", "jupyter", "trusted"}
QUIET_CELL_KEYS |= {"execution", "slideshow", "name"}  # JupyterLab's own, dropped without a word


class RepairKind(Enum):
    BYTE_ORDER_MARK = "byte-order mark removed"
    OLD_FORMAT = "older notebook format upgraded"
    CELL_IDS = "cell ids renewed"
    KERNELSPEC = "kernel set to the course's"
    EDITOR_METADATA = "editor metadata removed"
    OUTPUTS = "saved outputs removed"
    DUPLICATE = "duplicated cell"
    METADATA = "grading metadata put back"
    CELL_TYPE = "cell type turned back"
    LOCKED_EDITED = "locked cell restored"
    CELL_RESTORED = "deleted cell put back"
    ANSWER_MISSING = "answer cell not found"
    REORDERED = "cells put back in order"


class RefusalCause(Enum):
    EMPTY = "empty file"
    NOT_JSON = "not a notebook file"
    NOT_NOTEBOOK = "JSON but not a notebook"
    WRONG_ASSIGNMENT = "notebook of another assignment"
    UNRECOGNISED = "not this assignment's notebook"


@dataclass(frozen=True)
class Repair:
    kind: RepairKind
    message: str  # a sentence for the student
    cells: tuple[str, ...] = ()  # grade ids of the released cells concerned


@dataclass(frozen=True)
class Repaired:
    """The notebook to grade (nbformat 4.5, no outputs) and what was done to get it."""

    notebook: nbformat.NotebookNode
    repairs: tuple[Repair, ...]

    @property
    def kinds(self) -> set[RepairKind]:
        return {r.kind for r in self.repairs}

    def write(self, path: os.PathLike) -> None:
        nbformat.write(self.notebook, os.fspath(path))


@dataclass(frozen=True)
class Refused:
    """The file cannot be graded as this assignment: why, and what the student can do."""

    cause: RefusalCause
    message: str
    looks_like: str | None = None  # the assignment it seems to belong to, if any


@dataclass(frozen=True, eq=False)
class Release:
    """The released student notebook of one assignment, indexed for matching."""

    assignment: str
    notebook: dict

    @cached_property
    def cells(self) -> tuple[dict, ...]:
        """Its nbgrader cells, in order: what the repaired notebook must hold, each once."""
        return tuple(c for c in self.notebook["cells"] if nbgrader_of(c).get("grade_id"))

    @cached_property
    def by_grade_id(self) -> dict[str, int]:
        return {nbgrader_of(c)["grade_id"]: r for r, c in enumerate(self.cells)}

    @cached_property
    def by_cell_id(self) -> dict[str, int]:
        return {c["id"]: r for r, c in enumerate(self.cells) if c.get("id")}

    @cached_property
    def by_text(self) -> dict[str, int]:
        """Texts that are unique in the release (a repeated one could be either cell)."""
        texts = [normal_text(c) for c in self.cells]
        return {t: r for r, t in enumerate(texts) if t and texts.count(t) == 1}

    def is_answer(self, r: int) -> bool:
        return bool(nbgrader_of(self.cells[r]).get("solution"))


Outcome = Repaired | Refused


def load_release(assignment: str, notebooks: Path = NOTEBOOKS) -> Release:
    """The released notebook (notebooks/NN_name/NN_name.ipynb): the version students got."""
    path = notebook_path(notebooks, assignment)
    return Release(assignment, json.loads(path.read_text(encoding="utf-8")))


@cache
def releases(notebooks: Path = NOTEBOOKS) -> dict[str, Release]:
    """Every released notebook, to say which assignment a misplaced notebook belongs to."""
    names = sorted(p.name for p in Path(notebooks).iterdir() if notebook_path(notebooks, p.name).exists())
    return {name: load_release(name, notebooks) for name in names}


def repair(submitted: bytes | os.PathLike, release: Release, others: Iterable[Release] = ()) -> Outcome:
    """The notebook to grade for `release`'s assignment, or why there is none.

    `others` are the other assignments' releases: with them, a notebook handed
    in under the wrong assignment is refused with the name of the right one.
    """
    read_out = read(submitted)
    if isinstance(read_out, Refused):
        return read_out
    nb, repairs = read_out
    cells = nb["cells"]
    found = identify(cells, release)
    refusal = recognise(cells, found, release, others)
    if refusal:
        return refusal
    found = place(cells, found, release)
    repairs += format_repairs(nb) + metadata_repairs(nb, release) + output_repairs(cells, found, release)
    chosen, dropped, duplicates = choose(cells, found, release)
    notebook, notes = assemble(cells, chosen, dropped, release)
    return Repaired(notebook, tuple(repairs + duplicates + cell_repairs(notes, cells, chosen, release)))


# read ---------------------------------------------------------------------------------


def read(submitted: bytes | os.PathLike) -> tuple[dict, list[Repair]] | Refused:
    """The notebook as a dict with cells of plain strings, or a refusal.

    Only a file that is not a notebook at all is refused here: an empty file,
    not JSON, JSON without cells. A byte-order mark (Windows editors add one,
    and Python's JSON reader stops at it) and the nbformat 3 layout are repaired.
    """
    raw = submitted if isinstance(submitted, bytes) else Path(submitted).read_bytes()
    repairs = []
    if not raw.strip():
        return Refused(
            RefusalCause.EMPTY,
            "The file you handed in is empty. Open your notebook in Jupyter, save it (File > Save) "
            "and hand in the .ipynb file again.",
        )
    text, bom = decode(raw)
    if bom:
        repairs.append(
            Repair(
                RepairKind.BYTE_ORDER_MARK,
                f"The file began with a byte-order mark ({bom}), an invisible mark some editors add; "
                "it was removed.",
            )
        )
    if text is None:
        return Refused(RefusalCause.NOT_JSON, not_json_message("it is not text"))
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as error:
        if text.lstrip().startswith("<"):
            return Refused(
                RefusalCause.NOT_JSON,
                "The file you handed in is a web page (HTML), not a notebook: in Jupyter, use "
                "File > Download (or Save) to get the .ipynb file, and hand in that.",
            )
        where = f"line {error.lineno}, column {error.colno}: {error.msg}"
        return Refused(RefusalCause.NOT_JSON, not_json_message(f"it is not valid JSON ({where})"))
    if isinstance(nb, dict) and nb.get("nbformat") == 3 and isinstance(nb.get("worksheets"), list):
        nb = json.loads(nbformat.writes(nbformat.convert(nbformat.from_dict(nb), 4)))
        for key in ("orig_nbformat", "orig_nbformat_minor"):
            nb["metadata"].pop(key, None)
        repairs.append(
            Repair(
                RepairKind.OLD_FORMAT,
                "The notebook was saved in the old nbformat 3; it was converted to nbformat 4.5.",
            )
        )
    if not isinstance(nb, dict) or nb.get("nbformat") != 4 or not isinstance(nb.get("cells"), list):
        return Refused(
            RefusalCause.NOT_NOTEBOOK,
            "The file you handed in is JSON but not a Jupyter notebook (it has no nbformat 4 cells). "
            "Hand in the .ipynb file of the assignment, saved by Jupyter.",
        )
    nb["cells"] = [plain_cell(c) for c in nb["cells"] if isinstance(c, dict)]
    return nb, repairs


def decode(raw: bytes) -> tuple[str | None, str | None]:
    """(text, which byte-order mark was there); text is None when the bytes are not text."""
    for mark, codec, name in (
        (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
        (b"\xff\xfe", "utf-16-le", "UTF-16"),
        (b"\xfe\xff", "utf-16-be", "UTF-16"),
    ):
        if raw.startswith(mark):
            try:  # an editor that adds a mark may add it to a file that has one
                return raw.decode(codec).lstrip("\ufeff"), name
            except UnicodeDecodeError:
                return None, name
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        return None, None


def not_json_message(why: str) -> str:
    return (
        f"The file you handed in is not a notebook: {why}. It may have been cut short while "
        "uploading or edited outside Jupyter; open it in Jupyter, save it, and hand it in again."
    )


def plain_cell(cell: dict) -> dict:
    """A cell with its source as one string and its metadata as a dict, whatever wrote it."""
    cell = dict(cell)
    source = cell.get("source", "")
    cell["source"] = "".join(map(str, source)) if isinstance(source, list) else str(source)
    if not isinstance(cell.get("metadata"), dict):
        cell["metadata"] = {}
    return cell


def nbgrader_of(cell: dict) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def normal_text(cell: dict) -> str:
    """A cell's text up to what editors change: line endings, trailing spaces, blank edges."""
    source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    return "\n".join(line.rstrip() for line in source.replace("\r\n", "\n").split("\n")).strip()


# identify ---------------------------------------------------------------------------


class Evidence(Enum):
    GRADE_ID = "grade id"
    CELL_ID = "cell id"
    TEXT = "text"
    POSITION = "position"


@dataclass(frozen=True)
class Found:
    released: int  # index into Release.cells
    evidence: Evidence


def identify(cells: list[dict], release: Release) -> list[Found | None]:
    """For each submitted cell, the released cell it is, when something says so.

    The nbgrader grade id is what nbgrader itself trusts; the exact text (up
    to whitespace) finds locked cells and untouched stubs that lost their
    metadata; the cell id, which survives editors that strip metadata, counts
    last, and only when no other cell has it and no stronger sign found its
    released cell first (a repeated id says nothing).
    """
    found: list[Found | None] = []
    for cell in cells:
        grade_id, text = nbgrader_of(cell).get("grade_id"), normal_text(cell)
        if grade_id in release.by_grade_id:
            found.append(Found(release.by_grade_id[grade_id], Evidence.GRADE_ID))
        elif text in release.by_text:
            found.append(Found(release.by_text[text], Evidence.TEXT))
        else:
            found.append(None)
    ids = [c.get("id") for c in cells]
    for p, cell_id in enumerate(ids):
        r = release.by_cell_id.get(cell_id) if isinstance(cell_id, str) else None
        if (
            found[p] is None
            and r is not None
            and ids.count(cell_id) == 1
            and not any(f and f.released == r for f in found)
        ):
            found[p] = Found(r, Evidence.CELL_ID)
    return found


def share_found(found: list[Found | None], release: Release) -> float:
    return len({f.released for f in found if f}) / max(1, len(release.cells))


# recognise --------------------------------------------------------------------------


def recognise(cells, found, release: Release, others: Iterable[Release]) -> Refused | None:
    """Refuse a notebook that is not this assignment's: restoring it would grade a stub.

    A notebook holding few of the release's cells is taken for whichever other
    assignment's release it holds most of, when it holds enough of one.
    """
    own = share_found(found, release)
    if own >= RECOGNISED:
        return None
    best, best_share = None, own
    for other in others:
        if other.assignment != release.assignment:
            share = share_found(identify(cells, other), other)
            if share > best_share:
                best, best_share = other.assignment, share
    if best is not None and best_share >= RECOGNISED:
        return Refused(
            RefusalCause.WRONG_ASSIGNMENT,
            f"This is not the notebook of {release.assignment}: it looks like the notebook of {best}. "
            f"Hand in {release.assignment}.ipynb for {release.assignment} (and this one for {best}).",
            looks_like=best,
        )
    if own < UNRECOGNISABLE:
        return Refused(
            RefusalCause.UNRECOGNISED,
            f"This notebook holds almost none of the cells of {release.assignment} "
            f"({round(own * len(release.cells))} of {len(release.cells)}), so there is nothing to grade. "
            f"Start from the released {release.assignment}.ipynb, copy your answers into its answer "
            "cells, and hand that in.",
        )
    return None


# place --------------------------------------------------------------------------------


def place(cells, found: list[Found | None], release: Release) -> list[Found | None]:
    """Find answer cells that lost their grade id, by where they stand and what they define.

    An answer sits between the released cells around it, which are usually
    still known by their text. Every unknown cell in that gap that defines
    what the stub defines (`def numerical_derivative`) is a copy of the answer
    (`choose` grades the last, which is also the one the test cell would run).
    Failing that, an answer with no copy the student wrote in is a lone unknown
    cell in its gap, when it is the only answer missing there, or else the
    last unknown cell anywhere that defines it (it was moved).
    """
    found = list(found)
    for r in range(len(release.cells)):
        copies = [p for p, f in enumerate(found) if f and f.released == r]
        if not release.is_answer(r) or any(found[p].evidence is Evidence.GRADE_ID for p in copies):
            continue
        written = [p for p in copies if normal_text(cells[p]) != normal_text(release.cells[r])]
        gap, missing = gap_around(r, found, release, len(cells))
        defines = definition(release.cells[r])
        keeps = [p for p in gap if defines and defines.search(cells[p]["source"])]
        if not keeps and not written:
            keeps = gap if len(gap) == 1 and missing == 1 else []
        if not keeps and not written and defines:
            keeps = [p for p, f in enumerate(found) if f is None and defines.search(cells[p]["source"])][-1:]
        for p in keeps:
            found[p] = Found(r, Evidence.POSITION)
    return found


def gap_around(r: int, found, release: Release, length: int) -> tuple[list[int], int]:
    """The unknown positions between the known released cells around `r`, and how many
    answers are missing between those two."""
    known = {f.released for f in found if f and f.released != r}
    before = max((q for q in known if q < r), default=None)
    after = min((q for q in known if q > r), default=None)
    low = max((p for p, f in enumerate(found) if f and f.released == before), default=-1)
    high = min((p for p, f in enumerate(found) if f and f.released == after), default=length)
    gap = [p for p in range(low + 1, high) if found[p] is None]
    between = range(-1 if before is None else before + 1, len(release.cells) if after is None else after)
    missing = sum(1 for q in between if q >= 0 and release.is_answer(q) and q not in known)
    return gap, missing


def definition(cell: dict) -> re.Pattern | None:
    """What a stub's first `def` or `class` line defines, as a pattern a student's answer keeps."""
    match = re.search(r"^\s*(?:async\s+)?(def|class)\s+(\w+)", normal_text(cell), re.MULTILINE)
    return re.compile(rf"^\s*(?:async\s+)?{match[1]}\s+{match[2]}\b", re.MULTILINE) if match else None


# normalise --------------------------------------------------------------------------


def format_repairs(nb: dict) -> list[Repair]:
    """Say so when the file was an older nbformat, or had missing or repeated cell ids.

    The fix itself is in `assemble`, which writes nbformat 4.5 and gives every
    cell a valid, unique id (released cells keep the release's).
    """
    minor = nb.get("nbformat_minor")
    if not isinstance(minor, int) or minor < 5:
        return [
            Repair(
                RepairKind.OLD_FORMAT,
                f"The notebook was saved in an older format (nbformat {nb.get('nbformat')}.{minor}), "
                "as Colab and older editors do; it was upgraded to 4.5, which gives every cell an id.",
            )
        ]
    ids = [c.get("id") for c in nb["cells"]]
    bad = sum(1 for i in ids if not (isinstance(i, str) and CELL_ID.match(i)) or ids.count(i) > 1)
    if not bad:
        return []
    return [
        Repair(
            RepairKind.CELL_IDS,
            f"{bad} cell{'s' if bad > 1 else ''} had a missing, invalid or repeated id; "
            "each cell now has an id of its own.",
        )
    ]


def metadata_repairs(nb: dict, release: Release) -> list[Repair]:
    """Say so when a foreign kernel or an editor's metadata is replaced by the release's.

    The repaired notebook carries the release's notebook metadata as it is: its
    kernelspec is the one the graders run, and an editor's keys (Colab, VS Code)
    have no part in grading.
    """
    repairs = []
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    theirs, ours = meta.get("kernelspec"), release.notebook["metadata"].get("kernelspec", {})
    if isinstance(theirs, dict) and theirs.get("name") not in (None, ours.get("name")):
        repairs.append(
            Repair(
                RepairKind.KERNELSPEC,
                f'The notebook was set to run with the kernel "{theirs.get("display_name") or theirs["name"]}"; '
                f'it is graded with the course\'s kernel "{ours.get("display_name", ours.get("name"))}".',
            )
        )
    keys = {k for k in meta if k not in release.notebook["metadata"]}
    keys |= {k for c in nb["cells"] for k in c["metadata"] if k not in QUIET_CELL_KEYS}
    if keys:
        editors = sorted({EDITORS[k] for k in keys if k in EDITORS})
        if keys - set(EDITORS):
            editors.append("an editor")
        repairs.append(
            Repair(
                RepairKind.EDITOR_METADATA,
                f"Settings that {' and '.join(editors)} saved in the notebook "
                f"({', '.join(sorted(keys))}) were removed; they have no part in grading.",
            )
        )
    return repairs


def output_repairs(cells, found, release: Release) -> list[Repair]:
    """Say so when the outputs were big: they are always dropped, grading runs every cell again."""
    sizes = [len(json.dumps(c["outputs"])) if c.get("outputs") else 0 for c in cells]
    total = sum(sizes)
    if total < HUGE_OUTPUTS:
        return []
    biggest = sizes.index(max(sizes))
    where = (
        describe(release, found[biggest].released)
        if found[biggest]
        else f"cell {biggest + 1} of your notebook"
    )
    return [
        Repair(
            RepairKind.OUTPUTS,
            f"The notebook was saved with {total / 1e6:.1f} MB of outputs, most of them in {where}; "
            "they were removed, as grading runs every cell again.",
        )
    ]


# choose --------------------------------------------------------------------------------


def choose(cells, found, release: Release):
    """One submitted cell per released cell; what becomes of the other copies.

    The last copy of an answer counts (students copy a cell and go on in the
    copy), except that an untouched stub never beats a copy the student wrote
    in. The first copy of a locked cell counts: it stands where it was released.
    A copy holding only the course's text is dropped; a copy with the
    student's own text stays as a plain cell, run but not graded.
    Returns (released index -> position, positions dropped, repairs).
    """
    chosen, dropped, repairs = {}, set(), []
    for r, released in enumerate(release.cells):
        copies = [p for p, f in enumerate(found) if f and f.released == r]
        if not copies:
            continue
        course_text = normal_text(released)
        written = [p for p in copies if normal_text(cells[p]) != course_text]
        pick = (written or copies)[-1] if release.is_answer(r) else copies[0]
        chosen[r] = pick
        others = [p for p in copies if p != pick]
        copied = {p for p in others if normal_text(cells[p]) == course_text}
        dropped |= copied
        if others:
            repairs.append(duplicate_repair(release, r, len(others) - len(copied), len(copied)))
    return chosen, dropped, repairs


def duplicate_repair(release: Release, r: int, kept: int, removed: int) -> Repair:
    """Which copy counts, and what became of the others (`kept` as plain cells, `removed`)."""
    what, copies = describe(release, r), 1 + kept + removed
    others = []
    if kept:
        others.append(
            "the other copy is kept as an ordinary cell, which runs but is not graded"
            if kept == 1
            else f"the other {kept} copies are kept as ordinary cells, which run but are not graded"
        )
    if removed:
        others.append(
            f"{'an unchanged copy' if removed == 1 else f'{removed} unchanged copies'} of the released "
            f"cell {'was' if removed == 1 else 'were'} removed"
        )
    if release.is_answer(r):
        return Repair(
            RepairKind.DUPLICATE,
            f"You had {copies} copies of {what}; the last one you wrote in is graded; {'; '.join(others)}.",
            (grade_id(release, r),),
        )
    return Repair(
        RepairKind.DUPLICATE,
        f"{capital(what)} appeared {copies} times; it is graded once, as released; {'; '.join(others)}.",
        (grade_id(release, r),),
    )


# assemble ----------------------------------------------------------------------------


def assemble(cells, chosen: dict, dropped: set, release: Release):
    """The notebook to grade: the release's nbgrader cells in release order, the student's around them.

    A released cell takes the release's id, type and metadata; its text is
    the student's for an answer and the release's for a locked cell (nbgrader
    would restore that text anyway). A cell the student added (or an extra
    copy they wrote in) follows the released cell that preceded it.
    No outputs: grading runs everything again.
    Returns the notebook and notes (kind, released index) of what had to change.
    """
    released_at = {p: r for r, p in chosen.items()}
    follows: dict[int, list[int]] = {}
    for p in range(len(cells)):
        if p not in released_at and p not in dropped:
            anchors = [released_at[q] for q in range(p) if q in released_at]
            follows.setdefault(anchors[-1] if anchors else -1, []).append(p)
    used = {c["id"] for c in release.cells if c.get("id")}
    out = [student_cell(cells[p], p, used) for p in follows.get(-1, [])]
    notes = []
    for r, released in enumerate(release.cells):
        submitted = cells[chosen[r]] if r in chosen else None
        notes += [(kind, r) for kind in changes(released, submitted, release.is_answer(r))]
        out.append(released_cell(released, submitted, release.is_answer(r)))
        out += [student_cell(cells[q], q, used) for q in follows.get(r, [])]
    notes += [(RepairKind.REORDERED, r) for r in out_of_order(sorted(chosen), chosen, release)]
    notebook = nbformat.from_dict(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": copy.deepcopy(release.notebook["metadata"]),
            "cells": out,
        }
    )
    nbformat.validate(notebook)
    return notebook, notes


def changes(released: dict, submitted: dict | None, answer: bool) -> list[RepairKind]:
    """What differs between a released cell and the submitted cell taken for it."""
    if submitted is None:
        return [RepairKind.ANSWER_MISSING if answer else RepairKind.CELL_RESTORED]
    kinds = []
    if nbgrader_without_checksum(submitted) != nbgrader_without_checksum(released):
        kinds.append(RepairKind.METADATA)
    retyped = submitted.get("cell_type") != released["cell_type"]
    if answer and retyped:
        kinds.append(RepairKind.CELL_TYPE)
    if not answer and (retyped or normal_text(submitted) != normal_text(released)):
        kinds.append(RepairKind.LOCKED_EDITED)
    return kinds


def released_cell(released: dict, submitted: dict | None, answer: bool) -> dict:
    """One released cell as it is to be graded: the student's text only if it is an answer."""
    text = submitted["source"] if answer and submitted is not None else "".join(released["source"])
    cell = {
        "id": released.get("id") or nbgrader_of(released)["grade_id"],
        "cell_type": released["cell_type"],
        "metadata": copy.deepcopy(released["metadata"]),
        "source": text,
    }
    return with_no_outputs(cell)


def student_cell(cell: dict, p: int, used: set) -> dict:
    """A cell the student added, or an extra copy: kept and run, but without nbgrader metadata."""
    cell_id = cell.get("id")
    if not (isinstance(cell_id, str) and CELL_ID.match(cell_id)) or cell_id in used:
        cell_id = f"student-{p + 1}"
        while cell_id in used:
            cell_id += "x"
    used.add(cell_id)
    kind = cell.get("cell_type") if cell.get("cell_type") in ("code", "markdown", "raw") else "raw"
    new = {
        "id": cell_id,
        "cell_type": kind,
        "metadata": {k: v for k, v in cell["metadata"].items() if k in PLAIN_METADATA},
        "source": cell["source"],
    }
    if kind != "code" and isinstance(cell.get("attachments"), dict):
        new["attachments"] = cell["attachments"]
    return with_no_outputs(new)


def with_no_outputs(cell: dict) -> dict:
    if cell["cell_type"] == "code":
        cell["outputs"], cell["execution_count"] = [], None
    return cell


def nbgrader_without_checksum(cell: dict) -> dict:
    return {k: v for k, v in nbgrader_of(cell).items() if k != "checksum"}


def out_of_order(order: list[int], chosen: dict, release: Release) -> list[int]:
    """The released cells that were moved: those off the heaviest run still in release order.

    A locked cell weighs more than an answer: when an answer and a locked cell
    swapped places, it is the student's answer that moved.
    """
    positions = [chosen[r] for r in order]
    weight = [1 if release.is_answer(r) else 2 for r in order]
    best, back = list(weight), [-1] * len(positions)  # heaviest run ending at i, and its previous
    for i in range(len(positions)):
        for j in range(i):
            if positions[j] < positions[i] and best[j] + weight[i] > best[i]:
                best[i], back[i] = best[j] + weight[i], j
    keep, i = set(), max(range(len(positions)), key=best.__getitem__, default=-1)
    while i >= 0:
        keep.add(i)
        i = back[i]
    return [r for i, r in enumerate(order) if i not in keep]


# sentences ---------------------------------------------------------------------------------


def grade_id(release: Release, r: int) -> str:
    return nbgrader_of(release.cells[r])["grade_id"]


def describe(release: Release, r: int) -> str:
    """A released cell as a student finds it: its role, its id, and how it begins."""
    cell, meta = release.cells[r], nbgrader_of(release.cells[r])
    role = (
        "the answer cell"
        if meta.get("solution")
        else "the test cell"
        if meta.get("grade")
        else "the text cell"
        if cell["cell_type"] == "markdown"
        else "the locked cell"
    )
    first = next((line.strip(" #") for line in normal_text(cell).split("\n") if line.strip(" #")), "")
    first = first if len(first) <= 50 else first[:47] + "..."
    return f'{role} "{meta["grade_id"]}" (`{first}`)' if first else f'{role} "{meta["grade_id"]}"'


def names(release: Release, rs: list[int]) -> str:
    shown = ", ".join(f'"{grade_id(release, r)}"' for r in rs[:6])
    return shown + (f" and {len(rs) - 6} more" if len(rs) > 6 else "")


def cell_repairs(notes: list[tuple[RepairKind, int]], cells, chosen: dict, release: Release) -> list[Repair]:
    """The sentences for what `assemble` changed: one per answer cell, one per kind for the others."""
    repairs, grouped = [], {}
    for kind, r in notes:
        if kind in (RepairKind.ANSWER_MISSING, RepairKind.CELL_TYPE):
            repairs.append(
                Repair(kind, answer_sentence(kind, release, r, cells, chosen), (grade_id(release, r),))
            )
        else:
            grouped.setdefault(kind, []).append(r)
    for kind, rs in grouped.items():
        repairs.append(
            Repair(kind, group_sentence(kind, release, rs), tuple(grade_id(release, r) for r in rs))
        )
    return repairs


def answer_sentence(kind: RepairKind, release: Release, r: int, cells, chosen: dict) -> str:
    what = describe(release, r)
    if kind is RepairKind.CELL_TYPE:
        was, now = cells[chosen[r]].get("cell_type"), release.cells[r]["cell_type"]
        return f"{capital(what)} had been changed into a {was} cell; it was turned back into a {now} cell."
    return (
        f"No answer was found for {what}, so the empty cell of the released notebook was put back "
        "and that exercise scores no points."
    )


def group_sentence(kind: RepairKind, release: Release, rs: list[int]) -> str:
    many = len(rs) > 1
    cells = f"{len(rs)} cells ({names(release, rs)})" if many else describe(release, rs[0])
    if kind is RepairKind.METADATA:
        return (
            f"The grading information of {cells} had been removed or changed (editors do this); "
            "it was put back from the released notebook, finding each cell by its id, position or text."
        )
    if kind is RepairKind.LOCKED_EDITED:
        return (
            f"Your changes to {cells} were undone: locked cells stay as released "
            "(your own code belongs in the answer cells, or in cells you add)."
        )
    if kind is RepairKind.CELL_RESTORED:
        return f"{capital(cells)} had been deleted; {'they were' if many else 'it was'} put back in place."
    return (
        f"{capital(cells)} had been moved; {'they were' if many else 'it was'} put back in the released "
        "order (cells of your own stay after the cell they followed)."
    )


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def repair_staged(course: Path, student: str, assignment: str) -> Refused | tuple[Repair, ...]:
    """Repair a staged submission (course/submitted/STUDENT/ASSIGNMENT/ASSIGNMENT.ipynb) in
    place before it is graded. What was repaired is said in a note at the top of the
    notebook, so the student reads it in the feedback; a refusal is returned as is."""
    path = Path(course) / "submitted" / student / assignment / f"{assignment}.ipynb"
    result = repair(path, load_release(assignment), others=releases().values())
    if isinstance(result, Refused):
        return result
    if result.repairs:
        said = "\n".join(f"- {r.message}" for r in result.repairs)
        note = nbformat.v4.new_markdown_cell(f"**{REPAIRED}**\n\n{said}")
        result.notebook.cells.insert(0, note)
    result.write(path)
    return result.repairs


REPAIRED = "The grader repaired this notebook before grading it:"


def repair_note(cells) -> str | None:
    """The note repair_staged put at the top of a notebook's cells (without its bold), if any."""
    first = cells[0].source if cells and cells[0].cell_type == "markdown" else ""
    return first.replace("**", "") if first.startswith(f"**{REPAIRED}**") else None
