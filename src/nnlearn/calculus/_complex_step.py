"""The complex-step derivative and the check that ``f`` carries imaginary parts through.

For an analytic ``f`` that is real on the real axis,

.. math:: f(x + ih) = f(x) + ih f'(x) - \\frac{h^2}{2} f''(x) - \\frac{ih^3}{6} f'''(x) + \\dots

so :math:`\\operatorname{Im} f(x + ih) / h = f'(x) - h^2 f'''(x) / 6 + \\dots`.
Nothing is subtracted, so nothing cancels: with :math:`h = 2^{-64}
\\max(|x|, 1)` the truncation term is far below rounding and one evaluation
gives ``f'`` to the accuracy of ``f`` itself.

An ``f`` that drops the imaginary part (``abs``, ``np.real``, ``float()``,
the ``math`` module) returns an imaginary part of exactly 0, which would read
as a derivative of 0. Where that happens, one probe at :math:`x + s + is`
(:math:`s = 2^{-4} \\max(|x|, 1)`, off the real axis and off any symmetry
point) tells whether ``f`` can produce an imaginary part at all; only if it
does not, a real-step estimate decides between "the derivative is 0" and
"``f`` drops the imaginary part" (which raises).
"""

from __future__ import annotations

import numpy as np

from nnlearn.calculus._richardson import Estimate, Evaluator, extrapolate
from nnlearn.calculus._steps import EPS, partial_step, power_of_two_below

#: Imaginary step, relative to the size of the point.
COMPLEX_STEP = 2.0**-64

#: Distance of the probe point from x, relative to the size of the point.
PROBE_STEP = 2.0**-4

DROPPED = (
    "method='complex' needs an f that keeps the imaginary part of its input, but {detail}: "
    "f drops the imaginary part (abs, np.real, float() and math functions do); "
    "use method='auto'"
)


def complex_step(
    evaluate: Evaluator, along: np.ndarray, scale: np.ndarray, h: np.ndarray | None = None
) -> Estimate:
    """Complex-step derivatives at ``P`` points, one evaluation each (more only to check).

    Parameters
    ----------
    evaluate : callable
        ``evaluate(points, offsets)`` as in :func:`nnlearn.calculus._richardson.extrapolate`;
        it must accept complex offsets.
    along : numpy.ndarray
        The coordinate of each point along its direction (for the real-step check).
    scale : numpy.ndarray
        The size of each point (steps are relative to it).
    h : numpy.ndarray, optional
        The imaginary steps; default ``COMPLEX_STEP * scale``.

    Returns
    -------
    Estimate
        ``error`` is ``4 eps |value|``, the rounding of the one evaluation.
    """
    h = COMPLEX_STEP * scale if h is None else h
    index = np.arange(scale.size)
    values = evaluate(index, 1j * h[:, None])[:, 0]  # (P, outputs)
    if values.dtype.kind != "c":
        raise ValueError(DROPPED.format(detail=f"f returned real values (dtype {values.dtype})"))
    value = values.imag / h[:, None]
    nfev = np.ones(scale.size, dtype=np.int64)
    suspect = np.flatnonzero(np.all(values.imag == 0, axis=1))
    if suspect.size:
        nfev[suspect] += _check_kept(evaluate, suspect, along[suspect], scale[suspect])
    return Estimate(value, 4.0 * EPS * np.abs(value), nfev, h)


def _check_kept(
    evaluate: Evaluator, suspect: np.ndarray, along: np.ndarray, scale: np.ndarray
) -> np.ndarray:
    """Raise if ``f`` drops imaginary parts at the ``suspect`` points; return evaluations used."""
    probe = power_of_two_below(PROBE_STEP * scale)[:, None] * (1 + 1j)
    imag = evaluate(suspect, probe)[:, 0].imag
    silent = ~np.any((imag != 0) & np.isfinite(imag), axis=1)
    used = np.ones(suspect.size, dtype=np.int64)
    if not silent.any():
        return used
    rows = suspect[silent]
    real = extrapolate(
        lambda index, offsets: evaluate(rows[index], offsets),
        along[silent], partial_step(scale[silent], 1), 1, adaptive=False,
    )
    used[silent] += real.nfev
    dropped = np.any(np.abs(real.value) > 10.0 * real.error, axis=1)
    if dropped.any():
        first = np.argmax(dropped)
        raise ValueError(DROPPED.format(
            detail=f"Im f(x + ih) is exactly 0 while the real-step derivative is about "
            f"{real.value[first, 0]:.6g}"
        ))
    return used
