"""micrograd-course: the course's command line."""

from __future__ import annotations

import argparse
import sys

from .release import release


def main(argv=None):
    parser = argparse.ArgumentParser(prog="micrograd-course", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    rel = commands.add_parser("release", help="generate notebooks/ from solutions/ with nbgrader")
    rel.add_argument("--out", help="folder to write the student notebooks to (default: notebooks/)")
    args = parser.parse_args(argv)
    if args.command == "release":
        release(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
