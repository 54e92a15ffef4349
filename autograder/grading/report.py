"""Stage 5, report: what an instructor wants to know about the whole class.

report/report.md in the grading folder: the score distribution (scores.png),
the pass rate of each exercise, the misconception table (per exercise, the
mistakes its check named and how many students made each), the most common
failure messages, and the submissions that could not be graded.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..cells import read_graded_cells
from ..layout import notebook_path
from .outcome import Outcome, Status, load_outcomes
from .prepare import open_gradebook

REPORT = "report"


@dataclass(frozen=True)
class ExerciseCell:
    """A graded cell as the report names it: the exercise it grades, when declared."""

    assignment: str
    grade_id: str
    id: str | None  # the exercise id ("01.central"); None for a cell no exercise declares
    title: str

    @property
    def label(self) -> str:
        return f"{self.id}: {self.title}" if self.id else self.grade_id


@dataclass(frozen=True)
class PassRate:
    exercise: ExerciseCell
    passed: int  # graded submissions with full marks on the cell
    graded: int

    @property
    def rate(self) -> float:
        return self.passed / self.graded


@dataclass(frozen=True)
class MistakeCount:
    key: str | None  # None: the check failed without naming a mistake
    message: str
    students: int


@dataclass(frozen=True)
class Misconceptions:
    """The mistakes the students who failed one exercise made, most common first."""

    exercise: ExerciseCell
    failed: int  # students whose cell failed
    graded: int
    mistakes: tuple[MistakeCount, ...]


def name_cells(course: Path, outcomes: dict[str, Outcome]) -> dict[tuple[str, str], ExerciseCell]:
    """(assignment, grade_id) -> the exercise it grades, for every graded cell of the
    outcomes, in course order: assignments in order, cells in the order of the source
    notebook the folder was graded against."""
    from .. import all_exercises

    by_grade_id = {ex.grade_id: ex for ex in all_exercises().values()}
    seen = {}  # (assignment, grade_id) -> the exercise id a failing check named, if any
    for o in outcomes.values():
        for cell in o.cells:
            if seen.get((o.assignment, cell.grade_id)) is None:
                seen[o.assignment, cell.grade_id] = cell.exercise
    named = {}
    for assignment in sorted({a for a, _ in seen}):
        source = notebook_path(course / "source", assignment)
        order = [c.grade_id for c in read_graded_cells(source)] if source.exists() else []
        cells = sorted(
            (g for a, g in seen if a == assignment),
            key=lambda g: (order.index(g) if g in order else len(order), g),
        )
        for grade_id in cells:
            declared = by_grade_id.get(grade_id)
            if declared is not None:
                named[assignment, grade_id] = ExerciseCell(assignment, grade_id, declared.id, declared.title)
            else:
                named[assignment, grade_id] = ExerciseCell(
                    assignment, grade_id, seen[assignment, grade_id], grade_id
                )
    return named


def pass_rates(course: Path, outcomes: dict[str, Outcome]) -> list[PassRate]:
    """Each graded cell's share of graded submissions with full marks, as the class
    gradebook has them (so a score changed by hand counts)."""
    graded = {(o.student, o.assignment) for o in outcomes.values() if o.status is Status.GRADED}
    passed, total = Counter(), Counter()
    with open_gradebook(course) as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                if (submission.student.id, assignment.name) not in graded:
                    continue
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        total[assignment.name, grade.name] += 1
                        passed[assignment.name, grade.name] += grade.score == grade.max_score
    named = name_cells(course, outcomes)
    order = {cell: i for i, cell in enumerate(named)}
    cells = sorted(total, key=lambda cell: (cell[0], order.get(cell, len(order)), cell[1]))
    return [
        PassRate(named.get(cell) or ExerciseCell(*cell, None, cell[1]), passed[cell], total[cell])
        for cell in cells
    ]


def misconceptions(course: Path, outcomes: dict[str, Outcome]) -> list[Misconceptions]:
    """Per exercise that some student failed: the mistakes its check named, by key,
    with how many students made each, most common first."""
    graded, failed = defaultdict(set), defaultdict(set)
    made, messages = defaultdict(lambda: defaultdict(set)), defaultdict(Counter)
    for o in outcomes.values():
        if o.status is not Status.GRADED:
            continue
        for cell in o.cells:
            where = (o.assignment, cell.grade_id)
            graded[where].add(o.student)
            if cell.passed:
                continue
            failed[where].add(o.student)
            for mistake in cell.mistakes or [None]:
                key = mistake.key if mistake else None
                made[where][key].add(o.student)
                messages[where, key][mistake.message if mistake else ""] += 1
    found = []
    for where, exercise in name_cells(course, outcomes).items():
        if not failed[where]:
            continue
        counts = [
            MistakeCount(key, messages[where, key].most_common(1)[0][0], len(students))
            for key, students in made[where].items()
        ]
        counts.sort(key=lambda m: (-m.students, m.key is None, m.key or ""))
        found.append(Misconceptions(exercise, len(failed[where]), len(graded[where]), tuple(counts)))
    return found


def common_failures(outcomes: dict[str, Outcome], top: int = 10) -> list[tuple[str, int]]:
    """The most frequent first lines of failing checks across the class."""
    counts = Counter(
        cell.error.splitlines()[0] for o in outcomes.values() for cell in o.cells if not cell.passed
    )
    return counts.most_common(top)


def problem_submissions(outcomes: dict[str, Outcome]) -> list[Outcome]:
    """The submissions that were not graded (each scored zero, with its reason)."""
    return sorted(
        (o for o in outcomes.values() if o.status is not Status.GRADED),
        key=lambda o: (o.student, o.assignment),
    )


def plot_distribution(outcomes: dict[str, Outcome], target: Path) -> Path:
    """One histogram of scores per assignment, side by side, saved as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_assignment, maxima = defaultdict(list), {}
    for o in outcomes.values():
        by_assignment[o.assignment].append(o.score)
        maxima[o.assignment] = o.max_score
    names = sorted(by_assignment)
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 2.8), squeeze=False)
    for ax, name in zip(axes[0], names):
        ax.hist(
            by_assignment[name], bins=10, range=(0, maxima[name] or 1), color="#4c72b0", edgecolor="white"
        )
        ax.set_title(name, fontsize=9)
        ax.set_xlabel(f"score (of {maxima[name]:g})")
    axes[0][0].set_ylabel("students")
    fig.tight_layout()
    fig.savefig(target, dpi=110)
    plt.close(fig)
    return target


