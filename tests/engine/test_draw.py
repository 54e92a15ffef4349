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
    assert "L | data -8.0000 | grad 1.0000" in source
    assert "a | data 2.0000 | grad 6.0000 | finite difference 6.0000" in source
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


def svg_root(svg: str):
    import xml.etree.ElementTree as ET

    return ET.fromstring(svg[svg.index("<svg") :])


@pytest.mark.skipif(shutil.which("dot") is None, reason="make test installs graphviz")
def test_a_graph_is_drawn_at_its_natural_size_whole_and_shrinks_to_the_window():
    import re

    a, L = example()
    shown = draw(L, highlight={a: "finite difference 6.0000"})._repr_mimebundle_()
    svg = svg_root(shown["image/svg+xml"])
    ns = "{http://www.w3.org/2000/svg}"
    _, _, width, height = map(float, svg.get("viewBox").split())
    assert abs(float(svg.get("width").removesuffix("pt")) - width) < 1  # 1 unit = 1 point: not scaled
    # 12-point text, not scaled to a fixed 9 inches (648 points) as it was
    assert {t.get("font-size") for t in svg.iter(f"{ns}text")} == {"12.00"} and round(width) != 648
    (graph,) = [g for g in svg.iter(f"{ns}g") if g.get("class") == "graph"]
    dx, dy = map(float, re.search(r"translate\(([-\d.]+) ([-\d.]+)\)", graph.get("transform")).groups())
    nodes = [g for g in svg.iter(f"{ns}g") if g.get("class") == "node"]
    for shape in (shape for node in nodes for shape in node.iter(f"{ns}polygon")):
        for point in shape.get("points").split():
            x, y = map(float, point.split(","))
            assert 2 <= x + dx <= width - 2 and 2 <= y + dy <= height - 2, "a border touches the edge"
    # every Value with a label shows it, the highlighted one too
    texts = [t.text for t in svg.iter(f"{ns}text")]
    assert {"a", "b", "c", "d", "e", "f", "L"} <= set(texts), texts
    html = shown["text/html"]
    assert html.count("<svg") == 1 and '<svg style="max-width:100%;height:auto"' in html
    assert svg_root(html[html.index("<svg") : html.index("</svg>") + 6]).get("viewBox") == svg.get("viewBox")
