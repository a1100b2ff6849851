"""Evaluating ``f`` for the derivatives: in the caller's array, so that closures work too.

The seed writes ``f = lambda w: net.loss(x, t)`` and differentiates it at
``net.W``: ``f`` ignores its argument and reads ``net.W`` itself. Such an ``f``
sees a point only if the point is written **into the caller's array**. So every
derivative evaluates ``f`` there when it can (a writeable float64 array for the
accurate derivatives, any writeable floating array for the seed's), passes that
same array as the argument, and puts the original values back exactly
afterwards, even when ``f`` raises. Both styles, ``f`` reading its argument and
``f`` reading the caller's array, then get the same, right numbers.

Where the caller's array cannot hold the points (integers, a read-only array,
float32 for the accurate derivatives, complex points of the complex step),
``f`` gets fresh copies. If ``f`` then never changed, :func:`check_reads_argument`
finds out whether ``f`` reads the caller's array behind its back (it changes
that array, calls ``f`` at the unchanged point and compares) and raises instead
of returning a derivative of 0.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nnlearn.calculus._complex_step import DROPPED

#: The end of every error about an ``f`` that reads the caller's array.
_FIX = (
    "pass a writeable float64 array (for example W = W.astype(np.float64), then read W in f), "
    "or write f to use its argument"
)


def holds_points(given: Any, *, any_float: bool = False) -> bool:
    """Whether ``given`` is an array that the points can be written into in place.

    A writeable float64 array (``any_float``: any writeable floating array,
    for the seed's derivatives, which step in the array's own precision).
    """
    if not isinstance(given, np.ndarray) or not given.flags.writeable:
        return False
    return given.dtype.kind == "f" if any_float else given.dtype == np.float64


def _changed(array: np.ndarray) -> np.ndarray:
    """A value for every entry that differs from it (0 becomes 1, everything else 0)."""
    return (array == 0).astype(array.dtype)


def check_reads_argument(
    f: Callable[[Any], Any],
    given: Any,
    point: np.ndarray,
    f0: Any,
    name: str = "x",
    *,
    complex_points: bool = False,
) -> None:
    """Raise if ``f``, evaluated on copies of ``given`` and never changing, reads ``given`` itself.

    Called only when ``f`` gave the same value at every point tried near
    ``point`` (a copy of ``given``), so that the derivative would be 0. If
    ``given`` is an array, its entries are changed in place, ``f`` is called at
    the unchanged ``point``, and ``given`` is restored exactly: a different value
    proves that ``f`` reads ``given`` behind its argument. A read-only
    ``given`` cannot be probed, nor hold points, so it is reported too. For a
    list or a scalar ``f`` cannot be reading it, and nothing is raised.
    ``complex_points``: called because ``f`` returned real values at a complex
    point (the complex step), where only a proven closure is reported.

    Examples
    --------
    >>> w = np.array([3, 4])
    >>> check_reads_argument(lambda v: float(w @ w), w, w.astype(float), 25.0, "w")
    Traceback (most recent call last):
        ...
    ValueError: f did not change when w moved, but it does when the array passed as w changes: ...
    >>> check_reads_argument(lambda v: 1.0, w, w.astype(float), 1.0, "w")  # a constant f
    """
    if not isinstance(given, np.ndarray) or (complex_points and not given.flags.writeable):
        return
    if not given.flags.writeable:
        raise ValueError(
            f"f did not change at any point near {name}, and {name} is a read-only array: if f "
            f"reads {name} itself (a closure such as `lambda w: net.loss(x, t)`) instead of its "
            f"argument, the points where f must be evaluated cannot be written into {name}, and "
            f"the derivative would be a meaningless 0; {_FIX}"
        )
    saved = given.copy()
    try:
        given[...] = _changed(saved)
        moved = f(point.copy())
        reads = not np.array_equal(np.asarray(moved), np.asarray(f0), equal_nan=True)
    except Exception:  # noqa: BLE001 (f failed only because the array it reads was changed)
        reads = True
    finally:
        given[...] = saved
    if reads and complex_points:
        raise ValueError(
            f"f reads the array passed as {name} (a closure such as `lambda w: net.loss(x, t)`) "
            f"instead of its argument, and method='complex' evaluates f at complex points, which "
            f"cannot be written into that array; use method='auto', or write f to use its argument"
        )
    if reads:
        raise ValueError(
            f"f did not change when {name} moved, but it does when the array passed as {name} "
            f"changes: f reads that array (a closure such as `lambda w: net.loss(x, t)`) instead "
            f"of its argument, and an array of dtype {given.dtype} cannot hold the points where f "
            f"must be evaluated, so the derivative would be a meaningless 0; {_FIX}"
        )


# --- f of one variable, elementwise ----------------------------------------------------------


def elementwise(f: Callable, points: np.ndarray) -> Callable:
    """Evaluator for an elementwise ``f`` at ``points[i] + offsets[i, k]``: one call per round."""

    def evaluate(index: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        return call_elementwise(f, points[index, None] + offsets)[..., None]

    return evaluate


def call_elementwise(f: Callable, z: np.ndarray) -> np.ndarray:
    """``f(z)`` for an elementwise ``f``, checked to have the shape of ``z``."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        y = np.asarray(f(z))
    if y.shape != z.shape:
        raise ValueError(
            "f must work elementwise and return an array of the shape of its input: "
            f"for an input of shape {z.shape} it returned shape {y.shape} "
            "(wrap a scalar-only function with numpy.vectorize; for a function of a whole "
            "array, such as a loss, use nnlearn.gradient)"
        )
    return as_complex(y) if z.dtype.kind == "c" else as_real(y)


