"""Richardson-extrapolated central differences with an error estimate and step control.

A central difference with step ``kh`` has an error that is a series in even
powers of ``kh``:

.. math:: D_k = \\frac{f(x + kh) - f(x - kh)}{2kh} = f'(x) + c_1 (kh)^2 + c_2 (kh)^4 + \\dots

Extrapolating :math:`D_1, \\dots, D_m` to :math:`h \\to 0` (Richardson) removes
the first ``m - 1`` terms, which is the same as the classical central stencil
of order ``2m`` on the points :math:`x \\pm h, \\dots, x \\pm mh`. The weights
come from exact rational arithmetic. Two consecutive orders from the same
evaluations give an error estimate (their difference), to which a bound on the
rounding error is added. :func:`extrapolate` repeats the stencil with smaller
steps, only where the estimate says that truncation still dominates or where
``f`` was not finite, and keeps the best round.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import cache

import numpy as np

from nnlearn.calculus._steps import EPS, RELATIVE_STEP, next_step

#: Pairs of steps (h, 2h, ..., PAIRS h) in one round: order 2 * PAIRS.
PAIRS = 5

#: A round is accepted when the truncation estimate is below this many rounding estimates.
ACCEPT_RATIO = 4.0

#: A round whose truncation estimate exceeds this fraction of its value is far
#: from the asymptotic regime (the stencil is too wide for the function).
LOST = 0.01

#: At most this many rounds per point.
MAX_ROUNDS = 6


@cache
def stencil_weights(n: int, pairs: int) -> np.ndarray:
    """Weights of the central stencils of orders 2, 4, ..., ``2 * pairs``.

    Row ``j`` holds the weights :math:`w_k` (``k = 1 .. pairs``, zero past
    ``j + 1``) of the order-``2(j+1)`` estimate

    .. math:: f^{(n)}(x) \\approx h^{-n} \\sum_k w_k \\, \\delta_k,

    with :math:`\\delta_k = f(x+kh) - f(x-kh)` for ``n = 1`` and
    :math:`f(x+kh) + f(x-kh) - 2 f(x)` for ``n = 2``.

    Examples
    --------
    >>> stencil_weights(1, 2)  # (δ1)/2 and (8 δ1 - δ2)/12
    array([[ 0.5       ,  0.        ],
           [ 0.66666667, -0.08333333]])
    >>> stencil_weights(2, 2)[1] * 12  # (16 δ1 - δ2)/12
    array([16., -1.])
    """
    weights = np.zeros((pairs, pairs))
    for order in range(1, pairs + 1):
        # Taylor moments: sum_k w_k k^(2i - 2 + n) = 1/2 (n = 1) or 1 (n = 2) for i = 1, else 0.
        powers = [2 * i + n - 2 for i in range(1, order + 1)]
        matrix = [[Fraction(k) ** p for k in range(1, order + 1)] for p in powers]
        rhs = [Fraction(1, 2) if n == 1 else Fraction(1)] + [Fraction(0)] * (order - 1)
        weights[order - 1, :order] = [float(w) for w in _solve(matrix, rhs)]
    weights.setflags(write=False)  # cached: shared by every call
    return weights


def _solve(matrix: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction]:
    """Gauss-Jordan elimination in exact rational arithmetic (small systems)."""
    size = len(rhs)
    rows = [row[:] + [value] for row, value in zip(matrix, rhs, strict=True)]
    for col in range(size):
        pivot = next(r for r in range(col, size) if rows[r][col] != 0)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        rows[col] = [value / rows[col][col] for value in rows[col]]
        for r in range(size):
            if r != col and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [row[-1] for row in rows]


@dataclass
class Estimate:
    """Values, error estimates, evaluation counts and steps of an extrapolation.

    ``value`` and ``error`` have shape ``(points, outputs)``; ``nfev`` and
    ``step`` have shape ``(points,)``.
    """

    value: np.ndarray
    error: np.ndarray
    nfev: np.ndarray
    step: np.ndarray


#: ``evaluate(points, offsets)``: ``points`` are indices ``(s,)``, ``offsets`` an
#: array ``(s, K)``; returns ``f`` at ``x[points] + offsets`` as ``(s, K, outputs)``.
Evaluator = Callable[[np.ndarray, np.ndarray], np.ndarray]


@cache
def _stencil(n: int, pairs: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Offsets (in steps), the weights of the two top orders, and the rounding weights.

    Values are ordered ``f(x + h), ..., f(x + mh), f(x - h), ..., f(x - mh)``
    and, for ``n = 2``, ``f(x)``. ``weights`` (m, 2) turns the differences
    into ``h**n`` times the estimates of orders ``2m - 2`` and ``2m``;
    ``magnitude`` (K,) holds the absolute weight of each value in the
    order-``2m`` estimate.
    """
    k = np.arange(1.0, pairs + 1)
    weights = stencil_weights(n, pairs)[-2:]
    top = np.abs(weights[1])
    if n == 1:
        multiples = np.concatenate([k, -k])
        magnitude = np.concatenate([top, top])
    else:
        multiples = np.concatenate([k, -k, [0.0]])
        magnitude = np.concatenate([top, top, [2.0 * top.sum()]])
    arrays = multiples, weights.T.copy(), magnitude
    for array in arrays:
        array.setflags(write=False)  # cached: shared by every call
    return arrays


