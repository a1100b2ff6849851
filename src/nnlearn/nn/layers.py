"""Backpropagation layers: each one a ``forward`` and a ``backward``, as in the chapter.

``forward(x)`` computes the output and keeps what the derivative needs;
``backward(dout)`` takes :math:`\\partial L / \\partial \\mathrm{out}` and returns
:math:`\\partial L / \\partial x`, leaving the parameter gradients on the layer
(``dW``, ``db``, ``dgamma``, ``dbeta``). ``backward`` never changes what
``forward`` kept, so calling it twice gives the same gradients.

Parameters are held by reference: ``Affine(W, b)`` uses the very arrays it is
given, so updating them in place (``W -= lr * dW``) changes the layer. Arrays
keep their dtype: float32 in, float32 out and float32 gradients.

Besides ``forward``, each layer has ``evaluate(x)``: the same computation on
stacked copies of a batch, shape ``(..., N, D)``, without side effects and in
the mode of the last ``forward`` (same dropout mask, same kind of batch-norm
statistics). Layers that act on each feature separately (activations,
``Dropout``, ``BatchNormalization``) also have ``evaluate_column(c, j)``, the
output column ``j`` for a new input column ``c`` of shape ``(..., N)``. The
networks use them to recompute only what a perturbed parameter changes.

The module is about 480 lines: every layer of chapters 5 and 6, each with its
forward, backward and column evaluation, side by side as the book keeps them in
one ``common/layers.py``; convolution and pooling have modules of their own.
"""

from __future__ import annotations

import numpy as np

from nnlearn._shared.validation import make_rng
from nnlearn.functions import match_targets, sigmoid

#: Added to the batch variance in :class:`BatchNormalization` (the book's ``10e-7``).
BATCHNORM_EPS = 1e-6

#: From this many rows of scores on, the softmax reduces them in a faster way.
_MANY_ROWS = 32


def _softmax_cross_entropy(x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, ...]:
    """Cross-entropy of softmax over the last axis, averaged over the batch axis (-2).

    Through log-softmax, :math:`-\\log y_k = \\log \\sum_i e^{x_i - c} - (x_k - c)`
    with :math:`c = \\max_i x_i`: no ``exp`` overflows and no ``log`` sees 0.
    ``t`` holds labels of shape ``(N,)`` or targets of ``x``'s shape. Returns
    the loss of each stacked copy (shape ``x.shape[:-2]``) and, for the
    gradient, :math:`e^{x - c}` and its sums over the last axis.
    """
    if x.size >= _MANY_ROWS * x.shape[-1]:
        # NumPy reduces many short rows slowly: the maximum over a transposed copy and the
        # sum as a product with ones are several times faster for (..., N, 10) scores
        row_max = np.ascontiguousarray(np.swapaxes(x, -1, -2)).max(axis=-2)
        shifted = x - row_max[..., np.newaxis]
        exp = np.exp(shifted)
        total = exp @ np.ones(x.shape[-1], x.dtype)
    else:
        shifted = x - x.max(axis=-1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=-1)
    log_total = np.log(total)
    n = x.shape[-2]
    if t.ndim == 1:
        loss = np.sum(log_total - shifted[..., np.arange(n), t], axis=-1)
    else:
        loss = (log_total * t.sum(axis=-1)).sum(axis=-1) - np.sum(shifted * t, axis=(-2, -1))
    return loss / n, exp, total


