"""Figures of loss landscapes: a line, a contour map with a training path, a 3-D surface."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from nnlearn.plots._style import PALETTE, drawing, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: This family's labels: key -> (English, Korean).
LABELS = {
    "line_title": ("Loss along the line between two sets of weights",
                   "두 가중치 사이 직선 위의 손실"),
    "alpha": ("α (0: start, 1: end)", "α (0: 시작, 1: 끝)"),
    "loss": ("loss", "손실"),
    "contour_title": ("Loss around the weights (filter-normalised directions)",
                      "가중치 주변의 손실 (필터 정규화 방향)"),
    "path_title": ("Loss on the plane of the training path", "학습 경로 평면 위의 손실"),
    "d1": ("direction 1", "방향 1"),
    "d2": ("direction 2", "방향 2"),
    "pc1": ("1st principal direction ({share:.0%})", "첫째 주성분 방향 ({share:.0%})"),
    "pc2": ("2nd principal direction ({share:.0%})", "둘째 주성분 방향 ({share:.0%})"),
    "path": ("training path", "학습 경로"),
    "centre": ("weights", "가중치"),
    "surface_title": ("Loss surface around the weights", "가중치 주변의 손실 곡면"),
}


def plot_loss_line(line: Any, *, lang: str | None = "en") -> Figure:
    """Draw a :class:`~nnlearn.analysis.LossLine` (``alphas``, ``losses``).

    Examples
    --------
    >>> from nnlearn.analysis import LossLine
    >>> fig = plot_loss_line(LossLine(np.linspace(0, 1, 3), np.array([2.3, 1.0, 0.2])))
    >>> fig.axes[0].lines[0].get_ydata().tolist()
    [2.3, 1.0, 0.2]
    """
    with drawing(lang, LABELS) as text:
        fig = new_figure(figsize=(6.4, 4.2))
        ax = fig.add_subplot()
        ax.plot(line.alphas, line.losses, "-", color=PALETTE[0], linewidth=1.8)
        for end in (0.0, 1.0):
            ax.axvline(end, color="0.6", linestyle=":", linewidth=1)
        ax.set(title=text("line_title"), xlabel=text("alpha"), ylabel=text("loss"))
        ax.grid(alpha=0.3)
    return fig


def plot_loss_contour(
    surface: Any, trajectory: Any | None = None, *, lang: str | None = "en"
) -> Figure:
    """Contour lines of a :class:`~nnlearn.analysis.LossSurface`, with a training path.

    With ``trajectory`` (a :class:`~nnlearn.analysis.Trajectory` whose
    directions made the surface), its points are drawn at their coordinates.

    Examples
    --------
    >>> from nnlearn.analysis import LossSurface
    >>> a = np.linspace(-1, 1, 5)
    >>> fig = plot_loss_contour(LossSurface(a, a, np.add.outer(a**2, a**2), ({}, {})))
    >>> fig.axes[0].get_xlabel()
    'direction 1'
    """
    with drawing(lang, LABELS) as text:
        fig = new_figure(figsize=(6.4, 5.4))
        ax = fig.add_subplot()
        levels = np.quantile(surface.losses, np.linspace(0, 1, 25))
        contours = ax.contour(surface.alphas, surface.betas, surface.losses,
                              levels=np.unique(levels), cmap="viridis", linewidths=1)
        ax.clabel(contours, contours.levels[::4], fontsize="x-small", fmt="%.3g")
        ax.plot(0, 0, "*", color=PALETTE[1], markersize=12, markeredgecolor="black",
                label=text("centre"))
        if trajectory is None:
            ax.set(title=text("contour_title"), xlabel=text("d1"), ylabel=text("d2"))
        else:
            coords = np.asarray(trajectory.coords)
            ax.plot(coords[:, 0], coords[:, 1], "o-", color=PALETTE[1], markersize=3,
                    linewidth=1.2, label=text("path"))
            share = np.asarray(trajectory.explained)
            ax.set(title=text("path_title"), xlabel=text("pc1", share=share[0]),
                   ylabel=text("pc2", share=share[1]))
        ax.legend(loc="upper right", fontsize="small")
    return fig


def plot_loss_surface_3d(surface: Any, *, lang: str | None = "en") -> Figure:
    """A :class:`~nnlearn.analysis.LossSurface` as a 3-D surface.

    Examples
    --------
    >>> from nnlearn.analysis import LossSurface
    >>> a = np.linspace(-1, 1, 5)
    >>> fig = plot_loss_surface_3d(LossSurface(a, a, np.add.outer(a**2, a**2), ({}, {})))
    >>> fig.axes[0].name
    '3d'
    """
    with drawing(lang, LABELS) as text:
        fig = new_figure(figsize=(7.0, 5.6))
        ax = fig.add_subplot(projection="3d")
        grid_a, grid_b = np.meshgrid(surface.alphas, surface.betas)
        ax.plot_surface(grid_a, grid_b, surface.losses, cmap="viridis", linewidth=0,
                        antialiased=True, alpha=0.9)
        ax.set(title=text("surface_title"), xlabel=text("d1"), ylabel=text("d2"),
               zlabel=text("loss"))
    return fig
