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


def as_float_array(x: Any, name: str, *, allow_empty: bool = False) -> np.ndarray:
    """Return ``x`` as a finite floating-point array.

    Floating arrays keep their dtype; integers, booleans and lists become
    float64. Complex, object and string input is refused.
    """
    array = np.asarray(x)
    if array.dtype.kind in "biu":
        array = array.astype(np.float64)
    elif array.dtype.kind != "f":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, but it holds NaN or infinity")
    return array


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
