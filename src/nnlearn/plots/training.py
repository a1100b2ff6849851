"""Figures of a training run: learning curves and the confusion matrix."""

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

    Examples
    --------
    >>> fig = plot_learning_curves({"loss": [2.3, 1.1, 0.7], "eval_steps": [0, 3],
    ...                             "train_acc": [0.1, 0.8], "test_acc": [0.1, 0.75]})
    >>> fig.axes[1].lines[1].get_ydata().tolist()
    [0.1, 0.75]
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
                   ylim=(0.0, 1.02))
        ax_acc.legend(loc="lower right")
        for ax in (ax_loss, ax_acc):
            ax.grid(alpha=0.3)
    return fig


def plot_confusion_matrix(
    t: ArrayLike, y: ArrayLike, *, n_classes: int | None = None, lang: str | None = "en"
) -> Figure:
    """Draw :func:`~nnlearn.training.confusion_matrix` as a heat map with the counts written in.

    ``t`` and ``y`` are labels or one-hot / score rows (their argmax is taken).

    Examples
    --------
    >>> fig = plot_confusion_matrix([0, 1, 2, 2], [0, 2, 2, 2])
    >>> fig.axes[0].images[0].get_array().tolist()
    [[1, 0, 0], [0, 0, 1], [0, 0, 2]]
    """
    counts = confusion_matrix(t, y, n_classes)
    n = counts.shape[0]
    threshold = counts.max() / 2
    with drawing(lang) as text:
        fig = new_figure(figsize=(1.6 + 0.55 * max(n, 4), 1.2 + 0.5 * max(n, 4)))
        ax = fig.add_subplot()
        image = ax.imshow(counts, cmap="cividis")
        for i, j in np.ndindex(counts.shape):
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize="small",
                    color="black" if counts[i, j] > threshold else "white")
        ax.set(title=text("confusion_title", correct=int(np.trace(counts)),
                          total=int(counts.sum())),
               xlabel=text("predicted_label"), ylabel=text("true_label"),
               xticks=range(n), yticks=range(n))
        fig.colorbar(image, ax=ax, shrink=0.8)
    return fig
