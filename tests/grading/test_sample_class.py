"""The bundled sample class is what examples/make_sample_class.py builds today."""

from __future__ import annotations

import sys

from autograder.layout import ROOT, SAMPLE_CLASS


def test_sample_class_is_a_fresh_build(tmp_path):
    sys.path.insert(0, str(ROOT / "examples"))
    from make_sample_class import build

    fresh = build(tmp_path / "class")
    files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(SAMPLE_CLASS) for p in SAMPLE_CLASS.rglob("*") if p.is_file())
    for rel in files:
        assert (fresh / rel).read_bytes() == (SAMPLE_CLASS / rel).read_bytes(), f"{rel}: run `make release`"
