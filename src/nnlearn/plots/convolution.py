"""Figures of a convolutional network: its first-layer filters and the feature maps of a digit.

:func:`plot_conv_filters` draws the filters before and after training (the
chapter's Figure 7-24): random noise becomes blobs and edges.
:func:`plot_feature_maps` shows what each filter finds in one image.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from nnlearn._shared.validation import as_float_array
from nnlearn.nn.convolution import Convolution
from nnlearn.plots._style import drawing, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Every label of these figures in both languages: key -> (English, Korean).
LABELS = {
    "filters_title": ("First-layer filters: {n} of {fh}×{fw} (dark: large weight)",
                      "첫 번째 층의 필터: {fh}×{fw} 필터 {n}개 (어두울수록 큰 가중치)"),
    "before": ("before training", "학습 전"),
    "after": ("after training", "학습 후"),
    "maps_title": ("The {n} feature maps of one image: convolution, then ReLU",
                   "이미지 하나의 특징 맵 {n}개: 합성곱 후 ReLU"),
    "input": ("input", "입력"),
    "map": ("filter {k}", "필터 {k}"),
}

#: Tiles per row in the filter mosaics.
COLUMNS = 10


def _filters(weights: Any, name: str) -> np.ndarray:
    """The first channel of each filter, shape (F, FH, FW), from an array or a network."""
    params = getattr(weights, "params", None)
    if params is not None:
        weights = params["W1"]
        name = f"{name}.params['W1']"
    filters = as_float_array(weights, name)
    if filters.ndim != 4:
        raise ValueError(f"{name} must hold filters of shape (F, C, FH, FW) or be a network "
                         f"with such params['W1'], got shape {filters.shape}")
    return filters[:, 0]


def _mosaic(tiles: np.ndarray, columns: int) -> np.ndarray:
    """Tiles (K, h, w), each scaled to [0, 1], in rows of ``columns``, NaN between them."""
    k, h, w = tiles.shape
    rows = math.ceil(k / columns)
    mosaic = np.full((rows * (h + 1) + 1, min(k, columns) * (w + 1) + 1), np.nan)
    low = tiles.min(axis=(1, 2), keepdims=True)
    span = tiles.max(axis=(1, 2), keepdims=True) - low
    scaled = (tiles - low) / np.where(span > 0, span, 1.0)
    for i in range(k):
        row, col = divmod(i, columns)
        mosaic[1 + row * (h + 1):(row + 1) * (h + 1), 1 + col * (w + 1):(col + 1) * (w + 1)] = (
            scaled[i])
    return mosaic


def plot_conv_filters(before: Any, after: Any | None = None, *, lang: str | None = "en") -> Figure:
    """Draw first-layer filters as grey tiles, before and (optionally) after training.

    ``before`` and ``after`` are filter arrays ``(F, C, FH, FW)`` (the first
    channel is drawn) or networks with such ``params["W1"]``, such as
    :class:`~nnlearn.SimpleConvNet`. Each tile is scaled from its smallest
    weight (white) to its largest (black), as in the book.

    Examples
    --------
    >>> W = np.arange(24.0).reshape(3, 2, 2, 2)
    >>> fig = plot_conv_filters(W, -W)
    >>> [ax.get_title() for ax in fig.axes]
    ['before training', 'after training']
    >>> fig.axes[0].images[0].get_array()[1:3, 1:3].tolist()  # the first filter, scaled
    [[0.0, 0.3333333333333333], [0.6666666666666666, 1.0]]
    """
    sets = [("before", _filters(before, "before"))]
    if after is not None:
        sets.append(("after", _filters(after, "after")))
    n, fh, fw = sets[0][1].shape
    rows = math.ceil(n / COLUMNS)
    with drawing(lang, LABELS) as text:
        import matplotlib

        cmap = matplotlib.colormaps["gray_r"].with_extremes(bad="white")
        # at least as wide as the title, however few the filters
        fig = new_figure(figsize=(max(6.0, 0.8 + 0.55 * min(n, COLUMNS)),
                                  0.6 + len(sets) * (0.5 + 0.6 * rows)))
        fig.suptitle(text("filters_title", n=n, fh=fh, fw=fw))
        for k, (key, filters) in enumerate(sets, start=1):
            ax = fig.add_subplot(len(sets), 1, k)
            ax.imshow(np.ma.masked_invalid(_mosaic(filters, COLUMNS)), cmap=cmap, vmin=0, vmax=1,
                      interpolation="nearest")
            ax.set_title(text(key))
            ax.set_axis_off()
    return fig


def plot_feature_maps(net: Any, image: ArrayLike, *, lang: str | None = "en") -> Figure:
    """Draw one image and its feature maps: :math:`\\mathrm{relu}(W_1 \\star x + b_1)`, per filter.

    ``net`` has ``params["W1"]``, ``params["b1"]`` and ``conv_param`` (stride
    and pad), as :class:`~nnlearn.SimpleConvNet`; ``image`` is one image of
    shape ``(C, H, W)``, ``(H, W)`` for one channel, or flat. The network's
    layers are left untouched.

    Examples
    --------
    >>> from nnlearn import SimpleConvNet
    >>> net = SimpleConvNet((1, 8, 8), {"filter_num": 4, "filter_size": 3}, 5, 3, rng=0)
    >>> fig = plot_feature_maps(net, np.eye(8))
    >>> [ax.get_title() for ax in fig.axes][:3], fig.axes[1].images[0].get_array().shape
    (['input', 'filter 1', 'filter 2'], (6, 6))
    """
    W, b = net.params["W1"], net.params["b1"]
    channels = W.shape[1]
    x = as_float_array(image, "image")
    if x.size % channels or round(math.sqrt(x.size // channels)) ** 2 != x.size // channels:
        raise ValueError(f"image must be one square image with {channels} channel(s) (C, H, W), "
                         f"(H, W) or flat, got shape {x.shape}")
    side = math.isqrt(x.size // channels)
    x = x.reshape(1, channels, side, side).astype(W.dtype)
    conv = Convolution(W, b, net.conv_param["stride"], net.conv_param["pad"], input_grad=False)
    maps = np.maximum(conv.forward(x)[0], 0)
    n = len(maps)
    columns = min(n + 1, COLUMNS + 1)
    rows = math.ceil((n + 1) / columns)
    with drawing(lang, LABELS) as text:
        fig = new_figure(figsize=(max(6.0, 0.6 + 1.1 * columns), 0.8 + 1.25 * rows))
        fig.suptitle(text("maps_title", n=n))
        ax = fig.add_subplot(rows, columns, 1)
        ax.imshow(x[0, 0], cmap="gray_r")
        ax.set_title(text("input"), fontsize="small")
        ax.set_axis_off()
        for k in range(n):
            ax = fig.add_subplot(rows, columns, k + 2)
            ax.imshow(maps[k], cmap="viridis", vmin=0, vmax=max(float(maps.max()), 1e-12))
            ax.set_title(text("map", k=k + 1), fontsize="small")
            ax.set_axis_off()
    return fig
