"""Figures of training runs: learning curves (of one run or several) and the confusion matrix."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from nnlearn.plots._style import MARKERS, PALETTE, drawing, new_figure
from nnlearn.training.evaluation import confusion_matrix

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _history_dict(history: Any) -> dict[str, np.ndarray]:
    data = history.to_dict() if hasattr(history, "to_dict") else history
    if not isinstance(data, Mapping):
        raise TypeError(f"history must be a History or a dict, got {type(history).__name__}")
    missing = [key for key in ("loss", "eval_steps", "train_acc") if key not in data]
    if missing:
        raise ValueError(f"history lacks {', '.join(missing)}; expected the keys loss, "
                         f"eval_steps, train_acc and (optionally) test_acc")
    arrays = {key: np.asarray(data.get(key, ()), dtype=float).reshape(-1)
              for key in ("loss", "eval_steps", "train_acc", "test_acc")}
    if arrays["loss"].size == 0:
        raise ValueError("history must hold at least one loss value")
    for key in ("train_acc", "test_acc"):
        if arrays[key].size not in (0, arrays["eval_steps"].size):
            raise ValueError(f"history[{key!r}] must have one value per evaluation step "
                             f"({arrays['eval_steps'].size}), got {arrays[key].size}")
    return arrays


def plot_learning_curves(history: Any, *, lang: str | None = "en") -> Figure:
    """Draw the loss at every step and the train and test accuracy at every evaluation.

    Parameters
    ----------
    history : nnlearn.training.History or mapping
        With ``loss`` (one value per step, step 1 first), ``eval_steps`` (the
        number of steps done at each evaluation), ``train_acc`` and optionally
        ``test_acc`` (one value per evaluation; either list may be empty).

    The accuracy axis is zoomed to the evaluations after the first, where the
    gap between training and test accuracy shows (:func:`zoomed_accuracy`);
    the first evaluation (at chance, before training) may fall below it.

    Examples
    --------
    >>> fig = plot_learning_curves({"loss": [2.3, 1.1, 0.7], "eval_steps": [0, 3],
    ...                             "train_acc": [0.1, 0.8], "test_acc": [0.1, 0.75]})
    >>> fig.axes[1].lines[1].get_ydata().tolist()
    [0.1, 0.75]
    >>> tuple(map(float, fig.axes[1].get_ylim()))  # zoomed to the accuracies after the first
    (0.745, 0.805)
    """
    data = _history_dict(history)
    loss = data["loss"]
    steps = np.arange(1, loss.size + 1)
    window = max(1, loss.size // 50)
    with drawing(lang) as text:
        fig = new_figure(figsize=(10.0, 4.2))
        ax_loss, ax_acc = fig.subplots(1, 2)
        ax_loss.plot(steps, loss, color=PALETTE[5], linewidth=0.8, label=text("loss"))
        if window > 1:
            smooth = np.convolve(loss, np.ones(window) / window, mode="valid")
            ax_loss.plot(steps[window - 1:], smooth, color=PALETTE[0], linewidth=2,
                         label=text("moving_average", window=window))
        ax_loss.set(title=text("loss_title"), xlabel=text("step"), ylabel=text("loss"))
        ax_loss.legend()
        for k, key in enumerate(("train_acc", "test_acc")):
            if data[key].size:
                ax_acc.plot(data["eval_steps"], data[key], MARKERS[k] + "-", color=PALETTE[k],
                            label=text(key.removesuffix("_acc")))
        ax_acc.set(title=text("accuracy_title"), xlabel=text("step"), ylabel=text("accuracy"),
                   ylim=zoomed_accuracy([data["train_acc"], data["test_acc"]]))
        ax_acc.legend(loc="lower right")
        for ax in (ax_loss, ax_acc):
            ax.grid(alpha=0.3)
    return fig


def zoomed_accuracy(curves: list[np.ndarray]) -> tuple[float, float]:
    """Limits of an accuracy axis around the values after each curve's first, padded by 5%.

    With one value per curve, around all of them; never beyond [0, 1] (+0.01 at the top).

    Examples
    --------
    >>> zoomed_accuracy([np.array([0.1, 0.9, 0.95]), np.array([0.1, 0.85, 0.88])])
    (0.845, 0.955)
    """
    kept = [np.asarray(c, float)[1:] if len(c) > 1 else np.asarray(c, float) for c in curves]
    values = np.concatenate([c for c in kept if c.size] or [np.array([0.0, 1.0])])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.0, 1.01
    low, high = float(values.min()), float(values.max())
    pad = max(0.05 * (high - low), 0.005)
    return max(0.0, round(low - pad, 6)), min(1.01, round(high + pad, 6))


def plot_runs(histories: Mapping[str, Any], *, lang: str | None = "en") -> Figure:
    """Overlay the learning curves of several runs: loss, and train (dashed) and test accuracy.

    ``histories`` maps each run's name (its folder) to its History or dict. The
    loss is a moving average over a fiftieth of each run; the accuracy axis is
    zoomed as in :func:`plot_learning_curves`.

    Examples
    --------
    >>> runs = {"a": {"loss": [2.0, 1.0], "eval_steps": [0, 2], "train_acc": [0.1, 0.9],
    ...               "test_acc": [0.1, 0.8]},
    ...         "b": {"loss": [2.0, 0.5], "eval_steps": [0, 2], "train_acc": [0.1, 0.95],
    ...               "test_acc": [0.1, 0.9]}}
    >>> [line.get_label() for line in plot_runs(runs).axes[1].lines]
    ['a: train', 'a: test', 'b: train', 'b: test']
    """
    if not isinstance(histories, Mapping) or not histories:
        raise ValueError("histories must map at least one run's name to its history")
    runs = {name: _history_dict(history) for name, history in histories.items()}
    with drawing(lang) as text:
        fig = new_figure(figsize=(11.0, 4.4))
        ax_loss, ax_acc = fig.subplots(1, 2)
        curves = []
        for k, (name, data) in enumerate(runs.items()):
            colour = PALETTE[k % len(PALETTE)]
            loss, window = data["loss"], max(1, data["loss"].size // 50)
            smooth = np.convolve(loss, np.ones(window) / window, mode="valid")
            ax_loss.plot(np.arange(window, loss.size + 1), smooth, color=colour, label=name)
            for key, style in (("train_acc", "--"), ("test_acc", "-")):
                if data[key].size:
                    ax_acc.plot(data["eval_steps"], data[key], style, marker=MARKERS[k % 8],
                                markersize=4, color=colour,
                                label=f"{name}: {text(key.removesuffix('_acc'))}")
                    curves.append(data[key])
        ax_loss.set(title=text("loss_title"), xlabel=text("step"), ylabel=text("loss"))
        ax_acc.set(title=text("accuracy_title"), xlabel=text("step"), ylabel=text("accuracy"),
                   ylim=zoomed_accuracy(curves))
        for ax in (ax_loss, ax_acc):
            ax.grid(alpha=0.3)
            ax.legend(fontsize="small")
    return fig


def plot_confusion_matrix(
    t: ArrayLike, y: ArrayLike, *, n_classes: int | None = None, lang: str | None = "en"
) -> Figure:
    """Draw :func:`~nnlearn.training.confusion_matrix` with the errors on their own colour scale.

    The diagonal (the hits) is grey with its counts written in, so that its
    thousands do not wash the errors out: the off-diagonal cells are coloured
    from 0 to the largest error count (61 fives read as threes stand out).
    ``t`` and ``y`` are labels or one-hot / score rows (their argmax is taken).

    Examples
    --------
    >>> fig = plot_confusion_matrix([0, 1, 2, 2], [0, 2, 2, 2])
    >>> fig.axes[0].images[0].get_array().tolist()  # the diagonal masked
    [[None, 0, 0], [0, None, 1], [0, 0, None]]
    """
    counts = confusion_matrix(t, y, n_classes)
    n = counts.shape[0]
    errors = np.ma.masked_array(counts, mask=np.eye(n, dtype=bool))
    top = max(int(errors.max()) if errors.count() else 0, 1)
    with drawing(lang) as text:
        import matplotlib

        cmap = matplotlib.colormaps["Reds"].with_extremes(bad="0.85")
        fig = new_figure(figsize=(1.6 + 0.55 * max(n, 4), 1.2 + 0.5 * max(n, 4)))
        ax = fig.add_subplot()
        image = ax.imshow(errors, cmap=cmap, vmin=0, vmax=top)
        for i, j in np.ndindex(counts.shape):
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize="small",
                    fontweight="bold" if i == j else "normal",
                    color="white" if i != j and counts[i, j] > top / 2 else "black")
        ax.set(title=text("confusion_title", correct=int(np.trace(counts)),
                          total=int(counts.sum())),
               xlabel=text("predicted_label"), ylabel=text("true_label"),
               xticks=range(n), yticks=range(n))
        fig.colorbar(image, ax=ax, shrink=0.8, label=text("errors_scale"))
    return fig
