"""``nnlearn tour --chapter 5``: the chapter's values, in order, and its figures."""

import io
import re

import numpy as np
import pytest

from nnlearn import tour
from nnlearn.cli import main
from nnlearn.tour import chapter5


@pytest.fixture(scope="module")
def english():
    stream = io.StringIO()
    tour.run(out=None, lang="en", chapter=5, file=stream)
    return stream.getvalue()


CHAPTER_VALUES = [
    "price = 220.00000000000003  (the book prints int(price) = 220)",
    "dapple = 2.2,  dapple_num = 110.00000000000001,  dtax = 200",
    "price = 715.0000000000001  (the book prints int(price) = 715)",
    "dapple = 2.2,  dapple_num = 110.00000000000001,  dorange = 3.3000000000000003,  "
    "dorange_num = 165.0,  dtax = 650",
    "dB = [5. 7. 9.]",
    "∂L/∂a = [ 0.01821127  0.24519181 -0.26340309]",
]


def test_chapter5_prints_the_chapters_values_in_order(english):
    positions = [english.index(value) for value in CHAPTER_VALUES]
    assert positions == sorted(positions)
    assert english.startswith("== 1. A computational graph: buying apples ==")


def test_chapter5_ends_with_the_gradient_check_of_two_layer_net(english):
    diffs = dict(re.findall(r"^   (W1|b1|W2|b2):(\S+)$", english, flags=re.MULTILINE))
    assert list(diffs) == ["W1", "b1", "W2", "b2"]
    assert all(float(diff) < 1e-9 for diff in diffs.values())
    assert english.index("W1:") > english.index("∂L/∂a")


def test_the_gradient_check_reads_mnist_when_it_is_there(mnist_dir):
    check = chapter5.sections("en", data_dir=mnist_dir)[-1]
    assert check.lines[0] == "on the first 3 MNIST training images, as the book"
    assert all(float(line.split(":")[1]) < 1e-9 for line in check.lines[2:6])


def test_chapter5_writes_the_graph_figures(tmp_path):
    stream = io.StringIO()
    written = tour.run(out=tmp_path, lang="en", chapter=5, file=stream)
    assert [p.name for p in written] == ["graph_apple.png", "graph_apple_orange.png"]
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in written)


def test_every_chapter5_sentence_has_a_korean_translation():
    for key, (english, korean) in chapter5.TEXT.items():
        assert english != korean or "=" in english, key
        assert any("\uac00" <= ch <= "\ud7a3" for ch in korean) or "=" in korean, key


def test_tour_refuses_an_unknown_chapter():
    with pytest.raises(ValueError, match="chapter must be one of 4, 5, got 6"):
        tour.run(out=None, chapter=6, file=io.StringIO())


def test_tour_command_chapter5_and_plot_graph(tmp_path, capsys):
    assert main(["tour", "--chapter", "5", "--no-figures", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "== 5. Gradient check" in out and "(no figures saved)" in out
    assert main(["plot", "graph", "--out", str(tmp_path / "g.svg")]) == 0
    assert b"<svg" in (tmp_path / "g.svg").read_bytes()[:500]


def test_convnet_figures_draw_the_trained_network_and_its_initial_filters():
    from nnlearn import SimpleConvNet
    from nnlearn.tour.figures import CHAPTER_FIGURES, _Chapter, _Trained

    chapter = _Chapter("en", 0)
    net = SimpleConvNet((1, 8, 8), {"filter_num": 3, "filter_size": 3}, 5, 3, rng=0)
    chapter.initial_filters = -net.params["W1"]
    x_test = np.random.default_rng(0).random((2, 64))
    chapter.__dict__["convnet"] = _Trained(net, None, x_test, np.zeros(2), np.zeros(2), "")
    filters = CHAPTER_FIGURES[7]["conv-filters"][1](chapter)
    before, after = (ax.images[0].get_array() for ax in filters.axes)
    np.testing.assert_allclose(before[1:4, 1:4], 1 - after[1:4, 1:4])  # the negated filters
    maps = CHAPTER_FIGURES[7]["feature-maps"][1](chapter)
    np.testing.assert_array_equal(maps.axes[0].images[0].get_array(), x_test[0].reshape(8, 8))
