"""Figures of a trained network: first-layer weights, misclassified digits, decision regions."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from nnlearn._shared.validation import as_float_array
from nnlearn.functions import as_labels
from nnlearn.plots._style import MARKERS, PALETTE, check_num, drawing, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _tile_side(rows: int, name: str) -> int:
    side = math.isqrt(rows)
    if side * side != rows:
        raise ValueError(f"{name} must hold square images (28×28 = 784 pixels for MNIST), "
                         f"got {rows} pixels")
    return side


def _grid_shape(n: int) -> tuple[int, int]:
    """Rows and columns for ``n`` tiles: near square, with a full last row when one fits.

    >>> _grid_shape(50), _grid_shape(7)
    ((5, 10), (3, 3))
    """
    square = math.ceil(math.sqrt(n))
    ncols = next((c for c in range(square, math.ceil(1.5 * square) + 1) if n % c == 0), square)
    return math.ceil(n / ncols), ncols


def plot_first_layer_weights(net: Any, *, lang: str | None = "en") -> Figure:
    """Draw each column of ``net.params["W1"]`` as a square image, one tile per hidden unit.

    Each tile is scaled by its largest absolute weight, so the colour shows
    the sign and the relative strength (blue negative, red positive).

    Examples
    --------
    >>> class Net:  # anything with params["W1"] of shape (pixels, hidden)
    ...     params = {"W1": np.arange(8.0).reshape(4, 2) - 3}
    >>> plot_first_layer_weights(Net()).axes[0].images[0].get_array().shape  # 2×2 tiles, 1 apart
    (4, 7)
    """
    params = getattr(net, "params", None)
    if not isinstance(params, Mapping) or "W1" not in params:
        raise TypeError("net must have a params dict with 'W1' (pixels × hidden units)")
    w1 = as_float_array(params["W1"], "net.params['W1']").astype(np.float64)
    if w1.ndim != 2:
        raise ValueError(f"net.params['W1'] must be 2-D (pixels, hidden), got shape {w1.shape}")
    side = _tile_side(w1.shape[0], "net.params['W1']")
    hidden = w1.shape[1]
    nrows, ncols = _grid_shape(hidden)
    mosaic = np.full((nrows * (side + 1) + 1, ncols * (side + 1) + 1), np.nan)
    scale = np.max(np.abs(w1), axis=0)
    scale[scale == 0] = 1.0
    for k in range(hidden):
        row, col = divmod(k, ncols)
        top, left = 1 + row * (side + 1), 1 + col * (side + 1)
        mosaic[top:top + side, left:left + side] = (w1[:, k] / scale[k]).reshape(side, side)
    with drawing(lang) as text:
        import matplotlib

        cmap = matplotlib.colormaps["RdBu_r"].with_extremes(bad="0.85")
        # at least wide enough for the title, however few the hidden units
        fig = new_figure(figsize=(max(5.5, 1.0 + 0.9 * ncols), 1.0 + 0.9 * nrows))
        ax = fig.add_subplot()
        image = ax.imshow(np.ma.masked_invalid(mosaic), cmap=cmap, vmin=-1, vmax=1)
        ax.set_axis_off()
        ax.set_title(text("weights_title", side=side))
        fig.colorbar(image, ax=ax, shrink=0.7, label=text("weights_scale"))
    return fig


def plot_misclassified(
    x: ArrayLike, t: ArrayLike, y: ArrayLike, *, max_images: int = 16, lang: str | None = "en"
) -> Figure:
    """Draw the first ``max_images`` samples whose prediction ``y`` differs from ``t``.

    ``x`` holds square images, flat (N, 784) or (N, 28, 28) or (N, 1, 28, 28);
    ``t`` and ``y`` are labels or one-hot / score rows. Each image is titled
    with its true and predicted label.

    Examples
    --------
    >>> x = np.zeros((3, 4))
    >>> fig = plot_misclassified(x, [0, 1, 2], [0, 2, 2])
    >>> [ax.get_title() for ax in fig.axes]
    ['t=1, y=2']
    """
    x = as_float_array(x, "x")
    t, y = as_labels(t, "t")[0], as_labels(y, "y")[0]
    if not x.shape[0] == t.shape[0] == y.shape[0]:
        raise ValueError(f"x, t and y must hold as many samples, got {x.shape[0]}, "
                         f"{t.shape[0]} and {y.shape[0]}")
    images = x.reshape(x.shape[0], -1)
    side = _tile_side(images.shape[1], "x")
    wrong = np.flatnonzero(t != y)
    shown = wrong[:check_num(max_images, "max_images", 1)]
    ncols = min(max(len(shown), 1), 8)
    nrows = max(math.ceil(len(shown) / ncols), 1)
    with drawing(lang) as text:
        fig = new_figure(figsize=(1.2 + 1.3 * ncols, 0.8 + 1.5 * nrows))
        fig.suptitle(text("misclassified_title", wrong=len(wrong), total=len(t)))
        if len(shown) == 0:
            fig.text(0.5, 0.5, text("none_misclassified"), ha="center", va="center")
        for k, n in enumerate(shown):
            ax = fig.add_subplot(nrows, ncols, k + 1)
            ax.imshow(images[n].reshape(side, side), cmap="gray_r")
            ax.set_title(text("misclassified_tile", t=t[n], y=y[n]), fontsize="small")
            ax.set_axis_off()
    return fig


def plot_decision_boundary(
    net: Any, x: ArrayLike, t: ArrayLike, *, resolution: int = 200, lang: str | None = "en"
) -> Figure:
    """Colour the plane by ``argmax net.predict(point)`` and draw the 2-D samples on it.

    Made for the spiral data (:func:`nnlearn.data.datasets.make_spiral`): ``x`` of
    shape (N, 2), ``t`` labels or one-hot rows. Each class has its own colour
    and marker.

    Examples
    --------
    >>> class Net:  # class 1 right of x0 = 0
    ...     def predict(self, x):
    ...         return np.stack([-x[:, 0], x[:, 0]], axis=1)
    >>> fig = plot_decision_boundary(Net(), [[-1.0, 0.0], [1.0, 0.0]], [0, 1], resolution=4)
    >>> fig.axes[0].images[0].get_array().tolist()
    [[0, 0, 1, 1], [0, 0, 1, 1], [0, 0, 1, 1], [0, 0, 1, 1]]
    """
    x = as_float_array(x, "x")
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"x must be 2-D points of shape (N, 2), got shape {x.shape}")
    t = as_labels(t, "t")[0]
    if t.shape[0] != x.shape[0]:
        raise ValueError(f"t must have one label per point ({x.shape[0]}), got {t.shape[0]}")
    resolution = check_num(resolution, "resolution", 2)
    margin = 0.1 * (x.max(axis=0) - x.min(axis=0)) + 1e-3
    low, high = x.min(axis=0) - margin, x.max(axis=0) + margin
    x0 = np.linspace(low[0], high[0], resolution)
    x1 = np.linspace(low[1], high[1], resolution)
    grid0, grid1 = np.meshgrid(x0, x1)
    scores = np.asarray(net.predict(np.column_stack([grid0.ravel(), grid1.ravel()])))
    regions = scores.argmax(axis=1).reshape(resolution, resolution)
    n_classes = max(scores.shape[1], int(t.max()) + 1)
    with drawing(lang) as text:
        from matplotlib.colors import ListedColormap

        colours = [PALETTE[k % len(PALETTE)] for k in range(n_classes)]
        fig = new_figure(figsize=(6.0, 5.6))
        ax = fig.add_subplot()
        ax.imshow(regions, origin="lower", extent=(low[0], high[0], low[1], high[1]),
                  cmap=ListedColormap(colours), vmin=-0.5, vmax=n_classes - 0.5, alpha=0.3,
                  interpolation="nearest", aspect="auto")
        for k in range(n_classes):
            points = x[t == k]
            ax.scatter(points[:, 0], points[:, 1], s=18, color=colours[k],
                       marker=MARKERS[k % len(MARKERS)], edgecolors="black", linewidths=0.4,
                       label=text("class", k=k))
        ax.set(title=text("boundary_title"), xlabel="x0", ylabel="x1",
               xlim=(low[0], high[0]), ylim=(low[1], high[1]))
        ax.legend(loc="upper right")
    return fig
