"""Graph drawings with the real `dot`, and the explanation when it is missing."""

import shutil

import pytest

from course_engine import Value
from course_engine.draw import GraphvizNotInstalled, TextGraph, draw, draw_dot, draw_text


def example():
    a, b, c, f = (
        Value(2.0, label="a"),
        Value(-3.0, label="b"),
        Value(10.0, label="c"),
        Value(-2.0, label="f"),
    )
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    L.backward()
    return a, L


@pytest.mark.skipif(shutil.which("dot") is None, reason="make test installs graphviz")
def test_draw_dot_renders_records_and_ops_with_real_dot():
    a, L = example()
    graph = draw_dot(L, highlight={a: "finite difference 6.0000"})
    source = graph.source
    assert "rankdir=LR" in source
    assert "{ L | data -8.0000 | grad 1.0000 }" in source
    assert "{ a | data 2.0000 | grad 6.0000 | finite difference 6.0000 }" in source
    assert source.count("shape=circle") == 3  # *, +, *
    assert 'fillcolor="#f8c4c4"' in source
    svg = graph.pipe(format="svg").decode()
    assert svg.startswith("<?xml") and "data &#45;8.0000" in svg
    assert draw_dot(L).pipe(format="svg") == draw_dot(L).pipe(format="svg")  # stable output


def test_without_dot_the_error_names_the_install_command(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    _, L = example()
    with pytest.raises(GraphvizNotInstalled) as info:
        draw_dot(L)
    assert "apt-get install graphviz" in str(info.value)
    assert "conda install -c conda-forge graphviz" in str(info.value)


def test_draw_falls_back_to_text(monkeypatch, capsys):
    monkeypatch.setenv("PATH", "/nonexistent")
    _, L = example()
    shown = draw(L)
    assert isinstance(shown, TextGraph)
    assert "apt-get install graphviz" in capsys.readouterr().out
    assert repr(shown).splitlines()[0] == "L = *(...)  data -8.0000  grad 1.0000"


def test_text_drawing_shows_every_value_once():
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    b.backward()
    text = draw_text(b, highlight=[a])
    lines = text.splitlines()
    assert lines[0] == "b = +(...)  data 6.0000  grad 1.0000"
    assert lines[1] == "    a  data 3.0000  grad 2.0000   <-- check this"
    assert lines[2] == "    a (used again, shown above)"
