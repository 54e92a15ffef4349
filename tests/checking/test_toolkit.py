"""The check toolkit, the exercise declarations and the rules that keep probes and
verdicts apart, tested in this process (no kernel)."""

from __future__ import annotations

import ast
import random
from pathlib import Path

import numpy as np
import pytest
from nbharness import ROOT, check_objects

from autograder import NotAttempted, all_exercises, check, exercises_in
from autograder.checking import runner
from autograder.checking.exercise import Declarations
from autograder.checking.kit.cases import random_point, seeded
from autograder.checking.kit.compare import agree, close, first_difference, first_matching, matching
from autograder.checking.kit.failure import CheckFailed, Failure, Mistake, Mistakes
from autograder.checking.kit.observe import attempt, plain, returned

CHECKING = ROOT / "autograder" / "checking"

# ---- compare ------------------------------------------------------------------------


def test_close_is_relative_with_an_absolute_floor():
    assert close(1.0, 1.0 + 1e-7) and not close(1.0, 1.0 + 1e-5)
    assert close(0.0, 1e-10) and not close(0.0, 1e-8)
    assert not close(float("nan"), float("nan")) and not close("a", 1.0)
    assert close(float("inf"), float("inf")) and not close(float("inf"), 1e308)


def test_agree_compares_numbers_vectors_and_arrays_by_shape():
    assert agree([1.0, [2.0, 3.0]], np.array([1.0, [2.0, 3.0]], dtype=object))
    assert agree(np.ones((2, 2)), [[1.0, 1.0], [1.0, 1.0]])
    assert not agree([1.0, 2.0], [1.0, 2.0, 3.0]) and not agree([1.0], 1.0) and not agree(1.0, [1.0])
    assert agree(np.float64(2.0), 2.0) and first_difference([1, 2, 3], [1, 2, 4]) == 2


def test_matching_keeps_order_skips_predictions_equal_to_the_answer_and_runs_replays_lazily():
    a, b, c = Mistake("a", "A"), Mistake("b", "B"), Mistake("c", "C")
    replays = []

    def replay():
        replays.append(1)
        return 5.0

    assert matching(5.0, [(a, 5.0), (b, 4.0), (c, 5.0)]) == (a, c)
    assert matching(5.0, [(a, 5.0), (c, 5.0)], expected=5.0) == ()
    assert first_matching(5.0, [(a, None), (b, 5.0), (c, replay)]) == b and replays == []
    assert first_matching(5.0, [(a, 4.0), (c, replay)]) == c and replays == [1]
    assert first_matching([1.0, 2.0], [(a, [1.0, 2.0 + 1e-3]), (b, [1.0, 2.0])]) == b


# ---- failures and their messages ----------------------------------------------------------


def test_a_failure_reads_as_a_lesson_and_carries_its_keys():
    table = Mistakes({"fixed-h": "it ignores h (it gives the value for h = {h:g})", "other": "or this"})
    failure = Failure(
        "numerical_derivative(f, x, h) is wrong",
        input="x = 3",
        expected="14.003",
        got="14",
        mistakes=(table("fixed-h", h=1e-5), table("other")),
    )
    error = CheckFailed(failure, "01.forward")
    assert str(error).splitlines() == [
        "[01.forward] numerical_derivative(f, x, h) is wrong",
        "  input:    x = 3",
        "  expected: 14.003",
        "  got:      14",
        "  likely mistake: it ignores h (it gives the value for h = 1e-05)",
        "    or: or this",
    ]
    assert error.keys == ("fixed-h", "other") and error.key == "fixed-h"
    assert error._render_traceback_()[0] == "CheckFailed: [01.forward] numerical_derivative(f, x, h) is wrong"
    assert Failure("plain", mistakes=None).keys == () and isinstance(error, AssertionError)


def test_long_lines_of_a_failure_wrap_at_spaces_only():
    """JupyterLab breaks an error's lines anywhere ("(sel f,)"): the traceback comes wrapped."""
    mistake = Mistake(
        "tuple-comma",
        "a one-element tuple needs its comma: _prev=(self,) and _children=(self, other) keep the "
        "operands, while (self) is just self; the reversed order and 3 points come next, pre-computed",
    )
    error = CheckFailed(Failure("out._prev is wrong " * 5, mistakes=mistake), "02.graph")
    lines = error._render_traceback_()
    assert all(len(line) <= 88 for line in lines), lines
    words = lambda text: text.split()  # noqa: E731
    assert words(" ".join(lines)) == words(f"CheckFailed: {error}")  # no word cut, none lost
    assert any("(self,)" in line for line in lines) and any(line.startswith(" " * 18) for line in lines)
    assert str(error) == CheckFailed(error.failure, "02.graph").args[0]  # the message itself is not wrapped


def test_the_runner_names_a_stub_a_crash_and_the_line_it_happened_on():
    ex = all_exercises()["01.forward"]

    def stub(f, x, h):
        raise NotImplementedError()

    def crashes(f, x, h):
        return [1, 2][5]

    assert runner.run(ex, (stub,), random.Random(0), False).keys == ("not-attempted",)
    crash = runner.run(ex, (crashes,), random.Random(0), False)
    assert crash.keys == ("raised",) and "IndexError" in crash.what and crash.input.endswith("of crashes()")


