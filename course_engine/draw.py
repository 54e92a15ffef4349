"""Pictures of computation graphs: Graphviz when `dot` is installed, text otherwise."""

from __future__ import annotations

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


def draw_dot(root, highlight=None, rankdir: str = "LR", format: str = "svg"):
    """A Graphviz digraph of everything `root` was computed from.

    One record per Value (label | data | grad) and one small node per operation,
    laid out left to right. `highlight` is a list of Values, or a dict from Value
    to a note shown on it (e.g. "finite difference 4.0000"); those are drawn red.
    """
    if not graphviz_available():
        raise GraphvizNotInstalled(INSTALL_HELP)
    import graphviz

    notes = _notes(highlight)
    order = _nodes(root)
    ids = {id(node): f"v{i}" for i, node in enumerate(order)}  # stable ids: stable SVG output
    # size: at most 9 x 6 inches, scaled down to fit, so a wide graph stays on screen
    dot = graphviz.Digraph(format=format, graph_attr={"rankdir": rankdir, "size": "9,6"})
    for node in order:
        fields = [_name(node), f"data {_number(node.data)}", f"grad {_number(getattr(node, 'grad', 0.0))}"]
        style = {}
        if id(node) in notes:
            if notes[id(node)]:
                fields.append(notes[id(node)])
            style = {"style": "filled", "fillcolor": "#f8c4c4", "color": "#c0392b"}
        label = "{ " + " | ".join(_escape(f) for f in fields if f) + " }"
        dot.node(ids[id(node)], label=label, shape="record", **style)
        op = getattr(node, "_op", "")
        if op:
            dot.node(ids[id(node)] + "op", label=str(op), shape="circle")
            dot.edge(ids[id(node)] + "op", ids[id(node)])
            for parent in tuple(getattr(node, "_prev", ())):
                dot.edge(ids[id(parent)], ids[id(node)] + "op")
    return dot


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
