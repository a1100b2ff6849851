"""Figures: each draws exactly what the library computes, in English or Korean."""

import math
import warnings

import numpy as np
import pytest
from matplotlib import font_manager
from numpy.testing import assert_allclose, assert_array_equal

from nnlearn import plots
from nnlearn.calculus.descent import gradient_descent
from nnlearn.calculus.differentiate import numerical_diff, numerical_gradient
from nnlearn.cli import main
from nnlearn.functions import function_1, function_2
from nnlearn.plots import _fonts, _style
from nnlearn.training import confusion_matrix


@pytest.fixture
def no_cjk_font(monkeypatch):
    """A machine without any font that has Hangul; the one-time warning not yet given."""
    monkeypatch.setattr(_fonts, "find_cjk_font", lambda: None)
    monkeypatch.setattr(_style, "_fallback_warned", False)


@pytest.fixture
def cjk_font():
    family = _fonts.find_cjk_font()
    if family is None:
        pytest.skip("no font with Hangul installed (for example: apt-get install fonts-nanum)")
    return family


class LinearNet:
    """A stand-in network: scores x @ W, with the params dict of the chapter's networks."""

    def __init__(self, w):
        self.params = {"W1": np.asarray(w, dtype=float)}

    def predict(self, x):
        return np.asarray(x) @ self.params["W1"]


# --- plot_function_and_tangent ---------------------------------------------------------

def test_tangent_lines_have_the_slope_numerical_diff_gives():
    fig = plots.plot_function_and_tangent(function_1, [5.0, 10.0], xlim=(0.0, 20.0), num=50)
    ax = fig.axes[0]
    curve, tangent5, point5, tangent10, point10 = ax.lines
    x = curve.get_xdata()
    assert_array_equal(x, np.linspace(0.0, 20.0, 50))
    assert_array_equal(curve.get_ydata(), function_1(x))
    for tangent, point, x0 in ((tangent5, point5, 5.0), (tangent10, point10, 10.0)):
        a = numerical_diff(function_1, x0)
        assert_array_equal(tangent.get_ydata(), a * x + (function_1(x0) - a * x0))
        assert_array_equal(point.get_xydata(), [[x0, function_1(x0)]])
    slope = np.polyfit(x, tangent5.get_ydata(), 1)[0]
    assert slope == pytest.approx(0.1999999999990898, abs=1e-12)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["f(x)", "tangent at x = 5 (slope 0.2000)", "tangent at x = 10 (slope 0.3000)"]
    assert ax.get_title() and ax.get_xlabel() == "x" and ax.get_ylabel() == "f(x)"


def test_tangent_works_with_a_function_of_one_number_only():
    fig = plots.plot_function_and_tangent(lambda x: math.exp(float(x)), [0.0], xlim=(-1, 1),
                                          num=5)
    assert_allclose(fig.axes[0].lines[0].get_ydata(), np.exp(np.linspace(-1, 1, 5)))
    assert_allclose(fig.axes[0].lines[1].get_ydata(), 1 + np.linspace(-1, 1, 5), atol=1e-8)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"xlim": (1.0, 1.0)}, r"xlim must be two finite numbers \(low, high\) with low < high"),
        ({"xlim": (0.0,)}, "xlim must be two finite numbers"),
        ({"num": 1}, "num must be an integer >= 2, got 1"),
        ({"lang": "fr"}, "lang must be one of en, ko, got 'fr'"),
    ],
)
def test_tangent_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_function_and_tangent(function_1, **kwargs)


def test_plots_need_a_callable():
    with pytest.raises(TypeError, match="f must be callable"):
        plots.plot_gradient_field(3.0)


# --- plot_surface ------------------------------------------------------------------------

def test_surface_faces_are_coloured_by_f_on_the_grid():
    fig = plots.plot_surface(function_2, xlim=(0.0, 3.0), ylim=(-1.0, 2.0), num=4)
    ax = fig.axes[0]
    assert ax.name == "3d"
    grid0, grid1 = np.meshgrid(np.linspace(0, 3, 4), np.linspace(-1, 2, 4))
    z = grid0**2 + grid1**2
    face_means = (z[:-1, :-1] + z[1:, :-1] + z[:-1, 1:] + z[1:, 1:]) / 4
    assert_allclose(ax.collections[0].get_array(), face_means.ravel())
    assert ax.get_xlabel() == "x0" and ax.get_ylabel() == "x1" and ax.get_zlabel()