def as_complex(y: np.ndarray) -> np.ndarray:
    if y.dtype.kind != "c":
        raise ValueError(DROPPED.format(detail=f"f returned real values (dtype {y.dtype})"))
    return y.astype(np.complex128)


def as_real(y: np.ndarray) -> np.ndarray:
    """``y`` as a new float64 array (never a view of what ``f`` returned: it may be ``x``)."""
    if y.dtype.kind == "c":
        if np.any(y.imag != 0):
            raise ValueError(f"f must return real values for real x, got {y.dtype} values")
        y = y.real
    try:
        return y.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"f must return real numbers, got dtype {y.dtype}") from None


# --- f of an array, at points near x ---------------------------------------------------------


class Points:
    """Calls of ``f`` at points near ``x``, written into the caller's array when it can hold them.

    Parameters
    ----------
    f : callable
        The function of an array.
    given : object
        What the caller passed as ``x``.
    x : numpy.ndarray
        The point, a float64 copy of ``given``.

    Use as a context manager: on exit the caller's array holds ``x`` again,
    exactly, and if ``f`` was evaluated on copies and never changed,
    :func:`check_reads_argument` runs.
    """

    def __init__(self, f: Callable, given: Any, x: np.ndarray, name: str = "x"):
        self.f, self.given, self.x, self.name = f, given, x, name
        self.target = given if holds_points(given) else None
        self.f0: np.ndarray | None = None
        self.changed = False

    def __enter__(self) -> Points:
        return self

    def __exit__(self, kind: type | None, *_: object) -> None:
        if self.target is not None:
            self.target[...] = self.x
        elif kind is None and self.f0 is not None and not self.changed:
            check_reads_argument(self.f, self.given, self.x, self.f0, self.name)

    def value(self, point: np.ndarray, size: int | None = None) -> np.ndarray:
        """``f(point)`` as a new float (or complex) array, of ``size`` entries if given."""
        complex_point = point.dtype.kind == "c"
        if self.target is not None and not complex_point:
            self.target[...] = point
            point = self.target
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            y = np.asarray(self.f(point))
        if complex_point and y.dtype.kind != "c" and self.f0 is not None:
            self.changed = True  # a closure returns real values here: tell it apart from abs()
            check_reads_argument(
                self.f, self.given, self.x, self.f0, self.name, complex_points=True
            )
        y = as_complex(y) if complex_point else as_real(y)
        if size is not None and y.size != size:
            raise ValueError(f"f must always return {size} value(s), but returned shape {y.shape}")
        if self.f0 is None:
            self.f0 = y
        elif not self.changed:
            self.changed = complex_point or not np.array_equal(y, self.f0)
        return y

    def moving(self, move: Callable[[int, Any], np.ndarray]) -> Callable:
        """Evaluator for ``f(move(i, t))`` (``move`` returns a new array), one call per point.

        ``f(x)`` (the first :meth:`value`) is reused for the offset 0; complex
        offsets give complex points.
        """
        flat_f0 = self.f0.reshape(-1)

        def evaluate(index: np.ndarray, offsets: np.ndarray) -> np.ndarray:
            out = np.empty(offsets.shape + (flat_f0.size,), dtype=offsets.dtype)
            for row, i in enumerate(index):
                for col, t in enumerate(offsets[row]):
                    if t == 0:
                        out[row, col] = flat_f0
                    else:
                        out[row, col] = self.value(move(i, t), flat_f0.size).reshape(-1)
            return out

        return evaluate

    def along_axes(self) -> Callable:
        """Evaluator for ``f(x + t e_i)``: ``x`` with one entry moved."""
        x = self.x
        flat = x.reshape(-1)

        def move(i: int, t: Any) -> np.ndarray:
            moved = x.astype(np.result_type(x, t), order="C")  # a copy whose reshape is a view
            moved.reshape(-1)[i] = flat[i] + t
            return moved

        return self.moving(move)
