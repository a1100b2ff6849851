"""The seed's ``simpleNet``: one weight matrix, softmax and cross-entropy."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from nnlearn._shared.validation import as_float_array, make_rng
from nnlearn.calculus import differentiate
from nnlearn.functions import cross_entropy_error, match_targets, one_hot, softmax


class SimpleNet:
    """One affine layer without bias, softmax and cross-entropy: the seed's ``simpleNet``.

    .. math:: L(W) = \\mathrm{CEE}(\\mathrm{softmax}(x W), t),
              \\quad W \\in \\mathbb{R}^{2 \\times 3}

    Parameters
    ----------
    W : array_like, shape (2, 3), optional
        The weights. By default drawn from ``rng.standard_normal((2, 3))``.
    rng : int or numpy.random.Generator, optional
        Seed or generator for the random weights.

    Examples
    --------
    >>> net = SimpleNet(W=[[0.47355232, 0.9977393, 0.84668094],
    ...                    [0.85557411, 0.03563661, 0.69422093]])
    >>> x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
    >>> net.loss(x, t)
    0.9280682857864075
    >>> net.numerical_gradient(x, t).round(8)
    array([[ 0.21924757,  0.14356243, -0.36281   ],
           [ 0.32887136,  0.21534364, -0.544215  ]])
    """

    shape = (2, 3)

    def __init__(self, W: ArrayLike | None = None, *, rng: int | np.random.Generator | None = None):
        if W is None:
            self.W = make_rng(rng).standard_normal(self.shape)
        else:
            W = as_float_array(W, "W").astype(np.float64)
            if W.shape != self.shape:
                raise ValueError(f"W must have shape {self.shape}, got {W.shape}")
            self.W = W

    def _check_x(self, x: ArrayLike) -> np.ndarray:
        x = as_float_array(x, "x")
        if x.ndim not in (1, 2) or x.shape[-1] != self.shape[0]:
            raise ValueError(
                f"x must have shape ({self.shape[0]},) or (batch, {self.shape[0]}), "
                f"got {x.shape}"
            )
        return x

    def predict(self, x: ArrayLike) -> np.ndarray:
        """Scores :math:`x W`, shape (3,) or (batch, 3)."""
        return self._check_x(x) @ self.W

    def loss(self, x: ArrayLike, t: ArrayLike) -> float:
        """Cross-entropy of the softmax of the scores against ``t`` (one-hot or labels)."""
        return cross_entropy_error(softmax(self.predict(x)), t)

    def numerical_gradient(self, x: ArrayLike, t: ArrayLike) -> np.ndarray:
        """:math:`\\partial L / \\partial W` by central differences (``self.W`` moved in place)."""
        return differentiate.numerical_gradient(lambda W: self.loss(x, t), self.W)

    def gradient(self, x: ArrayLike, t: ArrayLike) -> np.ndarray:
        """Analytic gradient :math:`x^\\top (\\mathrm{softmax}(xW) - t) / N`.

        It differs from :meth:`numerical_gradient` by about 1e-7, the effect of
        the ``delta`` inside :func:`~nnlearn.functions.cross_entropy_error`.
        """
        x = self._check_x(x)
        y, t = match_targets(softmax(x @ self.W), t)
        x = x.reshape(y.shape[0], -1)
        if t.ndim == 1:
            t = one_hot(t, y.shape[1])
        return x.T @ (y - t) / x.shape[0]
