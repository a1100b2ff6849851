"""The chapter-7 ``SimpleConvNet``: conv - ReLU - pool - affine - ReLU - affine - softmax."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from nnlearn._shared.validation import (
    check_non_negative_int,
    check_positive_finite,
    check_positive_int,
    make_rng,
)
from nnlearn.calculus import differentiate
from nnlearn.functions import accuracy
from nnlearn.nn.convolution import Convolution
from nnlearn.nn.convolution import output_size as fitted_size
from nnlearn.nn.layer_net import check_dtype
from nnlearn.nn.layers import Affine, ReLU, SoftmaxWithLoss
from nnlearn.nn.pooling import Pooling

#: The book's convolution settings.
CONV_PARAM = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}

#: Samples per forward pass when ``predict`` gets a large batch, to bound memory.
PREDICT_CHUNK = 500


def _check_conv_param(conv_param: dict[str, int] | None) -> dict[str, int]:
    if conv_param is None:
        return dict(CONV_PARAM)
    if not isinstance(conv_param, dict) or not set(conv_param) <= set(CONV_PARAM):
        raise ValueError(f"conv_param must be a dict with keys among {sorted(CONV_PARAM)}, "
                         f"got {conv_param!r}")
    param = {**CONV_PARAM, **conv_param}
    for key in ("filter_num", "filter_size", "stride"):
        check_positive_int(param[key], f"conv_param[{key!r}]")
    check_non_negative_int(param["pad"], "conv_param['pad']")
    return {key: int(value) for key, value in param.items()}


class SimpleConvNet:
    """The chapter's convolutional network, trained by backpropagation.

    .. math:: s = \\mathrm{relu}(\\mathrm{pool}(\\mathrm{relu}(W_1 \\star x + b_1)) W_2 + b_2)
              W_3 + b_3, \\qquad L = -\\frac1N \\sum_n \\log \\mathrm{softmax}(s_n)_{t_n}

    Layers: ``Convolution -> ReLU -> Pooling(2, 2, stride=2) -> Affine -> ReLU
    -> Affine -> SoftmaxWithLoss``, weights drawn from
    :math:`\\mathcal N(0, \\mathtt{weight\\_init\\_std}^2)` in the book's order,
    zero biases. It has the interface of :class:`~nnlearn.TwoLayerNet`, so
    :class:`~nnlearn.Trainer`, checkpoints and :func:`~nnlearn.check_network`
    take it as they are.

    Parameters
    ----------
    input_dim : (C, H, W), default (1, 28, 28)
    conv_param : dict, optional
        ``filter_num`` (30), ``filter_size`` (5), ``pad`` (0), ``stride`` (1).
        The convolution's output size must be even, for the 2×2 pooling.
    hidden_size, output_size : int, default 100 and 10
    weight_init_std : float, default 0.01
    dtype : float32 or float64, default float64
    rng : int or numpy.random.Generator, optional
        Seed or generator for the initial weights, kept as ``rng``.

    Attributes
    ----------
    params : dict of str to numpy.ndarray
        ``W1`` (filters, shape (F, C, FS, FS)), ``b1``, ``W2``, ``b2``, ``W3``,
        ``b3``: the arrays the layers use; update them in place.
    buffers : dict
        Empty (the interface of the other networks).
    layers : list
        The layers in order; ``last_layer`` is the ``SoftmaxWithLoss``.

    Input ``x`` is a batch of images ``(N, C, H, W)`` or of flat rows
    ``(N, C*H*W)`` as the datasets give them, or one image (``(C, H, W)`` or
    ``(C*H*W,)``, giving scores of shape ``(output_size,)``).

    Examples
    --------
    >>> net = SimpleConvNet((1, 8, 8), {"filter_num": 3, "filter_size": 3}, 5, 3, 0.1, rng=0)
    >>> {name: p.shape for name, p in net.params.items()}
    {'W1': (3, 1, 3, 3), 'b1': (3,), 'W2': (27, 5), 'b2': (5,), 'W3': (5, 3), 'b3': (3,)}
    >>> x, t = np.random.default_rng(1).random((2, 64)), np.array([0, 2])
    >>> net.loss(x, t)  # near log 3 = 1.0986 while the weights are small
    1.0942695731396523
    >>> grads, numerical = net.gradient(x, t), net.numerical_gradient(x, t)
    >>> max(float(np.abs(grads[k] - numerical[k]).max()) for k in grads) < 1e-9
    True
    """

    def __init__(
        self,
        input_dim: tuple[int, int, int] = (1, 28, 28),
        conv_param: dict[str, int] | None = None,
        hidden_size: int = 100,
        output_size: int = 10,
        weight_init_std: float = 0.01,
        *,
        dtype: DTypeLike = np.float64,
        rng: int | np.random.Generator | None = None,
    ):
        if len(tuple(input_dim)) != 3:
            raise ValueError(f"input_dim must be (channels, height, width), got {input_dim!r}")
        self.input_dim = tuple(check_positive_int(d, "input_dim") for d in input_dim)
        self.conv_param = _check_conv_param(conv_param)
        self.hidden_size = check_positive_int(hidden_size, "hidden_size")
        self.output_size = check_positive_int(output_size, "output_size")
        std = check_positive_finite(weight_init_std, "weight_init_std")
        self.weight_init_std = std
        self.dtype = check_dtype(dtype)
        self.rng = make_rng(rng)
        channels, height, width = self.input_dim
        self.input_size = channels * height * width
        fn, fs, pad, stride = (self.conv_param[k] for k in ("filter_num", "filter_size", "pad",
                                                             "stride"))
        conv_h = fitted_size(height, fs, stride, pad, "H")
        conv_w = fitted_size(width, fs, stride, pad, "W")
        if conv_h % 2 or conv_w % 2:
            raise ValueError(
                f"input_dim {self.input_dim} and conv_param {self.conv_param} give a "
                f"convolution output of {conv_h}×{conv_w}, which the 2×2 pooling with stride 2 "
                f"cannot halve: OH = (H + 2P - FH) / S + 1 must be even")
        pool_size = fn * (conv_h // 2) * (conv_w // 2)
        shapes = {"W1": (fn, channels, fs, fs), "W2": (pool_size, self.hidden_size),
                  "W3": (self.hidden_size, self.output_size)}
        self.params: dict[str, np.ndarray] = {}
        for i, shape in enumerate(shapes.values(), start=1):
            self.params[f"W{i}"] = (std * self.rng.standard_normal(shape)).astype(self.dtype)
            self.params[f"b{i}"] = np.zeros(shape[0] if i == 1 else shape[1], self.dtype)
        self.buffers: dict[str, np.ndarray] = {}
        p = self.params
        self.layers: list[Any] = [
            Convolution(p["W1"], p["b1"], stride, pad, input_grad=False),
            ReLU(inplace=True),  # over the convolution's output, which nothing else holds
            Pooling(2, 2, stride=2),
            Affine(p["W2"], p["b2"]),
            ReLU(),
            Affine(p["W3"], p["b3"]),
        ]
        self.last_layer = SoftmaxWithLoss()
        self._sites = [("W1", 0), ("b1", 0), ("W2", 3), ("b2", 3), ("W3", 5), ("b3", 5)]

    def __repr__(self) -> str:
        return (f"SimpleConvNet(input_dim={self.input_dim}, conv_param={self.conv_param}, "
                f"hidden_size={self.hidden_size}, output_size={self.output_size}, "
                f"dtype={self.dtype.name})")

    def astype(self, dtype: DTypeLike) -> SimpleConvNet:
        """A copy computing in ``dtype``: same parameters (converted) and generator state."""
        twin = SimpleConvNet(self.input_dim, self.conv_param, self.hidden_size, self.output_size,
                             self.weight_init_std, dtype=dtype, rng=0)
        for name, array in self.params.items():
            twin.params[name][...] = array
        twin.rng.bit_generator.state = self.rng.bit_generator.state
        return twin

    def _as_batch(self, x: ArrayLike) -> tuple[np.ndarray, bool]:
        """``x`` as an (N, C, H, W) array of the network's dtype, and whether it was one image."""
        x = np.asarray(x)
        shape = x.shape
        if x.dtype != self.dtype:
            if x.dtype.kind not in "biuf":
                raise TypeError(f"x must hold real numbers, got dtype {x.dtype}")
            x = x.astype(self.dtype)
        single = shape in (self.input_dim, (self.input_size,))
        if single:
            x = x.reshape(1, *self.input_dim)
        elif x.ndim == 2 and x.shape[1] == self.input_size and len(x):
            x = x.reshape(len(x), *self.input_dim)
        elif x.ndim != 4 or x.shape[1:] != self.input_dim or not len(x):
            raise ValueError(
                f"x must be a batch of images (N, {', '.join(map(str, self.input_dim))}) or of "
                f"flat rows (N, {self.input_size}), or one image {self.input_dim} or "
                f"({self.input_size},), got shape {shape}")
        return x, single

    def _forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def predict(self, x: ArrayLike, train_flg: bool = False) -> np.ndarray:
        """Scores (logits) before the softmax, shape ``(N, output_size)``.

        Large batches run ``PREDICT_CHUNK`` samples at a time, so memory stays
        bounded. ``train_flg`` is accepted for the interface of the other
        networks (this one behaves the same in both modes).
        """
        x, single = self._as_batch(x)
        scores = np.concatenate([self._forward(x[start:start + PREDICT_CHUNK])
                                 for start in range(0, len(x), PREDICT_CHUNK)])
        return scores[0] if single else scores

    def loss(self, x: ArrayLike, t: ArrayLike, train_flg: bool = False) -> float:
        """Mean cross-entropy of the softmax of the scores (``t``: labels or one-hot rows)."""
        x, single = self._as_batch(x)
        if single:
            t = np.reshape(t, (1, *np.shape(t)))
        return self.last_layer.forward(self._forward(x), t)

    def loss_and_gradient(self, x: ArrayLike, t: ArrayLike) -> tuple[float, dict[str, np.ndarray]]:
        """The loss and its gradient by backpropagation: one forward, one backward."""
        loss = self.loss(x, t, train_flg=True)
        dout = self.last_layer.backward(1.0)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        grads = {name: getattr(self.layers[k], "d" + name[0]) for name, k in self._sites}
        return loss, grads

    def gradient(self, x: ArrayLike, t: ArrayLike) -> dict[str, np.ndarray]:
        """Gradient of ``loss(x, t)`` by backpropagation, keyed like ``params``."""
        return self.loss_and_gradient(x, t)[1]

    def accuracy(self, x: ArrayLike, t: ArrayLike) -> float:
        """Fraction of samples whose highest score is the label (``t``: labels or one-hot)."""
        return accuracy(self.predict(x), t)

    def numerical_gradient(self, x: ArrayLike, t: ArrayLike) -> dict[str, np.ndarray]:
        """Central differences of the loss for every parameter entry: the seed's loop, h = 1e-4.

        .. math:: \\frac{\\partial L}{\\partial \\theta_i} \\approx
                  \\frac{L(\\theta + h e_i) - L(\\theta - h e_i)}{2h}

        :func:`nnlearn.numerical_gradient` on each parameter, moved in place:
        two full forward passes per entry, for small networks and inputs
        only. A float32 network is differentiated through its float64 copy,
        free of float32 rounding. A step of h that crosses a kink (a ReLU
        input or two pooled values within h of each other, likely with the
        book's small initial weights) makes that entry's difference quotient
        wrong; :func:`~nnlearn.check_network` steps by 1e-6. Returns arrays
        keyed like ``params``, in the network's dtype.
        """
        net = self if self.dtype == np.float64 else self.astype(np.float64)
        x, single = net._as_batch(x)
        if single:
            t = np.reshape(t, (1, *np.shape(t)))
        return {
            name: differentiate.numerical_gradient(lambda _: net.loss(x, t), param).astype(
                self.dtype, copy=False)
            for name, param in net.params.items()
        }
