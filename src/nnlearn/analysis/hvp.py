"""Hessian-vector products of a network's loss: exact (R-operator) and by central differences.

:func:`hvp` is exact: Pearlmutter's R-operator applied to the forward and
backward passes (rules in :mod:`nnlearn.analysis.rules`) gives
:math:`Hv = \\frac{d}{d\\alpha} \\nabla L(\\theta + \\alpha v)\\big|_{\\alpha=0}` to
rounding error, for about the cost of two gradients, with no step to choose.

:func:`hvp_central_difference` is the teaching comparison, :math:`Hv \\approx
(\\nabla L(\\theta + \\varepsilon v) - \\nabla L(\\theta - \\varepsilon v)) / 2\\varepsilon`.
What it gets wrong: its truncation error grows as :math:`\\varepsilon^2` and its
rounding error as :math:`10^{-16} / \\varepsilon`, so even the best step leaves about
1e-11 relative error on a smooth network (the book's 784-50-10 sigmoid net on 1000 MNIST
images: 3e-11 at :math:`\\varepsilon` = 1e-6, 3e-7 at 1e-4, 3e-3 at 1e-2). On a ReLU
network, once :math:`\\pm\\varepsilon v` moves a pre-activation across 0 the two
gradients see different sets of active units and the quotient is off by O(1): the same
net with ReLU gives relative errors of 0.15 to 0.58 for :math:`\\varepsilon` from 1e-2
down to 1e-5 (the issue measured 8.7 on another net), and agrees only once no unit
crosses its kink; the exact HVP is that of the piecewise-quadratic region the weights are in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from nnlearn._shared.validation import check_positive_finite
from nnlearn.analysis.loss import NetworkLoss


def hvp(net: Any, x: ArrayLike, t: ArrayLike, v: Mapping[str, ArrayLike]) -> dict[str, np.ndarray]:
    """The Hessian of ``net``'s loss on ``(x, t)`` times ``v``, exactly, by the R-operator.

    .. math:: (Hv)_i = \\sum_j \\frac{\\partial^2 L}{\\partial \\theta_i \\partial \\theta_j} v_j

    Parameters
    ----------
    net : TwoLayerNet or MultiLayerNet
        Affine, Sigmoid, ReLU, Tanh layers and weight decay; dropout and
        batch normalisation in evaluation mode (see
        :class:`~nnlearn.analysis.loss.NetworkLoss`).
    x, t : array_like
        Samples ``(N, input_size)`` and labels ``(N,)`` or one-hot rows.
    v : dict of str to array_like
        A direction shaped like ``net.params`` (same keys and shapes).

    Returns
    -------
    dict of str to numpy.ndarray
        :math:`Hv`, float64, shaped like ``net.params``. Each call repeats
        the forward and backward pass; for many products, use
        :class:`~nnlearn.analysis.loss.NetworkLoss` or
        :func:`~nnlearn.analysis.operator.hessian_operator`.

    Examples
    --------
    Along the output bias of a two-class net the loss is a softmax of
    :math:`s + b_2`, whose Hessian is :math:`\\mathrm{diag}(p) - pp^\top`: for
    :math:`v = (1, -1)` in ``b2``, :math:`Hv = 2\\,\\overline{p_0 p_1}\\,(1, -1)`.

    >>> from nnlearn import TwoLayerNet, softmax
    >>> net = TwoLayerNet(3, 4, 2, weight_init_std=1.0, rng=0)
    >>> x, t = np.random.default_rng(1).random((6, 3)), np.array([0, 1, 1, 0, 1, 0])
    >>> v = {k: np.zeros_like(p) for k, p in net.params.items()}
    >>> v["b2"][:] = [1.0, -1.0]
    >>> p = softmax(net.predict(x))
    >>> hv = hvp(net, x, t, v)
    >>> bool(np.allclose(hv["b2"], 2 * np.mean(p[:, 0] * p[:, 1]) * np.array([1, -1]),
    ...                  rtol=1e-14))
    True
    """
    f = NetworkLoss(net, x, t, with_gradient=False)
    return f.unflatten(f.hvp(f.flatten(v)))


def hvp_central_difference(
    net: Any,
    x: ArrayLike,
    t: ArrayLike,
    v: Mapping[str, ArrayLike],
    eps: float | None = None,
) -> dict[str, np.ndarray]:
    """:math:`Hv` by central differences of backprop gradients (the teaching comparison).

    .. math:: Hv \\approx \\frac{\\nabla L(\\theta + \\varepsilon v)
              - \\nabla L(\\theta - \\varepsilon v)}{2 \\varepsilon}

    Parameters
    ----------
    eps : float, optional
        The step; by default :math:`\\varepsilon = 6 \\cdot 10^{-6}
        \\max(1, \\lVert\\theta\\rVert) / \\lVert v \\rVert` (the cube root of
        the machine epsilon, scaled). See the module docstring for its errors:
        about 1e-11 relative at best on smooth networks, O(1) on ReLU networks
        when a step crosses a kink. Use :func:`hvp` for the exact value.

    Examples
    --------
    >>> from nnlearn import TwoLayerNet
    >>> net = TwoLayerNet(3, 4, 2, weight_init_std=1.0, rng=0)
    >>> x, t = np.random.default_rng(1).random((6, 3)), np.array([0, 1, 1, 0, 1, 0])
    >>> v = {k: np.ones_like(p) for k, p in net.params.items()}
    >>> exact, approx = hvp(net, x, t, v), hvp_central_difference(net, x, t, v)
    >>> error = max(float(np.abs(exact[k] - approx[k]).max()) for k in v)
    >>> 1e-13 < error < 1e-8
    True
    """
    f = NetworkLoss(net, x, t)
    direction = f.flatten(v)
    norm = float(np.linalg.norm(direction))
    if norm == 0:
        return f.unflatten(np.zeros(f.size))
    if eps is None:
        eps = 6e-6 * max(1.0, float(np.linalg.norm(f.theta))) / norm
    eps = check_positive_finite(eps, "eps")
    _, plus = f.loss_and_gradient(f.theta + eps * direction)
    _, minus = f.loss_and_gradient(f.theta - eps * direction)
    return f.unflatten((plus - minus) / (2 * eps))
