"""The curvature and landscape figures draw what the analysis computed, in both languages."""

import numpy as np
import pytest

from nnlearn import TwoLayerNet, plots
from nnlearn.analysis import (
    loss_line,
    loss_surface,
    spectral_density,
    trajectory_directions,
)
from nnlearn.plots import curvature, landscape


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(0)
    net = TwoLayerNet(4, 6, 3, weight_init_std=1.0, rng=0)
    return net, rng.standard_normal((10, 4)), rng.integers(0, 3, 10)


@pytest.mark.parametrize("table", [curvature.LABELS, landscape.LABELS])
def test_every_label_has_a_korean_translation(table):
    for key, (english, korean) in table.items():
        assert any("\uac00" <= ch <= "\ud7a3" for ch in korean) or english.startswith("λ"), key


def test_density_figure_draws_the_smoothed_density(problem):
    slq = spectral_density(*problem, n_vectors=2, steps=10)
    exact = np.linalg.eigvalsh(np.eye(3))
    fig = plots.plot_spectral_density(slq, exact=exact)
    line = fig.axes[0].lines[0]
    np.testing.assert_allclose(line.get_ydata(), np.maximum(slq.density(line.get_xdata()), 1e-12))
    top = max(q.max() for q in slq.nodes)
    assert fig.axes[0].lines[1].get_xdata()[0] == top
    legend = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert f"λ_max = {top:.4g}, 2/λ_max = {2 / top:.4g}" in legend


def test_sharpness_figure_has_a_limit_line_per_run():
    runs = [{"steps": [0, 5], "sharpness": [1.0, 2.0], "lr": [0.5, 0.5], "loss": [2.0, 1.0]},
            {"steps": [0, 5], "sharpness": [1.0, 0.9], "lr": [4.0, 4.0], "loss": [2.0, 1.5]}]
    fig = plots.plot_sharpness(runs)
    limits = [line.get_ydata().tolist() for line in fig.axes[0].lines[1::2]]
    assert limits == [[4.0, 4.0], [0.5, 0.5]]
    assert fig.axes[1].lines[1].get_ydata().tolist() == [2.0, 1.5]


def test_landscape_figures(problem):
    net, x, t = problem
    start = {k: 0.5 * p for k, p in net.params.items()}
    line = loss_line(net, x, t, start, net.params, num=7)
    fig = plots.plot_loss_line(line)
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), line.losses)
    path = [{k: p * s for k, p in net.params.items()} for s in (0.5, 0.8, 0.9, 1.0)]
    path[1]["b2"] = path[1]["b2"] + 0.3
    trajectory = trajectory_directions(net, path)
    surface = loss_surface(net, x, t, num=9, span=2.0, directions=trajectory.directions)
    fig = plots.plot_loss_contour(surface, trajectory)
    np.testing.assert_allclose(fig.axes[0].lines[1].get_xydata(), trajectory.coords)
    assert "principal direction" in fig.axes[0].get_xlabel()
    fig = plots.plot_loss_surface_3d(surface, lang="en")
    assert fig.axes[0].get_title() == "Loss surface around the weights"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_figures_keep_their_texts_inside(problem, lang, texts_outside):
    net, x, t = problem
    start = {k: 0.5 * p for k, p in net.params.items()}
    path = [{k: p * s for k, p in net.params.items()} for s in (0.5, 0.8, 1.0)]
    path[1]["b2"] = path[1]["b2"] + 0.3
    trajectory = trajectory_directions(net, path)
    surface = loss_surface(net, x, t, num=5, directions=trajectory.directions)
    runs = [{"steps": [0, 5], "sharpness": [1.0, 2.0], "lr": [0.5, 0.5], "loss": [2.0, 1.0]}]
    figures = [
        plots.plot_spectral_density(spectral_density(net, x, t, n_vectors=2, steps=8), lang=lang),
        plots.plot_sharpness(runs, lang=lang),
        plots.plot_loss_line(loss_line(net, x, t, start, net.params, num=5), lang=lang),
        plots.plot_loss_contour(surface, trajectory, lang=lang),
        plots.plot_loss_surface_3d(surface, lang=lang),
    ]
    for fig in figures:
        assert texts_outside(fig) == []
