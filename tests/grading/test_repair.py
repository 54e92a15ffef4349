"""The repair stage: every mangling of a complete notebook keeps its graded content, repair named.

A catalogue of what editors and students do to notebooks, applied to the
sample class's complete student (ada) on every assignment. Each mangled
notebook must come out with the same graded content as the complete one (the
same answers in the same nbgrader cells, every released cell once, in release
order, with the release's text and metadata) and with exactly the expected
repairs named. A few are proved for real: nbgrader autogrades the repaired
notebook in a course folder of its own and gives full marks.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat
import pytest

from autograder.grading.repair import (
    Evidence,
    Found,
    RefusalCause,
    Refused,
    Repaired,
    RepairKind,
    choose,
    decode,
    definition,
    identify,
    load_release,
    out_of_order,
    read,
    releases,
    repair,
)
from autograder.layout import NOTEBOOKS, SAMPLE_CLASS, SOLUTIONS, notebook_path

K = RepairKind
ASSIGNMENTS = sorted(releases())


def complete(assignment: str) -> dict:
    """The sample class's complete student: every answer right."""
    return json.loads(text_of(notebook_path(SAMPLE_CLASS / "ada", assignment)))


def blank(assignment: str) -> dict:
    return json.loads(text_of(notebook_path(NOTEBOOKS, assignment)))


@cache
def text_of(path: Path) -> str:
    return path.read_text()


def as_bytes(nb: dict | bytes) -> bytes:
    return nb if isinstance(nb, bytes) else json.dumps(nb).encode()


def graded_content(nb) -> list[tuple]:
    """What nbgrader grades: each nbgrader cell's id, type, text and metadata, in order."""
    return [
        (c.get("id"), c["cell_type"], "".join(c["source"]), c["metadata"])
        for c in nb["cells"]
        if "nbgrader" in c["metadata"]
    ]


def repaired(nb: dict | bytes, assignment: str) -> Repaired:
    result = repair(as_bytes(nb), load_release(assignment), releases().values())
    assert isinstance(result, Repaired), result
    return result


# helpers that mangle -------------------------------------------------------------------


def role(cell: dict) -> str:
    meta = cell["metadata"].get("nbgrader", {})
    return "answer" if meta.get("solution") else "test" if meta.get("grade") else "locked"


def where(nb: dict, kind: str) -> list[int]:
    return [i for i, c in enumerate(nb["cells"]) if role(c) == kind]


def strip_metadata(nb: dict) -> dict:
    for cell in nb["cells"]:
        cell["metadata"] = {}
    return nb


def drop_ids(nb: dict, minor: int) -> dict:
    nb["nbformat_minor"] = minor
    for cell in nb["cells"]:
        cell.pop("id", None)
    return nb


def to_markdown(cell: dict) -> None:
    cell["cell_type"] = "markdown"
    cell.pop("outputs", None)
    cell.pop("execution_count", None)


def duplicate_answer(nb: dict, which: int = 1) -> dict:
    """The student copied an answer cell (as JupyterLab does: same metadata, new id) and
    finished the work in the copy below; the earlier copy holds a first try."""
    i = [i for i in where(nb, "answer") if not is_stub(nb["cells"][i])][which]
    first = copy.deepcopy(nb["cells"][i])
    first["source"] = "# my first try, superseded below\n" + "".join(first["source"]).replace(
        "return", "pass #"
    )
    nb["cells"][i]["id"] = "copied-cell"
    nb["cells"].insert(i, first)
    return nb


def colab(nb: dict) -> dict:
    """As Google Colab saves it: nbformat 4.0, no cell ids, Colab's keys everywhere."""
    nb["metadata"] = {
        "colab": {"provenance": [], "collapsed_sections": []},
        "kernelspec": {"name": "python3", "display_name": "Python 3"},
        "language_info": {"name": "python"},
        "accelerator": "GPU",
        "gpuClass": "standard",
    }
    for n, cell in enumerate(drop_ids(nb, 0)["cells"]):
        cell["metadata"].update({"id": f"Xq{n}zA", "colab": {"base_uri": "https://localhost:8080/"}})
        if cell["cell_type"] == "code":
            cell["metadata"]["outputId"] = f"9f1c-{n}"
    return nb


# the catalogue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Mangling:
    name: str
    apply: Callable[[dict], dict | bytes]
    kinds: frozenset[RepairKind]


