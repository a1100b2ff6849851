"""The Hessian of a network's loss as a SciPy ``LinearOperator``, and densely for small networks.

A matrix-free operator is what SciPy's solvers take (``eigsh``, ``cg``,
``expm_multiply``): its ``matvec`` is one exact Hessian-vector product
(:meth:`~nnlearn.analysis.loss.NetworkLoss.hvp`), its ``matmat`` computes ``k``
at once. The dense Hessian costs ``n`` products: fine up to a few thousand
parameters.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.sparse.linalg import LinearOperator

from nnlearn._shared.validation import check_positive_int
from nnlearn.analysis.loss import NetworkLoss

#: Largest number of parameters for which :func:`dense_hessian` builds the matrix by default.
DENSE_LIMIT = 5000


class HessianOperator(LinearOperator):
    """:math:`v \\mapsto Hv` over the flat parameters of a :class:`NetworkLoss`; symmetric.

    Attributes
    ----------
    loss : NetworkLoss
        The loss, its flat parameters (``loss.theta``) and the HVP count
        (``loss.n_hvp``).
    """

    def __init__(self, loss: NetworkLoss):
        super().__init__(dtype=np.float64, shape=(loss.size, loss.size))
        self.loss = loss

    def _matvec(self, v: np.ndarray) -> np.ndarray:
        return self.loss.hvp(np.ravel(v))

    def _matmat(self, V: np.ndarray) -> np.ndarray:
        return self.loss.hvp(V)

    def _adjoint(self) -> HessianOperator:
        return self


def as_operator(net: Any, x: ArrayLike | None, t: ArrayLike | None) -> HessianOperator:
    """The Hessian operator of ``net`` on ``(x, t)``; a :class:`NetworkLoss` or an operator
    given as ``net`` (with ``x`` and ``t`` None) is used as it is."""
    if isinstance(net, HessianOperator):
        return net
    if isinstance(net, NetworkLoss):
        return HessianOperator(net)
    if x is None or t is None:
        raise ValueError("x and t are needed with a network")
    return HessianOperator(NetworkLoss(net, x, t))


def hessian_operator(net: Any, x: ArrayLike, t: ArrayLike) -> HessianOperator:
    """The Hessian of ``net``'s loss on ``(x, t)`` as a ``scipy.sparse.linalg.LinearOperator``.

    The parameters are read (and copied) now; ``op.loss.unflatten`` turns a
    flat vector back into a dict shaped like ``net.params``.

    Examples
    --------
    >>> from scipy.sparse.linalg import eigsh
    >>> from nnlearn import TwoLayerNet
    >>> net = TwoLayerNet(4, 3, 2, weight_init_std=1.0, rng=0)
    >>> x, t = np.random.default_rng(1).random((5, 4)), np.array([0, 1, 1, 0, 1])
    >>> op = hessian_operator(net, x, t)
    >>> op.shape
    (23, 23)
    >>> top = eigsh(op, k=1, which="LA", return_eigenvectors=False)
    >>> bool(np.isclose(top[0], np.linalg.eigvalsh(dense_hessian(net, x, t))[-1], rtol=1e-12))
    True
    """
    return as_operator(net, x, t)


def dense_hessian(
    net: Any, x: ArrayLike, t: ArrayLike, *, max_size: int = DENSE_LIMIT
) -> np.ndarray:
    """The full Hessian matrix :math:`\\partial^2 L / \\partial\\theta_i \\partial\\theta_j`.

    Built from ``n`` exact Hessian-vector products (the columns of the
    identity, many at a time); ``n`` = the number of parameters must be at
    most ``max_size``, since the matrix takes :math:`8 n^2` bytes.
    """
    op = as_operator(net, x, t)
    n = op.shape[0]
    if n > check_positive_int(max_size, "max_size"):
        raise ValueError(f"the network has {n} parameters, more than max_size={max_size} for a "
                         f"dense Hessian ({8 * n * n / 1e9:.1f} GB); use hessian_operator instead")
    return op.matmat(np.eye(n))
