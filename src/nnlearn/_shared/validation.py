"""Argument checks shared by every module.

Each helper either returns a cleaned value or raises an error whose message
names the argument and says what was expected, so that bad input never turns
into a silent wrong number or a NumPy traceback from deep inside.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np


def check_callable(f: Any, name: str = "f") -> Callable:
    """Return ``f`` if it is callable, else raise ``TypeError`` naming ``name``."""
    if not callable(f):
        raise TypeError(f"{name} must be callable (a function of x), got {type(f).__name__}")
    return f


def check_positive_finite(value: Any, name: str) -> float:
    """Return ``value`` as a float if it is a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number > 0, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def check_non_negative_int(value: Any, name: str) -> int:
    """Return ``value`` as an int if it is an integer >= 0 (``bool`` is refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= 0, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value}")
    return int(value)


def check_positive_int(value: Any, name: str) -> int:
    """Return ``value`` as an int if it is an integer >= 1 (``bool`` is refused)."""
    value = check_non_negative_int(value, name)
    if value == 0:
        raise ValueError(f"{name} must be an integer >= 1, got 0")
    return value


def as_real_array(x: Any, name: str) -> np.ndarray:
    """Return ``x`` as an array of real numbers (bool, integer or floating), dtype kept.

    Complex, object and string input (``None`` included) is refused with a
    ``TypeError`` naming ``name``, before it can reach a NumPy ufunc.
    """
    array = np.asarray(x)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    return array


def check_finite(array: np.ndarray, name: str) -> np.ndarray:
    """Return ``array`` if it holds no NaN or infinity, else raise ``ValueError`` naming ``name``.

    One pass over the data in the common case: a sum is finite when every
    term is (NaN and infinity propagate; ``inf - inf`` is NaN). Only a sum that
    is not finite, because of a bad entry or an overflow of huge finite ones,
    is followed by the entrywise test.

    Examples
    --------
    >>> check_finite(np.array([[1.0, np.nan], [np.inf, 2.0]]), "x")
    Traceback (most recent call last):
        ...
    ValueError: x must be finite, but it holds NaN or infinity (2 entries, the first at [0, 1])
    """
    if array.dtype.kind not in "fc":
        return array
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.add.reduce(array, axis=None)):
            return array
    bad = ~np.isfinite(array)
    if bad.any():
        count = int(bad.sum())
        where = f"{count} {'entry' if count == 1 else 'entries'}"
        if array.ndim:
            where += f", the first at [{', '.join(str(int(i)) for i in np.argwhere(bad)[0])}]"
        raise ValueError(f"{name} must be finite, but it holds NaN or infinity ({where})")
    return array


def as_float_array(x: Any, name: str, *, allow_empty: bool = False) -> np.ndarray:
    """Return ``x`` as a finite floating-point array.

    Floating arrays keep their dtype; integers, booleans and lists become
    float64. Complex, object and string input is refused.
    """
    array = as_real_array(x, name)
    if array.dtype.kind in "biu":
        array = array.astype(np.float64)
    if array.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    return check_finite(array, name)


def scalar_value(value: Any, name: str = "f(x)") -> float:
    """Return a function's result as a float if it is one finite real scalar."""
    if np.ndim(value) != 0:
        raise ValueError(
            f"{name} must return a scalar, got an array of shape {np.shape(value)}"
        )
    if np.iscomplexobj(value):
        raise ValueError(f"{name} must return a real scalar, got {value!r}")
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must return a real scalar, got {value!r}") from None
    if not np.isfinite(result):
        raise ValueError(f"{name} returned {result}, expected a finite number")
    return result


def make_rng(rng: Any, name: str = "rng") -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from ``None``, a seed or a Generator."""
    if rng is None or isinstance(rng, (numbers.Integral, np.random.SeedSequence)):
        if isinstance(rng, bool):
            raise TypeError(f"{name} must be None, an integer seed or a numpy Generator")
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.Generator):
        return rng
    raise TypeError(
        f"{name} must be None, an integer seed or a numpy.random.Generator, "
        f"got {type(rng).__name__}"
    )


def check_non_negative_finite(value: Any, name: str) -> float:
    """Return ``value`` as a float if it is a finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number >= 0, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return value
