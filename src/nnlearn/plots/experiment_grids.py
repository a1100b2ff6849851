"""The grid figures of the experiments: init histograms, batch norm, the hyperparameter search."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from nnlearn.experiments.batchnorm import label as bn_label
from nnlearn.experiments.hparams import BEST, ranking
from nnlearn.experiments.optimizers import final_mean
from nnlearn.plots._style import MARKERS, PALETTE, new_figure
from nnlearn.plots.experiment_labels import band

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _histogram_grid(result: Any, text: Callable[..., str], gradients: bool) -> Figure:
    """Activations by inits: each panel overlays the layers' histograms (first seed)."""
    from nnlearn.experiments.init import setting_label

    table, settings = result.table, result.settings
    activations, inits = settings["activations"], settings["inits"]
    fig = new_figure(figsize=(3.3 * len(inits) + 0.6, 2.6 * len(activations) + 0.8))
    axes = fig.subplots(len(activations), len(inits), squeeze=False)
    prefix = "grad_" if gradients else ""
    colours = [_layer_colour(k, settings["layers"]) for k in range(settings["layers"])]
    for (i, activation), (j, init) in itertools.product(enumerate(activations),
                                                        enumerate(inits)):
        ax, name = axes[i, j], setting_label(activation, init)
        rows = table.select(name, table.seeds(name)[0])
        zeros = []
        for layer in range(1, settings["layers"] + 1):
            bins = [row for row in rows if row["step"] == layer]
            edges = [bins[0][f"{prefix}low"]] + [row[f"{prefix}high"] for row in bins]
            ax.stairs([row[f"{prefix}count"] for row in bins], edges,
                      color=colours[layer - 1], label=text("layer", layer=layer))
            zeros.append(bins[0]["zeros"])
        ax.set_title(name, fontsize="small")
        ax.set_yticks([])
        ax.tick_params(labelsize="x-small")
        if not gradients and max(zeros) > 0:
            ax.text(0.97, 0.95, text("zeros", share=float(np.mean(zeros))), ha="right",
                    va="top", transform=ax.transAxes, fontsize="x-small")
    axes[0, 0].legend(fontsize="x-small")
    fig.suptitle(text("gradients_title" if gradients else "activations_title"))
    return fig


def _layer_colour(k: int, layers: int) -> tuple[float, ...]:
    """From light (first layer) to dark (last) blue."""
    import matplotlib

    return matplotlib.colormaps["Blues"](0.35 + 0.65 * k / max(layers - 1, 1))


def init_histograms(result: Any, text: Callable[..., str]) -> dict[str, Figure]:
    """Two grids, settings by layers: the activations and the gradients."""
    return {"activations": _histogram_grid(result, text, False),
            "gradients": _histogram_grid(result, text, True)}


def _diverged_at(table: Any, name: str) -> list[int]:
    return [int(row["step"]) for row in table.select(name) if row.get("diverged") == 1]