def mangling(*kinds: RepairKind):
    def register(apply):
        CATALOGUE.append(Mangling(apply.__name__, apply, frozenset(kinds)))
        return apply

    return register


CATALOGUE: list[Mangling] = []


@mangling(K.BYTE_ORDER_MARK)
def byte_order_mark(nb):
    return b"\xef\xbb\xbf" + as_bytes(nb)


@mangling(K.OLD_FORMAT)
def nbformat_4_0(nb):
    return drop_ids(nb, 0)


@mangling(K.OLD_FORMAT)
def nbformat_4_4(nb):
    return drop_ids(nb, 4)


@mangling(K.OLD_FORMAT)
def nbformat_3(nb):
    return nbformat.writes(nbformat.convert(nbformat.reads(json.dumps(nb), 4), 3), 3).encode()


@mangling(K.CELL_IDS)
def ids_missing_and_repeated(nb):
    for cell in nb["cells"][:3]:
        del cell["id"]
    nb["cells"][4]["id"] = nb["cells"][3]["id"]
    nb["cells"][5]["id"] = "not a valid id!"
    return nb


@mangling(K.OLD_FORMAT, K.EDITOR_METADATA)
def google_colab(nb):
    return colab(nb)


@mangling(K.KERNELSPEC, K.EDITOR_METADATA)
def vscode_foreign_kernel(nb):
    nb["metadata"]["kernelspec"] = {
        "name": "ml-env",
        "display_name": "Python 3.12 (ml-env)",
        "language": "python",
    }
    nb["metadata"]["vscode"] = {"interpreter": {"hash": "4f2a9c"}}
    for cell in nb["cells"]:
        cell["metadata"]["vscode"] = {"languageId": "python"}
    return nb


@mangling(K.OUTPUTS)
def huge_outputs(nb):
    picture = base64.b64encode(os.urandom(400_000)).decode()
    for i in where(nb, "locked")[1:3] + where(nb, "answer")[:1]:
        cell = nb["cells"][i]
        if cell["cell_type"] == "code":
            cell["execution_count"] = 7
            cell["outputs"] = [
                {"output_type": "stream", "name": "stdout", "text": "loss 0.1\n" * 20_000},
                {"output_type": "display_data", "data": {"image/png": picture}, "metadata": {}},
            ]
    return nb


@mangling(K.DUPLICATE)
def answer_duplicated(nb):
    return duplicate_answer(nb)


@mangling(K.DUPLICATE)
def answer_duplicated_stub_left_below(nb):
    """Copied the released stub below the answer and never used it."""
    i = where(nb, "answer")[0]
    stub = released_cell(nb["cells"][i]["metadata"]["nbgrader"]["grade_id"])
    nb["cells"].insert(i + 1, copy.deepcopy(stub) | {"id": "stub-copy"})
    return nb


@mangling(K.METADATA)
def metadata_stripped(nb):
    return strip_metadata(nb)


@mangling(K.METADATA, K.OLD_FORMAT)
def metadata_and_ids_stripped(nb):
    return drop_ids(strip_metadata(nb), 4)


@mangling(K.CELL_TYPE)
def answer_turned_markdown(nb):
    to_markdown(nb["cells"][where(nb, "answer")[0]])
    return nb


@mangling(K.CELL_TYPE, K.METADATA, K.OLD_FORMAT)
def answer_turned_markdown_metadata_stripped(nb):
    to_markdown(nb["cells"][where(nb, "answer")[-1]])
    return drop_ids(strip_metadata(nb), 4)


@mangling(K.LOCKED_EDITED)
def grade_cells_edited(nb):
    for i in where(nb, "test"):
        nb["cells"][i]["source"] = "pass  # the check was too strict"
    return nb


@mangling(K.DUPLICATE)
def grade_cell_duplicated(nb):
    """Copied a test cell (same metadata, new id) to run the check again further down."""
    i = where(nb, "test")[-1]
    nb["cells"].insert(i + 2, copy.deepcopy(nb["cells"][i]) | {"id": "check-again"})
    return nb


@mangling(K.LOCKED_EDITED)
def locked_markdown_turned_code(nb):
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    cell.update(cell_type="code", outputs=[], execution_count=None)
    return nb


@mangling(K.CELL_RESTORED)
def grade_cells_deleted(nb):
    nb["cells"] = [c for c in nb["cells"] if role(c) != "test"]
    return nb


