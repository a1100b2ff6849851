"""Why lr = 10 explodes: the step-size limit 2 / λ_max of gradient descent.

On a quadratic :math:`f(x) = \\frac12 x^\\top H x`, one step of gradient descent
is :math:`x \\leftarrow (I - \\eta H) x`: along the eigenvector of each
eigenvalue :math:`\\lambda` the distance to the minimum is multiplied by
:math:`1 - \\eta\\lambda`. The walk converges when every factor has
:math:`|1 - \\eta\\lambda| < 1`, that is exactly when
:math:`0 < \\eta < 2 / \\lambda_{\\max}`. On the seed's
:math:`f(x) = x_0^2 + x_1^2` (:math:`H = 2I`, limit :math:`\\eta < 1`): lr = 10
multiplies x by :math:`1 - 20 = -19` each step, and lr = 1e-10 by
:math:`1 - 2 \\cdot 10^{-10}`, so 100 steps move x by 2e-8 of itself; lr = 0.5
gives the factor 0 and lands on the minimum in one step.

For a network the loss is not a quadratic and the Hessian changes as the
weights move: :math:`2 / \\lambda_{\\max}` is not a hard wall. Gradient descent
with a larger rate first spikes, then moves to flatter weights where
:math:`\\lambda_{\\max} \\approx 2 / \\eta` (the catapult, and the *edge of
stability* of Cohen et al., 2021): follow it with
:class:`~nnlearn.analysis.tracking.SharpnessTracker`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from nnlearn._shared.validation import as_float_array, check_callable, check_positive_finite
from nnlearn.calculus.derivatives import hessian


@dataclass
class StepSizeLimit:
    """The Hessian's eigenvalues at a point and the largest stable learning rate.

    Attributes
    ----------
    eigenvalues : numpy.ndarray
        Ascending.
    sharpness : float
        :math:`\\lambda_{\\max}`.
    limit : float
        :math:`2 / \\lambda_{\\max}` (infinite when :math:`\\lambda_{\\max} \\le 0`).
    """

    eigenvalues: np.ndarray
    sharpness: float
    limit: float

    def factors(self, lr: float) -> np.ndarray:
        """:math:`1 - \\eta \\lambda_i`: what one step multiplies each eigen-direction by."""
        return 1.0 - check_positive_finite(lr, "lr") * self.eigenvalues


def step_size_limit(f: Callable[[np.ndarray], Any], x: ArrayLike) -> StepSizeLimit:
    """The eigenvalues of the Hessian of ``f`` at ``x`` and :math:`2 / \\lambda_{\\max}`.

    The Hessian is :func:`~nnlearn.hessian` (accurate numerical second
    derivatives); on a quadratic the limit is exact everywhere.

    Examples
    --------
    >>> from nnlearn import function_2
    >>> limit = step_size_limit(function_2, [-3.0, 4.0])
    >>> limit.eigenvalues.round(12), round(limit.limit, 12)
    (array([2., 2.]), 1.0)
    >>> limit.factors(10.0).round(12)   # lr = 10: x times -19 each step
    array([-19., -19.])
    >>> float(limit.factors(1e-10)[0])  # lr = 1e-10: x times 1 - 2e-10
    0.9999999998
    >>> step_size_limit(lambda x: x[0]**2 / 20 + x[1]**2, [1.0, 1.0]).eigenvalues.round(12)
    array([0.1, 2. ])
    """
    check_callable(f, "f")
    x = as_float_array(x, "x").astype(np.float64)
    matrix = hessian(f, x)
    eigenvalues = np.linalg.eigvalsh((matrix + matrix.T) / 2)
    sharpness = float(eigenvalues[-1])
    return StepSizeLimit(eigenvalues, sharpness, 2.0 / sharpness if sharpness > 0 else np.inf)