def batchnorm(result: Any, text: Callable[..., str]) -> dict[str, Figure]:
    """The book's 4×4 grid of training accuracy, and the final accuracies against the scale."""
    table, settings = result.table, result.settings
    scales = settings["weight_scales"]
    per_epoch = settings["n_train"] // settings["batch_size"]
    ncols = min(4, len(scales))
    nrows = -(-len(scales) // ncols)
    grid = new_figure(figsize=(3.2 * ncols, 2.4 * nrows + 0.6))
    axes = np.atleast_1d(grid.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False))
    for ax, scale in zip(axes.ravel(), scales, strict=False):
        for k, batchnorm in enumerate((True, False)):
            name = bn_label(batchnorm, scale)
            steps, values = table.curve(name, "train_acc")
            band(ax, steps / per_epoch, values, PALETTE[k], text("batchnorm" if batchnorm
                                                                  else "plain"))
            ax.lines[-1].set_linestyle("-" if batchnorm else "--")
            if _diverged_at(table, name):
                ax.text(0.5, 0.5, text("diverged"), color=PALETTE[k], ha="center",
                        transform=ax.transAxes)
        ax.set_title(text("scale_title", scale=scale), fontsize="small")
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(scales):]:
        ax.set_axis_off()
    axes.ravel()[0].legend(fontsize="x-small", loc="upper left")
    grid.supxlabel(text("epochs"))
    grid.suptitle(text("bn_grid_title"))

    summary = new_figure(figsize=(7.5, 4.8))
    ax = summary.add_subplot()
    for k, (batchnorm, metric) in enumerate([(True, "train_acc"), (True, "test_acc"),
                                             (False, "train_acc"), (False, "test_acc")]):
        names = [bn_label(batchnorm, scale) for scale in scales]
        finals = np.array([table.final(name, metric) for name in names])
        for j, name in enumerate(names):
            if _diverged_at(table, name):
                finals[j] = np.nan
        shown = f"{text('batchnorm' if batchnorm else 'plain')}, {text(metric)}"
        band(ax, np.array(scales), finals.T, PALETTE[k // 2], shown, MARKERS[k])
        ax.lines[-1].set_linestyle("-" if metric == "train_acc" else ":")
        diverged = [scale for scale, name in zip(scales, names, strict=True)
                    if _diverged_at(table, name)]
        if diverged and metric == "train_acc":
            ax.plot(diverged, np.zeros(len(diverged)), "x", color=PALETTE[k // 2], markersize=9,
                    label=f"{text('batchnorm' if batchnorm else 'plain')}: {text('diverged')}")
    ax.set(xscale="log", xlabel=text("weight_scale"), ylabel=text("final_accuracy"),
           title=text("bn_summary_title"), ylim=(-0.03, 1.0))
    ax.invert_xaxis()  # from 1 down to 1e-4, as in the book's grid
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return {"batchnorm_grid": grid, "batchnorm_summary": summary}


def hparams(result: Any, text: Callable[..., str]) -> dict[str, Figure]:
    """The learning curves of the best trials, and the search in the (lr, λ) plane."""
    table, settings = result.table, result.settings
    best = ranking(table)[:10]
    per_epoch = settings["n_train"] // settings["batch_size"]
    ncols = min(5, len(best))
    curves = new_figure(figsize=(2.9 * ncols, 2.6 * -(-len(best) // ncols) + 0.6))
    axes = np.atleast_1d(curves.subplots(-(-len(best) // ncols), ncols, sharey=True,
                                         squeeze=False)).ravel()
    for rank, (ax, name) in enumerate(zip(axes, best, strict=False), start=1):
        for k, metric in enumerate(("val_acc", "train_acc")):
            steps, values = table.curve(name, metric)
            band(ax, steps / per_epoch, values, PALETTE[k], text(metric))
            ax.lines[-1].set_linestyle("-" if metric == "val_acc" else "--")
        ax.set_title(text("best_title", rank=rank, acc=final_mean(table, name, "val_acc"),
                          lr=final_mean(table, name, "lr"),
                          decay=final_mean(table, name, "weight_decay")), fontsize="small")
        ax.grid(alpha=0.3)
    for ax in axes[len(best):]:
        ax.set_axis_off()
    axes[0].set_ylim(0, 1)
    curves.supxlabel(text("epochs"))
    curves.suptitle(text("best_suptitle"))

    scatter = new_figure(figsize=(7.5, 5.5))
    ax = scatter.add_subplot()
    image = None
    for stage in (1, 2):
        names = [name for name in table.settings() if name.startswith(f"stage{stage}-")]
        if not names:
            continue
        image = ax.scatter([final_mean(table, n, "lr") for n in names],
                           [final_mean(table, n, "weight_decay") for n in names],
                           c=[final_mean(table, n, "val_acc") for n in names], vmin=0, vmax=1,
                           cmap="viridis", marker=MARKERS[stage - 1], edgecolors="black",
                           linewidths=0.4, s=40, label=text("stage", stage=stage))
    if best:
        ax.scatter([final_mean(table, best[0], "lr")],
                   [final_mean(table, best[0], "weight_decay")], marker="*", s=300,
                   facecolors="none", edgecolors=PALETTE[1], linewidths=1.5, label=text("best"))
    test = final_mean(table, BEST, "test_acc") if BEST in table.settings() else np.nan
    ax.set(xscale="log", yscale="log", xlabel=text("lr"), ylabel=text("weight_decay_axis"),
           title=text("search_title", test=test))
    ax.legend(fontsize="small", loc="lower left")
    if image is not None:
        scatter.colorbar(image, ax=ax, label=text("val_acc"))
    return {"hparams_best": curves, "hparams_search": scatter}
