"""Binary cross-entropy, the classification loss of notebook 06's demonstration."""

from __future__ import annotations

from ..engine.value import Value
from .lengths import check_lengths


def binary_cross_entropy(logits, labels) -> Value:
    """Cross-entropy for labels 0/1 from raw scores: mean of log(1 + e^s) - y s,
    written so that no exp overflows."""
    check_lengths(logits, labels, "binary_cross_entropy")
    terms = []
    for s, y in zip(logits, labels):
        if float(y) not in (0.0, 1.0):
            raise ValueError(f"binary_cross_entropy: labels must be 0 or 1, got {y!r}")
        # log(1 + e^s) = relu(s) + log(1 + e^-|s|)
        abs_s = s.relu() + (-s).relu()
        terms.append(s.relu() + ((-abs_s).exp() + 1).log() - float(y) * s)
    return sum(terms) * (1.0 / len(terms))
