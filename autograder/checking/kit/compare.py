"""Comparing what a student's code gave with the truth, and with what each mistake gives."""

import math
from collections.abc import Iterable

from .failure import Mistake


def close(a, b, rel=1e-6, abs_=1e-9) -> bool:
    """Numbers agree to a relative tolerance, or an absolute one near zero."""
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    if math.isnan(a) or math.isnan(b):
        return False
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_)


def agree(got, want, rel=1e-6, abs_=1e-9) -> bool:
    """Numbers, or nested lists / arrays of numbers of the same shape, agree everywhere."""
    if _is_sequence(got) or _is_sequence(want):
        if not (_is_sequence(got) and _is_sequence(want)):
            return False
        got, want = list(_items(got)), list(_items(want))
        return len(got) == len(want) and all(agree(g, w, rel, abs_) for g, w in zip(got, want))
    return close(got, want, rel, abs_)


def first_difference(got, want, rel=1e-6, abs_=1e-9) -> int | None:
    """The index of the first entry where two sequences disagree (None if they agree)."""
    for k, (g, w) in enumerate(zip(got, want)):
        if not agree(g, w, rel, abs_):
            return k
    return None


def matching(got, candidates: Iterable, *, expected=None, rel=1e-6, abs_=1e-9, first=False):
    """The mistakes whose predicted result agrees with `got`, in the order given.

    `candidates` holds (Mistake, predicted) pairs; `predicted` may be a number, a
    vector, an array, None (the mistake does not apply here) or a function of no
    arguments computing it (an expensive replay, run only when reached). A
    prediction that equals `expected` cannot tell the mistake from the answer and
    is skipped. With first=True, the first match (or None) is returned.
    """
    found = []
    for mistake, predicted in candidates:
        if mistake is None or mistake in found:
            continue
        if callable(predicted):
            predicted = predicted()
        if predicted is None or (expected is not None and agree(predicted, expected, rel, abs_)):
            continue
        if agree(got, predicted, rel, abs_):
            if first:
                return mistake
            found.append(mistake)
    return None if first else tuple(found)


def first_matching(got, candidates, **tolerance) -> Mistake | None:
    return matching(got, candidates, first=True, **tolerance)


def _is_sequence(x) -> bool:
    return hasattr(x, "__len__") and not isinstance(x, (str, bytes, dict)) and getattr(x, "ndim", 1) != 0


def _items(x):
    return x.tolist() if hasattr(x, "tolist") else x
