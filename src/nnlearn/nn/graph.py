"""The computational graph of chapter 5: multiplication and addition nodes, by hand.

``MulLayer`` and ``AddLayer`` are the chapter's first layers: ``forward(x,
y)`` computes the node's value, ``backward(dout)`` returns the derivatives
of the final value with respect to both inputs, by the chain rule:

.. math:: z = x y: \\ \\left(\\frac{\\partial L}{\\partial x}, \\frac{\\partial L}{\\partial y}
          \\right) = (dout \\cdot y, \\ dout \\cdot x); \\qquad
          z = x + y: \\ (dout, \\ dout)

:class:`Graph` wires such nodes together (the value of every edge forward,
its derivative backward) so that a figure can draw them;
:func:`apple_graph` and :func:`apple_orange_graph` are the chapter's two
shopping examples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class MulLayer:
    """Multiplication node :math:`z = x y`; backward swaps the inputs: :math:`(dout\\,y, dout\\,x)`.

    Examples
    --------
    >>> layer = MulLayer()
    >>> layer.forward(100, 2)
    200
    >>> layer.backward(1.1)
    (2.2, 110.00000000000001)
    """

    def __init__(self):
        self.x: Any = None
        self.y: Any = None

    def forward(self, x: Any, y: Any) -> Any:
        self.x, self.y = x, y
        return x * y

    def backward(self, dout: Any) -> tuple[Any, Any]:
        return dout * self.y, dout * self.x


class AddLayer:
    """Addition node :math:`z = x + y`; backward passes ``dout`` on to both inputs.

    Examples
    --------
    >>> layer = AddLayer()
    >>> layer.forward(200, 450)
    650
    >>> layer.backward(1.1)
    (1.1, 1.1)
    """

    def forward(self, x: Any, y: Any) -> Any:
        return x + y

    def backward(self, dout: Any) -> tuple[Any, Any]:
        return dout * 1, dout * 1


@dataclass
class Edge:
    """An edge of a graph: its name, its value (forward) and :math:`\\partial L / \\partial`
    value (after :meth:`Graph.backward`, else None)."""

    name: str
    value: Any
    grad: Any = None


@dataclass(frozen=True)
class Node:
    """A ``MulLayer`` or ``AddLayer`` with its two input edges and its output edge."""

    layer: MulLayer | AddLayer
    inputs: tuple[Edge, Edge]
    output: Edge

    @property
    def symbol(self) -> str:
        return "×" if isinstance(self.layer, MulLayer) else "+"


class Graph:
    """A computational graph of multiplication and addition nodes, run forward as it is built.

    ``input`` adds a named value; ``mul`` and ``add`` add a node, run its
    ``forward`` and return its output edge. :meth:`backward` runs every
    node's ``backward`` from the last one back, adding up the derivatives of
    an edge used twice. ``graph[name]`` is the edge called ``name``.

    Examples
    --------
    >>> g = Graph()
    >>> x, y = g.input("x", 3.0), g.input("y", 4.0)
    >>> z = g.add(g.mul(x, x, "x²"), y, "z")
    >>> g.backward(1.0)
    >>> z.value, g["x"].grad, g["y"].grad   # z = x² + y: ∂z/∂x = 2x, ∂z/∂y = 1
    (13.0, 6.0, 1.0)
    """

    def __init__(self):
        self.edges: dict[str, Edge] = {}
        self.nodes: list[Node] = []

    def __getitem__(self, name: str) -> Edge:
        return self.edges[name]

    def _new_edge(self, name: str, value: Any) -> Edge:
        if not isinstance(name, str) or not name:
            raise TypeError(f"an edge's name must be a non-empty string, got {name!r}")
        if name in self.edges:
            raise ValueError(f"the graph already has an edge named {name!r}")
        self.edges[name] = Edge(name, value)
        return self.edges[name]

    def input(self, name: str, value: Any) -> Edge:
        """A named input value of the graph."""
        return self._new_edge(name, value)

    def _node(self, layer: MulLayer | AddLayer, x: Edge, y: Edge, name: str) -> Edge:
        for edge, which in ((x, "x"), (y, "y")):
            if not isinstance(edge, Edge) or self.edges.get(edge.name) is not edge:
                raise ValueError(f"{which} must be an edge of this graph (from input, mul or "
                                 f"add), got {edge!r}")
        output = self._new_edge(name, layer.forward(x.value, y.value))
        self.nodes.append(Node(layer, (x, y), output))
        return output

    def mul(self, x: Edge, y: Edge, name: str) -> Edge:
        """A :class:`MulLayer` node ``name = x * y``; returns its output edge."""
        return self._node(MulLayer(), x, y, name)

    def add(self, x: Edge, y: Edge, name: str) -> Edge:
        """An :class:`AddLayer` node ``name = x + y``; returns its output edge."""
        return self._node(AddLayer(), x, y, name)

    @property
    def output(self) -> Edge:
        """The output edge of the last node."""
        if not self.nodes:
            raise ValueError("the graph has no node yet: add one with mul or add")
        return self.nodes[-1].output

    def backward(self, dout: Any = 1) -> None:
        """Set every edge's ``grad``: :math:`\\partial L / \\partial` edge, with
        :math:`\\partial L / \\partial \\mathrm{output}` = ``dout``."""
        output = self.output
        for edge in self.edges.values():
            edge.grad = 0
        output.grad = dout
        for node in reversed(self.nodes):
            dx, dy = node.layer.backward(node.output.grad)
            node.inputs[0].grad += dx
            node.inputs[1].grad += dy


def apple_graph(apple: float = 100, apple_num: int = 2, tax: float = 1.1) -> Graph:
    """The chapter's first example, differentiated: 2 apples at 100 each, with 10% tax.

    Examples
    --------
    >>> g = apple_graph()
    >>> int(g["price"].value), g["apple"].grad, int(g["apple_num"].grad), g["tax"].grad
    (220, 2.2, 110, 200)
    """
    g = Graph()
    apple_price = g.mul(g.input("apple", apple), g.input("apple_num", apple_num), "apple_price")
    g.mul(apple_price, g.input("tax", tax), "price")
    g.backward(1)
    return g


def apple_orange_graph(apple: float = 100, apple_num: int = 2, orange: float = 150,
                       orange_num: int = 3, tax: float = 1.1) -> Graph:
    """The chapter's second example: 2 apples at 100 and 3 oranges at 150, with 10% tax.

    Examples
    --------
    >>> g = apple_orange_graph()
    >>> int(g["price"].value), int(g["apple_num"].grad), g["apple"].grad
    (715, 110, 2.2)
    >>> g["orange"].grad, int(g["orange_num"].grad), g["tax"].grad
    (3.3000000000000003, 165, 650)
    """
    g = Graph()
    apple_price = g.mul(g.input("apple", apple), g.input("apple_num", apple_num), "apple_price")
    orange_price = g.mul(g.input("orange", orange), g.input("orange_num", orange_num),
                         "orange_price")
    all_price = g.add(apple_price, orange_price, "all_price")
    g.mul(all_price, g.input("tax", tax), "price")
    g.backward(1)
    return g