# --- plot_gradient_field -----------------------------------------------------------------

def test_gradient_field_arrows_are_minus_numerical_gradient_point_by_point():
    shapes = []

    def spy(x):
        shapes.append(np.shape(x))
        return function_2(x)

    fig = plots.plot_gradient_field(spy, xlim=(-2.0, 2.0), ylim=(-1.0, 1.0), num=5)
    assert set(shapes) == {(2,)}  # f never sees the whole grid at once
    arrows = fig.axes[0].collections[-1]
    x0, x1 = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-1, 1, 5))
    assert_array_equal(arrows.X, x0.ravel())
    assert_array_equal(arrows.Y, x1.ravel())
    expected = np.array([numerical_gradient(function_2, np.array([a, b]))
                         for a, b in zip(x0.ravel(), x1.ravel(), strict=True)])
    assert_array_equal(arrows.U, -expected[:, 0])
    assert_array_equal(arrows.V, -expected[:, 1])
    assert_allclose(arrows.U, -2 * x0.ravel(), atol=1e-8)


# --- plot_descent_paths ------------------------------------------------------------------

def test_descent_paths_are_the_paths_gradient_descent_returns():
    lrs = (0.01, 0.1, 0.9, 1.01)
    fig = plots.plot_descent_paths(function_2, (-3.0, 4.0), lrs, step_num=20)
    panels = fig.axes[:4]
    for ax, lr in zip(panels, lrs, strict=True):
        _, path = gradient_descent(function_2, [-3.0, 4.0], lr, 20, return_path=True)
        assert_array_equal(ax.lines[0].get_xydata(), path)
        assert_array_equal(ax.collections[-1].get_offsets(), path)
        assert_array_equal(ax.lines[1].get_xydata(), path[:1])
        assert_array_equal(ax.lines[2].get_xydata(), path[-1:])
    assert [ax.get_title() for ax in panels] == [
        "lr = 0.01: converges slowly", "lr = 0.1: converges",
        "lr = 0.9: converges, zigzagging across the minimum",
        "lr = 1.01: diverges, zigzagging ever wider",
    ]
    assert fig.axes[4].get_ylabel() == "step"  # the colour bar
    assert "(-3, 4)" in fig.get_suptitle()


def test_descent_path_that_overflows_is_drawn_up_to_its_last_point():
    with pytest.raises(FloatingPointError):
        gradient_descent(function_2, [-3.0, 4.0], lr=10.0, step_num=30)
    fig = plots.plot_descent_paths(function_2, (-3.0, 4.0), lrs=(10.0,), step_num=30)
    drawn = fig.axes[0].lines[0].get_xydata()
    steps = len(drawn) - 1
    _, path = gradient_descent(function_2, [-3.0, 4.0], 10.0, steps, return_path=True)
    assert_array_equal(drawn, path)
    assert 0 < steps < 30
    assert fig.axes[0].get_title() == f"lr = 10: diverges (x too large at step {steps + 1})"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"init_x": (1.0, 2.0, 3.0)}, ValueError, r"init_x must be a point \(x0, x1\)"),
        ({"lrs": ()}, ValueError, "lrs must hold at least one learning rate"),
        ({"lrs": (0.1, -1.0)}, ValueError, "lr must be a finite number > 0"),
        ({"step_num": 0}, ValueError, "step_num must be an integer >= 1"),
    ],
)
def test_descent_paths_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        plots.plot_descent_paths(function_2, **kwargs)


# --- plot_learning_curves ----------------------------------------------------------------

HISTORY = {"loss": [2.3, 1.9, 1.2, 0.8, 0.5, 0.4], "eval_steps": [0, 3, 6],
           "train_acc": [0.1, 0.6, 0.9], "test_acc": [0.12, 0.55, 0.85]}


