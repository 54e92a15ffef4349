#!/usr/bin/env bash
# Create .venv and install the course with its dev extra. Run by make; it does
# nothing when the install stamp is newer than pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "error: $PYTHON not found. Install Python 3.10 or newer (Debian: apt-get install python3 python3-venv)." >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv with $("$PYTHON" --version)"
    if ! "$PYTHON" -m venv .venv 2>/dev/null; then
        rm -rf .venv
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "==> the venv module is missing: installing python3-venv with apt-get"
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
            "$PYTHON" -m venv .venv
        else
            echo "error: '$PYTHON -m venv' failed. Install the venv module: sudo apt-get install python3-venv" >&2
            exit 1
        fi
    fi
fi
echo "==> installing the course package and its dev tools into .venv"
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
# rfc3987-syntax (jsonschema's format-nongpl extra, which jupyter-events asks for) builds 38 parsers
# as it is imported: 1.4 s more for every Jupyter, nbgrader and grading process this course
# starts. It checks two formats (iri, iri-reference) that none of their schemas uses, and
# jsonschema goes on without it. (Grading processes skip it wherever it is installed.)
.venv/bin/python -m pip uninstall --quiet --yes rfc3987-syntax 2>/dev/null || true
touch .venv/.installed