@mangling(K.CELL_RESTORED)
def locked_cells_after_answers_deleted(nb):
    """On 04-07 the cell after an answer is often a locked one ('forward-try'): nbgrader's
    own add_missing_cells cannot place the test cell after it once it is gone."""
    graded = {i + 1 for i in where(nb, "answer") + where(nb, "test")}
    nb["cells"] = [c for i, c in enumerate(nb["cells"]) if not (i in graded and role(c) == "locked")]
    return nb


@mangling(K.REORDERED)
def answer_moved_below_its_test(nb):
    i = where(nb, "answer")[0]
    cell = nb["cells"].pop(i)
    nb["cells"].insert(i + 1, cell)
    nb["cells"][0], nb["cells"][1] = nb["cells"][1], nb["cells"][0]
    return nb


@mangling(
    K.BYTE_ORDER_MARK, K.OLD_FORMAT, K.EDITOR_METADATA, K.METADATA, K.DUPLICATE, K.CELL_RESTORED, K.CELL_TYPE
)
def all_at_once(nb):
    """Colab, no metadata, a duplicated answer, a deleted test cell, an answer turned markdown."""
    nb = duplicate_answer(nb, which=1)
    to_markdown(nb["cells"][where(nb, "answer")[-1]])
    del nb["cells"][where(nb, "test")[0]]
    nb = colab(strip_metadata(nb))
    return b"\xef\xbb\xbf" + as_bytes(nb)


def released_cell(grade_id: str) -> dict:
    """An answer cell as released (answer ids are unique across the course)."""
    return next(
        c
        for rel in releases().values()
        for c in rel.cells
        if c["metadata"]["nbgrader"]["grade_id"] == grade_id
    )


def is_stub(cell: dict) -> bool:
    grade_id = cell["metadata"]["nbgrader"]["grade_id"]
    return "".join(cell["source"]) == "".join(released_cell(grade_id)["source"])


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
@pytest.mark.parametrize("mangle", CATALOGUE, ids=lambda m: m.name)
def test_mangled_complete_notebook_keeps_its_graded_content(mangle, assignment):
    result = repaired(mangle.apply(complete(assignment)), assignment)
    assert graded_content(result.notebook) == graded_content(complete(assignment))
    assert result.kinds == mangle.kinds, [r.message for r in result.repairs]
    for r in result.repairs:
        assert all(f'"{cell}"' in r.message for cell in r.cells[:6]), r.message
        assert "None" not in r.message and "{" not in r.message
    nbformat.validate(result.notebook)
    assert all(not c.get("outputs") for c in result.notebook.cells)
    ids = [c.id for c in result.notebook.cells]
    assert len(ids) == len(set(ids))


def test_catalogue_size():
    assert len(CATALOGUE) >= 12


@pytest.mark.parametrize("assignment", ["04_neurons"])
def test_any_two_manglings_together_keep_the_graded_content(assignment):
    """Editors and students stack their accidents: every ordered pair of manglings
    (those that can still find the cells they mangle) is repaired too. The
    file-level ones that are slow to build (nbformat 3, huge outputs) are left out."""
    pairable = [m for m in CATALOGUE if m.apply not in (nbformat_3, huge_outputs)]
    tried = 0
    for first in pairable:
        for second in pairable:
            try:
                nb = second.apply(first.apply(complete(assignment)))
            except (IndexError, KeyError, TypeError, AttributeError):
                continue  # the first mangling left nothing for the second to find, or gave bytes
            tried += 1
            result = repaired(nb, assignment)
            assert graded_content(result.notebook) == graded_content(complete(assignment)), (first, second)
    assert tried > 200


# the steps, one by one -------------------------------------------------------------------


def test_decode_removes_every_byte_order_mark():
    assert decode(b"{}") == ("{}", None)
    assert decode(b"\xef\xbb\xbf{}") == decode(b"\xef\xbb\xbf\xef\xbb\xbf{}") == ("{}", "UTF-8")
    assert decode("\ufeff{}".encode("utf-16-le")) == ("{}", "UTF-16")
    assert decode(b"\xff\xd8\xff") == (None, None)


