"""Figures of derivatives: a function with its tangents, a surface, a gradient field.

Tangents use :func:`~nnlearn.calculus.differentiate.numerical_diff`; arrows
call ``f`` on one 2-vector at a time with
:func:`~nnlearn.calculus.differentiate.numerical_gradient`, as the book does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from nnlearn._shared.validation import as_float_array, check_callable, scalar_value
from nnlearn.calculus.differentiate import numerical_diff, numerical_gradient
from nnlearn.plots._style import PALETTE, check_limits, check_num, drawing, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _values_on_grid(f: Callable[[np.ndarray], Any], x0: np.ndarray, x1: np.ndarray) -> np.ndarray:
    """``f`` at every grid point, called on one 2-vector at a time: shape (len(x1), len(x0))."""
    z = np.empty((x1.size, x0.size))
    for i, j in np.ndindex(z.shape):
        z[i, j] = scalar_value(f(np.array([x0[j], x1[i]])), "f")
    return z


def plot_function_and_tangent(
    f: Callable[[Any], Any],
    x0s: ArrayLike = (5.0, 10.0),
    *,
    xlim: Sequence[float] = (0.0, 20.0),
    num: int = 200,
    lang: str | None = "en",
) -> Figure:
    """Draw ``f`` and its tangent lines :math:`y = f'(x_0) (x - x_0) + f(x_0)`.

    As in the chapter, the slope ``a`` is
    :func:`~nnlearn.calculus.differentiate.numerical_diff` at ``x0`` (0.1999999999990898
    at 5 for ``function_1``) and the line is ``a * x + b`` with
    ``b = f(x0) - a * x0``.

    Parameters
    ----------
    f : callable
        A function of one variable; it is called once on the whole grid if it
        works elementwise, else once per point.
    x0s : array_like
        The points of tangency.
    xlim : (float, float)
        The interval drawn.
    num : int
        Number of grid points (>= 2).
    lang : {"en", "ko"} or None
        Language of the labels (None: from the locale).

    Examples
    --------
    >>> from nnlearn import function_1
    >>> fig = plot_function_and_tangent(function_1, [5.0])
    >>> tangent = fig.axes[0].lines[1]
    >>> float(np.diff(tangent.get_ydata()[:2])[0] / np.diff(tangent.get_xdata()[:2])[0])
    0.19999999999...
    """
    check_callable(f, "f")
    x0s = np.atleast_1d(as_float_array(x0s, "x0s"))
    low, high = check_limits(xlim, "xlim")
    x = np.linspace(low, high, check_num(num, "num", 2))
    try:
        y = np.asarray(f(x), dtype=float)
    except (TypeError, ValueError):  # f takes one number at a time
        y = None
    if y is None or y.shape != x.shape:
        y = np.array([scalar_value(f(v), "f") for v in x])
    with drawing(lang) as text:
        fig = new_figure(figsize=(6.4, 4.4))
        ax = fig.add_subplot()
        ax.plot(x, y, color=PALETTE[7], linewidth=2, label="f(x)")
        for k, x0 in enumerate(x0s.reshape(-1)):
            slope = float(numerical_diff(f, x0))
            fx0 = scalar_value(f(x0), "f")
            colour = PALETTE[k % (len(PALETTE) - 1)]
            ax.plot(x, slope * x + (fx0 - slope * x0), "--", color=colour,
                    label=text("tangent", x0=x0, slope=slope))
            ax.plot([x0], [fx0], "o", color=colour)
        ax.set(title=text("tangent_title"), xlabel="x", ylabel="f(x)", xlim=(low, high))
        ax.grid(alpha=0.3)
        ax.legend()
    return fig


def plot_surface(
    f: Callable[[np.ndarray], Any],
    *,
    xlim: Sequence[float] = (-3.0, 3.0),
    ylim: Sequence[float] = (-3.0, 3.0),
    num: int = 31,
    lang: str | None = "en",
) -> Figure:
    """Draw the 3-D surface :math:`z = f(x_0, x_1)`, calling ``f`` on each 2-vector.

    Examples
    --------
    >>> from nnlearn import function_2
    >>> fig = plot_surface(function_2, num=5)
    >>> fig.axes[0].name
    '3d'
    """
    check_callable(f, "f")
    num = check_num(num, "num", 2)
    x0 = np.linspace(*check_limits(xlim, "xlim"), num)
    x1 = np.linspace(*check_limits(ylim, "ylim"), num)
    z = _values_on_grid(f, x0, x1)
    grid0, grid1 = np.meshgrid(x0, x1)
    with drawing(lang) as text:
        fig = new_figure(figsize=(6.4, 5.2))
        ax = fig.add_subplot(projection="3d")
        ax.plot_surface(grid0, grid1, z, cmap="viridis", rstride=1, cstride=1,
                        edgecolor="0.3", linewidth=0.2, alpha=0.9)
        ax.set(title=text("surface_title"), xlabel="x0", ylabel="x1", zlabel="f(x0, x1)")
    return fig


def plot_gradient_field(
    f: Callable[[np.ndarray], Any],
    *,
    xlim: Sequence[float] = (-2.0, 2.0),
    ylim: Sequence[float] = (-2.0, 2.0),
    num: int = 17,
    lang: str | None = "en",
) -> Figure:
    """Draw the arrows :math:`-\\nabla f(x_0, x_1)` on a grid, over contour lines of ``f``.

    The gradient is :func:`~nnlearn.calculus.differentiate.numerical_gradient` at each
    grid point separately, on a 2-vector: never ``f`` of the whole flattened
    grid (the book's ``gradient_2d`` once passed all 324 points to ``f`` as
    one vector, which only worked because ``function_2`` happened to sum).

    Examples
    --------
    >>> from nnlearn import function_2
    >>> fig = plot_gradient_field(function_2, num=3)
    >>> arrows = fig.axes[0].collections[-1]
    >>> arrows.U.reshape(3, 3)  # -df/dx0 at x0, x1 in {-2, 0, 2}: rows are x1
    array([[ 4.,  0., -4.],
           [ 4.,  0., -4.],
           [ 4.,  0., -4.]])
    """
    check_callable(f, "f")
    num = check_num(num, "num", 2)
    x0 = np.linspace(*check_limits(xlim, "xlim"), num)
    x1 = np.linspace(*check_limits(ylim, "ylim"), num)
    grad = np.empty((2, num, num))
    for i, j in np.ndindex(num, num):
        grad[:, i, j] = numerical_gradient(f, np.array([x0[j], x1[i]]))
    fine0 = np.linspace(x0[0], x0[-1], 60)
    fine1 = np.linspace(x1[0], x1[-1], 60)
    grid0, grid1 = np.meshgrid(x0, x1)
    with drawing(lang) as text:
        fig = new_figure(figsize=(6.0, 5.6))
        ax = fig.add_subplot()
        ax.contour(fine0, fine1, _values_on_grid(f, fine0, fine1), levels=10, colors="0.75",
                   linewidths=0.8)
        ax.quiver(grid0, grid1, -grad[0], -grad[1], color=PALETTE[0], angles="xy")
        ax.set(title=text("field_title"), xlabel="x0", ylabel="x1", aspect="equal")
    return fig
