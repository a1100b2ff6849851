"""Step sizes for finite differences: the first guess and the next one.

A central difference has a truncation error that grows with the step ``h`` and
a rounding error :math:`\\epsilon |f| / h` that grows as ``h`` shrinks. The
steps here are

* proportional to ``max(|x|, 1)``, so that ``x + h`` differs from ``x`` in
  the same number of bits at every scale (a fixed ``h`` is lost to rounding at
  ``x = 1e12`` and far too coarse at ``x = 1e-6``), and
* powers of two, so that ``x + k h`` is exact for the small integers ``k`` of
  a stencil (unless it crosses a power of two above ``x``), the offsets
  actually taken are then the offsets assumed, and dividing by ``h`` adds no
  rounding.

After a round of evaluations the next step either balances the measured
truncation error against the measured rounding error, or backs away from a
point where ``f`` was not finite (a domain boundary such as ``log`` at 0).
"""

from __future__ import annotations

import numpy as np

#: Machine epsilon of float64.
EPS = float(np.finfo(np.float64).eps)

#: Relative size of the first Richardson step, by derivative order n:
#: ``h = RELATIVE_STEP[n] * max(|x|, 1)``. For f' five pairs (h, ..., 5h) reach
#: 5h ~ 0.02 |x|, well inside the radius of convergence of functions like log
#: and sqrt at x, while the rounding error stays near 30 eps for functions of
#: unit scale. For f'' rounding grows like 1/h^2, so the step is 8 times larger.
RELATIVE_STEP = {1: 2.0**-8, 2: 2.0**-5}

#: The same for partial derivatives (gradient, Jacobian, directional
#: derivative, Hessian). There the rounding error is relative to |f|, which for
#: a function of many variables (a sum of many terms, a loss over many weights)
#: is far larger than each partial derivative, so a larger first step pays;
#: step control still shrinks it where truncation shows.
PARTIAL_STEP = {1: 2.0**-5, 2: 2.0**-4}

#: Largest and smallest factor by which the step changes between two rounds.
MAX_SHRINK = 2.0**-10
MIN_SHRINK = 0.5

#: Factor applied when a round hit a non-finite value and nothing better is known.
NONFINITE_SHRINK = 2.0**-4


def power_of_two_below(h: np.ndarray) -> np.ndarray:
    """Largest power of two :math:`\\le h`, elementwise (``h > 0``).

    Examples
    --------
    >>> power_of_two_below(np.array([0.3, 1.0, 5.0]))
    array([0.25, 1.  , 4.  ])
    """
    _, exponent = np.frexp(h)
    return np.ldexp(0.5, exponent)


def scale_of(x: np.ndarray) -> np.ndarray:
    """The natural size of a step at ``x``: ``max(|x|, 1)``."""
    return np.maximum(np.abs(x), 1.0)


def central_step(scale: np.ndarray, n: int) -> np.ndarray:
    """The fixed step of a plain central difference, for points of size ``scale``.

    :math:`h = \\epsilon^{1/3} \\max(|x|, 1)` for a first derivative (truncation
    :math:`h^2 f'''/6` against rounding :math:`\\epsilon f / h`) and
    :math:`\\epsilon^{1/4} \\max(|x|, 1)` for a second (rounding
    :math:`\\epsilon f / h^2`), rounded down to a power of two; ``scale`` is
    usually :func:`scale_of` the points.
    """
    return power_of_two_below(EPS ** (1.0 / (2 + n)) * scale)


def richardson_step(scale: np.ndarray, n: int) -> np.ndarray:
    """The first step of an extrapolated stencil: ``RELATIVE_STEP[n] * scale``, a power of two.

    Examples
    --------
    >>> richardson_step(scale_of(np.array([0.5, 3.0])), 1)
    array([0.00390625, 0.0078125 ])
    """
    return power_of_two_below(RELATIVE_STEP[n] * scale)


def partial_step(scale: np.ndarray, n: int) -> np.ndarray:
    """The first step of an extrapolated partial derivative: ``PARTIAL_STEP[n] * scale``."""
    return power_of_two_below(PARTIAL_STEP[n] * scale)


def next_step(
    h: np.ndarray,
    x: np.ndarray,
    pairs: int,
    ratio: np.ndarray,
    order: int,
    n: int,
    first_bad: np.ndarray,
    lost: np.ndarray,
    relative: float,
) -> np.ndarray:
    """The step of the next round, from what the last round measured.

    Parameters
    ----------
    h : numpy.ndarray
        The steps just used (the stencil reached ``pairs * h``).
    x : numpy.ndarray
        The points.
    pairs : int
        Number of step pairs of the stencil.
    ratio : numpy.ndarray
        Measured truncation error over rounding error (``inf`` if unknown).
    order : int
        Order ``p`` of the error that ``ratio`` measures: it scales as ``h**p``.
    n : int
        Order of the derivative: rounding scales as ``h**-n``.
    first_bad : numpy.ndarray
        Smallest multiple ``k`` of ``h`` at which ``f`` was not finite, 0 if
        every value was finite.
    lost : numpy.ndarray
        Where the last round was far from the asymptotic regime (a non-finite
        value, or a truncation estimate of more than 1% of the value).
    relative : float
        The relative step of a first round (``RELATIVE_STEP[n]``).

    Returns
    -------
    numpy.ndarray
        The next steps, powers of two, at most half the previous ones.

    Notes
    -----
    With truncation :math:`T h^p` and rounding :math:`R / h^n`, the sum is
    least at :math:`h^{p+n} = n R / (p T)`; the measured ratio
    :math:`T h^p / (R / h^n)` gives the shrink factor
    :math:`(p \\cdot \\text{ratio} / n)^{-1/(p+n)}`. After a non-finite
    value at distance ``d`` from ``x``, the next step is ``relative * d``, as
    if ``d`` were the size of the point. When a lost round straddled 0 (where
    ``log``, ``sqrt`` and ``1/x`` break) the step is scaled by ``|x|`` instead
    of 1.
    """
    with np.errstate(divide="ignore", over="ignore"):
        shrink = np.clip((order * ratio / n) ** (-1.0 / (order + n)), MAX_SHRINK, MIN_SHRINK)
    new = shrink * h
    bad = first_bad > 0
    if bad.any():
        distance = np.maximum(first_bad - 1, 0.5) * h
        new = np.where(bad, np.minimum(relative * distance, NONFINITE_SHRINK * h), new)
    straddles = lost & (np.abs(x) < pairs * h) & (x != 0)
    new = np.where(straddles, np.minimum(new, relative * np.abs(x)), new)
    return power_of_two_below(new)