def _center(x: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over ``axis`` (the batch axis), ``x`` minus it, and the biased variance; axis kept."""
    n = x.shape[axis]
    mean = x.sum(axis=axis, keepdims=True) / n
    xc = x - mean
    return mean, xc, np.sum(xc * xc, axis=axis, keepdims=True) / n


class Affine:
    """Fully connected layer :math:`\\mathrm{out} = x W + b`.

    ``x`` may have any shape ``(N, ...)``: each sample is flattened to a row,
    and ``backward`` gives ``dx`` back in the original shape.

    Parameters
    ----------
    W : numpy.ndarray, shape (D_in, D_out)
        Weights, held by reference.
    b : numpy.ndarray, shape (D_out,)
        Bias, held by reference.
    input_grad : bool, default True
        Whether ``backward`` computes ``dx``. The first layer of a network
        does not need it, and skipping it saves a matrix product as large as
        the forward one; ``backward`` then returns ``None``.

    Examples
    --------
    >>> layer = Affine(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -0.5]))
    >>> layer.forward(np.array([[1.0, 1.0]]))
    array([[4.5, 5.5]])
    >>> layer.backward(np.array([[1.0, 0.0]]))
    array([[1., 3.]])
    >>> layer.dW, layer.db
    (array([[1., 0.],
           [1., 0.]]), array([1., 0.]))
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, *, input_grad: bool = True):
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(
                f"W must be 2-D and b of shape (W.shape[1],), got W {W.shape} and b {b.shape}"
            )
        self.W = W
        self.b = b
        self.input_grad = input_grad
        self.x: np.ndarray | None = None
        self.x_shape: tuple[int, ...] = ()
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def _rows(self, x: np.ndarray) -> np.ndarray:
        """``x`` with one row per sample, kept with its shape for ``backward``."""
        self.x_shape = x.shape
        if x.ndim != 2:
            x = x.reshape(x.shape[0], -1)
        if x.shape[1] != self.W.shape[0]:
            raise ValueError(
                f"x must have {self.W.shape[0]} values per sample, got shape {self.x_shape}"
            )
        self.x = x
        return x

    def forward(self, x: np.ndarray) -> np.ndarray:
        out = self._rows(x) @ self.W
        out += self.b
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        if not self.input_grad:
            return None
        if self.x.flags.f_contiguous and not self.x.flags.c_contiguous:
            # x was a column-major view (a pooling layer's output): dx in the same layout
            return (self.W @ dout.T).T.reshape(self.x_shape)
        return (dout @ self.W.T).reshape(self.x_shape)

    def evaluate(self, x: np.ndarray) -> np.ndarray:
        out = x @ self.W
        out += self.b
        return out


class _Elementwise:
    """An activation: the output column ``j`` depends on the input column ``j`` only."""

    def evaluate_column(self, c: np.ndarray, j: int) -> np.ndarray:
        return self.evaluate(c)


class Sigmoid(_Elementwise):
    """:math:`y = 1 / (1 + e^{-x})`, backward :math:`dx = dout \\cdot y (1 - y)`.

    Examples
    --------
    >>> layer = Sigmoid()
    >>> layer.forward(np.array([0.0, 2.0]))
    array([0.5       , 0.88079708])
    >>> layer.backward(np.array([1.0, 1.0]))
    array([0.25      , 0.10499359])
    """

    def __init__(self):
        self.out: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx = 1.0 - self.out
        dx *= self.out
        dx *= dout
        return dx

    def evaluate(self, x: np.ndarray) -> np.ndarray:
        return sigmoid(x)


class ReLU(_Elementwise):
    """:math:`y = \\max(0, x)`, backward :math:`dx = dout \\cdot [x > 0]`.

    Parameters
    ----------
    inplace : bool, default False
        Write the output over ``x`` and ``dx`` over ``dout`` (PyTorch's
        ``inplace=True``): no new arrays, for a network whose layers hand on
        arrays that nothing else holds, such as a convolution's output.

    Examples
    --------
    >>> layer = ReLU()
    >>> layer.forward(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 2.])
    >>> layer.backward(np.array([5.0, 5.0, 5.0]))
    array([0., 0., 5.])
    """

    def __init__(self, inplace: bool = False):
        self.inplace = inplace
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x > 0
        return np.maximum(x, 0, out=x if self.inplace else None)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return np.multiply(dout, self.mask, out=dout if self.inplace else None)

    def evaluate(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, 0)