def test_read_joins_sources_and_mends_metadata():
    nb, repairs = read(
        b'{"nbformat": 4, "cells": [{"cell_type": "code", "source": ["a\\n", "b"], "metadata": 3}, 7]}'
    )
    assert nb["cells"] == [{"cell_type": "code", "source": "a\nb", "metadata": {}}] and repairs == []


def test_identify_trusts_the_grade_id_then_the_text_then_a_unique_cell_id():
    release = load_release("01_derivatives")
    setup = release.cells[release.by_grade_id["setup"]]
    cells = [
        {"id": "x", "source": "anything", "metadata": {"nbgrader": {"grade_id": "01_forward"}}},
        {"id": "01_forward", "source": "".join(setup["source"]), "metadata": {}},
        {"id": "01_central", "source": "my answer", "metadata": {}},
        {"id": "intro", "source": "a", "metadata": {}},
        {"id": "intro", "source": "b", "metadata": {}},
    ]
    r = release.by_grade_id
    assert identify(cells, release) == [
        Found(r["01_forward"], Evidence.GRADE_ID),
        Found(r["setup"], Evidence.TEXT),
        Found(r["01_central"], Evidence.CELL_ID),
        None,  # a repeated id says nothing
        None,
    ]


def test_a_definition_is_found_by_name_not_by_its_line():
    pattern = definition({"source": '@add_method(Value)\ndef __add__(self, other):\n    """self + other"""'})
    assert pattern.search("@add_method(Value)\ndef __add__(self, o):  # mine")
    assert not pattern.search("def __add___(self, o):") and not pattern.search("x = __add__")
    cls = definition({"source": "class Value:\n    pass"})
    assert cls.search("class Value(object):") and not cls.search("class ValueError(Exception):")


def test_choose_grades_the_last_written_copy_of_an_answer_and_the_first_of_a_locked_cell():
    release = load_release("01_derivatives")
    r = release.by_grade_id
    stub, setup = (
        "".join(release.cells[r["01_forward"]]["source"]),
        "".join(release.cells[r["setup"]]["source"]),
    )
    cells = [{"source": t, "metadata": {}} for t in (setup, "mine, first", "mine, last", stub, setup)]
    found = [Found(r["setup"], Evidence.TEXT)] + [Found(r["01_forward"], Evidence.GRADE_ID)] * 3
    found.append(Found(r["setup"], Evidence.TEXT))
    chosen, dropped, repairs = choose(cells, found, release)
    assert chosen == {r["setup"]: 0, r["01_forward"]: 2}
    assert dropped == {3, 4}  # copies of the course's own text; "mine, first" stays as a plain cell
    assert [x.cells for x in repairs] == [("setup",), ("01_forward",)]


def test_out_of_order_names_the_answer_that_moved_rather_than_the_locked_cell():
    release = load_release("04_neurons")
    r = release.by_grade_id
    order = [r["forward-md"], r["04_forward"], r["forward-try"]]
    assert out_of_order(order, dict(zip(order, [0, 2, 1])), release) == [r["04_forward"]]
    assert out_of_order(order, dict(zip(order, [0, 1, 2])), release) == []


# what else the repair keeps, drops and says ---------------------------------------------


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_notebooks_need_no_repair(assignment):
    for nb in (complete(assignment), blank(assignment)):
        result = repaired(nb, assignment)
        assert result.repairs == ()
        assert graded_content(result.notebook) == graded_content(nb)


def test_the_last_copy_of_an_answer_is_graded_and_the_first_kept_as_a_plain_cell():
    nb = duplicate_answer(complete("04_neurons"))
    result = repaired(nb, "04_neurons")
    cells = result.notebook.cells
    graded = next(i for i, c in enumerate(cells) if c.id == "04_grads")
    draft = cells[graded - 1]
    assert draft.source.startswith("# my first try") and draft.metadata == {}
    assert cells[graded].source == next(
        source for id_, _, source, _ in graded_content(nb) if id_ == "copied-cell"
    )
    assert "04_grads" in result.repairs[0].message


def test_an_untouched_copy_of_the_stub_is_dropped():
    result = repaired(answer_duplicated_stub_left_below(complete("01_derivatives")), "01_derivatives")
    assert len(result.notebook.cells) == len(complete("01_derivatives")["cells"])


