"""The computational graph of chapter 5: the chapter's printed values, exactly."""

import pytest

from nnlearn.nn.graph import AddLayer, Graph, MulLayer, apple_graph, apple_orange_graph


def test_buy_apple_gives_the_chapters_values():
    # the chapter's buy_apple.py, line by line
    mul_apple_layer, mul_tax_layer = MulLayer(), MulLayer()
    apple_price = mul_apple_layer.forward(100, 2)
    price = mul_tax_layer.forward(apple_price, 1.1)
    dapple_price, dtax = mul_tax_layer.backward(1)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)
    assert price == 100 * 2 * 1.1 == 220.00000000000003 and int(price) == 220
    assert (dapple, int(dapple_num), dtax) == (2.2, 110, 200)
    assert dapple_num == 1.1 * 100


def test_buy_apple_orange_gives_the_chapters_values():
    mul_apple, mul_orange, add, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    all_price = add.forward(mul_apple.forward(100, 2), mul_orange.forward(150, 3))
    price = mul_tax.forward(all_price, 1.1)
    dall_price, dtax = mul_tax.backward(1)
    dapple_price, dorange_price = add.backward(dall_price)
    dorange, dorange_num = mul_orange.backward(dorange_price)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    assert int(price) == 715 and price == 650 * 1.1
    assert (int(dapple_num), dapple, int(dorange_num), dtax) == (110, 2.2, 165, 650)
    assert dorange == 1.1 * 3 == pytest.approx(3.3, abs=1e-15)


@pytest.mark.parametrize(("build", "expected"), [
    (apple_graph, {"price": (220.00000000000003, 1), "apple": (100, 2.2),
                   "apple_num": (2, 110.00000000000001), "tax": (1.1, 200),
                   "apple_price": (200, 1.1)}),
    (apple_orange_graph, {"price": (715.0000000000001, 1), "apple": (100, 2.2),
                          "apple_num": (2, 110.00000000000001), "orange": (150, 1.1 * 3),
                          "orange_num": (3, 165.0), "tax": (1.1, 650),
                          "all_price": (650, 1.1)}),
])
def test_the_graphs_hold_the_layers_values_on_their_edges(build, expected):
    graph = build()
    for name, (value, grad) in expected.items():
        assert (graph[name].value, graph[name].grad) == (value, grad), name
    assert graph.output is graph["price"]
    assert [node.symbol for node in graph.nodes][-1] == "×"


def test_an_edge_used_twice_adds_up_its_derivatives():
    graph = Graph()
    x = graph.input("x", 3.0)
    graph.mul(graph.mul(x, x, "x²"), x, "x³")
    graph.backward(1.0)
    assert graph["x"].grad == 27.0  # 3x²
    graph.backward(2.0)  # a second backward starts again from zero
    assert graph["x"].grad == 54.0


def test_graph_refuses_bad_edges():
    graph = Graph()
    x = graph.input("x", 1.0)
    with pytest.raises(ValueError, match="the graph already has an edge named 'x'"):
        graph.input("x", 2.0)
    with pytest.raises(ValueError, match="y must be an edge of this graph"):
        graph.mul(x, 2.0, "y")
    with pytest.raises(ValueError, match="the graph has no node yet"):
        graph.backward()
    with pytest.raises(TypeError, match="an edge's name must be a non-empty string"):
        graph.input("", 1.0)
