"""Run course notebooks in real kernels and read what each graded cell did.

Used by the notebook tests and by the mutant catalogue: a mutant is a small
rewrite of a solution; running the rewritten notebook must fail exactly the
graded cell of the exercise it breaks, with a message naming the mistake. A
correct alternative is another right answer: every graded cell must pass.
`mutant_tests` makes both kernel tests of a notebook's catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder import CheckFailed, check, exercises_in, get_exercise
from autograder.cells import graded_cells

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"


def solution_path(assignment: str) -> Path:
    return SOLUTIONS / assignment / f"{assignment}.ipynb"


def run(nb, folder: Path, timeout: int = 120):
    """Execute a notebook object in place, letting cells fail, in `folder`."""
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()
    return nb


def graded_results(nb) -> dict[str, str | None]:
    """grade_id of each graded cell -> its error text ('Name: message'), or None if it passed."""
    return {cell.grade_id: cell.error for cell in graded_cells(nb)}


def graded_keys(nb) -> dict[str, tuple[str, ...]]:
    """grade_id of each graded cell -> the mistake keys its failing check named."""
    return {cell.grade_id: cell.keys for cell in graded_cells(nb)}


def failure(exercise_id: str, *objects, hidden=True, seed=0) -> CheckFailed:
    """The CheckFailed the check raises on these objects (the test fails if it passes)."""
    try:
        check(exercise_id, *objects, hidden=hidden, seed=seed, quiet=True)
    except CheckFailed as failed:
        return failed
    raise AssertionError(f"check({exercise_id!r}) passed; it should have failed")


def cells_checking(nb, exercise_id: str) -> list[str]:
    """grade_ids of the notebook's graded cells that grade this exercise (from its declaration)."""
    grade_id = get_exercise(exercise_id).grade_id
    return [
        c.metadata["nbgrader"]["grade_id"]
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    ]


@dataclass
class Mutant:
    """A typical mistake: replace `find` (which must occur exactly once in the
    solution notebook's code) by `replace`; the check of `exercise` must then
    fail naming the mistake `key` (first), and every other graded cell pass."""

    name: str
    assignment: str
    exercise: str
    find: str
    replace: str
    key: str

    def apply(self):
        return apply_edits(self.assignment, [(self.find, self.replace)])


def apply_edits(assignment: str, edits):
    """The solution notebook with each (find, replace) applied; each `find` must
    occur exactly once in the notebook's code."""
    nb = nbformat.read(solution_path(assignment), as_version=4)
    for find, replace in edits:
        hits = [c for c in nb.cells if c.cell_type == "code" and find in c.source]
        count = sum(c.source.count(find) for c in hits)
        assert count == 1, f"{find!r} occurs {count} times in {assignment}, not once"
        hits[0].source = hits[0].source.replace(find, replace)
    return nb


def assert_every_graded_cell_passes(nb, assignment: str, timeout: int = 120):
    """Run the notebook; a correct alternative must pass every graded cell."""
    results = graded_results(run(nb, solution_path(assignment).parent, timeout))
    assert results and all(error is None for error in results.values()), results


def solution_code(assignment: str, replacements=(), given=("setup",)) -> str:
    """The `given` cells (by id) and every answer cell of a solution notebook as one
    program, with each (find, replace) applied (each `find` must occur exactly once)."""
    nb = nbformat.read(solution_path(assignment), as_version=4)
    code = "\n\n".join(
        c.source
        for c in nb.cells
        if c.cell_type == "code" and (c.id in given or c.metadata.get("nbgrader", {}).get("solution"))
    )
    for find, replace in replacements:
        assert code.count(find) == 1, f"{find!r} occurs {code.count(find)} times in the solution code"
        code = code.replace(find, replace)
    return code


def solution_namespace(assignment: str, replacements=(), given=("setup",)) -> dict:
    """What the answer cells define, run in this process (no kernel): fast checks."""
    namespace = {"__name__": f"solution_{assignment}"}
    code = solution_code(assignment, replacements, given)
    exec(compile(code, f"<{assignment} answers>", "exec"), namespace)
    return namespace