def test_cells_of_the_students_own_stay_after_the_cell_they_followed():
    nb = complete("05_mlp")
    i = where(nb, "answer")[0]
    mine = [
        {
            "cell_type": "code",
            "id": "scratch",
            "metadata": {"tags": ["mine"]},
            "source": "print(1)",
            "outputs": [],
        },
        {"cell_type": "markdown", "metadata": {}, "source": "my notes"},
    ]
    nb["cells"][i + 1 : i + 1] = mine
    for stripped in (False, True):
        result = repaired(drop_ids(strip_metadata(copy.deepcopy(nb)), 4) if stripped else nb, "05_mlp")
        sources = [c.source for c in result.notebook.cells]
        at = sources.index("print(1)")
        assert sources[at + 1] == "my notes"
        assert result.notebook.cells[at - 1].id == nb["cells"][i]["id"]  # the answer they followed
        assert result.notebook.cells[at].metadata == ({} if stripped else {"tags": ["mine"]})
        assert graded_content(result.notebook) == graded_content(complete("05_mlp"))


def test_an_answer_that_lost_everything_is_found_alone_between_its_neighbours():
    nb = drop_ids(strip_metadata(complete("01_derivatives")), 4)
    i = where(complete("01_derivatives"), "answer")[1]
    nb["cells"][i]["source"] = "central_difference = lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h)"
    result = repaired(nb, "01_derivatives")
    answer = next(c for c in result.notebook.cells if c.id == "01_central")
    assert answer.source.startswith("central_difference = lambda")


def test_a_deleted_answer_is_put_back_as_the_stub_and_named():
    nb = complete("06_training")
    del nb["cells"][where(nb, "answer")[0]]
    result = repaired(nb, "06_training")
    assert result.kinds == {K.ANSWER_MISSING}
    assert '"06_mse"' in result.repairs[0].message and "no points" in result.repairs[0].message
    stub = next(c for c in result.notebook.cells if c.id == "06_mse")
    assert stub.source == "".join(released_cell("06_mse")["source"])


def test_a_repeated_cell_id_says_nothing():
    nb = strip_metadata(complete("04_neurons"))
    nb["cells"][4]["id"] = nb["cells"][3]["id"]  # the answer now shares the set-up cell's id
    result = repaired(nb, "04_neurons")
    assert graded_content(result.notebook) == graded_content(complete("04_neurons"))


def test_a_moved_answer_is_named_and_put_back_before_its_test():
    result = repaired(answer_moved_below_its_test(complete("04_neurons")), "04_neurons")
    (moved,) = result.repairs
    assert set(moved.cells) == {"setup-md", "04_forward"}
    ids = [c.id for c in result.notebook.cells]
    assert ids.index("04_forward") < ids.index("forward-try") < ids.index("04_forward_test")


def test_a_path_reads_like_its_bytes(tmp_path):
    path = tmp_path / "01_derivatives.ipynb"
    path.write_bytes(byte_order_mark(complete("01_derivatives")))
    from_path = repair(path, load_release("01_derivatives"))
    from_bytes = repair(path.read_bytes(), load_release("01_derivatives"))
    assert from_path == from_bytes and from_path.kinds == {K.BYTE_ORDER_MARK}


def test_the_repaired_notebook_writes_and_reads_back(tmp_path):
    result = repaired(all_at_once(complete("07_tensors")), "07_tensors")
    result.write(tmp_path / "nb.ipynb")
    again = nbformat.read(tmp_path / "nb.ipynb", as_version=4)
    assert graded_content(again) == graded_content(complete("07_tensors"))


# refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, cause, says",
    [
        (b"", RefusalCause.EMPTY, "empty"),
        (b"  \n", RefusalCause.EMPTY, "empty"),
        (b"{ this is not json", RefusalCause.NOT_JSON, "not valid JSON (line 1"),
        (as_bytes(blank("01_derivatives"))[:5000], RefusalCause.NOT_JSON, "cut short"),
        (b"<!DOCTYPE html><html>...", RefusalCause.NOT_JSON, "web page (HTML)"),
        (b"\xff\xd8\xff\xe0 a photo", RefusalCause.NOT_JSON, "not text"),
        (b"[1, 2, 3]", RefusalCause.NOT_NOTEBOOK, "no nbformat 4 cells"),
        (b'{"cells": "none", "nbformat": 4}', RefusalCause.NOT_NOTEBOOK, "no nbformat 4 cells"),
        (
            as_bytes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('hi')")])),
            RefusalCause.UNRECOGNISED,
            f"0 of {len(blank('01_derivatives')['cells'])}",  # none of the released notebook's cells
        ),
    ],
)
def test_a_file_that_is_not_this_notebook_is_refused_with_a_reason(data, cause, says):
    result = repair(data, load_release("01_derivatives"), releases().values())
    assert isinstance(result, Refused) and result.cause is cause
    assert says in result.message and "hand" in result.message.lower()