def one_round(
    evaluate: Evaluator, points: np.ndarray, h: np.ndarray, n: int, pairs: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate one stencil at steps ``h`` and extrapolate.

    Returns
    -------
    value, truncation, rounding : numpy.ndarray
        Shape ``(s, outputs)``: the order-``2 * pairs`` estimate, its
        difference from the order below, and a bound on its rounding error
        (``eps`` times the absolute weights times ``|f|``).
    first_bad : numpy.ndarray or None
        Shape ``(s,)``: the smallest ``k`` with a non-finite ``f(x ± kh)`` (or
        ``f(x)`` for ``n = 2``), 0 where every value was finite; ``None`` if
        all values were finite.
    """
    multiples, weights, magnitude = _stencil(n, pairs)
    values = np.swapaxes(evaluate(points, h[:, None] * multiples), 1, 2)  # (s, q, K)
    first_bad = None
    finite = np.isfinite(values)
    if not finite.all():
        bad_k = ~finite.all(axis=1)
        bad_k = bad_k[:, :pairs] | bad_k[:, pairs : 2 * pairs] | bad_k[:, 2 * pairs :].any(
            axis=1, keepdims=True
        )
        first_bad = np.where(bad_k.any(axis=1), np.argmax(bad_k, axis=1) + 1.0, 0.0)
        values = np.where(finite, values, 0.0)
    scale = (h * h if n == 2 else h)[:, None]
    # Differences first: exact for constant and symmetric parts of f.
    if n == 1:
        delta = values[..., :pairs] - values[..., pairs:]
    else:
        delta = values[..., :pairs] + values[..., pairs : 2 * pairs] - 2.0 * values[..., -1:]
    with np.errstate(over="ignore", invalid="ignore"):
        both = delta @ weights
        value = both[..., 1] / scale
        truncation = np.abs(both[..., 1] - both[..., 0]) / scale
        rounding = (EPS / scale) * (np.abs(values) @ magnitude)
    if first_bad is not None:
        value[first_bad > 0] = np.nan
    return value, truncation, rounding, first_bad


def _assess(
    truncation: np.ndarray, rounding: np.ndarray, first_bad: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Error estimates (inf where f was not finite) and which points are done."""
    error = truncation + rounding
    accepted = (truncation <= ACCEPT_RATIO * rounding).all(axis=1)
    if first_bad is not None:
        bad = first_bad > 0
        error[bad] = np.inf
        accepted &= ~bad
    return error, accepted


def _score(error: np.ndarray, value: np.ndarray) -> np.ndarray:
    """``error / |value|``, how rounds are compared: 0 for an exact 0, inf for no estimate."""
    with np.errstate(over="ignore"):
        return error / np.fmax(np.abs(value), np.finfo(np.float64).tiny)


def _shrink(
    h: np.ndarray,
    x: np.ndarray,
    value: np.ndarray,
    truncation: np.ndarray,
    rounding: np.ndarray,
    first_bad: np.ndarray | None,
    n: int,
    pairs: int,
) -> np.ndarray:
    """The next steps of the points whose round was not accepted (arrays restricted to them)."""
    first_bad = np.zeros(h.size) if first_bad is None else first_bad
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (truncation / rounding).max(axis=1)
        lost = (~(truncation <= LOST * np.abs(value))).any(axis=1)
    bad = first_bad > 0
    ratio[bad] = np.inf
    return next_step(h, x, pairs, ratio, 2 * pairs - 2, n, first_bad, lost | bad, RELATIVE_STEP[n])


def extrapolate(
    evaluate: Evaluator,
    x: np.ndarray,
    h: np.ndarray,
    n: int,
    *,
    adaptive: bool = True,
    pairs: int = PAIRS,
) -> Estimate:
    """Extrapolated central differences at the points ``x`` (shape ``(P,)``), first steps ``h``.

    Each round evaluates ``2 * pairs`` points (plus ``f(x)`` for ``n = 2``)
    per point still open; its error estimate is the truncation estimate plus
    the rounding bound. A point is closed when the truncation estimate falls
    below ``ACCEPT_RATIO`` rounding bounds (shrinking the step further can
    only add rounding error), when its error estimate stops improving, or
    after ``MAX_ROUNDS`` rounds; the round with the smallest relative error
    estimate is kept, componentwise (relative, because a stencil far too wide
    for the function can return a small value with a small estimate).
    """
    per_round = 2 * pairs + (n == 2)
    value, truncation, rounding, first_bad = one_round(evaluate, np.arange(x.size), h, n, pairs)
    error, accepted = _assess(truncation, rounding, first_bad)
    nfev = np.full(x.size, per_round)
    if not adaptive or accepted.all():
        return Estimate(value, error, nfev, h)

    best = Estimate(value, error, nfev, h.copy())
    best_score = _score(error, value)
    keep = ~accepted
    rows = np.flatnonzero(keep)
    for _ in range(MAX_ROUNDS - 1):
        h = _shrink(h[keep], x[rows], value[keep], truncation[keep], rounding[keep],
                    None if first_bad is None else first_bad[keep], n, pairs)
        value, truncation, rounding, first_bad = one_round(evaluate, rows, h, n, pairs)
        error, accepted = _assess(truncation, rounding, first_bad)
        best.nfev[rows] += per_round
        score = _score(error, value)
        better = score < best_score[rows]
        best.value[rows] = np.where(better, value, best.value[rows])
        best.error[rows] = np.where(better, error, best.error[rows])
        best_score[rows] = np.where(better, score, best_score[rows])
        improved = better.any(axis=1)
        best.step[rows] = np.where(improved, h, best.step[rows])
        if first_bad is not None:
            improved |= first_bad > 0  # keep backing away from a domain boundary
        keep = improved & ~accepted
        if not keep.any():
            break
        rows = rows[keep]
    return best
