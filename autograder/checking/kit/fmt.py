"""Numbers, lists and arrays as the messages show them."""

from numbers import Real


def fmt(x) -> str:
    """A number with 6 significant digits (repr for anything else)."""
    return f"{x:.6g}" if isinstance(x, float) else repr(x)


def num(x) -> str:
    """A number with 10 significant digits: enough to see 14.003 vs 14.0003."""
    return f"{x:.10g}" if isinstance(x, float) else repr(x)


def fmt_list(xs, limit=8, digits=fmt) -> str:
    """[1.5, 2, ...] showing at most `limit` entries; an entry that is no number as what it is
    (None, or the type a probe recorded), so that a strange value never breaks the message."""
    xs = list(xs)
    shown = ", ".join(digits(float(x)) if _real(x) else _other(x) for x in xs[:limit])
    return f"[{shown}{', ...' if len(xs) > limit else ''}]"


def _real(x) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool)


def _other(x) -> str:
    return f"a {x['type']}" if isinstance(x, dict) and "type" in x else repr(x)


def fmt_points(points) -> str:
    return f"{points:g} point" + ("" if points == 1 else "s")


def wrapped(text: str, width: int = 88) -> list[str]:
    """`text`'s lines, long ones wrapped at spaces only (never inside a word or at a hyphen:
    "(self,)" stays whole). A continued line lines up after its label ("  likely mistake: ")."""
    import re
    import textwrap

    lines = []
    for line in text.splitlines() or [""]:
        label = re.match(r"\s*(?:[\w ]{1,20}: +)?", line).group()
        lines += textwrap.wrap(
            line,
            width,
            subsequent_indent=" " * min(len(label), width // 3),
            break_long_words=False,
            break_on_hyphens=False,
        ) or [line]
    return lines
