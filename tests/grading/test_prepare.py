"""prepare: the grading folder's config, its gradebook address, and regenerating only on change."""

from __future__ import annotations

import pytest
from tinycourse import passing_notebook, write_notebook
from traitlets.config.loader import PyFileConfigLoader

from autograder.grading import prepare as stage
from autograder.grading.prepare import (
    GRADEBOOK,
    gradebook_url,
    open_gradebook,
    prepare,
    source_digest,
    write_config,
)
from autograder.layout import assignments


def test_gradebook_url_is_the_folders_own_gradebook(tmp_path, monkeypatch):
    assert gradebook_url(tmp_path) == f"sqlite:///{tmp_path.resolve() / GRADEBOOK}"
    monkeypatch.chdir(tmp_path)
    assert (
        gradebook_url("grading") == f"sqlite:///{tmp_path.resolve() / 'grading' / GRADEBOOK}"
    )  # never relative


def test_config_points_nbgrader_at_the_folder_and_its_gradebook(tmp_path):
    folder = tmp_path / "grading"
    write_config(folder, timeout=12, extra="c.Execute.kernel_name = 'k'")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(folder)).load_config()
    assert config.CourseDirectory.root == str(folder)
    assert config.CourseDirectory.db_url == gradebook_url(folder)
    assert config.Execute.timeout == 12 and config.Execute.interrupt_on_timeout is True
    assert config.OverwriteCells.add_missing_cells is True  # edited or deleted test cells come back
    assert config.Execute.kernel_name == "k"


def test_open_gradebook_reads_what_was_written(tmp_path, empty_gradebook):
    (tmp_path / GRADEBOOK).write_bytes(empty_gradebook.read_bytes())
    with open_gradebook(tmp_path) as gb:
        gb.add_assignment("01_derivatives")
    with open_gradebook(tmp_path) as gb:
        assert [a.name for a in gb.assignments] == ["01_derivatives"]


def test_source_digest_changes_with_a_notebook_and_ignores_checkpoints(tmp_path):
    solutions = tmp_path / "solutions"
    notebook = write_notebook(passing_notebook(), solutions / "01_x" / "01_x.ipynb")
    first = source_digest(solutions)
    write_notebook(passing_notebook(), solutions / "01_x" / ".ipynb_checkpoints" / "01_x-checkpoint.ipynb")
    assert source_digest(solutions) == first
    notebook.write_text(notebook.read_text().replace("x = 1", "x = 2"))
    assert source_digest(solutions) != first


class FakeApi:
    def __init__(self, fail=None):
        self.generated, self.fail = [], fail

    def generate_assignment(self, name, force):
        self.generated.append(name)
        return {"success": name != self.fail, "log": f"log of {name}", "error": ""}


def test_prepare_generates_every_assignment_once_then_only_when_solutions_change(tmp_path, monkeypatch):
    api = FakeApi()
    monkeypatch.setattr(stage, "nbgrader_api", lambda course: api)
    course = tmp_path / "grading"
    assert prepare(course, timeout=5) == assignments()
    assert api.generated == assignments()
    assert sorted(p.name for p in (course / "source").iterdir()) == assignments()
    assert (course / ".source-digest").read_text() == source_digest()
    (course / GRADEBOOK).write_bytes(b"")  # nbgrader would have made it
    api.generated.clear()
    prepare(course, timeout=9)
    assert api.generated == []  # nothing changed: the gradebook and its grades are kept
    assert "c.Execute.timeout = 9" in (course / "nbgrader_config.py").read_text()
    (course / ".source-digest").write_text("solutions changed since")
    prepare(course, timeout=9)
    assert api.generated == assignments()


def test_prepare_says_which_assignment_nbgrader_could_not_generate(tmp_path, monkeypatch):
    monkeypatch.setattr(stage, "nbgrader_api", lambda course: FakeApi(fail="02_value"))
    with pytest.raises(RuntimeError, match="generate_assignment 02_value failed:\nlog of 02_value"):
        prepare(tmp_path / "grading", timeout=5)
    assert not (tmp_path / "grading" / ".source-digest").exists()  # the next run tries again
