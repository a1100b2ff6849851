"""The seed's numerical derivatives: central differences with a fixed step.

:func:`numerical_diff` and :func:`numerical_gradient` reproduce the book's
teaching versions value for value (h = 1e-4), with the checks that the book's
readers need: ``x`` is always restored, integer input is not truncated, and a
non-scalar or non-finite ``f(x)`` is reported instead of silently used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from nnlearn._shared.validation import check_callable, check_finite, scalar_value
from nnlearn.calculus._evaluate import check_reads_argument, holds_points

#: The book's finite-difference step.
H = 1e-4


def numerical_diff(f: Callable[[Any], Any], x: Any) -> Any:
    """Central-difference derivative :math:`f'(x) \\approx (f(x+h) - f(x-h)) / 2h`, h = 1e-4.

    Exactly the book's formula. Its truncation error is
    :math:`h^2 f'''(x)/6` and its rounding error about
    :math:`\\epsilon |f(x)| / h`; with h = 1e-4 both are small for functions
    of moderate size, which is why this fixed step works in the chapter. For
    derivatives accurate to near machine precision use
    :func:`nnlearn.derivative`.

    Parameters
    ----------
    f : callable
        A function of one real variable (it may work elementwise on arrays).
    x : float or array_like
        The point (or points, if ``f`` is elementwise). A writeable floating
        array is moved **in place** to ``x + h`` and ``x - h`` (and restored
        exactly), so an ``f`` that reads the caller's array instead of its
        argument sees the points too.

    Raises
    ------
    ValueError
        If ``f`` reads an array that cannot hold ``x ± h`` (integers,
        read-only) instead of its argument: the derivative would be 0.

    Examples
    --------
    >>> def function_1(x):
    ...     return 0.01 * x**2 + 0.1 * x
    >>> numerical_diff(function_1, 5)
    0.1999999999990898
    >>> numerical_diff(function_1, 10)
    0.2999999999986347
    """
    check_callable(f, "f")
    if holds_points(x, any_float=True):
        plus, minus, saved = x + H, x - H, x.copy()
        try:
            x[...] = plus
            f_plus = _own(f(x), x)
            x[...] = minus
            f_minus = _own(f(x), x)
        finally:
            x[...] = saved
        return (f_plus - f_minus) / (2 * H)
    if isinstance(x, (list, tuple)):
        x = np.asarray(x, dtype=np.float64)
    f_plus, f_minus = f(x + H), f(x - H)
    if isinstance(x, np.ndarray) and np.array_equal(f_plus, f_minus):
        check_reads_argument(f, x, x.astype(np.float64), f_plus)
    return (f_plus - f_minus) / (2 * H)


def _own(value: Any, x: np.ndarray) -> Any:
    """``value``, copied if it shares memory with ``x`` (which is about to move)."""
    return value.copy() if isinstance(value, np.ndarray) and np.shares_memory(value, x) else value


def numerical_gradient(f: Callable[[np.ndarray], Any], x: ArrayLike) -> np.ndarray:
    """Gradient of a scalar function by central differences, one element at a time.

    .. math:: \\frac{\\partial f}{\\partial x_i} \\approx
              \\frac{f(x + h e_i) - f(x - h e_i)}{2h}, \\quad h = 10^{-4}

    Like the book, the elements of ``x`` are perturbed **in place** and put
    back, so the closure style works: ``numerical_gradient(lambda w:
    net.loss(x, t), net.W)`` moves ``net.W`` itself. Every element is
    restored to its exact original value, even when ``f`` raises.

    Input dtypes:

    * float64 (and other floating) arrays are perturbed in place;
    * integer or boolean arrays, read-only arrays, lists and scalars are
      **copied to float64** first (the book's version would write ``3 + 1e-4``
      back into an integer array and return ``[25000, 35000]`` for
      ``[3, 4]``); ``f`` then sees the copy. A closure over the original
      array could not see the perturbation: that is detected (``f`` never
      changes, but changes when the caller's array does) and raised, rather
      than returned as a gradient of 0. Pass a float array for the closure
      style;
    * float32 (and float16) arrays are perturbed in place too, but not with
      h = 1e-4: in float32 the rounding error of ``f``, about
      :math:`\\epsilon_{32} |f| / h`, would be ~1e-3 relative. The step is
      instead :math:`h = \\epsilon^{1/3} \\max(1, |x_i|)` (4.9e-3 for
      float32), the step that balances truncation against rounding for a
      central difference, and the divisor is the step actually taken,
      ``fl(x+h) - fl(x-h)``. The result keeps the dtype of ``x``; its error
      is about ``1e-5 * max(1, |f|)`` on smooth functions, against ~1e-3
      with the seed's step.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a finite real scalar.
    x : array_like
        The point; any shape.

    Returns
    -------
    numpy.ndarray
        The gradient, with the shape of ``x``.

    Raises
    ------
    ValueError
        If ``f`` reads an integer or read-only array behind its argument (see
        above), if ``x`` is empty or not finite, if ``f`` returns a non-scalar or
        non-finite value, or if an element of ``x`` is so large that ``x + h``
        rounds back near ``x`` (about ``|x| > 1e12`` in float64): the book's
        version then returns a gradient of 0 and gradient descent stalls at a
        huge ``x`` instead of reporting the divergence.

    Examples
    --------
    >>> def function_2(x):
    ...     return x[0]**2 + x[1]**2
    >>> numerical_gradient(function_2, np.array([3.0, 4.0]))
    array([6., 8.])
    >>> numerical_gradient(function_2, np.array([3, 4]))  # integers: a float64 copy
    array([6., 8.])
    """
    check_callable(f, "f")
    given = x
    if not holds_points(x, any_float=True):
        x = np.asarray(x)
        if x.dtype.kind not in "biuf":
            raise TypeError(f"x must hold real numbers, got dtype {x.dtype}")
        x = x.astype(x.dtype if x.dtype.kind == "f" else np.float64)
    if x.size == 0:
        raise ValueError(f"x must not be empty, got shape {x.shape}")
    check_finite(x, "x")

    grad = np.zeros_like(x)
    seed_step = x.dtype == np.float64
    loss = lambda: scalar_value(f(x), "f")  # noqa: E731 (f reads x, moved in place)
    unchanged, f_first = True, None
    for idx in np.ndindex(x.shape):
        original = x[idx]
        h = H if seed_step else np.cbrt(np.finfo(x.dtype).eps) * max(1.0, abs(float(original)))
        f_plus, f_minus, step_taken = central_pair(loss, x, idx, h)
        f_first = f_plus if f_first is None else f_first
        if abs(step_taken - 2 * h) > h:
            raise ValueError(
                f"x{list(idx)} = {original:g} is too large for the fixed step h = {h:g}: "
                f"in {x.dtype} the step is lost to rounding and the derivative would be "
                f"meaningless; use nnlearn.gradient, whose step scales with x"
            )
        grad[idx] = (f_plus - f_minus) / (2 * H if seed_step else step_taken)
        unchanged &= f_plus == f_minus == f_first
    if unchanged and x is not given:
        check_reads_argument(f, given, x, f_first)
    return grad


def central_pair(
    f: Callable[[], Any], x: np.ndarray, index: tuple[int, ...], h: float
) -> tuple[Any, Any, float]:
    r"""Evaluate ``f()`` with ``x[index]`` moved to ``x + h``, then to ``x - h``, in place.

    ``f`` reads ``x`` itself (a closure). The entry is put back to its exact
    original value afterwards, even when ``f`` raises.

    Returns
    -------
    f_plus, f_minus
        The two values of ``f``.
    step_taken : float
        :math:`\mathrm{fl}(x + h) - \mathrm{fl}(x - h)`, the step that ``x``'s
        dtype could store (about ``2 h``), the right divisor outside float64.

    Examples
    --------
    >>> x = np.array([3.0, 4.0])
    >>> central_pair(lambda: float(x[0] ** 2), x, (0,), 0.5)
    (12.25, 6.25, 1.0)
    >>> x
    array([3., 4.])
    """
    original = x[index]
    try:
        x[index] = original + h
        f_plus = f()
        x_plus = x[index]
        x[index] = original - h
        f_minus = f()
        step_taken = float(x_plus) - float(x[index])
    finally:
        x[index] = original
    return f_plus, f_minus, step_taken
