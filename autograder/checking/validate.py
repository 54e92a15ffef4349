"""`micrograd-course validate NOTEBOOK`: what a student runs before submitting."""

import re
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def validate(path) -> tuple[bool, str]:
    """Run the notebook from the top as the grader will; (ok, a report to print)."""
    from nbgrader.validator import Validator

    path = Path(path)
    if not path.exists():
        return False, f"{path} does not exist"
    results = Validator().validate(str(path.resolve()))
    lines = []
    for cell in results.get("type_changed", []):
        lines.append(
            f"A cell changed type ({cell['old_type']} -> {cell['new_type']}); change it back:\n"
            f"  {_first_line(cell['source'])}"
        )
    for cell in results.get("changed", []):
        lines.append(
            "You edited a locked test cell; the grader restores the original, so your change "
            f"does not count. Undo it:\n  {_first_line(cell['source'])}"
        )
    for cell in results.get("failed", []):
        error = ANSI.sub("", cell["raw_error"]).strip()
        lines.append(f"FAILED  {_first_line(cell['source'])}\n{_indent(error)}")
    if lines:
        return False, "\n\n".join(lines) + f"\n\n{path.name}: fix the above and validate again."
    return True, f"{path.name}: every check passes. Ready to submit."


def _first_line(source: str) -> str:
    return source.strip().splitlines()[0] if source.strip() else "(empty cell)"


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines()[-12:])
