"""The guided tour: the seed's values, in order, in English or Korean, and its figures."""

import io
import re

import numpy as np
import pytest

from nnlearn import tour
from nnlearn._shared.i18n import default_lang
from nnlearn.cli import main
from nnlearn.nn.simple_net import SimpleNet
from nnlearn.plots import _fonts, _style


def run_tour(**kwargs):
    stream = io.StringIO()
    written = tour.run(file=stream, **kwargs)
    return stream.getvalue(), written


@pytest.fixture(scope="module")
def english():
    return run_tour(out=None, lang="en")[0]


SEED_VALUES = [
    "cross_entropy_error(y, t) = 0.510825457099338",
    "−log(0.6 + 1e-7)          = 0.510825457099338",
    "(1, 10): 0.510825457099338",
    "numerical_diff(function_1, 5) = 0.1999999999990898",
    "numerical_diff(function_1, 10) = 0.2999999999986347",
    "numerical_gradient(function_2, [3.0, 4.0]) = [6. 8.]",
    "= [6.11110793e-10 8.14814391e-10]",
    "(1, 2) 6",
    "net.loss(x, t) = 0.9280682857864075",
    "[[ 0.21924757  0.14356243 -0.36281   ]",
    " [ 0.32887136  0.21534364 -0.544215  ]]",
]


def test_tour_prints_the_seed_values_in_the_seed_order(english):
    positions = [english.index(value) for value in SEED_VALUES]
    assert positions == sorted(positions)


def test_tour_sections_follow_the_seed():
    titles = [section.title for section in tour.sections("en")]
    assert titles == [
        "Cross-entropy error: one sample",
        "Cross-entropy error: a mini-batch",
        "Numerical differentiation: function_1",
        "Partial derivatives and the gradient: function_2",
        "Gradient descent",
        "Walking a matrix with np.nditer",
        "The gradient of a network's loss: SimpleNet",
    ]


def test_each_section_has_a_heading_a_one_line_formula_and_values(english):
    blocks = english.strip().split("\n\n")
    for number, (block, section) in enumerate(zip(blocks, tour.sections("en"), strict=False), 1):
        heading, formula, *values = block.splitlines()
        assert heading == f"== {number}. {section.title} =="
        assert formula == f"   {section.formula}" and "\n" not in section.formula
        assert values


def test_nditer_walk_lists_every_multi_index_with_its_value(english):
    walk = [line.strip() for line in english.splitlines() if line.strip().startswith("(")
            and line.strip()[1].isdigit()]
    assert walk == ["(0, 0) 1", "(0, 1) 2", "(0, 2) 3", "(1, 0) 4", "(1, 1) 5", "(1, 2) 6"]


def test_the_wrong_guess_and_the_batch_mean(english):
    assert "(0.6 on class 7): 2.302584092994546" in english
    assert "the wrong guess): 1.406704775046942" in english
    assert "instead of one-hot rows: 1.406704775046942" in english


def test_seed_draws_simplenet_weights_reproducibly():
    text, _ = run_tour(out=None, lang="en", seed=3)
    net = SimpleNet(rng=3)
    x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
    assert "W (random, seed 3):" in text
    assert f"net.loss(x, t) = {net.loss(x, t)!r}" in text
    rows = np.array2string(net.numerical_gradient(x, t), precision=8).splitlines()
    assert all(row in text for row in rows)
    assert "0.9280682857864075" not in text
    assert run_tour(out=None, lang="en", seed=3)[0] == text


def test_korean_text_is_korean_whatever_the_fonts(no_cjk_font):
    text, _ = run_tour(out=None, lang="ko")
    assert "== 1. 교차 엔트로피 오차: 샘플 한 개 ==" in text
    assert "== 5. 경사하강법 ==" in text
    assert "(그림은 저장하지 않음)" in text
    for value in SEED_VALUES:
        assert value in text


def test_every_sentence_has_a_korean_translation():
    for key, (english, korean) in tour.text.TEXT.items():
        assert english != korean, key
        assert any("\uac00" <= ch <= "\ud7a3" for ch in korean), key


