"""Accurate numerical derivatives: derivative, gradient, Jacobian, Hessian.

Every finite difference trades **truncation** against **rounding**. The central
difference :math:`(f(x+h) - f(x-h)) / 2h` is off by :math:`h^2 f'''(x) / 6`
(truncation, smaller for small ``h``), while the two values of ``f`` each
carry a relative rounding error of about :math:`\\epsilon = 2.2 \\times
10^{-16}`, which the division by ``2h`` magnifies to :math:`\\epsilon |f| / h`
(larger for small ``h``). The seed's fixed ``h = 1e-4`` works at all because
for functions of unit size both terms are small there: about 1e-9 and 1e-12,
far below what a plot or a gradient-descent step can see. The sum is least at
:math:`h \\approx \\epsilon^{1/3} \\max(|x|, 1) \\approx 6 \\times 10^{-6}
\\max(|x|, 1)`, where both are near :math:`\\epsilon^{2/3} \\approx 4 \\times
10^{-11}`: the best a plain central difference can do (``method="central"``),
and only if ``h`` scales with ``x`` (the fixed 1e-4 gives an error of 1 for
the second derivative of :math:`x^2` at :math:`x = 10^6`).

**Richardson extrapolation** (``method="richardson"``) removes the
truncation error instead of balancing it: central differences with steps
``h, 2h, ..., 5h`` have errors that are series in :math:`h^2`, and the
combination that cancels the first four terms (the central stencil of order
10) has a truncation error of order :math:`h^{10}`. A much larger step is then
allowed (:math:`h = 2^{-8} \\max(|x|, 1)`), so the rounding error falls to
tens of :math:`\\epsilon` instead of :math:`\\epsilon^{2/3}`. Comparing the
orders 8 and 10 from the same evaluations, plus a bound on rounding, gives an
**error estimate**.
``method="auto"`` (the default) repeats the stencil with smaller steps only
where that estimate shows truncation still dominating, or where ``f`` was not
finite (near a domain boundary: ``sqrt`` at 0.01 gives NaN on the first,
widest stencil, and the next one stays inside the domain).

The **complex step** (``method="complex"``) uses :math:`f'(x) = \\operatorname{Im}
f(x + ih) / h + O(h^2)`: there is no subtraction, hence no cancellation, so
``h`` can be tiny (:math:`2^{-64} \\max(|x|, 1)`) and one evaluation gives
``f'`` to machine precision. It applies when ``f`` is analytic and written
with operations that carry complex numbers through (NumPy ufuncs, arithmetic);
``abs``, comparisons, ``np.real``, ``float()`` and the ``math`` module break
it, and that is detected and reported.

The module is about 480 lines: the five public functions share their argument
checks, step choice and dispatch on ``method``, which read best side by side;
the algorithms live apart (``_steps``, ``_richardson``, ``_complex_step``,
``_evaluate``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from nnlearn._shared.validation import as_float_array, check_callable, check_positive_finite
from nnlearn.calculus._complex_step import complex_step
from nnlearn.calculus._evaluate import Points, call_elementwise, elementwise
from nnlearn.calculus._richardson import Estimate, extrapolate
from nnlearn.calculus._steps import (
    central_step,
    partial_step,
    power_of_two_below,
    richardson_step,
    scale_of,
)

#: The methods of :func:`derivative`, :func:`gradient`, :func:`jacobian` and
#: :func:`directional_derivative`.
METHODS = ("auto", "central", "richardson", "complex")


@dataclass(frozen=True)
class DerivativeResult:
    """What :func:`derivative` returns with ``full_output=True``.

    Attributes
    ----------
    value : float or numpy.ndarray
        The derivative, with the shape of ``x``.
    error : float or numpy.ndarray
        An estimate of the absolute error of ``value`` (``nan`` for
        ``method="central"``, whose fixed step gives no estimate).
    nfev : int or numpy.ndarray
        Evaluations of ``f`` per point.
    step : float or numpy.ndarray
        The step ``h`` of the stencil that gave ``value`` (the imaginary step
        for ``method="complex"``).
    method : str
        The method used.
    """

    value: float | np.ndarray
    error: float | np.ndarray
    nfev: int | np.ndarray
    step: float | np.ndarray
    method: str


def derivative(
    f: Callable[[np.ndarray], Any],
    x: ArrayLike,
    n: int = 1,
    *,
    method: str = "auto",
    step: float | None = None,
    full_output: bool = False,
) -> Any:
    """First or second derivative :math:`f^{(n)}(x)` of a function of one variable.

    See the module docstring for the trade-off between truncation and
    rounding error that the methods resolve.

    Parameters
    ----------
    f : callable
        An elementwise function (like a NumPy ufunc): given an array it
        returns an array of the same shape. All points of a round are
        evaluated in one call. Wrap a scalar-only function with
        :func:`numpy.vectorize`.
    x : float or array_like
        The point or points (any shape; integers are converted to float64).
    n : {1, 2}
        The order of the derivative.
    method : {"auto", "central", "richardson", "complex"}
        ``"auto"``: Richardson extrapolation with step control (the most
        accurate real-arithmetic method): 10 evaluations per point for f'
        (11 for f''), and 10 more for each smaller step that the error
        estimate asks for where the function varies fast or a domain boundary
        is near. ``"richardson"``: one extrapolated stencil at a
        fixed step. ``"central"``: the plain central difference at
        :math:`\\epsilon^{1/3}` (n = 1) or :math:`\\epsilon^{1/4}` (n = 2)
        times ``max(|x|, 1)``. ``"complex"``: the complex step (one
        evaluation for n = 1; for n = 2, Richardson on the complex-step f').
    step : float, optional
        The step ``h``: the first step for ``"auto"``, the fixed step for
        ``"richardson"`` and ``"central"`` (for these three, rounded down to a
        power of two so that every ``x + k h`` is exact), the imaginary step
        for ``"complex"``. Default: chosen from ``max(|x|, 1)``.
    full_output : bool
        Return a :class:`DerivativeResult` instead of the value alone.

    Returns
    -------
    float, numpy.ndarray or DerivativeResult
        The derivative, with the shape of ``x`` (a float for a scalar ``x``).

    Raises
    ------
    TypeError
        If ``f`` is not callable or ``x`` is not real.
    ValueError
        If ``n`` is not 1 or 2, ``method`` is unknown, ``x`` is not finite,
        ``f`` does not return an array of the shape of its input, ``f`` is not
        finite at any step near a point, or, for ``"complex"``, ``f`` drops
        the imaginary part of its input.

    Examples
    --------
    >>> derivative(np.exp, 1.0) - np.e
    0.0
    >>> derivative(np.log, [0.1, 1.0, 10.0])  # log at 0.1: never evaluated at x <= 0
    array([10. ,  1. ,  0.1])
    >>> derivative(lambda x: x**2, 1e6, n=2)
    2.0
    >>> res = derivative(np.sin, 0.5, full_output=True)
    >>> bool(abs(res.value - np.cos(0.5)) <= res.error), res.nfev
    (True, 10)
    >>> derivative(np.sin, 0.5, method="complex") == float(np.cos(0.5))
    True
    """
    check_callable(f, "f")
    n = _check_order(n)
    method = _check_method(method)
    h = None if step is None else check_positive_finite(step, "step")
    x = as_float_array(x, "x").astype(np.float64, copy=False)
    points = x.reshape(-1)

    if method == "complex":
        h = None if h is None else np.full(points.shape, h)
        estimate = complex_step(elementwise(f, points), points, scale_of(points), h)
        if n == 2:
            estimate = _complex_second(f, points, estimate)
    else:
        evaluate = elementwise(f, points)
        if method == "central":
            first = central_step(scale_of(points), n) if h is None else _fixed_step(h, points)
            estimate = _central(evaluate, first, n)
        else:
            first = richardson_step(scale_of(points), n) if h is None else _fixed_step(h, points)
            estimate = extrapolate(evaluate, points, first, n, adaptive=method == "auto")
    _check_finite(estimate, points)

    value = _shaped(estimate.value[:, 0], x.shape)
    if not full_output:
        return value
    return DerivativeResult(
        value=value,
        error=_shaped(estimate.error[:, 0], x.shape),
        nfev=_shaped(estimate.nfev, x.shape, int),
        step=_shaped(estimate.step, x.shape),
        method=method,
    )


def gradient(f: Callable[[np.ndarray], Any], x: ArrayLike, *, method: str = "auto") -> np.ndarray:
    """Gradient :math:`\\nabla f(x)` of a scalar function of an array.

    Each partial derivative :math:`\\partial f / \\partial x_i` is the
    derivative of :math:`t \\mapsto f(x + t e_i)` at 0, computed as in
    :func:`derivative` (with steps scaled by ``max(|x_i|, 1)``).

    Both ways of writing ``f`` work: ``f`` may use its argument, or read the
    caller's array itself, as the seed's ``lambda w: net.loss(x, t)`` with
    ``x=net.W`` does. When ``x`` is a writeable float64 array, each point is
    written into it and ``f`` is called with that very array; afterwards
    ``x`` holds its original values again, exactly (even when ``f`` raises).
    Other input (lists, integers, float32, read-only arrays) is evaluated on
    float64 copies, and an ``f`` that reads such an array behind its argument
    is reported instead of given a gradient of 0.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a real scalar (a float, NumPy scalar or 0-d array).
    x : array_like
        The point, any shape.
    method : {"auto", "central", "richardson", "complex"}
        As in :func:`derivative`.

    Returns
    -------
    numpy.ndarray
        The gradient, with the shape of ``x``.

    Examples
    --------
    >>> gradient(lambda x: np.sum(x**2), [3.0, 4.0])
    array([6., 8.])
    >>> w = np.array([3.0, 4.0])
    >>> gradient(lambda _: np.sum(w**2), w)  # f reads w itself, as in the seed
    array([6., 8.])
    """
    check_callable(f, "f")
    method = _check_method(method)
    given, x = x, _point(x)
    with Points(f, given, x) as points:
        if points.value(x).size != 1:
            raise ValueError(f"f must return a scalar, got an array of shape {points.f0.shape}")
        return _partials(points, method)[0].reshape(x.shape)


def jacobian(f: Callable[[np.ndarray], Any], x: ArrayLike, *, method: str = "auto") -> np.ndarray:
    """Jacobian :math:`J_{ij} = \\partial f_i / \\partial x_j` of a function from R^n to R^m.

    Column ``j`` is the derivative of :math:`t \\mapsto f(x + t e_j)` at 0,
    computed as in :func:`derivative`; the step control keeps, for each
    entry, the round with the smallest error estimate.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns an array of ``m`` reals (any shape; it is flattened).
    x : array_like
        The point, ``n`` reals (any shape; it is flattened).
    method : {"auto", "central", "richardson", "complex"}
        As in :func:`derivative`.

    Returns
    -------
    numpy.ndarray
        Shape ``(m, n)``.

    Examples
    --------
    >>> jacobian(lambda x: np.array([x[0] * x[1], x[0] + 3 * x[1]]), [2.0, 5.0])
    array([[5., 2.],
           [1., 3.]])
    """
    check_callable(f, "f")
    method = _check_method(method)
    given, x = x, _point(x)
    with Points(f, given, x) as points:
        points.value(x)
        return _partials(points, method)


def hessian(f: Callable[[np.ndarray], Any], x: ArrayLike) -> np.ndarray:
    """Hessian :math:`H_{ij} = \\partial^2 f / \\partial x_i \\partial x_j` of a scalar function.

    The diagonal is the extrapolated second derivative along each axis, as in
    ``derivative(..., n=2)``. Off the diagonal, the second derivative along
    :math:`e_i + e_j` equals :math:`H_{ii} + 2 H_{ij} + H_{jj}`, which gives
    :math:`H_{ij}` from one more extrapolated stencil per pair: about
    :math:`10 \\cdot n(n+1)/2 + 1` evaluations in all (a four-point
    cross stencil would need twice as many off the diagonal). The result is
    symmetric by construction.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a real scalar.
    x : array_like
        The point, ``n`` reals (any shape; it is flattened).

    Returns
    -------
    numpy.ndarray
        Shape ``(n, n)``, symmetric.

    Examples
    --------
    >>> hessian(lambda x: x[0]**2 * x[1] + np.exp(x[1]), [1.0, 0.0])
    array([[0., 2.],
           [2., 1.]])
    """
    check_callable(f, "f")
    given, x = x, _point(x)
    with Points(f, given, x) as points:
        if points.value(x).size != 1:
            raise ValueError(f"f must return a scalar, got an array of shape {points.f0.shape}")
        return _hessian(points)


def _hessian(points: Points) -> np.ndarray:
    x = points.x
    flat = x.reshape(-1)
    size = flat.size
    rows, cols = np.triu_indices(size)

    def move(k: int, t: Any) -> np.ndarray:  # x + t (e_i + e_j), or x + t e_i on the diagonal
        moved = x.copy()
        moved.reshape(-1)[[rows[k], cols[k]]] = flat[[rows[k], cols[k]]] + t
        return moved

    scale = np.maximum(scale_of(flat[rows]), scale_of(flat[cols]))
    along = np.where(rows == cols, flat[rows], 0.0)  # the mixed directions have no single x
    evaluate = points.moving(move)
    second = extrapolate(evaluate, along, partial_step(scale, 2), 2).value[:, 0]
    _raise_if_nonfinite(second, "f is not finite near x, so its Hessian")
    diag = second[rows == cols]
    mixed = 0.5 * (second - diag[rows] - diag[cols])
    result = np.empty((size, size))
    result[rows, cols] = np.where(rows == cols, second, mixed)
    result[cols, rows] = result[rows, cols]
    return result


def directional_derivative(
    f: Callable[[np.ndarray], Any], x: ArrayLike, v: ArrayLike, *, method: str = "auto"
) -> Any:
    """Directional derivative :math:`\\frac{d}{dt} f(x + t v) \\big|_{t=0} = J(x) v`.

    One derivative of one variable, so it costs as much as a single
    :func:`derivative` (not a whole gradient). The step is scaled by
    ``max(max|x|, 1) / max|v|``.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a real scalar or array.
    x : array_like
        The point.
    v : array_like
        The direction, with the shape of ``x`` (not normalised: the result
        scales with ``v``).
    method : {"auto", "central", "richardson", "complex"}
        As in :func:`derivative`.

    Returns
    -------
    float or numpy.ndarray
        With the shape of ``f(x)``.

    Examples
    --------
    >>> directional_derivative(lambda x: np.sum(x**2), [1.0, 2.0], [1.0, 1.0])
    6.0
    """
    check_callable(f, "f")
    method = _check_method(method)
    given, x = x, _point(x)
    v = as_float_array(v, "v").astype(np.float64, copy=False)
    if v.shape != x.shape:
        raise ValueError(f"v must have the shape of x, {x.shape}, got {v.shape}")
    norm = np.max(np.abs(v))
    if norm == 0:
        raise ValueError("v must not be zero")
    scale = np.array([max(float(np.max(np.abs(x))), 1.0) / norm])
    with Points(f, given, x) as points:
        f0 = points.value(x)
        evaluate = points.moving(lambda _, t: x + t * v)
        value = _line_derivative(evaluate, np.zeros(1), scale, method)[0]
    return float(value[0]) if f0.ndim == 0 else value.reshape(f0.shape)


# --- argument checks ------------------------------------------------------------------------


def _check_order(n: Any) -> int:
    if isinstance(n, bool) or n not in (1, 2):
        raise ValueError(f"n must be 1 or 2 (the order of the derivative), got {n!r}")
    return int(n)


def _check_method(method: Any) -> str:
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(map(repr, METHODS))}, got {method!r}")
    return method


def _point(x: Any) -> np.ndarray:
    """``x`` as a new float64 array (the caller's own array may be moved in place)."""
    return as_float_array(x, "x").astype(np.float64)


def _fixed_step(h: float, points: np.ndarray) -> np.ndarray:
    return power_of_two_below(np.full(points.shape, h))


# --- the methods ----------------------------------------------------------------------------


def _central(evaluate: Callable, h: np.ndarray, n: int) -> Estimate:
    """The plain central difference at step ``h``: no error estimate."""
    offsets = np.stack([h, -h] + ([np.zeros_like(h)] if n == 2 else []), axis=1)
    values = evaluate(np.arange(h.size), offsets)
    if n == 1:
        value = (values[:, 0] - values[:, 1]) / (2.0 * h[:, None])
    else:
        value = (values[:, 0] + values[:, 1] - 2.0 * values[:, 2]) / (h[:, None] ** 2)
    nfev = np.full(h.size, offsets.shape[1])
    return Estimate(value, np.full(value.shape, np.nan), nfev, h)


def _complex_second(f: Callable, points: np.ndarray, first: Estimate) -> Estimate:
    """f'' as the Richardson derivative of the complex-step f' (exact to rounding)."""
    h = first.step

    def evaluate(index: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        z = points[index, None] + offsets + 1j * h[index, None]
        return (call_elementwise(f, z).imag / h[index, None])[..., None]

    estimate = extrapolate(evaluate, points, richardson_step(scale_of(points), 1), 1)
    return Estimate(estimate.value, estimate.error, estimate.nfev + first.nfev, estimate.step)


def _partials(points: Points, method: str) -> np.ndarray:
    """The Jacobian ``(f0.size, x.size)`` of ``f`` at ``x``, one axis at a time."""
    flat = points.x.reshape(-1)
    return _line_derivative(points.along_axes(), flat, scale_of(flat), method).T


def _line_derivative(
    evaluate: Callable, along: np.ndarray, scale: np.ndarray, method: str
) -> np.ndarray:
    """Derivatives at ``t = 0`` of the lines ``t -> f(x + t d)`` that ``evaluate`` walks.

    ``along`` is the coordinate of ``x`` along each line (0 if none) and
    ``scale`` the size that steps are relative to. Returns ``(lines, outputs)``.
    """
    if method == "complex":
        return complex_step(evaluate, along, scale).value
    if method == "central":
        estimate = _central(evaluate, central_step(scale, 1), 1)
    else:
        estimate = extrapolate(evaluate, along, partial_step(scale, 1), 1,
                               adaptive=method == "auto")
    _raise_if_nonfinite(estimate.value, "f is not finite near x, so its derivative")
    return estimate.value


# --- results --------------------------------------------------------------------------------


def _check_finite(estimate: Estimate, points: np.ndarray) -> None:
    bad = ~np.isfinite(estimate.value[:, 0])
    if bad.any():
        raise ValueError(
            f"f is not finite at the steps tried near x = {points[np.argmax(bad)]:g} (NaN or "
            "infinity on every stencil), so its derivative cannot be estimated there"
        )


def _raise_if_nonfinite(value: np.ndarray, what: str) -> None:
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{what} cannot be estimated: f was not finite at the steps tried")


def _shaped(values: np.ndarray, shape: tuple[int, ...], kind: type = float) -> Any:
    return kind(values[0]) if shape == () else values.reshape(shape)