class Tanh(_Elementwise):
    """:math:`y = \\tanh x`, backward :math:`dx = dout \\cdot (1 - y^2)`.

    Examples
    --------
    >>> layer = Tanh()
    >>> layer.forward(np.array([0.0, 1.0]))
    array([0.        , 0.76159416])
    >>> layer.backward(np.array([1.0, 1.0]))
    array([1.        , 0.41997434])
    """

    def __init__(self):
        self.out: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx = self.out * self.out
        np.subtract(1.0, dx, out=dx)
        dx *= dout
        return dx

    def evaluate(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(x)


class Dropout:
    """Dropout as in the book: train :math:`y = x \\cdot m`, eval :math:`y = x (1 - r)`.

    In training each unit is kept (mask :math:`m = 1`) when a uniform draw
    from ``rng`` exceeds the ratio :math:`r`; at evaluation every unit is kept
    and scaled by :math:`1 - r`, the expected mask. ``backward`` differentiates
    the mode of the last ``forward``.

    Parameters
    ----------
    dropout_ratio : float, default 0.5
        Probability :math:`r \\in [0, 1)` of dropping a unit.
    rng : int or numpy.random.Generator, optional
        Source of the masks; pass the network's generator so that a seeded
        run is reproducible.

    Examples
    --------
    >>> layer = Dropout(0.5, rng=0)
    >>> layer.forward(np.ones((2, 4)))
    array([[1., 0., 0., 0.],
           [1., 1., 1., 1.]])
    >>> layer.forward(np.ones((2, 4)), train_flg=False)
    array([[0.5, 0.5, 0.5, 0.5],
           [0.5, 0.5, 0.5, 0.5]])
    """

    def __init__(self, dropout_ratio: float = 0.5, *, rng: int | np.random.Generator | None = None):
        if isinstance(dropout_ratio, bool) or not isinstance(dropout_ratio, (int, float)):
            raise TypeError(f"dropout_ratio must be a number in [0, 1), got {dropout_ratio!r}")
        if not 0 <= dropout_ratio < 1:
            raise ValueError(f"dropout_ratio must be in [0, 1), got {dropout_ratio!r}")
        self.dropout_ratio = float(dropout_ratio)
        self.rng = make_rng(rng)
        self.train_flg = True
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray, train_flg: bool = True) -> np.ndarray:
        self.train_flg = train_flg
        if train_flg:
            self.mask = self.rng.random(x.shape) > self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self.train_flg:
            return dout * self.mask
        return dout * (1.0 - self.dropout_ratio)

    def evaluate(self, x: np.ndarray) -> np.ndarray:
        if self.train_flg:
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def evaluate_column(self, c: np.ndarray, j: int) -> np.ndarray:
        if self.train_flg:
            return c * self.mask[:, j]
        return c * (1.0 - self.dropout_ratio)


class BatchNormalization:
    """Batch normalisation :math:`y = \\gamma (x - \\mu) / \\sqrt{\\sigma^2 + \\epsilon} + \\beta`.

    In training, :math:`\\mu` and :math:`\\sigma^2` are the mean and (biased)
    variance of each feature over the batch, and the running statistics move
    towards them: :math:`m \\leftarrow \\rho m + (1 - \\rho) \\mu`, in place.
    At evaluation the running statistics are used instead. ``x`` has shape
    ``(N, D)``.

    Parameters
    ----------
    gamma, beta : numpy.ndarray, shape (D,)
        Scale and shift, held by reference.
    running_mean, running_var : numpy.ndarray, shape (D,)
        Running statistics, held by reference and updated in place (a network
        lists them in its ``buffers``). Start them at 0 and 1.
    momentum : float, default 0.9
        :math:`\\rho` above.
    eps : float, default 1e-6
        :math:`\\epsilon` above (the book's ``10e-7``).

    Examples
    --------
    >>> gamma, beta = np.ones(1), np.zeros(1)
    >>> layer = BatchNormalization(gamma, beta, np.zeros(1), np.ones(1), eps=0.0)
    >>> layer.forward(np.array([[1.0], [3.0]]))
    array([[-1.],
           [ 1.]])
    >>> layer.running_mean, layer.running_var
    (array([0.2]), array([1.]))
    """

    def __init__(
        self,
        gamma: np.ndarray,
        beta: np.ndarray,
        running_mean: np.ndarray,
        running_var: np.ndarray,
        *,
        momentum: float = 0.9,
        eps: float = BATCHNORM_EPS,
    ):
        shapes = {a.shape for a in (gamma, beta, running_mean, running_var)}
        if len(shapes) != 1 or gamma.ndim != 1:
            raise ValueError(
                "gamma, beta, running_mean and running_var must be 1-D of one shape, "
                f"got {[a.shape for a in (gamma, beta, running_mean, running_var)]}"
            )
        self.gamma, self.beta = gamma, beta
        self.running_mean, self.running_var = running_mean, running_var
        self.momentum = momentum
        self.eps = eps
        self.train_flg = True
        self.xc: np.ndarray | None = None
        self.xn: np.ndarray | None = None
        self.std: np.ndarray | None = None
        self.dgamma: np.ndarray | None = None
        self.dbeta: np.ndarray | None = None

    def forward(self, x: np.ndarray, train_flg: bool = True) -> np.ndarray:
        if x.ndim != 2 or x.shape[1] != self.gamma.shape[0]:
            raise ValueError(f"x must have shape (N, {self.gamma.shape[0]}), got {x.shape}")
        self.train_flg = train_flg
        if train_flg:
            mean, self.xc, var = _center(x, 0)
            self.running_mean *= self.momentum
            self.running_mean += (1.0 - self.momentum) * mean[0]
            self.running_var *= self.momentum
            self.running_var += (1.0 - self.momentum) * var[0]
        else:
            self.xc, var = x - self.running_mean, self.running_var
        self.std = np.sqrt(var + self.eps)
        self.xn = self.xc / self.std
        out = self.xn * self.gamma
        out += self.beta
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """:math:`dx = \\frac{\\gamma}{\\sigma}\\big(dout - \\frac{1}{N}\\sum dout
        - \\hat x \\frac{1}{N}\\sum dout\\,\\hat x\\big)` in training mode (the book's chain
        through :math:`\\sigma^2` and :math:`\\mu`, summed up: five array passes instead of
        nine); :math:`dx = \\gamma\\, dout / \\sigma` with the running statistics."""
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(self.xn * dout, axis=0)
        scale = self.gamma / self.std
        if not self.train_flg:
            return dout * scale
        n = dout.shape[0]
        dx = self.xn * (self.dgamma / n)
        dx += self.dbeta / n
        np.subtract(dout, dx, out=dx)
        dx *= scale
        return dx

    def evaluate(self, x: np.ndarray) -> np.ndarray:
        if self.train_flg:
            _, xc, var = _center(x, -2)
        else:
            xc, var = x - self.running_mean, self.running_var
        return self.gamma * (xc / np.sqrt(var + self.eps)) + self.beta

    def evaluate_column(self, c: np.ndarray, j: int) -> np.ndarray:
        if self.train_flg:
            _, cc, var = _center(c, -1)
        else:
            cc, var = c - self.running_mean[j], self.running_var[j]
        return self.gamma[j] * (cc / np.sqrt(var + self.eps)) + self.beta[j]


