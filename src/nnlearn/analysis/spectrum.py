"""The extreme eigenvalues of a network's Hessian, by Lanczos (SciPy's ``eigsh``).

The largest eigenvalue :math:`\\lambda_{\\max}` is the *sharpness*: gradient
descent with learning rate :math:`\\eta` is stable on a quadratic only when
:math:`\\eta < 2 / \\lambda_{\\max}`. The most negative ones show how far the
weights are from a minimum.

Lanczos (ARPACK's implicitly restarted version, through ``eigsh`` on the
:class:`~nnlearn.analysis.operator.HessianOperator`) reaches full precision
in a few dozen Hessian-vector products, where power iteration, as in
PyHessian, needs hundreds, and stopped at a loose tolerance returns values a
few percent low.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.sparse.linalg import eigsh

from nnlearn._shared.validation import check_non_negative_finite, check_positive_int, make_rng
from nnlearn.analysis.operator import as_operator

#: ``which`` of :func:`top_eigenvalues` -> ARPACK's name.
WHICH = {"largest": "LA", "smallest": "SA"}


@dataclass
class EigenResult:
    """Eigenvalues of the Hessian, and how many Hessian-vector products they cost.

    Attributes
    ----------
    values : numpy.ndarray
        Largest first (``which="largest"``) or most negative first (``"smallest"``).
    vectors : numpy.ndarray or None
        The unit eigenvectors as flat columns ``(n, k)``, in the order of ``values``.
    n_hvp : int
    """

    values: np.ndarray
    vectors: np.ndarray | None
    n_hvp: int


def top_eigenvalues(
    net: Any,
    x: ArrayLike | None = None,
    t: ArrayLike | None = None,
    k: int = 1,
    *,
    which: str = "largest",
    tol: float = 1e-10,
    rng: int | np.random.Generator | None = 0,
    v0: ArrayLike | None = None,
) -> EigenResult:
    """The ``k`` largest (or most negative) eigenvalues of the Hessian of ``net``'s loss.

    Parameters
    ----------
    net : TwoLayerNet, MultiLayerNet, NetworkLoss or HessianOperator
        With a network, ``x`` and ``t`` are its data.
    k : int
        How many; fewer than the number of parameters.
    which : {"largest", "smallest"}
        The algebraically largest (the sharpness first) or smallest (most negative first).
    tol : float
        Relative accuracy asked of ARPACK (0: machine precision).
    rng : int or Generator
        Draws the starting vector (so results are reproducible) unless ``v0`` is given.
    v0 : array_like, optional
        A flat starting vector, such as the top eigenvector at nearby weights.

    Examples
    --------
    >>> from nnlearn import TwoLayerNet
    >>> from nnlearn.analysis import dense_hessian
    >>> net = TwoLayerNet(4, 3, 2, weight_init_std=1.0, rng=0)
    >>> x, t = np.random.default_rng(1).random((5, 4)), np.array([0, 1, 1, 0, 1])
    >>> result = top_eigenvalues(net, x, t, k=2)
    >>> exact = np.linalg.eigvalsh(dense_hessian(net, x, t))
    >>> bool(np.allclose(result.values, exact[::-1][:2], rtol=1e-9))
    True
    """
    op = as_operator(net, x, t)
    n = op.shape[0]
    k = check_positive_int(k, "k")
    if k >= n:
        raise ValueError(f"k must be less than the number of parameters ({n}), got {k}; for "
                         "every eigenvalue use numpy.linalg.eigvalsh(dense_hessian(net, x, t))")
    if which not in WHICH:
        raise ValueError(f"which must be one of {', '.join(map(repr, WHICH))}, got {which!r}")
    tol = check_non_negative_finite(tol, "tol")
    if v0 is None:
        v0 = make_rng(rng).standard_normal(n)
    else:
        v0 = np.asarray(v0, dtype=np.float64)
        if v0.shape != (n,):
            raise ValueError(f"v0 must have shape ({n},), got {v0.shape}")
    before = op.loss.n_hvp
    values, vectors = eigsh(op, k=k, which=WHICH[which], tol=tol, v0=v0)
    order = np.argsort(values)
    if which == "largest":
        order = order[::-1]
    return EigenResult(values[order], vectors[:, order], op.loss.n_hvp - before)