def test_learning_curves_draw_the_history():
    fig = plots.plot_learning_curves(HISTORY)
    ax_loss, ax_acc = fig.axes
    assert_array_equal(ax_loss.lines[0].get_xydata(), np.column_stack([np.arange(1, 7),
                                                                       HISTORY["loss"]]))
    train, test = ax_acc.lines
    assert_array_equal(train.get_xdata(), HISTORY["eval_steps"])
    assert_array_equal(train.get_ydata(), HISTORY["train_acc"])
    assert_array_equal(test.get_ydata(), HISTORY["test_acc"])
    assert [t.get_text() for t in ax_acc.get_legend().get_texts()] == ["train", "test"]
    assert ax_loss.get_xlabel() == "step" and ax_acc.get_ylabel() == "accuracy"


def test_learning_curves_smooth_a_long_loss_and_accept_an_object_with_to_dict():
    class Recorded:
        def to_dict(self):
            return {"loss": np.linspace(2, 0, 500), "eval_steps": [500], "train_acc": [0.9]}

    fig = plots.plot_learning_curves(Recorded())
    raw, smooth = fig.axes[0].lines
    assert_allclose(smooth.get_ydata(), np.convolve(raw.get_ydata(), np.ones(10) / 10, "valid"))
    assert len(fig.axes[1].lines) == 1  # no test accuracy recorded


@pytest.mark.parametrize(
    ("history", "error", "message"),
    [
        ([1, 2], TypeError, "history must be a History or a dict, got list"),
        ({"loss": [1.0]}, ValueError, "history lacks eval_steps, train_acc; expected"),
        ({**HISTORY, "loss": []}, ValueError, "at least one loss value"),
        ({**HISTORY, "test_acc": [0.5]}, ValueError,
         r"history\['test_acc'\] must have one value per evaluation step \(3\), got 1"),
    ],
)
def test_learning_curves_bad_history(history, error, message):
    with pytest.raises(error, match=message):
        plots.plot_learning_curves(history)


# --- plot_confusion_matrix ---------------------------------------------------------------

def test_confusion_matrix_image_and_numbers_are_the_counts():
    t = np.array([0, 1, 2, 2, 1, 0, 2])
    scores = np.eye(3)[[0, 2, 2, 1, 1, 0, 2]]
    fig = plots.plot_confusion_matrix(t, scores)
    ax = fig.axes[0]
    counts = confusion_matrix(t, scores)
    image = ax.images[0].get_array()
    assert_array_equal(image.data, counts)
    assert_array_equal(image.mask, np.eye(3, dtype=bool))  # the hits: grey, apart
    assert ax.images[0].get_clim() == (0, 1)  # the errors' own scale: the largest error is 1
    assert [text.get_text() for text in ax.texts] == [str(c) for c in counts.ravel()]
    assert ax.get_title() == "Confusion matrix (5 of 7 correct)"
    assert ax.get_xlabel() == "predicted label y" and ax.get_ylabel() == "true label t"


def test_confusion_matrix_errors_come_from_the_library():
    with pytest.raises(ValueError, match="t and y must hold as many samples"):
        plots.plot_confusion_matrix([0, 1], [0])


# --- plot_first_layer_weights ------------------------------------------------------------

def test_first_layer_weights_tiles_are_the_columns_of_w1(rng):
    w1 = rng.standard_normal((784, 7))
    fig = plots.plot_first_layer_weights(LinearNet(w1))
    mosaic = fig.axes[0].images[0].get_array()
    assert mosaic.shape == (3 * 29 + 1, 3 * 29 + 1)  # 7 tiles: 3 rows of 3, 1-pixel gaps
    for k in range(7):
        row, col = divmod(k, 3)
        tile = mosaic[1 + 29 * row:29 * (row + 1), 1 + 29 * col:29 * (col + 1)]
        assert_allclose(tile, w1[:, k].reshape(28, 28) / np.abs(w1[:, k]).max())
    assert mosaic.mask[0].all() and mosaic.mask[-29:, -58:].all()  # gaps and 2 empty slots
    assert "28×28" in fig.axes[0].get_title()


def test_first_layer_weights_bad_network():
    with pytest.raises(TypeError, match="net must have a params dict with 'W1'"):
        plots.plot_first_layer_weights(object())
    with pytest.raises(ValueError, match="must hold square images .* got 10 pixels"):
        plots.plot_first_layer_weights(LinearNet(np.ones((10, 3))))


# --- plot_misclassified ------------------------------------------------------------------

