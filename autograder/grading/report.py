"""Stage 5, report: what an instructor wants to know about the whole class."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from nbgrader.api import Gradebook  # noqa: E402

from .score import db_url, load_results  # noqa: E402


def exercise_pass_rates(course: Path) -> dict:
    """assignment -> {graded cell: share of graded submissions with full marks}."""
    results = load_results(course)
    graded = {(r["student"], r["assignment"]) for r in results.values() if r["status"] == "graded"}
    rates = defaultdict(dict)
    with Gradebook(db_url(course)) as gb:
        for assignment in gb.assignments:
            for notebook in assignment.notebooks:
                for cell in notebook.grade_cells:
                    full = total = 0
                    for student, a in graded:
                        if a != assignment.name:
                            continue
                        grade = gb.find_grade(cell.name, notebook.name, a, student)
                        total += 1
                        full += grade.score == cell.max_score
                    if total:
                        rates[assignment.name][cell.name] = full / total
    return dict(rates)


def common_failures(course: Path, top: int = 10) -> list[tuple[str, int]]:
    """The most frequent first lines of failing checks across the class."""
    counts = Counter()
    for r in load_results(course).values():
        for failure in r["failures"]:
            counts[failure["message"].splitlines()[0]] += 1
    return counts.most_common(top)


def problem_submissions(course: Path) -> list[dict]:
    return sorted(
        (r for r in load_results(course).values() if r["status"] != "graded"),
        key=lambda r: (r["student"], r["assignment"]),
    )


def plot_distribution(course: Path, target: Path) -> Path:
    by_assignment = defaultdict(list)
    maxima = {}
    for r in load_results(course).values():
        by_assignment[r["assignment"]].append(r["score"])
        maxima[r["assignment"]] = r["max_score"]
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
    if not (course / "results.json").exists():
        raise FileNotFoundError(f"{course} has no grading results: run `micrograd-course grade` first")
    folder = course / "report"
    folder.mkdir(exist_ok=True)
    png = plot_distribution(course, folder / "scores.png")
    lines = ["# Class report", "", f"![score distribution]({png.name})", "", "## Pass rate per exercise", ""]
    for assignment, cells in sorted(exercise_pass_rates(course).items()):
        lines.append(f"### {assignment}")
        lines += [f"- {cell}: {rate:.0%}" for cell, rate in cells.items()]
        lines.append("")
    lines += ["## Most common failures", ""]
    lines += [f"- {count} x {message}" for message, count in common_failures(course)] or ["- none"]
    lines += ["", "## Missing or broken submissions", ""]
    problems = problem_submissions(course)
    lines += [f"- {r['student']} / {r['assignment']}: {r['status']}: {r['reason']}" for r in problems] or [
        "- none"
    ]
    target = folder / "report.md"
    target.write_text("\n".join(lines) + "\n")
    return target