@pytest.fixture
def no_mnist(monkeypatch, tmp_path):
    """A machine without MNIST: no NNLEARN_DATA_DIR and an empty cache."""
    monkeypatch.delenv("NNLEARN_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


MNIST_FILES = [name for name, _ in tour.FIGURES.values() if name.startswith("mnist_")]


def test_tour_without_mnist_writes_the_other_figures_and_says_why(no_mnist, tmp_path):
    text, written = run_tour(out=tmp_path / "figs", lang="en")
    expected = [name for name, _ in tour.FIGURES.values() if name not in MNIST_FILES]
    assert [path.name for path in written] == expected
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"   {path}" in text
    assert f"Figures saved in {tmp_path / 'figs'}/:" in text
    assert f"so these were skipped: {', '.join(MNIST_FILES)}. Set NNLEARN_DATA_DIR" in text
    trained = re.search(r"TwoLayerNet\(2, 30, 3, .*\) trained on the spiral \(300 points\), "
                        r"1000 steps of Adam: test accuracy (\d\.\d+)", text)
    assert trained and float(trained.group(1)) >= 0.9


def test_tour_with_mnist_writes_every_figure(mnist_dir, tmp_path):
    text, written = run_tour(out=tmp_path, lang="en")
    assert [path.name for path in written] == [name for name, _ in tour.FIGURES.values()]
    trained = re.search(r"TwoLayerNet\(784, 50, 10, .*\) trained on MNIST, 600 steps of Adam: "
                        r"test accuracy (\d\.\d+)", text)
    assert trained and float(trained.group(1)) >= 0.85
    assert "skipped" not in text


def test_korean_tour_without_a_font_warns_once_and_draws_english(no_cjk_font, tmp_path,
                                                                 monkeypatch):
    math_figures = {name: figure for name, figure in tour.FIGURES.items()
                    if name in ("tangent", "descent")}
    monkeypatch.setattr(tour, "FIGURES", math_figures)
    with pytest.warns(UserWarning, match="no font with Hangul") as record:
        text, written = run_tour(out=tmp_path, lang="ko")
    assert len([w for w in record if "Hangul" in str(w.message)]) == 1
    assert "그림을" in text and len(written) == 2


def test_make_figure_names():
    assert tour.make_figure("descent").axes[0].get_title() == "lr = 0.01: converges slowly"
    with pytest.raises(ValueError, match="name must be one of tangent, surface"):
        tour.make_figure("nope")


def test_network_figures_are_reproducible_with_a_seed():
    first = tour.make_figure("decision-boundary", seed=2).axes[0].images[0].get_array()
    again = tour.make_figure("decision-boundary", seed=2).axes[0].images[0].get_array()
    other = tour.make_figure("decision-boundary", seed=3).axes[0].images[0].get_array()
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_plot_command_draws_a_network_figure(tmp_path, capsys):
    out = tmp_path / "curves.png"
    assert main(["plot", "learning-curves", "--out", str(out), "--seed", "1"]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_tour_command(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(tour, "FIGURES", {"tangent": tour.FIGURES["tangent"]})
    assert main(["tour", "--out", str(tmp_path), "--lang", "en", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "W (random, seed 1):" in out and "Figures saved in" in out
    assert [p.name for p in tmp_path.iterdir()] == ["function_1_tangent.png"]


def test_tour_command_no_figures(capsys):
    assert main(["tour", "--no-figures", "--lang", "ko"]) == 0
    assert "(그림은 저장하지 않음)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({"LANG": "ko_KR.UTF-8"}, "ko"),
        ({"LANG": "ko"}, "ko"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LC_MESSAGES": "ko_KR.UTF-8", "LANG": "en_US.UTF-8"}, "ko"),
        ({"LC_ALL": "en_GB.UTF-8", "LC_MESSAGES": "ko_KR.UTF-8"}, "en"),
        ({"LC_ALL": "", "LANG": "ko_KR.eucKR"}, "ko"),
    ],
)
def test_language_from_the_locale(environ, lang):
    assert default_lang(environ) == lang


def test_default_language_follows_the_environment(monkeypatch):
    for variable in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    assert tour.sections(None)[0].title == "교차 엔트로피 오차: 샘플 한 개"
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert tour.sections(None)[0].title == "Cross-entropy error: one sample"


def test_bad_language():
    with pytest.raises(ValueError, match="lang must be one of en, ko, got 'de'"):
        tour.run(out=None, lang="de", file=io.StringIO())


@pytest.fixture
def no_cjk_font(monkeypatch):
    monkeypatch.setattr(_fonts, "find_cjk_font", lambda: None)
    monkeypatch.setattr(_style, "_fallback_warned", False)
