"""The experiments' figures, drawn from their saved data."""

import numpy as np
import pytest

from nnlearn import plots
from nnlearn.experiments import EXPERIMENTS, load_experiment
from nnlearn.plots.experiment_labels import LABELS, band, smooth

FIGURES = {
    "optimizer-paths": ["paths"],
    "optimizers": ["optimizers"],
    "init-histograms": ["activations", "gradients"],
    "init": ["init"],
    "batchnorm": ["batchnorm_grid", "batchnorm_summary"],
    "overfitting": ["overfitting"],
    "hparams": ["hparams_best", "hparams_search"],
}


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_every_experiment_draws_its_figures_from_the_saved_data(quick_run, name, texts_outside):
    saved = load_experiment(quick_run(name).path)
    figures = plots.plot_experiment(saved)
    assert list(figures) == FIGURES[name]
    for figure in figures.values():
        assert figure.axes and all(ax.get_title() or not ax.axison or ax.get_ylabel()
                                   for ax in figure.axes)
        assert texts_outside(figure) == []


def test_optimizer_path_panels_draw_the_saved_points(quick_run):
    result = quick_run("optimizer-paths")
    figure = plots.plot_experiment(result)["paths"]
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == ["SGD (lr 0.95)", "Momentum (lr 0.1)", "AdaGrad (lr 1.5)", "Adam (lr 0.3)",
                      "RMSprop (lr 0.1)", "Nesterov (lr 0.1)"]
    drawn = figure.axes[0].lines[0].get_xydata()
    saved = [(row["x"], row["y"]) for row in result.table.select("sgd")]
    np.testing.assert_array_equal(drawn, saved)


def test_overfitting_titles_carry_the_gap_and_the_axis_is_zoomed(quick_run):
    from nnlearn.experiments.overfitting import gap

    result = quick_run("overfitting")
    axes = plots.plot_experiment(result)["overfitting"].axes
    assert axes[0].get_title() == f"no regularisation: gap {gap(result.table, 'none'):.3f}"
    low, high = axes[0].get_ylim()
    assert low > 0 and high == pytest.approx(1.01)
    assert len(axes) == 3  # no sweeps asked for: no sweep panels
    legend = [text.get_text() for text in axes[0].get_legend().get_texts()]
    assert legend == ["train", "test (300 images; the last point: all 1,000)"]


def test_the_batchnorm_summary_has_a_point_per_weight_scale(quick_run):
    result = quick_run("batchnorm")
    ax = plots.plot_experiment(result)["batchnorm_summary"].axes[0]
    assert ax.get_xscale() == "log"
    assert sorted(ax.lines[0].get_xdata()) == sorted(result.settings["weight_scales"])


def test_save_experiment_writes_png_and_svg(quick_run, tmp_path):
    written = plots.save_experiment(quick_run("optimizer-paths"), tmp_path)
    assert sorted(path.name for path in written) == ["paths.png", "paths.svg"]
    assert all(path.stat().st_size > 1000 for path in written)


def test_plot_experiment_refuses_something_else():
    with pytest.raises(TypeError, match="result must be an ExperimentResult of optimizer-paths"):
        plots.plot_experiment({"name": "optimizers"})


def test_every_label_has_english_and_korean():
    for key, (english, korean) in LABELS.items():
        hangul = any("\uac00" <= ch <= "\ud7a3" for ch in korean)
        assert hangul or korean == english, key  # "w = {scale}" needs no translation
        assert english.count("{") == korean.count("{"), key


def test_band_draws_the_mean_and_the_range_over_seeds():
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    band(ax, np.arange(3), np.array([[1.0, 2.0, 3.0], [3.0, 4.0, 5.0]]), "C0", "x")
    assert ax.lines[0].get_ydata().tolist() == [2.0, 3.0, 4.0]
    assert len(ax.collections) == 1
    np.testing.assert_allclose(smooth(np.ones((1, 20))), np.ones((1, 20)))
