"""Gradient-descent paths on the contours of a function, one panel per learning rate.

Each path comes from :func:`~nnlearn.calculus.descent.gradient_descent`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from nnlearn._shared.validation import as_float_array, check_callable, check_positive_finite
from nnlearn.calculus.descent import DivergenceError, gradient_descent
from nnlearn.plots._style import PALETTE, check_num, drawing, new_figure
from nnlearn.plots.calculus import _values_on_grid

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _descent_path(
    f: Callable[[np.ndarray], Any], init_x: np.ndarray, lr: float, step_num: int
) -> tuple[np.ndarray, int | None]:
    """The points gradient descent visits, and the step where it diverged (or None)."""
    try:
        _, path = gradient_descent(f, init_x, lr, step_num, return_path=True)
        return path, None
    except DivergenceError as divergence:
        return divergence.path, divergence.step


def _behaviour(path: np.ndarray, stopped: int | None) -> str:
    """Name what a descent path does, from its steps (a key of the label table).

    On a quadratic each step multiplies the distance to the minimum along an
    eigenvector by :math:`1 - \\eta\\lambda`: 0 lands there in one step, a
    negative factor jumps across the minimum (zigzag), :math:`|1 - \\eta\\lambda| > 1`
    diverges.
    """
    if stopped is not None:
        return "stopped"
    steps = np.diff(path.reshape(len(path), -1), axis=0)
    if len(steps) < 2:
        return "slow"
    lengths = np.linalg.norm(steps, axis=1)
    if lengths[0] > 0 and np.all(lengths[1:] <= 1e-6 * lengths[0]):
        return "one_step"
    zigzag = bool(np.any(np.sum(steps[1:] * steps[:-1], axis=1) < 0))
    if lengths[-1] > lengths[0]:
        return "zigzag_diverges" if zigzag else "diverges"
    if zigzag:
        return "zigzag_converges"
    return "converges" if lengths[-1] < 0.1 * lengths[0] else "slow"


def plot_descent_paths(
    f: Callable[[np.ndarray], Any],
    init_x: ArrayLike = (-3.0, 4.0),
    lrs: Sequence[float] = (0.01, 0.1, 0.9, 1.01),
    step_num: int = 20,
    *,
    lang: str | None = "en",
) -> Figure:
    """Draw gradient-descent paths, one panel per learning rate, over contour lines of ``f``.

    Each path is ``gradient_descent(f, init_x, lr, step_num, return_path=True)``;
    its points are coloured by step, so a path that jumps across the minimum
    (oscillation) or away from it (divergence) can be followed. The title of
    a panel says what the path does, as computed from its steps: converges
    slowly, converges, lands on the minimum in one step, converges or
    diverges zigzagging across the minimum (steps reverse direction), or
    diverges (steps grow). A path that diverges so far that
    :func:`~nnlearn.calculus.descent.gradient_descent` raises ``FloatingPointError``
    is drawn up to its last point, and the title names the step.

    Examples
    --------
    >>> from nnlearn import function_2
    >>> fig = plot_descent_paths(function_2, lrs=(0.1, 1.01))
    >>> [ax.get_title() for ax in fig.axes[:2]]  # the third axes is the colour bar
    ['lr = 0.1: converges', 'lr = 1.01: diverges, zigzagging ever wider']
    >>> plot_descent_paths(function_2, lrs=(0.5,)).axes[0].get_title()
    'lr = 0.5: lands on the minimum in one step'
    """
    check_callable(f, "f")
    init_x = as_float_array(init_x, "init_x").astype(np.float64)
    if init_x.shape != (2,):
        raise ValueError(f"init_x must be a point (x0, x1) of shape (2,), got shape "
                         f"{init_x.shape}")
    lrs = [check_positive_finite(lr, "lr") for lr in np.atleast_1d(lrs).tolist()]
    if not lrs:
        raise ValueError("lrs must hold at least one learning rate")
    step_num = check_num(step_num, "step_num", 1)
    paths = [_descent_path(f, init_x, lr, step_num) for lr in lrs]

    ncols = min(len(lrs), 2)
    nrows = math.ceil(len(lrs) / ncols)
    with drawing(lang) as text:
        fig = new_figure(figsize=(5.2 * ncols, 4.6 * nrows))
        axes = fig.subplots(nrows, ncols, squeeze=False).reshape(-1)
        for ax in axes[len(lrs):]:
            ax.remove()
        for ax, lr, (path, stopped) in zip(axes, lrs, paths, strict=False):
            _draw_contours(ax, f, path)
            ax.plot(path[:, 0], path[:, 1], "-", color="0.45", linewidth=0.8, zorder=2,
                    label=text("path"))
            points = ax.scatter(path[:, 0], path[:, 1], c=np.arange(len(path)), cmap="viridis",
                                vmin=0, vmax=step_num, s=18, zorder=3)
            ax.plot(*path[0], "s", color=PALETTE[1], markersize=8, zorder=4, label=text("start"))
            ax.plot(*path[-1], "*", color=PALETTE[1], markersize=14, markeredgecolor="black",
                    zorder=4, label=text("end"))
            behaviour = text(_behaviour(path, stopped), step=stopped)
            ax.set(title=text("lr", lr=lr, behaviour=behaviour), xlabel="x0", ylabel="x1",
                   aspect="equal")
            ax.legend(loc="upper right", fontsize="small")
        fig.colorbar(points, ax=axes[:len(lrs)].tolist(), shrink=0.6, label=text("step"))
        start = f"({init_x[0]:g}, {init_x[1]:g})"
        fig.suptitle(text("descent_title", start=start, steps=step_num))
    return fig


def _draw_contours(ax: Axes, f: Callable[[np.ndarray], Any], path: np.ndarray) -> None:
    """Contour lines of ``f`` on a square around the path and the origin."""
    low = np.minimum(path.min(axis=0), 0.0)
    high = np.maximum(path.max(axis=0), 0.0)
    centre, half = (low + high) / 2, max(float(np.max(high - low)) / 2, 1e-3) * 1.15
    x0 = np.linspace(centre[0] - half, centre[0] + half, 40)
    x1 = np.linspace(centre[1] - half, centre[1] + half, 40)
    with np.errstate(over="ignore"):
        ax.contour(x0, x1, _values_on_grid(f, x0, x1), levels=12, colors="0.75",
                   linewidths=0.8)
