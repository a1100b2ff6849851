"""A computational graph as the chapter draws it: values forward above the edges, derivatives below.

The graph is a :class:`~nnlearn.nn.graph.Graph` (for example
:func:`~nnlearn.nn.graph.apple_graph`), after its ``backward``: each node is
a circle with its operation, each edge an arrow with its name, its value
above it and :math:`\\partial L / \\partial` value below it (the chapter's
Figure 5-16 style).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nnlearn.nn.graph import Edge, Graph
from nnlearn.plots._style import PALETTE, drawing, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Every label of the figure in both languages: key -> (English, Korean).
LABELS = {
    "title": ("Computational graph: values forward (above), derivatives backward (below)",
              "계산 그래프: 순전파 값(위)과 역전파 미분(아래)"),
    "forward": ("forward: value", "순전파: 값"),
    "backward": ("backward: ∂L/∂(value)", "역전파: ∂L/∂(값)"),
    # the chapter's names
    "apple": ("apple", "사과"),
    "apple_num": ("apple count", "사과 개수"),
    "orange": ("orange", "귤"),
    "orange_num": ("orange count", "귤 개수"),
    "tax": ("tax", "소비세"),
    "apple_price": ("apples", "사과 가격"),
    "orange_price": ("oranges", "귤 가격"),
    "all_price": ("sum", "합계"),
    "price": ("price", "지불 금액"),
}


def _layout(graph: Graph) -> tuple[dict[int, tuple[float, float]], dict[str, tuple[float, float]]]:
    """Positions: of each node (by index) and of the free end of each input edge (by name).

    A node's column is one more than its inputs'; its first input comes in
    level with it, a second input that is a graph input from the row below,
    and one computed by other nodes from new rows further down; so a chain
    reads left to right along its first inputs.
    """
    producer = {id(node.output): k for k, node in enumerate(graph.nodes)}
    column: dict[int, int] = {}

    def depth(k: int) -> int:
        if k not in column:
            column[k] = 1 + max((depth(producer[id(e)]) for e in graph.nodes[k].inputs
                                 if id(e) in producer), default=0)
        return column[k]

    nodes: dict[int, tuple[float, float]] = {}
    leaves: dict[str, tuple[float, float]] = {}
    rows = [0]

    def place(k: int, row: int) -> None:
        x = depth(k)
        nodes[k] = (x, -row)
        for i, edge in enumerate(graph.nodes[k].inputs):
            computed = id(edge) in producer
            if i == 0:
                edge_row = row
            elif computed:
                rows[0] += 1
                edge_row = rows[0]
            else:
                edge_row = row + 1
            rows[0] = max(rows[0], edge_row)
            if computed and producer[id(edge)] not in nodes:
                place(producer[id(edge)], edge_row)
            elif not computed:
                leaves.setdefault(edge.name, (x - 1, -edge_row))

    place(len(graph.nodes) - 1, 0)
    return nodes, leaves


def _value(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def plot_graph(graph: Graph, *, lang: str | None = "en") -> Figure:
    """Draw ``graph`` with each edge's value above it and its derivative below it.

    Call ``graph.backward()`` first (the chapter's examples come
    differentiated); edges without a derivative show only their value.
    Names found in :data:`LABELS` (the chapter's) are translated.

    Examples
    --------
    >>> from nnlearn.nn.graph import apple_graph
    >>> fig = plot_graph(apple_graph())
    >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_text()[:1].isdigit())
    ['1', '1.1', '1.1', '100', '110', '2', '2.2', '200', '200', '220']
    """
    if not isinstance(graph, Graph) or not graph.nodes:
        raise TypeError("graph must be a Graph with at least one node (see nnlearn.nn.graph)")
    nodes, leaves = _layout(graph)
    producer = {id(node.output): k for k, node in enumerate(graph.nodes)}
    last = len(graph.nodes) - 1
    forward_colour, backward_colour = PALETTE[7], PALETTE[1]
    with drawing(lang, LABELS) as text:
        fig = new_figure(figsize=(2.6 * (max(x for x, _ in nodes.values()) + 1.5),
                                  1.6 * (1 - min(y for _, y in [*nodes.values(),
                                                                *leaves.values()])) + 0.8))
        ax = fig.add_subplot()

        def name(edge: Edge) -> str:
            return text(edge.name) if edge.name in LABELS else edge.name

        def arrow(start: tuple[float, float], end: tuple[float, float], edge: Edge,
                  label_start: bool) -> None:
            ax.annotate("", xy=end, xytext=start, arrowprops=dict(
                arrowstyle="-|>", color="0.3", shrinkA=0 if label_start else 14, shrinkB=14))
            mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
            if start[1] == end[1]:  # level: value above, derivative below
                above = dict(x=mx, y=my + 0.03, ha="center", va="bottom")
                below = dict(x=mx, y=my - 0.03, ha="center", va="top")
            else:  # rising: value to the upper left, derivative to the lower right
                above = dict(x=mx - 0.08, y=my, ha="right", va="center")
                below = dict(x=mx + 0.08, y=my, ha="left", va="center")
            ax.text(s=_value(edge.value), color=forward_colour, fontsize="large", **above)
            if edge.grad is not None:
                ax.text(s=_value(edge.grad), color=backward_colour, fontsize="large", **below)
            if label_start:
                ax.text(start[0] - 0.05, start[1], name(edge), ha="right", va="center")

        for k, node in enumerate(graph.nodes):
            x, y = nodes[k]
            ax.add_patch(_circle((x, y)))
            ax.text(x, y, node.symbol, ha="center", va="center", fontsize="x-large")
            for edge in node.inputs:
                if id(edge) in producer:
                    arrow(nodes[producer[id(edge)]], (x, y), edge, False)
                else:
                    arrow(leaves[edge.name], (x, y), edge, True)
        out = graph.nodes[last].output
        end = (nodes[last][0] + 1, nodes[last][1])
        arrow(nodes[last], end, out, False)
        ax.text(end[0] + 0.05, end[1], name(out), ha="left", va="center")
        ax.plot([], [], color=forward_colour, label=text("forward"))
        ax.plot([], [], color=backward_colour, label=text("backward"))
        ax.legend(loc="lower right", handlelength=1)
        xs = [x for x, _ in [*nodes.values(), *leaves.values()]]
        ys = [y for _, y in [*nodes.values(), *leaves.values()]]
        ax.set(xlim=(min(xs) - 0.9, max(xs) + 1.6), ylim=(min(ys) - 0.7, max(ys) + 0.5),
               title=text("title"), aspect="equal")
        ax.set_axis_off()
    return fig


def _circle(center: tuple[float, float]) -> Any:
    from matplotlib.patches import Circle

    return Circle(center, 0.18, facecolor="white", edgecolor="0.2", linewidth=1.2)