def test_misclassified_shows_the_wrong_samples_with_their_labels(rng):
    x = rng.random((6, 784))
    t = np.array([3, 1, 4, 1, 5, 9])
    y = np.array([3, 7, 4, 2, 5, 0])
    fig = plots.plot_misclassified(x, t, y)
    assert [ax.get_title() for ax in fig.axes] == ["t=1, y=7", "t=1, y=2", "t=9, y=0"]
    for ax, n in zip(fig.axes, [1, 3, 5], strict=True):
        assert_array_equal(ax.images[0].get_array(), x[n].reshape(28, 28))
    assert fig.get_suptitle() == "Misclassified: 3 of 6 samples"
    limited = plots.plot_misclassified(x.reshape(6, 1, 28, 28), np.eye(10)[t], y, max_images=2)
    assert len(limited.axes) == 2


def test_misclassified_when_all_are_right():
    fig = plots.plot_misclassified(np.zeros((2, 4)), [0, 1], [0, 1])
    assert not fig.axes
    assert fig.texts[-1].get_text() == "no misclassified samples"


def test_misclassified_bad_input():
    with pytest.raises(ValueError, match="x, t and y must hold as many samples, got 2, 2 and 1"):
        plots.plot_misclassified(np.zeros((2, 4)), [0, 1], [0])
    with pytest.raises(ValueError, match="x must hold square images"):
        plots.plot_misclassified(np.zeros((2, 5)), [0, 1], [1, 0])


# --- plot_decision_boundary --------------------------------------------------------------

def test_decision_boundary_regions_are_the_network_argmax(rng):
    net = LinearNet([[1.0, -1.0, 0.2], [0.5, 0.3, -1.0]])
    x = rng.uniform(-1, 1, (30, 2))
    t = np.argmax(net.predict(x), axis=1)
    fig = plots.plot_decision_boundary(net, x, t, resolution=7)
    ax = fig.axes[0]
    x0_low, x0_high, x1_low, x1_high = ax.images[0].get_extent()
    grid0, grid1 = np.meshgrid(np.linspace(x0_low, x0_high, 7), np.linspace(x1_low, x1_high, 7))
    expected = net.predict(np.column_stack([grid0.ravel(), grid1.ravel()])).argmax(axis=1)
    assert_array_equal(ax.images[0].get_array(), expected.reshape(7, 7))
    assert x0_low < x[:, 0].min() and x1_high > x[:, 1].max()
    for k, points in enumerate(ax.collections):
        assert_array_equal(points.get_offsets(), x[t == k])
    assert [text.get_text() for text in ax.get_legend().get_texts()] == [
        "class 0", "class 1", "class 2"]


def test_decision_boundary_bad_input():
    net = LinearNet(np.eye(2))
    with pytest.raises(ValueError, match=r"x must be 2-D points of shape \(N, 2\)"):
        plots.plot_decision_boundary(net, np.zeros((3, 3)), [0, 1, 0])
    with pytest.raises(ValueError, match=r"t must have one label per point \(3\), got 2"):
        plots.plot_decision_boundary(net, np.zeros((3, 2)), [0, 1])


# --- save ------------------------------------------------------------------------------

def test_save_writes_png_and_svg_by_suffix(tmp_path):
    fig = plots.plot_function_and_tangent(function_1, [5.0], num=10)
    png = plots.save(fig, tmp_path / "new" / "tangent.png")
    svg = plots.save(fig, tmp_path / "tangent.SVG")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:500]


def test_save_refuses_other_formats(tmp_path):
    fig = plots.plot_function_and_tangent(function_1, [5.0], num=10)
    with pytest.raises(ValueError, match="path must end in .png or .svg, got '.*figure.jpg'"):
        plots.save(fig, tmp_path / "figure.jpg")
    assert not (tmp_path / "figure.jpg").exists()


def test_plot_command_writes_the_figure(tmp_path, capsys):
    out = tmp_path / "descent.svg"
    assert main(["plot", "descent", "--out", str(out), "--lang", "en"]) == 0
    assert b"<svg" in out.read_bytes()[:500]
    assert capsys.readouterr().out == f"nnlearn: wrote {out}\n"


def test_plot_command_checks_the_suffix_first(tmp_path, capsys):
    assert main(["plot", "tangent", "--out", str(tmp_path / "t.jpg")]) == 1
    assert "path must end in .png or .svg" in capsys.readouterr().err


