"""Build examples/sample_class/: a small class of submissions for the demo and tests.

Each student is a story an instructor meets in a real class. Their notebooks
are made from the student versions in notebooks/ (what students receive), with
answers taken from solutions/ and then spoiled the way the story says.

    .venv/bin/python examples/make_sample_class.py      (also run by `make release`)
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

from autograder.layout import NOTEBOOKS, ROOT, SAMPLE_CLASS, SOLUTIONS, notebook_path

SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*\n", re.MULTILINE)


def load(folder: Path, assignment: str) -> dict:
    return json.loads(notebook_path(folder, assignment).read_text())


def completed(assignment: str) -> dict:
    """The student notebook with every answer filled in from the solutions."""
    student = load(NOTEBOOKS, assignment)
    answers = {
        c["metadata"]["nbgrader"]["grade_id"]: SOLUTION_MARKERS.sub("", "".join(c["source"]))
        for c in load(SOLUTIONS, assignment)["cells"]
        if c["metadata"].get("nbgrader", {}).get("solution")
    }
    for cell in student["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
    return student


def blank(assignment: str) -> dict:
    return load(NOTEBOOKS, assignment)


def cells(nb, kind):
    return [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get(kind)]


def spoil(nb: dict, find: str, replace: str) -> dict:
    """Replace text in the one answer cell that holds it."""
    nb = copy.deepcopy(nb)
    hits = [c for c in cells(nb, "solution") if find in "".join(c["source"])]
    if len(hits) != 1:
        raise ValueError(f"{find!r} is in {len(hits)} answer cells, expected exactly one")
    hits[0]["source"] = "".join(hits[0]["source"]).replace(find, replace, 1)
    return nb


def append_to_answer(nb: dict, index: int, code: str) -> dict:
    nb = copy.deepcopy(nb)
    cell = cells(nb, "solution")[index]
    cell["source"] = "".join(cell["source"]) + "\n" + code
    return nb


def edit_test(nb: dict, index: int, code: str) -> dict:
    nb = copy.deepcopy(nb)
    cells(nb, "grade")[index]["source"] = code
    return nb


def delete_test(nb: dict, index: int) -> dict:
    nb = copy.deepcopy(nb)
    target = cells(nb, "grade")[index]
    nb["cells"] = [c for c in nb["cells"] if c is not target]
    return nb


ATTACK = """
# trying to cheat: raise my grade in the gradebook, and phone home
import pathlib
import socket

for folder in [pathlib.Path.cwd(), *pathlib.Path.cwd().parents]:
    target = folder / "gradebook.db"
    try:
        with open(target, "ab") as db:
            db.write(b"tampered")
        print("wrote", target)
    except OSError as error:
        print("could not write", target, "-", error.strerror)
try:
    socket.create_connection(("127.0.0.1", 80), timeout=2)
    print("network: open")
except OSError as error:
    print("network: blocked -", error.strerror or error)
"""


def stories() -> dict:
    """student -> {assignment: notebook dict, or bytes for a file that is not a notebook}."""
    first, second, third = "01_derivatives", "02_value", "03_backprop"
    return {
        # everything right, every notebook
        "ada": {a: completed(a) for a in assignments()},
        # opened the notebooks and handed them in untouched
        "blake": {first: blank(first), second: blank(second)},
        # typical mistakes: a forward difference where a central one was asked, tanh's
        # derivative written as 1 - x**2
        "chen": {
            first: spoil(completed(first), "(f(x + h) - f(x - h)) / (2 * h)", "(f(x + h) - f(x)) / h"),
            third: spoil(completed(third), "(1 - t**2)", "(1 - self.data**2)"),
        },
        # a cell that kills the kernel
        "dara": {first: append_to_answer(completed(first), 0, "import os\nos._exit(1)")},
        # a cell that never finishes
        "eli": {first: append_to_answer(completed(first), 1, "while True:\n    pass")},
        # a wrong answer and a test cell edited to pass anyway
        "fay": {
            first: edit_test(
                spoil(completed(first), "(f(x + h) - f(x - h)) / (2 * h)", "(f(x + h) - f(x - h)) / h"),
                1,
                "pass",
            )
        },
        # a wrong answer and its test cell deleted
        "gus": {
            first: delete_test(
                spoil(completed(first), "(f(x + h) - f(x - h)) / (2 * h)", "(f(x + h) - f(x - h)) / h"), 1
            )
        },
        # handed in 02 but never 01 (grade with --assignment 01_derivatives)
        "hana": {second: completed(second)},
        # files that are not notebooks at all
        "ivan": {first: b"", second: b"{ this is not json"},
        # tries to write the gradebook and open a socket, otherwise right
        "kai": {first: append_to_answer(completed(first), 0, ATTACK)},
        # calls sys.exit() in one cell and leaves a syntax error in another
        "lena": {
            first: spoil(
                append_to_answer(completed(first), 0, "import sys\nsys.exit(0)"),
                "dd_db = (d_of(a, b + h, c) - d) / h",
                "dd_db = (d_of(a, b + h, c) - d) / h)",
            )
        },
    }


def assignments() -> list[str]:
    """The released assignments: what students have received."""
    return sorted(p.name for p in NOTEBOOKS.iterdir() if p.is_dir())


def build(target: Path = SAMPLE_CLASS) -> Path:
    if target.exists():
        shutil.rmtree(target)
    for student, notebooks in stories().items():
        for assignment, nb in notebooks.items():
            path = notebook_path(target / student, assignment)
            path.parent.mkdir(parents=True)
            data = nb if isinstance(nb, bytes) else (json.dumps(nb, indent=1, sort_keys=True) + "\n").encode()
            path.write_bytes(data)
    return target


if __name__ == "__main__":
    print(f"wrote {build().relative_to(ROOT)}")
