"""micrograd-course: the course's command line (nbgrader underneath)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .collect import DEFAULT_PATTERN


def main(argv=None):
    parser = argparse.ArgumentParser(prog="micrograd-course", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    rel = commands.add_parser("release", help="generate notebooks/ from solutions/ with nbgrader")
    rel.add_argument("--out", help="folder for the student notebooks (default: notebooks/)")
    _exchange_options(rel, "also put them in this nbgrader exchange folder, for students to fetch")

    col = commands.add_parser(
        "collect", help="copy the students' latest submissions out of nbgrader's exchange"
    )
    _exchange_options(col, "nbgrader exchange folder (Exchange.root)", required=True)
    col.add_argument(
        "--out", default="submitted", help="where they go, as STUDENT/ASSIGNMENT/ (default: submitted/)"
    )

    ret = commands.add_parser("return", help="put a grading folder's feedback in nbgrader's exchange")
    ret.add_argument("folder", help="the grading folder (grade's --out)")
    _exchange_options(ret, "nbgrader exchange folder (Exchange.root)", required=True)

    gr = commands.add_parser("grade", help="autograde a class of submissions")
    gr.add_argument("submissions", help="nbgrader submitted/ folder, or a folder or .zip of notebooks")
    gr.add_argument("--out", required=True, help="grading folder: gradebook, grades.csv, feedback/")
    gr.add_argument("--jobs", type=int, help="notebooks graded at once (default: one per core)")
    gr.add_argument("--timeout", type=int, default=30, help="seconds per cell (default: 30)")
    gr.add_argument("--memory", type=int, default=2048, help="MiB per kernel (default: 2048)")
    gr.add_argument(
        "--pattern", default=DEFAULT_PATTERN, help="regex with (?P<student>...) for LMS file names"
    )
    gr.add_argument(
        "--lms",
        choices=["canvas", "moodle", "blackboard"],
        help="SUBMISSIONS is that LMS's 'download all submissions' zip or folder",
    )
    gr.add_argument("--assignment", action="append", help="expect this assignment from everyone (repeatable)")
    gr.add_argument("--no-sandbox", action="store_true", help="run student code without bubblewrap")
    gr.add_argument(
        "--cluster",
        metavar="tcp://HOST:8786",
        help="grade on the Dask cluster whose scheduler is at this address (default: this machine)",
    )
    gr.add_argument(
        "--force", action="store_true", help="grade again what an earlier run already graded unchanged"
    )
    gr.add_argument("--quiet", action="store_true", help="no progress bar")

    rep = commands.add_parser(
        "report", help="class report of a grading folder: scores, pass rates, misconceptions, problems"
    )
    rep.add_argument("folder")

    exp = commands.add_parser(
        "export", help="grades and feedback of a grading folder in an LMS's import formats"
    )
    exp.add_argument("folder", help="grading folder written by `grade --lms ... --out FOLDER`")
    exp.add_argument("--lms", required=True, choices=["canvas", "moodle"])
    exp.add_argument("--assignment", help="only this assignment (default: each graded one)")
    exp.add_argument(
        "--column",
        help="Canvas: the assignment's column title in Canvas's own export, e.g. 'Homework 1 (4711)'",
    )

    val = commands.add_parser("validate", help="check a notebook before submitting it")
    val.add_argument("notebook")

    pro = commands.add_parser(
        "progress", help="a student's status of every exercise, from the saved notebooks"
    )
    pro.add_argument(
        "folder",
        nargs="?",
        help="folder holding NN_name/NN_name.ipynb (default: here, the folder above or notebooks/)",
    )

    gs = commands.add_parser("gradescope", help="build one assignment's Gradescope autograder zip")
    gs.add_argument("assignment", help="e.g. 01_derivatives")
    gs.add_argument("--out", default="autograder.zip", help="the zip to write (default: autograder.zip)")
    gs.add_argument("--timeout", type=int, default=30, help="seconds per cell (default: 30)")
    gs.add_argument("--memory", type=int, default=2048, help="MiB per kernel (default: 2048)")

    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        print(f"micrograd-course {args.command}: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # piped into `head`, which has read enough
        sys.stdout = None
        return 0


def _exchange_options(parser, what, required=False):
    parser.add_argument("--exchange", required=required, metavar="DIR", help=what)
    parser.add_argument("--course", required=required, metavar="ID", help="course id in the exchange")
    parser.add_argument(
        "--assignment", action="append", help="only this assignment (repeatable; default: all)"
    )


def _release(args):
    from .release import release

    if args.exchange and not args.course or args.course and not args.exchange:
        raise ValueError("--exchange DIR and --course ID go together")
    out = release(args.out, names=args.assignment)
    if args.exchange:
        from .exchange import release_to_exchange

        for line in release_to_exchange(args.exchange, args.course, args.assignment, out):
            print(line)
        print(
            f"students: nbgrader fetch_assignment ASSIGNMENT --course {args.course}, or JupyterLab's Assignments tab"
        )
    return 0


def _collect(args):
    from .exchange import collect_from_exchange

    collected = collect_from_exchange(args.exchange, args.course, args.out, args.assignment)
    for name, students in collected.items():
        print(f"{name}: {len(students)} submission(s){': ' if students else ''}{', '.join(students)}")
    print(
        f"collected into {Path(args.out).resolve()}/; next: micrograd-course grade {args.out} --out grading/"
    )
    return 0


def _return(args):
    from .exchange import return_feedback

    returned, skipped = return_feedback(args.folder, args.exchange, args.course, args.assignment)
    for line in skipped:
        print(f"not returned: {line}")
    print(
        f"feedback returned for {len(returned)} submission(s); students: nbgrader fetch_feedback --course {args.course}"
    )
    return 0


def _grade(args):
    from .export import GRADES_CSV
    from .grade import grade
    from .prepare import GRADEBOOK
    from .score import score_table

    notices = []
    outcomes = grade(
        args.submissions,
        args.out,
        jobs=args.jobs,
        timeout=args.timeout,
        memory_mb=args.memory,
        pattern=args.pattern,
        expected=args.assignment,
        sandboxed=False if args.no_sandbox else None,
        progress=not args.quiet,
        lms=args.lms,
        notices=notices,
        force=args.force,
        cluster=args.cluster,
    )
    for notice in notices:
        print(f"note: {notice}")
    print(score_table(outcomes))
    out = Path(args.out)
    print(f"\ngradebook: {out / GRADEBOOK}\ngrades:    {out / GRADES_CSV}\nfeedback:  {out / 'feedback'}/")
    return 0


def _report(args):
    from .report import write_report

    target = write_report(Path(args.folder))
    print(target.read_text())
    print(f"report written to {target}")
    return 0


def _export(args):
    from .export import export_lms

    for path in export_lms(Path(args.folder), args.lms, args.assignment, args.column):
        print(path)
    return 0


def _validate(args):
    from ..checking.validate import validate

    ok, text = validate(args.notebook)
    print(text)
    return 0 if ok else 1


def _progress(args):
    from ..checking.progress import HOW_TO_POINT, progress

    shown = progress(args.folder)
    if shown.folder is None:
        here = Path.cwd()
        looked = f"{here}, the folder above or {here / 'notebooks'}"
        print(f"micrograd-course progress: no course notebooks in {looked}: {HOW_TO_POINT}")
        return 2
    print(shown)
    return 0


def _gradescope(args):
    from .gradescope import build

    out = build(args.assignment, args.out, timeout=args.timeout, memory_mb=args.memory)
    print(f"{out}: upload it as the autograder of a Gradescope programming assignment (see README)")
    return 0


COMMANDS = {
    "gradescope": _gradescope,
    "progress": _progress,
    "release": _release,
    "collect": _collect,
    "return": _return,
    "grade": _grade,
    "report": _report,
    "export": _export,
    "validate": _validate,
}

if __name__ == "__main__":
    sys.exit(main())
