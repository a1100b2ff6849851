"""Gradient descent on a function of a vector, with the seed's numerical gradient."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from nnlearn._shared.validation import (
    as_float_array,
    check_callable,
    check_non_negative_int,
    check_positive_finite,
    scalar_value,
)
from nnlearn.calculus._evaluate import check_reads_argument, holds_points
from nnlearn.calculus.differentiate import numerical_gradient


class DivergenceError(FloatingPointError):
    """Gradient descent left the region where its steps mean anything.

    Attributes
    ----------
    step : int
        The step that failed (1 for the first).
    lr : float
        The learning rate.
    path : numpy.ndarray or None
        With ``return_path=True``, the points visited before that step,
        ``init_x`` first (shape ``(step, *init_x.shape)``); otherwise None.
    """

    def __init__(self, reason: str, *, step: int, lr: float, path: np.ndarray | None):
        super().__init__(
            f"gradient descent diverged at step {step} with lr={lr:g}: {reason}; "
            f"try a smaller learning rate"
        )
        self.step, self.lr, self.path = step, lr, path


def gradient_descent(
    f: Callable[[np.ndarray], Any],
    init_x: ArrayLike,
    lr: float = 0.01,
    step_num: int = 100,
    *,
    return_path: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Minimise ``f`` by repeating :math:`x \\leftarrow x - \\eta \\nabla f(x)`.

    The gradient is :func:`~nnlearn.calculus.differentiate.numerical_gradient`
    (h = 1e-4), so the result equals the book's value for value. ``init_x``
    is never modified when the function returns. The book's closure style
    (``f = lambda w: net.loss(x, t)`` with ``init_x=net.W``, an ``f`` that reads
    the caller's array rather than its argument) works too: when ``init_x`` is
    a writeable float64 array, the walk happens in it, and its original values
    are put back at the end (even on an error). Store the result yourself:
    ``net.W[...] = gradient_descent(f, net.W)``.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a scalar.
    init_x : array_like
        The starting point.
    lr : float
        The learning rate :math:`\\eta` > 0. Too large a rate makes the walk
        oscillate or diverge (on :math:`x_0^2 + x_1^2`, any ``lr >= 1``).
    step_num : int
        The number of steps (>= 0).
    return_path : bool
        Also return every point visited, ``init_x`` first.

    Returns
    -------
    x : numpy.ndarray
        The last point.
    path : numpy.ndarray, shape ``(step_num + 1, *init_x.shape)``
        Only with ``return_path=True``.

    Raises
    ------
    DivergenceError
        A ``FloatingPointError`` raised when ``x`` stops being finite or grows
        too large for the step h (divergence), naming the step and the
        learning rate, instead of returning a meaningless huge number. With
        ``return_path=True`` it carries the points visited so far.

    Examples
    --------
    >>> def function_2(x):
    ...     return x[0]**2 + x[1]**2
    >>> gradient_descent(function_2, [3.0, 4.0], lr=0.1, step_num=100)
    array([6.11110793e-10, 8.14814391e-10])
    """
    check_callable(f, "f")
    start = as_float_array(init_x, "init_x").astype(np.float64)  # always a copy
    lr = check_positive_finite(lr, "lr")
    step_num = check_non_negative_int(step_num, "step_num")

    in_place = holds_points(init_x)
    x = init_x if in_place else start.copy()  # the walk: where f may read it
    try:
        return _walk(f, x, init_x, lr, step_num, return_path)
    finally:
        if in_place:
            init_x[...] = start


def _walk(
    f: Callable[[np.ndarray], Any],
    x: np.ndarray,
    init_x: Any,
    lr: float,
    step_num: int,
    return_path: bool,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """The steps of :func:`gradient_descent`, moving ``x`` in place; a copy of the end returned."""
    f0 = scalar_value(f(x), "f")  # a bad f is reported as such, not as divergence
    path = np.empty((step_num + 1, *x.shape)) if return_path else None
    if path is not None:
        path[0] = x
    for step in range(1, step_num + 1):
        visited = None if path is None else path[:step]
        try:
            grad = numerical_gradient(f, x)
        except ValueError as error:
            raise DivergenceError(str(error), step=step, lr=lr, path=visited) from error
        if step == 1 and x is not init_x and not grad.any():
            check_reads_argument(f, init_x, x, f0, "init_x")
        with np.errstate(over="ignore", invalid="ignore"):
            x -= lr * grad
        if not np.all(np.isfinite(x)):
            raise DivergenceError("x is no longer finite", step=step, lr=lr, path=visited)
        if path is not None:
            path[step] = x
    return (x.copy(), path) if path is not None else x.copy()
