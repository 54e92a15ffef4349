"""What a verdict returns when it finds something wrong, and the mistakes it can name."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .fmt import wrapped


@dataclass(frozen=True)
class Mistake:
    """A typical mistake: a stable key (tests and the class report use it) and its message."""

    key: str
    message: str


class Mistakes:
    """An exercise's table of typical mistakes: key -> message, with {fields} filled per case."""

    def __init__(self, table: dict[str, str]):
        self.table = dict(table)

    @classmethod
    def beside(cls, module_file: str) -> Mistakes:
        """The table kept as data beside a verdict module: nb03_backprop.py reads
        nb03_backprop.toml, one `key = "message"` line per mistake."""
        with Path(module_file).with_suffix(".toml").open("rb") as table:
            return cls(tomllib.load(table))

    def __call__(self, key: str, **fields) -> Mistake:
        return Mistake(key, self.table[key].format(**fields) if fields else self.table[key])

    def __contains__(self, key):
        return key in self.table

    def __or__(self, other: Mistakes) -> Mistakes:
        return Mistakes({**self.table, **other.table})


@dataclass
class Failure:
    """A verdict's finding: what is wrong, on which input, expected vs got, and the
    likely mistakes (the likeliest first; none when the verdict cannot tell)."""

    what: str
    input: str | None = None
    expected: str | None = None
    got: str | None = None
    mistakes: tuple[Mistake, ...] = ()
    graph: object = None  # (root, {node: note}): drawn with those nodes highlighted

    def __post_init__(self):
        if self.mistakes is None or isinstance(self.mistakes, Mistake):
            self.mistakes = (self.mistakes,)
        self.mistakes = tuple(m for m in self.mistakes if m is not None)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(m.key for m in self.mistakes)

    def message(self, exercise_id: str | None = None) -> str:
        head = f"[{exercise_id}] " if exercise_id else ""
        lines = [f"{head}{self.what}"]
        for name, value in (("input", self.input), ("expected", self.expected), ("got", self.got)):
            if value is not None:
                lines.append(f"  {name + ':':<10}{value}")
        if self.mistakes:
            said = list(dict.fromkeys(m.message for m in self.mistakes))
            lines.append("  likely mistake: " + "\n    or: ".join(said))
        return "\n".join(lines)


class CheckFailed(AssertionError):
    """A check found a mistake. An AssertionError, so nbgrader marks the cell failed."""

    def __init__(self, failure: Failure, exercise: str | None = None):
        self.failure, self.exercise = failure, exercise
        super().__init__(failure.message(exercise))

    @property
    def keys(self) -> tuple[str, ...]:
        return self.failure.keys

    @property
    def key(self) -> str | None:
        return self.failure.keys[0] if self.failure.keys else None

    def _render_traceback_(self):
        # IPython shows this instead of a traceback: the message is the whole story,
        # the frames inside the checker would only bury it. Wrapped here, at spaces, because
        # JupyterLab wraps an error's text anywhere, even inside a word ("(sel f,)").
        return wrapped(f"{type(self).__name__}: {self}")


class NotAttempted(CheckFailed):
    """The exercise still holds its `raise NotImplementedError()` stub."""