# --- Korean labels -----------------------------------------------------------------------

def test_korean_labels_use_a_font_with_hangul(cjk_font, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would warn when drawn
        fig = plots.plot_descent_paths(function_2, lrs=(0.1,), lang="ko")
        plots.save(fig, tmp_path / "ko.png")
    ax = fig.axes[0]
    assert ax.get_title() == "학습률 0.1: 수렴"
    assert ax.title.get_fontfamily()[0] == cjk_font
    assert fig.get_suptitle() == "(-3, 4)에서 시작한 경사하강법, 20단계"
    path = font_manager.findfont(font_manager.FontProperties(family=cjk_font))
    assert _fonts._has_hangul(path)


EVERY_FIGURE = {
    "tangent": lambda lang: plots.plot_function_and_tangent(function_1, lang=lang, num=20),
    "surface": lambda lang: plots.plot_surface(function_2, num=5, lang=lang),
    "field": lambda lang: plots.plot_gradient_field(function_2, num=5, lang=lang),
    "descent": lambda lang: plots.plot_descent_paths(function_2, lrs=(0.1, 10.0), lang=lang),
    "curves": lambda lang: plots.plot_learning_curves(HISTORY, lang=lang),
    "confusion": lambda lang: plots.plot_confusion_matrix([0, 1, 1], [0, 1, 0], lang=lang),
    "weights": lambda lang: plots.plot_first_layer_weights(LinearNet(np.eye(4)), lang=lang),
    "misclassified": lambda lang: plots.plot_misclassified(np.eye(4), [0, 1, 2, 3],
                                                           [0, 2, 2, 3], lang=lang),
    "boundary": lambda lang: plots.plot_decision_boundary(LinearNet(np.eye(2)), np.eye(2),
                                                          [0, 1], resolution=5, lang=lang),
}


@pytest.mark.parametrize("name", EVERY_FIGURE)
def test_every_figure_draws_korean_without_a_missing_glyph(name, cjk_font, tmp_path):
    fig = EVERY_FIGURE[name]("ko")
    texts = [fig.get_suptitle(), *(ax.get_title() for ax in fig.axes),
             *(text.get_text() for text in fig.texts)]
    assert any("\uac00" <= ch <= "\ud7a3" for text in texts for ch in text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns of each glyph missing from the font
        plots.save(fig, tmp_path / f"{name}.png")


def test_every_label_has_a_korean_translation():
    for key, (english, korean) in _style.TEXT.items():
        assert english != korean, key
        assert any("\uac00" <= ch <= "\ud7a3" for ch in korean), key


def test_korean_falls_back_to_english_with_one_warning(no_cjk_font):
    with pytest.warns(UserWarning, match="no font with Hangul is installed .* in English"):
        fig = plots.plot_function_and_tangent(function_1, [5.0], lang="ko", num=10)
    assert fig.axes[0].get_title() == "A function and its tangents"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = plots.plot_confusion_matrix([0, 1], [1, 1], lang="ko")
    assert again.axes[0].get_xlabel() == "predicted label y"


def test_english_never_looks_for_a_font(monkeypatch):
    def fail():
        raise AssertionError("font lookup for English labels")

    monkeypatch.setattr(_fonts, "find_cjk_font", fail)
    plots.plot_confusion_matrix([0, 1], [1, 1], lang="en")


def test_font_lookup_registers_a_font_missing_from_a_stale_cache(cjk_font, monkeypatch):
    manager = font_manager.fontManager
    without = [entry for entry in manager.ttflist if entry.name not in _fonts.CJK_FAMILIES]
    monkeypatch.setattr(manager, "ttflist", without)
    assert _fonts.find_cjk_font.__wrapped__() in _fonts.CJK_FAMILIES


def test_font_without_hangul_is_not_taken():
    dejavu = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
    assert not _fonts._has_hangul(dejavu)
    assert not _fonts._has_hangul("/no/such/font.ttf")


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("name", EVERY_FIGURE)
def test_every_figure_keeps_its_texts_inside(name, lang, cjk_font, texts_outside):
    assert texts_outside(EVERY_FIGURE[name](lang)) == []