@pytest.mark.parametrize("notebook", ["01_derivatives", "06_training", "07_tensors"])  # answers: functions
def test_every_check_of_a_function_left_as_its_stub_says_not_attempted(notebook):
    def stub(*args, **kwargs):
        raise NotImplementedError()

    for exercise in exercises_in(notebook):
        with pytest.raises(NotAttempted):
            check(exercise.id, *check_objects(exercise.id, stub), quiet=True)


def test_observations_pass_through_json_under_test():
    ex = all_exercises()["01.partials"]
    assert runner.PLAIN_DATA_ONLY
    with pytest.raises(TypeError, match="must be plain JSON data"):
        runner.as_plain_data(ex, "observation", {"got": object()})
    assert runner.as_plain_data(ex, "case", {"xs": (1.0, 2.0)}) == {"xs": [1.0, 2.0]}


# ---- observe and cases ---------------------------------------------------------------


def test_observations_are_plain_data():
    assert plain((np.arange(3.0), 2, None, True)) == [[0.0, 1.0, 2.0], 2.0, None, True]
    assert plain(object())["type"] == "object"
    assert returned([1, 2.5])["value"] == [1.0, 2.5] and returned(True)["value"] is None
    assert returned("text") == {"value": None, "type": "str", "repr": "'text'"}
    value, error = attempt(lambda: 1 / 0)
    assert value is None and error["type"] == "ZeroDivisionError"
    with pytest.raises(NotImplementedError):
        attempt(lambda: (_ for _ in ()).throw(NotImplementedError()))


def test_random_points_keep_away_from_kinks_and_seeding_restores_the_generators():
    rng = random.Random(1)
    assert all(abs(random_point(rng, -1, 1, away_from=(0.0,), gap=0.3)) > 0.3 for _ in range(200))
    random.seed(5)
    before = random.random()
    random.seed(5)
    with seeded(123):
        inside = random.random(), np.random.rand()
    assert random.random() == before
    with seeded(123):
        assert (random.random(), np.random.rand()) == inside


# ---- declarations -----------------------------------------------------------------------


def test_every_notebook_declares_its_exercises_with_facts_and_three_parts():
    exercises = all_exercises()
    assert len(exercises) == 51
    for ex in exercises.values():
        assert ex.title and ex.points > 0 and 1 <= len(ex.hints) <= 3 and ex.objects, ex.id
        assert callable(ex.cases) and callable(ex.probe) and callable(ex.verdict), ex.id
    assert [ex.id for ex in exercises_in("01_derivatives")] == [
        "01.forward",
        "01.central",
        "01.partials",
        "01.gradient",
    ]
    assert exercises_in(Path("notebooks/03_backprop")) == exercises_in("03")


def test_declarations_refuse_missing_facts(tmp_path):
    module = tmp_path / "nb99_demo.py"
    (tmp_path / "nb99_demo.toml").write_text(
        '["99.x"]\ntitle = "t"\npoints = 1\nobjects = ["f"]\nhints = []\n'
    )
    with pytest.raises(ValueError, match="one to three hints"):
        Declarations(str(module))
    (tmp_path / "nb99_demo.toml").write_text('["99.x"]\ntitle = "t"\npoints = 1\nhints = ["h"]\n')
    with pytest.raises(ValueError, match="needs title, points, hints, objects"):
        Declarations(str(module))


def test_check_names_the_objects_it_takes():
    ex = all_exercises()["01.gradient"]
    with pytest.raises(TypeError, match="takes numerical_gradient; it was given 2"):
        ex.bind((len, len))
    assert ex.cell_source().splitlines()[0] == 'check("01.gradient", numerical_gradient)'


# ---- the rules that keep probes and verdicts apart -----------------------------------------

VERDICT_SIDE_KIT = ("kit.compare", "kit.failure", "kit.says", "kit.network")
FORBIDDEN_IN_PROBES = ("verdicts", *VERDICT_SIDE_KIT, "course_engine.gradcheck", "gradcheck")


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
            names.update(f"{'.' * node.level}{node.module or ''}.{a.name}".lstrip(".") for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


PROBE_SIDE_KIT = ["kit/observe.py", "kit/cases.py", "kit/fmt.py", "kit/steps.py"]


@pytest.mark.parametrize("folder", ["probes", "isolation", *PROBE_SIDE_KIT])
def test_probes_and_isolation_never_reach_the_verdict_side(folder):
    paths = [CHECKING / folder] if folder.endswith(".py") else sorted((CHECKING / folder).glob("*.py"))
    for path in paths:
        for name in imports_of(path):
            bare = name.lstrip(".")
            assert not any(
                bare == f or bare.startswith(f + ".") or f".{f}" in f".{bare}" for f in FORBIDDEN_IN_PROBES
            ), f"{path.relative_to(ROOT)} imports {name}: a probe computes no expected value"


def test_verdicts_never_use_isolation():
    for path in sorted((CHECKING / "verdicts").glob("*.py")):
        assert not any("isolation" in name for name in imports_of(path)), path.name


def test_no_check_function_is_longer_than_a_screen():
    for path in sorted(CHECKING.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                assert length <= 50, f"{path.relative_to(ROOT)}:{node.lineno} {node.name} is {length} lines"