class SoftmaxWithLoss:
    """Softmax and cross-entropy in one layer, through log-softmax.

    .. math:: L = -\\frac1N \\sum_n \\sum_k t_{nk} \\log \\mathrm{softmax}(x_n)_k,
              \\qquad \\frac{\\partial L}{\\partial x_n} = \\frac{y_n \\sum_k t_{nk} - t_n}{N}

    ``t`` holds integer labels of shape ``(N,)`` or targets of the same shape
    as ``x`` (one-hot rows, for which the gradient is the book's
    :math:`(y - t) / N`). The logarithm is taken of the softmax in closed form,
    without the book's ``delta = 1e-7``, so the loss is smooth and backprop
    agrees with numerical gradients to about 1e-9 in float64 (with the delta,
    the last bias alone would show a false gap of about 1.4e-7).

    Examples
    --------
    >>> layer = SoftmaxWithLoss()
    >>> layer.forward(np.array([[0.0, 0.0], [0.0, np.log(3.0)]]), np.array([0, 1]))
    0.490415
    >>> layer.backward()
    array([[-0.25 ,  0.25 ],
           [ 0.125, -0.125]])
    """

    def __init__(self):
        self.t: np.ndarray | None = None
        self.x_shape: tuple[int, ...] = ()
        self.loss: float | None = None
        self._exp: np.ndarray | None = None
        self._total: np.ndarray | None = None

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        self.x_shape = x.shape
        if (
            x.ndim == 2
            and isinstance(t, np.ndarray)
            and t.dtype.kind in "iu"
            and t.shape == x.shape[:1]
            and t.size > 0
            and 0 <= t.min()
            and t.max() < x.shape[1]
        ):  # labels in range: the per-step fast path, O(N) on the labels only
            pass
        else:
            x, t = match_targets(x, t)
            if t.ndim == 2:
                t = t.astype(x.dtype, copy=False)
        loss, self._exp, self._total = _softmax_cross_entropy(x, t)
        self.t = t
        self.loss = float(loss)
        return self.loss

    @property
    def y(self) -> np.ndarray:
        """The softmax probabilities of the last ``forward``, shape ``(N, C)``."""
        return self._exp / self._total[:, np.newaxis]

    def backward(self, dout: float = 1.0) -> np.ndarray:
        dx = self.y
        n = dx.shape[0]
        if self.t.ndim == 1:
            dx[np.arange(n), self.t] -= 1.0
        else:
            dx *= self.t.sum(axis=1, keepdims=True)
            dx -= self.t
        dx *= dout / n
        return dx.reshape(self.x_shape)

    def evaluate(self, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        """The loss of each stacked copy in ``x`` (shape ``(..., N, C)``) against ``t``."""
        return _softmax_cross_entropy(x, t)[0]
