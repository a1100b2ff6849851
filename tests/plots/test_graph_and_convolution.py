"""The computational-graph figure and the convolutional network's figures draw what they compute."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from nnlearn import SimpleConvNet, plots
from nnlearn.nn.convolution import Convolution
from nnlearn.nn.graph import Graph, apple_graph, apple_orange_graph
from nnlearn.plots import _fonts, convolution, graph


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


# --- plot_graph --------------------------------------------------------------------------

def test_graph_figure_shows_each_value_above_and_each_derivative_below_its_edge():
    fig = plots.plot_graph(apple_orange_graph())
    ax = fig.axes[0]
    shown = {t.get_text(): t for t in ax.texts if t.get_text()}
    for value in ("100", "2", "150", "3", "1.1", "200", "450", "650", "715"):
        assert value in shown, value
    for derivative in ("2.2", "110", "3.3", "165", "650", "1"):
        assert derivative in shown, derivative
    assert shown["715"].get_color() == "#000000" and shown["3.3"].get_color() == "#D55E00"
    # on the level edge apple -> ×, the value sits above the derivative
    assert shown["100"].get_position()[1] > shown["2.2"].get_position()[1]
    names = {"apple", "apple count", "orange", "orange count", "tax", "price"}
    assert names <= set(shown)
    assert sum(t.get_text() in ("×", "+") for t in ax.texts) == 4
    assert ax.get_title() == ("Computational graph: values forward (above), derivatives "
                              "backward (below)")


def test_graph_figure_draws_any_chain_and_keeps_unknown_names():
    g = Graph()
    x = g.input("x", 2.0)
    g.add(g.mul(x, g.input("w", 3.0), "xw"), g.input("b", 1.0), "y")
    fig = plots.plot_graph(g)  # not yet differentiated: values only
    assert {"x", "w", "b", "y", "2", "3", "6", "7"} <= set(texts(fig))
    g.backward(1.0)
    assert {"3", "2", "1"} <= set(texts(plots.plot_graph(g)))  # dx = w, dw = x, db = 1


def test_graph_figure_refuses_what_is_not_a_graph():
    with pytest.raises(TypeError, match="graph must be a Graph with at least one node"):
        plots.plot_graph(Graph())


# --- plot_conv_filters and plot_feature_maps ----------------------------------------------

def test_filters_figure_scales_each_filter_from_white_to_black():
    net = SimpleConvNet(rng=0)
    before = net.params["W1"].copy()
    net.params["W1"] *= -1
    fig = plots.plot_conv_filters(before, net)
    top, bottom = (ax.images[0].get_array() for ax in fig.axes)
    assert top.shape == (3 * 6 + 1, 10 * 6 + 1)  # 30 tiles of 5×5 in rows of 10, 1 apart
    first = (before[0, 0] - before[0, 0].min()) / np.ptp(before[0, 0])
    assert_allclose(top[1:6, 1:6], first)
    assert_allclose(bottom[1:6, 1:6], 1 - first)  # the negated filter: colours reversed
    assert fig.get_suptitle() == "First-layer filters: 30 of 5×5 (dark: large weight)"


def test_feature_maps_are_the_convolution_and_relu_of_the_image():
    net = SimpleConvNet((1, 8, 8), {"filter_num": 3, "filter_size": 3}, 5, 3, 0.5, rng=0)
    image = np.random.default_rng(1).random(64)
    fig = plots.plot_feature_maps(net, image)
    conv = Convolution(net.params["W1"], net.params["b1"])
    expected = np.maximum(conv.forward(image.reshape(1, 1, 8, 8))[0], 0)
    for k in range(3):
        assert_array_equal(fig.axes[k + 1].images[0].get_array(), expected[k])
    assert_array_equal(fig.axes[0].images[0].get_array(), image.reshape(8, 8))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: plots.plot_conv_filters(np.zeros((3, 9))),
         r"before must hold filters of shape \(F, C, FH, FW\) .*got shape \(3, 9\)"),
        (lambda: plots.plot_feature_maps(SimpleConvNet(rng=0), np.zeros(50)),
         r"image must be one square image with 1 channel\(s\)"),
    ],
)
def test_convolution_figures_refuse_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- Korean ------------------------------------------------------------------------------

@pytest.mark.parametrize("table", [graph.LABELS, convolution.LABELS])
def test_every_label_has_a_korean_translation(table):
    for key, (english, korean) in table.items():
        assert english != korean, key
        assert any("\uac00" <= ch <= "\ud7a3" for ch in korean), key


@pytest.mark.parametrize("draw", [
    lambda: plots.plot_graph(apple_graph(), lang="ko"),
    lambda: plots.plot_conv_filters(np.ones((2, 1, 3, 3)), lang="ko"),
])
def test_korean_figures_draw_without_a_missing_glyph(draw, tmp_path):
    if _fonts.find_cjk_font() is None:
        pytest.skip("no font with Hangul installed (for example: apt-get install fonts-nanum)")
    fig = draw()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plots.save(fig, tmp_path / "ko.png")
    assert any("\uac00" <= ch <= "\ud7a3" for text in [*texts(fig), fig.get_suptitle(),
                                                       *(ax.get_title() for ax in fig.axes)]
               for ch in text)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("draw", [
    lambda lang: plots.plot_graph(apple_orange_graph(), lang=lang),
    lambda lang: plots.plot_graph(apple_graph(), lang=lang),
    lambda lang: plots.plot_conv_filters(np.ones((2, 1, 3, 3)), lang=lang),
    lambda lang: plots.plot_conv_filters(SimpleConvNet(rng=0).params["W1"], lang=lang),
    lambda lang: plots.plot_feature_maps(
        SimpleConvNet((1, 8, 8), {"filter_num": 2, "filter_size": 3}, 5, 3, 0.5, rng=0),
        np.ones(64), lang=lang),
], ids=["graph", "small-graph", "two-filters", "thirty-filters", "two-maps"])
def test_figures_keep_their_texts_inside(draw, lang, texts_outside):
    if lang == "ko" and _fonts.find_cjk_font() is None:
        pytest.skip("no font with Hangul installed (for example: apt-get install fonts-nanum)")
    assert texts_outside(draw(lang)) == []