def batches(mutants) -> list[list[Mutant]]:
    """The mutants of one notebook in groups that can share one kernel run: at most one
    mutant per exercise, and edits that apply together (each `find` still found once).
    Every check tests its exercise alone (isolation), so a group's mutants cannot hide
    one another: each must fail exactly its own cell, with its own key."""
    groups: list[list[Mutant]] = []
    for mutant in mutants:
        for group in groups:
            if all(m.exercise != mutant.exercise for m in group) and _apply_together([*group, mutant]):
                group.append(mutant)
                break
        else:
            groups.append([mutant])
    return groups


def _apply_together(group):
    try:
        return apply_edits(group[0].assignment, [(m.find, m.replace) for m in group])
    except AssertionError:
        return None


_RUNS: dict[tuple[str, ...], tuple[dict, dict, dict]] = {}  # a group's kernel run, shared by its tests


def group_run(group):
    """(errors, keys, targets) of the group's notebook, run once in a kernel."""
    names = tuple(m.name for m in group)
    if names not in _RUNS:
        nb = _apply_together(group)
        targets = {m.name: cells_checking(nb, m.exercise) for m in group}
        run(nb, solution_path(group[0].assignment).parent)
        _RUNS[names] = graded_results(nb), graded_keys(nb), targets
    return _RUNS[names]


def assert_mutant_caught(mutant: Mutant, group=None):
    """The mutant's own graded cell fails naming its key; every graded cell that no mutant
    of its group targets passes."""
    results, keys, targets = group_run(group or [mutant])
    assert targets[mutant.name], f"no graded cell calls check({mutant.exercise!r})"
    others = {cell for name, cells in targets.items() for cell in cells if name != mutant.name}
    for grade_id, error in results.items():
        if grade_id in targets[mutant.name]:
            assert error is not None, f"{mutant.name}: the check of {mutant.exercise} did not catch it"
            assert keys[grade_id][:1] == (mutant.key,), (
                f"{mutant.name}: named {keys[grade_id]}, not {mutant.key!r}:\n{error}"
            )
            assert mutant.exercise in error, f"{mutant.name}: message does not name the exercise"
        elif grade_id not in others:
            assert error is None, f"{mutant.name}: graded cell {grade_id} failed too:\n{error}"


def mutant_tests(mutants, alternatives, assignment: str, timeout: int = 120):
    """The two kernel tests of one notebook's catalogue, to bind at module level:

        test_mutant_is_caught, test_correct_alternative_passes = mutant_tests(MUTANTS, ALTERNATIVES, NB)

    each mutant (by name) must be caught by exactly its exercise's graded cell (mutants of
    different exercises share kernel runs: see batches); each alternative (name -> its
    (find, replace) edits) must pass every graded cell."""
    group_of = {m.name: group for group in batches(mutants) for m in group}

    @pytest.mark.parametrize("mutant", mutants, ids=lambda m: m.name)
    def test_mutant_is_caught(mutant):
        assert_mutant_caught(mutant, group_of[mutant.name])

    @pytest.mark.parametrize("name", alternatives)
    def test_correct_alternative_passes(name):
        assert_every_graded_cell_passes(apply_edits(assignment, alternatives[name]), assignment, timeout)

    return test_mutant_is_caught, test_correct_alternative_passes


def answers_for(exercise: str, namespace: dict) -> tuple:
    """What check() takes for an exercise, by the names its declaration gives them, from the
    answers in `namespace`; the moons model, which a later cell trains, is not an answer: None,
    and the check trains one itself."""
    first, *more = get_exercise(exercise).objects
    return (namespace[first], *(namespace.get(name) for name in more))


def check_objects(exercise: str, fn) -> tuple:
    """What check() takes for an exercise given the one function it asks for (a moons check's
    model None)."""
    return answers_for(exercise, {get_exercise(exercise).objects[0]: fn})


def check_all(assignment: str, namespace: dict, hidden=False, seed=None, skip=()):
    """check() every exercise of the notebook but those in `skip` on the answers in `namespace`
    (in this process): the test fails at the first that does not pass."""
    for exercise in exercises_in(assignment):
        if exercise.id not in skip:
            check(exercise.id, *answers_for(exercise.id, namespace), hidden=hidden, seed=seed, quiet=True)
