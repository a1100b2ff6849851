"""Figures of the Hessian: its spectral density, and the sharpness against 2/lr during training."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from nnlearn.plots._style import PALETTE, drawing, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: This family's labels: key -> (English, Korean).
LABELS = {
    "density_title": ("Hessian eigenvalue density (SLQ, {vectors} vectors × {steps} steps)",
                      "헤세 행렬 고윳값 밀도 (SLQ, 벡터 {vectors}개 × {steps}단계)"),
    "eigenvalue": ("eigenvalue λ", "고윳값 λ"),
    "density": ("density (log scale)", "밀도 (로그 스케일)"),
    "exact": ("exact eigenvalues (histogram)", "정확한 고윳값 (히스토그램)"),
    "lambda_max": ("λ_max = {value:.4g}, 2/λ_max = {limit:.4g}",
                   "λ_max = {value:.4g}, 2/λ_max = {limit:.4g}"),
    "sharpness_title": ("Sharpness λ_max during training", "학습 중 날카로움 λ_max"),
    "sharpness": ("λ_max", "λ_max"),
    "limit": ("2 / lr = {limit:.3g}", "2 / 학습률 = {limit:.3g}"),
    "run": ("lr = {lr:.3g}", "학습률 {lr:.3g}"),
    "step": ("step", "단계"),
    "loss_title": ("Full-batch loss", "전체 배치 손실"),
    "loss": ("loss", "손실"),
}


def plot_spectral_density(
    density: Any, *, exact: ArrayLike | None = None, sigma: float | None = None,
    lang: str | None = "en",
) -> Figure:
    """Draw a :class:`~nnlearn.analysis.SpectralDensity` on a log scale.

    ``exact`` (all eigenvalues, for a small network) adds their normalised
    histogram for comparison. The largest node is marked with 2/λ_max.

    Examples
    --------
    >>> from nnlearn.analysis import SpectralDensity
    >>> slq = SpectralDensity([np.array([0.0, 1.0, 4.0])], [np.array([0.5, 0.3, 0.2])], 3)
    >>> fig = plot_spectral_density(slq)
    >>> fig.axes[0].get_xlabel()
    'eigenvalue λ'
    """
    nodes = np.concatenate(density.nodes)
    low, high = float(nodes.min()), float(nodes.max())
    pad = 0.05 * max(high - low, 1e-12)
    grid = np.linspace(low - pad, high + pad, 1000)
    values = density.density(grid, sigma)
    with drawing(lang, LABELS) as text:
        fig = new_figure(figsize=(7.0, 4.2))
        ax = fig.add_subplot()
        ax.semilogy(grid, np.maximum(values, 1e-12), color=PALETTE[0], linewidth=1.5)
        if exact is not None:
            ax.hist(np.asarray(exact, dtype=float), bins=60, density=True, color=PALETTE[5],
                    alpha=0.5, label=text("exact"))
        limit = 2.0 / high if high > 0 else float("inf")
        ax.axvline(high, color=PALETTE[1], linestyle="--", linewidth=1,
                   label=text("lambda_max", value=high, limit=limit))
        ax.legend(loc="upper right")
        ax.set(title=text("density_title", vectors=len(density.nodes),
                          steps=max(len(q) for q in density.nodes)),
               xlabel=text("eigenvalue"), ylabel=text("density"),
               ylim=(max(1e-6, float(values.max()) * 1e-7), None))
        ax.grid(alpha=0.3)
    return fig


def plot_sharpness(runs: Sequence[Any], *, lang: str | None = "en") -> Figure:
    """Sharpness against 2/lr (left) and the loss (right) for runs at several learning rates.

    Each run is a :class:`~nnlearn.analysis.SharpnessTracker` (or its
    ``to_dict()``): steps, sharpness, lr and loss at each measurement. The
    dashed line of each run is its 2/lr: a quadratic would diverge above it.

    Examples
    --------
    >>> run = {"steps": [0, 10, 20], "sharpness": [1.4, 3.0, 1.9], "lr": [1.0] * 3,
    ...        "loss": [2.3, 1.8, 1.2]}
    >>> fig = plot_sharpness([run])
    >>> fig.axes[0].lines[1].get_ydata().tolist()  # the 2/lr line
    [2.0, 2.0]
    """
    with drawing(lang, LABELS) as text:
        fig = new_figure(figsize=(11.0, 4.2))
        ax_sharp, ax_loss = fig.subplots(1, 2)
        for k, run in enumerate(runs):
            data = run.to_dict() if hasattr(run, "to_dict") else run
            steps, lrs = np.asarray(data["steps"]), np.asarray(data["lr"], dtype=float)
            colour = PALETTE[k % len(PALETTE)]
            ax_sharp.plot(steps, data["sharpness"], "-", color=colour, linewidth=1.5,
                          label=text("run", lr=lrs[0]))
            ax_sharp.plot(steps[[0, -1]], 2.0 / lrs[[0, -1]], "--", color=colour,
                          linewidth=1, label=text("limit", limit=2.0 / lrs[0]))
            ax_loss.plot(steps, data["loss"], "-", color=colour, label=text("run", lr=lrs[0]))
        ax_sharp.set(title=text("sharpness_title"), xlabel=text("step"),
                     ylabel=text("sharpness"))
        ax_loss.set(title=text("loss_title"), xlabel=text("step"), ylabel=text("loss"),
                    yscale="log")
        for ax in (ax_sharp, ax_loss):
            ax.legend(fontsize="small")
            ax.grid(alpha=0.3)
    return fig