@pytest.mark.parametrize(
    "handed_in, graded_as", [("04_neurons", "01_derivatives"), ("01_derivatives", "07_tensors")]
)
def test_the_notebook_of_another_assignment_is_refused_naming_it(handed_in, graded_as):
    for nb in (complete(handed_in), strip_metadata(complete(handed_in))):
        result = repair(as_bytes(nb), load_release(graded_as), releases().values())
        assert isinstance(result, Refused) and result.cause is RefusalCause.WRONG_ASSIGNMENT
        assert result.looks_like == handed_in and handed_in in result.message and graded_as in result.message


# for real: nbgrader autogrades repaired notebooks to full marks ----------------------

REAL = ("01_derivatives", "04_neurons")
CONFIG = """\
c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = {db!r}
c.Execute.timeout = 120
c.OverwriteCells.add_missing_cells = True
c.Autograde.create_student = True
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
"""


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder of its own: 01 and 04 generated from solutions/ into a fresh SQLite gradebook."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    folder = tmp_path_factory.mktemp("repair-course")
    db = f"sqlite:///{folder / 'gradebook.db'}"
    (folder / "nbgrader_config.py").write_text(CONFIG.format(root=str(folder), db=db))
    for assignment in REAL:
        shutil.copytree(notebook_path(SOLUTIONS, assignment).parent, folder / "source" / assignment)
    with pytest.MonkeyPatch.context() as env:
        # nbgrader runs `alembic` to set up the gradebook: it lives beside this Python
        env.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
        config = PyFileConfigLoader("nbgrader_config.py", path=str(folder)).load_config()
        api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
        for assignment in REAL:
            generated = api.generate_assignment(assignment, force=True)
            assert generated["success"], generated["log"]
        yield folder, api


def autograde(course, student: str, assignment: str, nb) -> tuple[float, float, str]:
    """(score, max score, nbgrader's log) of one submission, autograded by nbgrader itself."""
    from nbgrader.api import Gradebook

    folder, api = course
    submitted = notebook_path(folder / "submitted" / student, assignment)
    submitted.parent.mkdir(parents=True)
    submitted.write_bytes(as_bytes(nb) if isinstance(nb, (bytes, dict)) else nbformat.writes(nb).encode())
    result = api.autograde(assignment, student, force=True, create=True)
    log = result.get("log", "") + result.get("error", "")
    if not result["success"]:
        return 0.0, 0.0, log
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gb:
        submission = gb.find_submission(assignment, student)
        return submission.score, submission.max_score, log


def moved_in_vscode_with_outputs(nb):
    """An answer moved below its test, in VS Code with a kernel graders lack, outputs saved."""
    return vscode_foreign_kernel(huge_outputs(answer_moved_below_its_test(nb)))


@pytest.mark.parametrize(
    "student, assignment, mangle",
    [
        ("bea", "01_derivatives", all_at_once),
        ("cal", "04_neurons", all_at_once),  # deletes 04_forward_test, which follows 'forward-try'
        (
            "dov",
            "04_neurons",
            moved_in_vscode_with_outputs,
        ),
    ],
)
def test_nbgrader_gives_a_repaired_notebook_full_marks(course, student, assignment, mangle):
    start = time.perf_counter()
    result = repaired(mangle(complete(assignment)), assignment)
    score, max_score, log = autograde(course, student, assignment, result.notebook)
    assert max_score > 0 and score == max_score, log[-3000:]
    print(f"{student} {assignment}: {score}/{max_score} in {time.perf_counter() - start:.1f} s")


def test_without_repair_nbgrader_crashes_on_a_deleted_test_cell_of_04(course):
    """Why the repair puts every released cell back itself (this fails before any cell runs)."""
    nb = complete("04_neurons")
    del nb["cells"][where(nb, "test")[0]]
    score, _, log = autograde(course, "eve", "04_neurons", nb)
    assert score == 0 and "KeyError: 'forward-try'" in log
