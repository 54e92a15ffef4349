"""The command line: exit statuses and the sentences an instructor or a student reads."""

from __future__ import annotations

from autograder.grading.cli import main
from autograder.layout import SAMPLE_CLASS, notebook_path


def test_validate_exit_status_and_message(capsys):
    assert main(["validate", str(notebook_path(SAMPLE_CLASS / "ada", "01_derivatives"))]) == 0
    assert "Ready to submit" in capsys.readouterr().out
    assert main(["validate", str(notebook_path(SAMPLE_CLASS / "chen", "01_derivatives"))]) == 1
    assert "forward difference" in capsys.readouterr().out
    assert main(["validate", "nope.ipynb"]) == 1
    assert "does not exist" in capsys.readouterr().out


def test_bad_input_is_one_sentence_and_exit_status_2(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "nope"), "--out", str(tmp_path / "g")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("micrograd-course grade: ") and "does not exist" in err
    assert not (tmp_path / "g").exists()  # nothing was prepared for nothing
    assert main(["report", str(tmp_path)]) == 2
    assert "run `micrograd-course grade` first" in capsys.readouterr().err
