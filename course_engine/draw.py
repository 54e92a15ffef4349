"""Pictures of computation graphs: Graphviz when `dot` is installed, text otherwise."""

from __future__ import annotations

import functools
import shutil

INSTALL_HELP = (
    "Graphviz's `dot` program is not installed (or not on PATH), so the graph cannot "
    "be drawn as a picture. Install it with one of:\n"
    "  sudo apt-get install graphviz        # Debian, Ubuntu\n"
    "  brew install graphviz                # macOS\n"
    "  conda install -c conda-forge graphviz\n"
    "then restart the kernel. Meanwhile draw_text(root) shows the same graph as text."
)


class GraphvizNotInstalled(RuntimeError):
    """Raised by `draw_dot` when the `dot` binary is missing."""


def graphviz_available() -> bool:
    return shutil.which("dot") is not None


def _name(v) -> str:
    return getattr(v, "label", "") or ""


def _number(x) -> str:
    try:
        return f"{x:.4f}"
    except (TypeError, ValueError):  # a student's Value may hold anything
        return repr(x)


# Natural size (12-point text), so a graph reads like the text around it; Graphviz scales down
# only a graph larger than 24 x 16 inches, and the notebook shrinks a wide one to its window
# (_drawing_class). The padding keeps the outermost nodes' borders inside the picture.
GRAPH_ATTR = {"rankdir": "LR", "size": "24,16", "pad": "0.12", "nodesep": "0.2", "ranksep": "0.3"}
NODE_ATTR = {"fontsize": "12", "fontname": "Helvetica", "height": "0.3"}
HIGHLIGHT = {"style": "filled", "fillcolor": "#f8c4c4", "color": "#c0392b"}


def draw_dot(root, highlight=None, rankdir: str = "LR", format: str = "svg"):
    """A Graphviz digraph of everything `root` was computed from.

    One record per Value (label | data | grad) and one small node per operation,
    laid out left to right. `highlight` is a list of Values, or a dict from Value
    to a note shown on it (e.g. "finite difference 4.0000"); those are drawn red.
    """
    if not graphviz_available():
        raise GraphvizNotInstalled(INSTALL_HELP)

    notes = _notes(highlight)
    order = _nodes(root)
    ids = {id(node): f"v{i}" for i, node in enumerate(order)}  # stable ids: stable SVG output
    dot = _drawing_class()(format=format, graph_attr={**GRAPH_ATTR, "rankdir": rankdir}, node_attr=NODE_ATTR)
    for node in order:
        fields = [_name(node), f"data {_number(node.data)}", f"grad {_number(getattr(node, 'grad', 0.0))}"]
        style = {}
        if id(node) in notes:
            if notes[id(node)]:
                fields.append(notes[id(node)])
            style = HIGHLIGHT
        label = " | ".join(_escape(f) for f in fields if f)  # left to right, the fields stack
        dot.node(ids[id(node)], label=label, shape="record", **style)
        op = getattr(node, "_op", "")
        if op:
            dot.node(ids[id(node)] + "op", label=str(op), shape="circle", width="0.3", margin="0.02")
            dot.edge(ids[id(node)] + "op", ids[id(node)])
            for parent in tuple(getattr(node, "_prev", ())):
                dot.edge(ids[id(parent)], ids[id(node)] + "op")
    return dot


@functools.cache
def _drawing_class():  # graphviz is imported when a graph is first drawn
    import graphviz

    class Drawing(graphviz.Digraph):
        """A Graphviz digraph that a notebook shows as inline SVG (HTML), which JupyterLab
        shrinks to the width of its window (max-width: 100%) and never enlarges; the plain
        SVG goes beside it for other front ends and files."""

        def _repr_mimebundle_(self, include=None, exclude=None, **_):
            svg = self.pipe(format="svg", encoding="utf-8")
            inline = svg[svg.index("<svg") :].replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)
            html = f'<div class="micrograd-course-graph" style="max-width:100%">{inline}</div>'
            return {"text/html": html, "image/svg+xml": svg}

    return Drawing


def draw_text(root, highlight=None) -> str:
    """The same graph as an indented tree, output first. A value reached twice is
    written out once and then referred to."""
    notes = _notes(highlight)
    lines, seen = [], {}
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        pad = "    " * depth
        name = _name(node) or f"#{len(seen) + 1}"
        if id(node) in seen:
            lines.append(f"{pad}{seen[id(node)]} (used again, shown above)")
            continue
        seen[id(node)] = name
        op = getattr(node, "_op", "")
        made = f" = {op}(...)" if op else ""
        mark = f"   <-- {notes[id(node)] or 'check this'}" if id(node) in notes else ""
        data, grad = _number(node.data), _number(getattr(node, "grad", 0.0))
        lines.append(f"{pad}{name}{made}  data {data}  grad {grad}{mark}")
        stack.extend((parent, depth + 1) for parent in reversed(tuple(getattr(node, "_prev", ()))))
    return "\n".join(lines)


class TextGraph:
    """A text drawing that Jupyter shows as preformatted text."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self):
        return self.text


def draw(root, highlight=None):
    """`draw_dot` when Graphviz is installed; otherwise say how to install it and
    return the text drawing, so a notebook never stops here."""
    try:
        return draw_dot(root, highlight)
    except GraphvizNotInstalled as missing:
        print(missing)
        return TextGraph(draw_text(root, highlight))


def _nodes(root) -> list:
    """Every node reachable through `_prev`, the output first, then breadth first: an
    order to draw in, deliberately not a topological one (that is notebook 03's to
    write). Works on any Value-like object, a student's own too, without recursion."""
    order, seen = [root], {id(root)}
    for node in order:  # grows while it is walked
        for parent in tuple(getattr(node, "_prev", ())):
            if id(parent) not in seen:
                seen.add(id(parent))
                order.append(parent)
    return order


def _notes(highlight) -> dict:
    if highlight is None:
        return {}
    if isinstance(highlight, dict):
        return {id(node): note for node, note in highlight.items()}
    return {id(node): "" for node in highlight}


def _escape(text: str) -> str:
    for ch in '\\{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text