def write_report(course: Path) -> Path:
    """report/report.md and report/scores.png in the grading folder; returns the .md path."""
    course = Path(course).resolve()
    outcomes = load_outcomes(course)
    if not outcomes:
        raise FileNotFoundError(f"{course} has no grading results: run `micrograd-course grade` first")
    folder = course / REPORT
    folder.mkdir(exist_ok=True)
    png = plot_distribution(outcomes, folder / "scores.png")
    lines = ["# Class report", "", f"![score distribution]({png.name})", ""]
    lines += pass_rate_section(pass_rates(course, outcomes))
    lines += misconception_section(misconceptions(course, outcomes))
    lines += ["## Most common failures", ""]
    lines += [f"- {count} x {message}" for message, count in common_failures(outcomes)] or ["- none"]
    lines += ["", "## Submissions not graded", ""]
    lines += [
        f"- {o.student} / {o.assignment}: {o.status.value}: {o.reason}" for o in problem_submissions(outcomes)
    ] or ["- none"]
    target = folder / "report.md"
    target.write_text("\n".join(lines) + "\n")
    return target


def pass_rate_section(rates: list[PassRate]) -> list[str]:
    lines = ["## Pass rate per exercise", ""]
    for assignment in dict.fromkeys(r.exercise.assignment for r in rates):
        lines += [
            f"### {assignment}",
            "",
            "| exercise | title | graded cell | passed |",
            "| --- | --- | --- | ---: |",
        ]
        for r in rates:
            if r.exercise.assignment == assignment:
                ex = r.exercise
                lines.append(
                    f"| {ex.id or '-'} | {_cell(ex.title)} | {ex.grade_id} "
                    f"| {r.passed} of {r.graded} ({r.rate:.0%}) |"
                )
        lines.append("")
    return lines if rates else lines + ["- no graded submissions", ""]


def misconception_section(found: list[Misconceptions]) -> list[str]:
    lines = [
        "## Misconceptions",
        "",
        "Per exercise, the mistakes its check named in the students' work, most common first.",
        "",
    ]
    for m in found:
        lines += [
            f"### {_cell(m.exercise.label)} ({m.failed} of {m.graded} students failed)",
            "",
            "| students | mistake | what the check said |",
            "| ---: | --- | --- |",
        ]
        for count in m.mistakes:
            if count.key is None:
                lines.append(f"| {count.students} | (none named) | see the most common failures below |")
            else:
                lines.append(f"| {count.students} | `{count.key}` | {_cell(count.message)} |")
        lines.append("")
    return lines if found else lines + ["- every graded exercise passed", ""]


def _cell(text: str) -> str:
    """Text that stays inside one cell of a Markdown table."""
    return " ".join(text.split()).replace("|", "\\|")
