"""Figures of the chapter-6 experiments, drawn from their saved data (a run folder's table).

:func:`plot_experiment` returns every figure of an experiment by file name;
curves over several seeds are drawn as the mean with a band from the lowest
to the highest seed. The grids (histograms, batch norm, the search) are in
:mod:`~nnlearn.plots.experiment_grids`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from nnlearn.experiments.optimizer_paths import elongated_bowl
from nnlearn.experiments.optimizers import final_mean
from nnlearn.experiments.overfitting import NONE, gap, label, regularised
from nnlearn.plots import experiment_grids
from nnlearn.plots._style import MARKERS, PALETTE, drawing, new_figure
from nnlearn.plots.experiment_labels import LABELS, OPTIMIZER_NAMES, band, smooth

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _optimizer_paths(result: Any, text: Callable[..., str]) -> dict[str, Figure]:
    fig = new_figure(figsize=(12.0, 7.0))
    names = result.table.settings()
    ncols = min(3, len(names))
    axes = np.atleast_1d(fig.subplots(-(-len(names) // ncols), ncols, squeeze=False)).ravel()
    x, y = np.meshgrid(np.linspace(-10, 10, 101), np.linspace(-5, 5, 51))
    z = elongated_bowl(x, y)
    for ax, name in zip(axes, names, strict=False):
        rows = result.table.select(name, result.table.seeds(name)[0])
        path = np.array([(row["x"], row["y"]) for row in rows])
        ax.contour(x, y, np.where(z > 7, np.nan, z), levels=12, cmap="Greys", linewidths=0.7)
        ax.plot(path[:, 0], path[:, 1], "o-", color=PALETTE[1], markersize=3, linewidth=1)
        ax.plot(0, 0, "+", color="black", markersize=12)
        lr = result.settings["optimizers"][name]
        ax.set(title=text("path_title", name=OPTIMIZER_NAMES.get(name, name), lr=lr),
               xlim=(-10, 10), ylim=(-5, 5), xlabel="x", ylabel="y")
        ax.text(0.02, 0.03, text("path_end", steps=rows[-1]["step"], f=rows[-1]["f"]),
                transform=ax.transAxes, fontsize="small")
    for ax in axes[len(names):]:
        ax.set_axis_off()
    fig.suptitle(text("paths_suptitle"))
    return {"paths": fig}


def _loss_axes(ax: Axes, result: Any, names: list[str], labels: list[str],
               text: Callable[..., str]) -> None:
    """Smoothed training loss of ``names`` with bands over seeds, zoomed to the curves."""
    top = 0.0
    for k, (name, shown) in enumerate(zip(names, labels, strict=True)):
        steps, values = result.table.curve(name, "loss")
        values = smooth(values)
        accuracy = final_mean(result.table, name, "test_acc")
        legend = shown if np.isnan(accuracy) else text("with_test", name=shown, acc=accuracy)
        band(ax, steps, values, PALETTE[k % len(PALETTE)], legend, MARKERS[k % len(MARKERS)])
        top = max(top, float(np.nanmax(values[:, len(steps) // 10:], initial=0.0)))
    ax.set(xlabel=text("iterations"), ylabel=text("loss"), ylim=(0, min(top * 1.1, 3.0) or 1))
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")


def _optimizers(result: Any, text: Callable[..., str]) -> dict[str, Figure]:
    fig = new_figure(figsize=(12.0, 4.8))
    ax_loss, ax_acc = fig.subplots(1, 2, width_ratios=(2, 1))
    names = result.table.settings()
    _loss_axes(ax_loss, result, names, [OPTIMIZER_NAMES.get(n, n) for n in names], text)
    ax_loss.set_title(text("optimizers_loss"))
    for k, name in enumerate(names):
        finals = result.table.final(name, "test_acc")
        mean = float(np.nanmean(finals))
        ax_acc.errorbar([mean], [k], xerr=[[mean - np.nanmin(finals)], [np.nanmax(finals) - mean]],
                        fmt=MARKERS[k % len(MARKERS)], color=PALETTE[k % len(PALETTE)],
                        capsize=4)
    ax_acc.set(yticks=range(len(names)), yticklabels=[OPTIMIZER_NAMES.get(n, n) for n in names],
               xlabel=text("test_accuracy"), title=text("final_test"))
    ax_acc.invert_yaxis()
    ax_acc.grid(alpha=0.3)
    return {"optimizers": fig}


def _init(result: Any, text: Callable[..., str]) -> dict[str, Figure]:
    activations = result.settings["activations"]
    fig = new_figure(figsize=(5.0 * len(activations), 4.6))
    axes = np.atleast_1d(fig.subplots(1, len(activations)))
    for ax, activation in zip(axes, activations, strict=True):
        names = [name for name in result.table.settings() if name.startswith(f"{activation}/")]
        _loss_axes(ax, result, names, [name.split("/", 1)[1] for name in names], text)
        ax.set_title(text("init_title", activation=activation))
    return {"init": fig}


def test_label(table: Any, name: str, text: Callable[..., str]) -> str:
    """"test", or "test (1,000 images; the last point: all 10,000)" for a curve on a subset."""
    counts = table.curve(name, "test_n")[1]
    if counts.size == 0 or np.nanmin(counts) == np.nanmax(counts):
        return text("test_acc")
    return text("test_subset", n=int(np.nanmin(counts)), total=int(np.nanmax(counts)))


def _accuracy_axes(ax: Axes, result: Any, name: str, text: Callable[..., str]) -> None:
    per_epoch = (result.settings["n_train"] or 60000) // result.settings["batch_size"]
    for k, metric in enumerate(("train_acc", "test_acc")):
        steps, values = result.table.curve(name, metric)
        shown = test_label(result.table, name, text) if metric == "test_acc" else text(metric)
        band(ax, steps / per_epoch, values, PALETTE[k], shown, MARKERS[k])
    ax.set(title=text("overfit_title", name=text(name.split("=")[0], value=name.split("=")[-1]),
                      gap=gap(result.table, name)),
           xlabel=text("epochs"), ylabel=text("accuracy"))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")


def _overfitting(result: Any, text: Callable[..., str]) -> dict[str, Figure]:
    settings, table = result.settings, result.table
    swept = bool(settings["weight_decay_sweep"] or settings["dropout_sweep"])
    fig = new_figure(figsize=(13.0, 8.0 if swept else 4.4))
    top, bottom = fig.subfigures(2, 1, height_ratios=(1.1, 1)) if swept else (fig, None)
    shown = [NONE, label("weight_decay", settings["weight_decay"]),
             label("dropout", settings["dropout"])]
    axes = top.subplots(1, 3, sharey=True)
    for ax, name in zip(axes, shown, strict=True):
        _accuracy_axes(ax, result, name, text)
    low = min(float(np.nanmin(table.curve(name, "test_acc")[1])) for name in shown)
    axes[0].set_ylim(max(0.0, low - 0.05), 1.01)  # zoomed to the data
    if bottom is None:  # no sweeps: the book's three settings alone
        return {"overfitting": fig}
    sweeps = bottom.subplots(1, 2, sharey=True)
    for ax, kind in zip(sweeps, ("weight_decay", "dropout"), strict=True):
        values = [value for k, value in regularised(settings) if k == kind]
        names = [label(kind, value) for value in values]
        for k, metric in enumerate(("train_acc", "test_acc")):
            finals = [table.final(name, metric) for name in names]
            ax.errorbar(values, [np.mean(f) for f in finals], fmt=MARKERS[k] + "-",
                        yerr=[[np.mean(f) - f.min() for f in finals],
                              [f.max() - np.mean(f) for f in finals]],
                        color=PALETTE[k], capsize=3, label=text(metric))
            ax.axhline(final_mean(table, NONE, metric), color=PALETTE[k], linestyle=":",
                       label=text("without", metric=text(metric)))
        ax.set(xscale="log" if kind == "weight_decay" else "linear",
               xlabel=text(f"{kind}_axis"), ylabel=text("final_accuracy"),
               title=text("sweep_title", name=text(f"{kind}_axis")))
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    return {"overfitting": fig}


#: Each experiment's figures, by the experiment's name.
_FIGURES: dict[str, Callable[[Any, Callable[..., str]], dict[str, Figure]]] = {
    "optimizer-paths": _optimizer_paths,
    "optimizers": _optimizers,
    "init-histograms": experiment_grids.init_histograms,
    "init": _init,
    "batchnorm": experiment_grids.batchnorm,
    "overfitting": _overfitting,
    "hparams": experiment_grids.hparams,
}


def plot_experiment(result: Any, *, lang: str | None = "en") -> dict[str, Figure]:
    """Every figure of an experiment's result, by file name (without suffix).

    ``result`` is an :class:`~nnlearn.experiments.ExperimentResult`, as
    :func:`~nnlearn.experiments.run_experiment` returns it or
    :func:`~nnlearn.experiments.load_experiment` reads it back.

    Examples
    --------
    >>> from nnlearn.experiments import run_experiment
    >>> figures = plot_experiment(run_experiment("optimizer-paths", progress=False))
    >>> list(figures), [ax.get_title() for ax in figures["paths"].axes[:2]]
    (['paths'], ['SGD (lr 0.95)', 'Momentum (lr 0.1)'])
    """
    name = getattr(result, "name", None)
    if name not in _FIGURES:
        raise TypeError(f"result must be an ExperimentResult of {', '.join(_FIGURES)}, "
                        f"got {type(result).__name__}")
    with drawing(lang, LABELS) as text:
        return _FIGURES[name](result, text)


def save_experiment(result: Any, folder: Any = None, *, lang: str | None = "en",
                    suffixes: tuple[str, ...] = (".png", ".svg")) -> list[Any]:
    """Draw the experiment's figures and save each as PNG and SVG in ``folder``.

    ``folder`` defaults to the result's run folder; ``suffixes`` chooses the
    formats. Returns the paths written.
    """
    from pathlib import Path

    from nnlearn.plots._style import save

    folder = Path(folder if folder is not None else result.path)
    written = []
    for name, figure in plot_experiment(result, lang=lang).items():
        for suffix in suffixes:
            written.append(save(figure, folder / f"{name}{suffix}"))
    return written
