r"""
Computational graphs: values forward, derivatives backward
==========================================================

Chapter 5 computes derivatives on a graph of small nodes: each edge carries
its value forward and, on the way back, the derivative of the final value
with respect to it. A multiplication node :math:`z = xy` sends back
:math:`(\partial L/\partial z \cdot y,\ \partial L/\partial z \cdot x)`, an
addition node passes :math:`\partial L/\partial z` on to both inputs.
:func:`nnlearn.plots.plot_graph` draws a :class:`~nnlearn.nn.Graph` with
each value above its edge and each derivative below it.

계산 그래프: 순전파로 값을, 역전파로 미분을 전달합니다.
"""

from nnlearn import plots
from nnlearn.nn import Graph, apple_graph, apple_orange_graph

# %%
# The chapter's first example: 2 apples at 100 each, with 10% tax. The
# derivative 2.2 on the edge ``apple`` says that one more unit of apple price
# raises the total by 2.2.
apples = apple_graph()
print(int(apples["price"].value), apples["apple"].grad, apples["tax"].grad)
apple_figure = plots.plot_graph(apples)

# %%
# With 3 oranges at 150: the addition node sends the same derivative, 1.1,
# to both prices. ``lang="ko"`` draws the chapter's Korean labels when a font
# with Hangul is installed.
fruit = apple_orange_graph()
fruit_figure = plots.plot_graph(fruit)

# %%
# Any graph of these nodes: :math:`f = (x + y)\,z` at :math:`x = -2, y = 5,
# z = -4`. The multiplication sends :math:`z = -4` back to :math:`q = x + y`,
# and the addition passes it on to :math:`x` and :math:`y`;
# :math:`\partial f/\partial z = q = 3`.
g = Graph()
q = g.add(g.input("x", -2.0), g.input("y", 5.0), "q")
g.mul(q, g.input("z", -4.0), "f")
g.backward(1.0)
print(g["f"].value, g["x"].grad, g["y"].grad, g["z"].grad)
chain_figure = plots.plot_graph(g)
