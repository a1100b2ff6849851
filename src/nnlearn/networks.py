"""Networks of the chapter: the seed's ``SimpleNet``, ``TwoLayerNet`` and ``MultiLayerNet``.

``TwoLayerNet`` and ``MultiLayerNet`` are stacks of :mod:`nnlearn.layers`
trained by backpropagation; both share one interface (``params``,
``predict``, ``loss``, ``accuracy``, ``gradient``, ``loss_and_gradient`` and
a fast whole-network ``numerical_gradient``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from nnlearn import differentiate
from nnlearn._validation import (
    as_float_array,
    check_non_negative_finite,
    check_positive_finite,
    check_positive_int,
    make_rng,
)
from nnlearn.functions import cross_entropy_error, match_targets, one_hot, softmax
from nnlearn.layers import (
    Affine,
    BatchNormalization,
    Dropout,
    ReLU,
    Sigmoid,
    SoftmaxWithLoss,
    Tanh,
)


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


#: Hidden-layer activations by name.
ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}

#: Layers whose ``forward`` takes ``train_flg``.
_MODAL_LAYERS = (Dropout, BatchNormalization)

#: Size (elements) of the largest array of one batched step of ``numerical_gradient``.
_CHUNK_ELEMENTS = 2**21


def _check_dtype(dtype: DTypeLike) -> np.dtype:
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


def _check_activation(activation: str) -> str:
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {', '.join(map(repr, ACTIVATIONS))}, got {activation!r}"
        )
    return activation


class _LayerNet:
    """Affine layers with activations (and batch norm, dropout) between them, then softmax.

    The shared machinery of :class:`TwoLayerNet` and :class:`MultiLayerNet`.

    Attributes
    ----------
    params : dict of str to numpy.ndarray
        ``W1``, ``b1``, ``W2``, ... (and ``gamma1``, ``beta1``, ... with batch
        normalisation). The layers use these very arrays: update them in place
        (``params[k] -= lr * grads[k]``, ``params[k][...] = saved``), never
        rebind an entry, or the network will not see the change.
    buffers : dict of str to numpy.ndarray
        Running statistics of batch normalisation (``running_mean1``,
        ``running_var1``, ...), updated in place by every training-mode
        forward pass; empty without batch normalisation. Save and restore them
        with the parameters.
    rng : numpy.random.Generator
        The generator that drew the initial weights and draws the dropout masks.
    layers : list
        The layers in order; ``last_layer`` is the :class:`SoftmaxWithLoss`.
    dtype : numpy.dtype
        float32 or float64: of every parameter, activation and gradient. Input
        of another dtype is converted (a copy) on each call.
    """

    def _build(
        self,
        sizes: list[int],
        stds: list[float],
        activation: str,
        *,
        dtype: DTypeLike,
        rng: int | np.random.Generator | None,
        weight_decay_lambda: float = 0.0,
        use_batchnorm: bool = False,
        use_dropout: bool = False,
        dropout_ratio: float = 0.5,
    ) -> None:
        self.dtype = _check_dtype(dtype)
        self.rng = make_rng(rng)
        self.input_size, self.output_size = sizes[0], sizes[-1]
        self.weight_decay_lambda = weight_decay_lambda
        self.params: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}
        self.layers: list = []
        self.last_layer = SoftmaxWithLoss()
        self._sites: list[tuple[str, int, str]] = []  # (param name, layer index, attribute)
        for i in range(1, len(sizes)):
            weights = stds[i - 1] * self.rng.standard_normal((sizes[i - 1], sizes[i]))
            W, b = weights.astype(self.dtype), np.zeros(sizes[i], self.dtype)
            self._add(Affine(W, b, input_grad=i > 1), i, W=W, b=b)
            if i == len(sizes) - 1:
                break
            if use_batchnorm:
                gamma, beta = np.ones(sizes[i], self.dtype), np.zeros(sizes[i], self.dtype)
                mean, var = np.zeros(sizes[i], self.dtype), np.ones(sizes[i], self.dtype)
                self.buffers[f"running_mean{i}"], self.buffers[f"running_var{i}"] = mean, var
                self._add(BatchNormalization(gamma, beta, mean, var), i, gamma=gamma, beta=beta)
            self._add(ACTIVATIONS[activation](), i)
            if use_dropout:
                self._add(Dropout(dropout_ratio, rng=self.rng), i)
        self._weights = {name: p for name, p in self.params.items() if name.startswith("W")}
        self._modal = [isinstance(layer, _MODAL_LAYERS) for layer in self.layers]

    def _add(self, layer: object, i: int, **params: np.ndarray) -> None:
        for attr, array in params.items():
            self.params[f"{attr}{i}"] = array
            self._sites.append((f"{attr}{i}", len(self.layers), attr))
        self.layers.append(layer)

    def astype(self, dtype: DTypeLike) -> _LayerNet:
        """A copy of the network computing in ``dtype``.

        Same architecture, parameters and running statistics (converted to
        ``dtype``), and a generator of its own in the same state as
        :attr:`rng`, so it draws the same dropout masks. A float64 copy of a
        float32 network is what :func:`~nnlearn.check_network` checks.
        """
        twin = type(self)(**self._config, dtype=dtype, rng=0)
        for name, array in self.params.items():
            twin.params[name][...] = array
        for name, array in self.buffers.items():
            twin.buffers[name][...] = array
        twin.rng.bit_generator.state = self.rng.bit_generator.state
        return twin

    # --- input checks -------------------------------------------------------------------

    def _as_batch(self, x: ArrayLike) -> tuple[np.ndarray, bool]:
        """``x`` as an ``(N, input_size)`` array of the network's dtype, and whether it was
        one sample (O(1) checks only)."""
        x = np.asarray(x)
        shape = x.shape
        if x.dtype != self.dtype:
            if x.dtype.kind not in "biuf":
                raise TypeError(f"x must hold real numbers, got dtype {x.dtype}")
            x = x.astype(self.dtype)
        single = x.ndim == 1
        if single:
            x = x.reshape(1, -1)
        if x.ndim == 0 or x.shape[0] == 0 or x.size != x.shape[0] * self.input_size:
            raise ValueError(
                f"x must have shape (batch, {self.input_size}) or ({self.input_size},) for one "
                f"sample (or (batch, ...) with {self.input_size} values per sample), got {shape}"
            )
        if x.ndim != 2:
            x = x.reshape(x.shape[0], self.input_size)
        return x, single

    def _as_batch_targets(self, x: ArrayLike, t: ArrayLike) -> tuple[np.ndarray, ArrayLike]:
        """``x`` as a batch, and ``t`` with a batch axis when ``x`` is one sample.

        ``t`` itself is checked by :class:`SoftmaxWithLoss` (labels in range,
        one-hot of the scores' shape): O(N) on the labels only.
        """
        x, single = self._as_batch(x)
        if single:
            t = np.reshape(t, (1, *np.shape(t)))
        return x, t

    # --- forward and backward -----------------------------------------------------------

    def _forward(
        self, x: np.ndarray, train_flg: bool, outputs: list[np.ndarray] | None = None
    ) -> np.ndarray:
        """The scores; with ``outputs``, every layer's output is appended to it."""
        for layer, modal in zip(self.layers, self._modal, strict=True):
            x = layer.forward(x, train_flg) if modal else layer.forward(x)
            if outputs is not None:
                outputs.append(x)
        return x

    def _decay_loss(self) -> float:
        """:math:`\\frac{\\lambda}{2} \\sum_l \\lVert W_l \\rVert^2`, 0 without weight decay."""
        if not self.weight_decay_lambda:
            return 0.0
        total = sum(float(np.vdot(W, W)) for W in self._weights.values())
        return 0.5 * self.weight_decay_lambda * total

    def _add_weight_decay(self, grads: dict[str, np.ndarray]) -> None:
        """Add :math:`\\lambda W` to each weight gradient (new arrays: the layers keep theirs)."""
        if self.weight_decay_lambda:
            for name, W in self._weights.items():
                grads[name] = grads[name] + self.weight_decay_lambda * W

    def predict(self, x: ArrayLike, train_flg: bool = False) -> np.ndarray:
        """Scores (logits) before the softmax, shape ``(batch, output_size)``.

        One sample of shape ``(input_size,)`` gives scores of shape
        ``(output_size,)``. ``train_flg=True`` runs dropout and batch
        normalisation in training mode, as in the book (batch statistics, a new
        dropout mask, running statistics updated).
        """
        x, single = self._as_batch(x)
        scores = self._forward(x, train_flg)
        return scores[0] if single else scores

    def loss(self, x: ArrayLike, t: ArrayLike, train_flg: bool = False) -> float:
        """Mean cross-entropy of the softmax of the scores, plus weight decay.

        .. math:: L = -\\frac1N \\sum_n \\log \\mathrm{softmax}(s_n)_{t_n}
                  + \\frac{\\lambda}{2} \\sum_l \\lVert W_l \\rVert^2

        ``t`` holds labels of shape ``(batch,)`` or one-hot rows of shape
        ``(batch, output_size)``. As in the book, ``train_flg`` defaults to
        evaluation mode; :meth:`gradient` differentiates the training-mode loss.
        """
        x, t = self._as_batch_targets(x, t)
        return self.last_layer.forward(self._forward(x, train_flg), t) + self._decay_loss()

    def loss_and_gradient(self, x: ArrayLike, t: ArrayLike) -> tuple[float, dict[str, np.ndarray]]:
        """The training-mode loss and its gradient by backpropagation: one forward, one backward.

        Returns
        -------
        loss : float
        grads : dict of str to numpy.ndarray
            Keyed like ``params``, in the network's dtype.
        """
        loss = self.loss(x, t, train_flg=True)
        dout = self.last_layer.backward(1.0)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        grads = {name: getattr(self.layers[k], "d" + attr) for name, k, attr in self._sites}
        self._add_weight_decay(grads)
        return loss, grads

    def gradient(self, x: ArrayLike, t: ArrayLike) -> dict[str, np.ndarray]:
        """Gradient of ``loss(x, t, train_flg=True)`` by backpropagation, keyed like ``params``."""
        return self.loss_and_gradient(x, t)[1]

    def accuracy(self, x: ArrayLike, t: ArrayLike) -> float:
        """Fraction of samples whose highest score is the label (``t``: labels or one-hot)."""
        x, t = self._as_batch_targets(x, t)
        scores = self._forward(x, False)
        _, t = match_targets(scores, t)
        if t.ndim == 2:
            t = t.argmax(axis=1)
        return float(np.mean(scores.argmax(axis=1) == t))

    # --- numerical gradient -------------------------------------------------------------

    def numerical_gradient(self, x: ArrayLike, t: ArrayLike) -> dict[str, np.ndarray]:
        """Central differences of the training-mode loss for every parameter, h = 1e-4.

        .. math:: \\frac{\\partial L}{\\partial \\theta_i} \\approx
                  \\frac{L(\\theta + h e_i) - L(\\theta - h e_i)}{2h}

        The same values as the book's loop (perturb each entry in place, run
        the whole network twice), to about 1e-10 relative, but computed
        without re-running what a perturbation cannot change. One forward pass
        records every layer's output. Perturbing ``W[i, j]`` of an affine layer
        (or ``b[j]``, ``gamma[j]``, ``beta[j]``) moves only column ``j`` of that
        layer's output, by :math:`\\pm h` times ``x[:, i]`` (or 1, or
        :math:`\\hat x_{:, j}`); the per-feature layers that follow
        (activation, batch norm, dropout) keep the change in column ``j``, and
        the next affine layer turns it into a rank-one update of its output.
        Only from there on is the network evaluated in full, for all the rows
        ``i`` of a column at once. Entries whose input column is all zero
        (blank MNIST pixels) get exactly 0, as in the book's loop.

        The dropout masks are drawn once (from :attr:`rng`) and kept for every
        perturbation; batch statistics are those of the perturbed batch; the
        running statistics are left unchanged. For a float32 network the
        perturbed evaluations run in float64 from the float32 activations,
        so the result is free of the float32 rounding (about 1e-3 relative at
        h = 1e-4) that the book's loop would add.

        Returns
        -------
        dict of str to numpy.ndarray
            Keyed like ``params``, in the network's dtype.
        """
        x, t = self._as_batch_targets(x, t)
        saved = {name: array.copy() for name, array in self.buffers.items()}
        try:
            outputs = [x]
            self.last_layer.forward(self._forward(x, True, outputs), t)
        finally:
            for name, array in saved.items():
                self.buffers[name][...] = array
        t = self.last_layer.t
        outputs = [output.astype(np.float64, copy=False) for output in outputs]
        return {
            name: self._numerical_site(outputs, t, k, attr).astype(self.dtype, copy=False)
            for name, k, attr in self._sites
        }

    def _numerical_site(
        self, outputs: list[np.ndarray], t: np.ndarray, k: int, attr: str
    ) -> np.ndarray:
        """Central differences for parameter ``attr`` of layer ``k``, column by column."""
        layer = self.layers[k]
        param = getattr(layer, attr)
        n, width = outputs[k + 1].shape
        grad = np.zeros(param.shape)
        rows_per_chunk = max(1, _CHUNK_ELEMENTS // (2 * n * max(o.shape[1] for o in outputs[k:])))
        for j in range(width):
            if attr == "W":  # d out[:, j] / d W[i, j] = x[:, i]
                coef, column = outputs[k].T, grad[:, j]
            elif attr == "gamma":  # d out[:, j] / d gamma[j] = xn[:, j]
                coef, column = layer.xn[np.newaxis, :, j].astype(np.float64), grad[j : j + 1]
            else:  # b and beta shift the column
                coef, column = np.ones((1, n)), grad[j : j + 1]
            rows = np.flatnonzero(coef.any(axis=1))
            for start in range(0, rows.size, rows_per_chunk):
                chunk = rows[start : start + rows_per_chunk]
                column[chunk] = self._loss_difference(outputs, t, k, j, coef[chunk])
        grad /= 2 * differentiate.H
        if attr == "W" and self.weight_decay_lambda:
            grad += self.weight_decay_lambda * param
        return grad

    def _loss_difference(
        self, outputs: list[np.ndarray], t: np.ndarray, k: int, j: int, coef: np.ndarray
    ) -> np.ndarray:
        """:math:`L_+ - L_-` when column ``j`` of layer ``k``'s output moves by :math:`\\pm h` coef.

        ``coef`` has shape ``(B, N)``: one row per perturbed entry. Returns shape ``(B,)``.
        """
        step = np.array([differentiate.H, -differentiate.H])
        column = outputs[k + 1][:, j] + np.multiply.outer(step, coef)  # (2, B, N)
        m = k + 1
        while m < len(self.layers) and not isinstance(self.layers[m], Affine):
            column = self.layers[m].evaluate_column(column, j)
            m += 1
        if m == len(self.layers):  # column j of the scores
            dense = np.empty(column.shape + outputs[m].shape[1:])
            dense[...] = outputs[m]
            dense[..., j] = column
        else:  # the next affine layer: a rank-one change of its output
            change = column - outputs[m][:, j]
            dense = outputs[m + 1] + change[..., np.newaxis] * self.layers[m].W[j]
            for layer in self.layers[m + 1 :]:
                dense = layer.evaluate(dense)
        losses = self.last_layer.evaluate(dense, t)
        return losses[0] - losses[1]


class TwoLayerNet(_LayerNet):
    """The chapter's two-layer network, trained by backpropagation.

    .. math:: s = h(x W_1 + b_1) W_2 + b_2, \\qquad
              L = -\\frac1N \\sum_n \\log \\mathrm{softmax}(s_n)_{t_n}

    Layers: ``Affine -> activation -> Affine -> SoftmaxWithLoss``, with
    weights drawn from :math:`\\mathcal N(0, \\mathtt{weight\\_init\\_std}^2)`
    and zero biases, in the book's order (``W1`` then ``W2``).

    Parameters
    ----------
    input_size, hidden_size, output_size : int
        Layer widths (784, 50 and 10 in the book).
    weight_init_std : float, default 0.01
        Standard deviation of the initial weights.
    activation : {"sigmoid", "relu", "tanh"}, default "sigmoid"
        The hidden activation :math:`h`.
    dtype : float32 or float64, default float64
        Of every parameter, activation and gradient.
    rng : int or numpy.random.Generator, optional
        Seed or generator for the initial weights, kept as :attr:`rng`.

    Attributes
    ----------
    params : dict of str to numpy.ndarray
        ``W1``, ``b1``, ``W2``, ``b2``: the arrays the layers use. Update them
        in place (``params[k] -= lr * grads[k]``, ``params[k][...] = saved``);
        rebinding an entry would leave the network unchanged.
    buffers : dict
        Empty (a :class:`MultiLayerNet` with batch norm keeps its running
        statistics here).
    rng : numpy.random.Generator
        The generator that drew the weights.
    layers : list
        ``[Affine, activation, Affine]``; ``last_layer`` is the ``SoftmaxWithLoss``.

    Examples
    --------
    >>> net = TwoLayerNet(784, 50, 10, rng=0)
    >>> {name: p.shape for name, p in net.params.items()}
    {'W1': (784, 50), 'b1': (50,), 'W2': (50, 10), 'b2': (10,)}
    >>> x = np.random.default_rng(1).random((3, 784))
    >>> t = np.array([3, 1, 4])
    >>> net.loss(x, t)  # near log 10 = 2.303 while the weights are small
    2.275238...
    >>> grads = net.gradient(x, t)
    >>> numerical = net.numerical_gradient(x, t)
    >>> max(float(np.abs(grads[k] - numerical[k]).max()) for k in grads) < 1e-9
    True
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        weight_init_std: float = 0.01,
        *,
        activation: str = "sigmoid",
        dtype: DTypeLike = np.float64,
        rng: int | np.random.Generator | None = None,
    ):
        sizes = [
            check_positive_int(input_size, "input_size"),
            check_positive_int(hidden_size, "hidden_size"),
            check_positive_int(output_size, "output_size"),
        ]
        std = check_positive_finite(weight_init_std, "weight_init_std")
        self.activation = _check_activation(activation)
        self._config = dict(
            input_size=sizes[0], hidden_size=sizes[1], output_size=sizes[2],
            weight_init_std=std, activation=activation,
        )
        self._build(sizes, [std, std], activation, dtype=dtype, rng=rng)

    def __repr__(self) -> str:
        return (
            f"TwoLayerNet({self.input_size}, {self.params['W1'].shape[1]}, {self.output_size}, "
            f"activation={self.activation!r}, dtype={self.dtype.name})"
        )


def _init_std(weight_init: str | float, fan_in: int) -> float:
    """The standard deviation of initial weights for a layer with ``fan_in`` inputs."""
    if isinstance(weight_init, str):
        if weight_init in ("he", "relu"):
            return float(np.sqrt(2.0 / fan_in))
        if weight_init in ("xavier", "sigmoid"):
            return float(np.sqrt(1.0 / fan_in))
        raise ValueError(
            f"weight_init must be 'he', 'xavier' or a standard deviation > 0, got {weight_init!r}"
        )
    return check_positive_finite(weight_init, "weight_init")


class MultiLayerNet(_LayerNet):
    """A fully connected network of any depth, with weight decay, dropout and batch norm.

    .. math:: L = -\\frac1N \\sum_n \\log \\mathrm{softmax}(s_n)_{t_n}
              + \\frac{\\lambda}{2} \\sum_l \\lVert W_l \\rVert^2

    Each hidden layer is ``Affine -> [BatchNormalization] -> activation ->
    [Dropout]`` and the output is ``Affine -> SoftmaxWithLoss`` (the book's
    ``MultiLayerNetExtend``). Weight decay covers every ``W``, not the biases.

    Parameters
    ----------
    input_size : int
    hidden_size_list : sequence of int
        Widths of the hidden layers (possibly empty: softmax regression).
    output_size : int
    activation : {"relu", "sigmoid", "tanh"}, default "relu"
    weight_init : "he", "xavier" or float, default "he"
        Initial weights :math:`\\mathcal N(0, \\sigma^2)` with
        :math:`\\sigma = \\sqrt{2 / n_{in}}` ("he", for ReLU),
        :math:`\\sqrt{1 / n_{in}}` ("xavier", for sigmoid and tanh) or the
        given :math:`\\sigma`. The book's aliases "relu" and "sigmoid" work too.
    weight_decay_lambda : float, default 0
        :math:`\\lambda` above.
    use_dropout : bool, default False
    dropout_ratio : float, default 0.5
        Masks are drawn from :attr:`rng`.
    use_batchnorm : bool, default False
        Adds ``gamma{i}``, ``beta{i}`` to ``params`` and ``running_mean{i}``,
        ``running_var{i}`` (starting at 0 and 1) to ``buffers``.
    dtype : float32 or float64, default float64
    rng : int or numpy.random.Generator, optional
        Seed or generator for the weights and the dropout masks.

    Attributes
    ----------
    params : dict of str to numpy.ndarray
        ``W1``, ``b1``, (``gamma1``, ``beta1``,) ``W2``, ...: the arrays the
        layers use. Update them in place; rebinding an entry would leave the
        network unchanged.
    buffers : dict of str to numpy.ndarray
        ``running_mean1``, ``running_var1``, ... with batch norm (else empty),
        updated in place by each training-mode forward pass; save and restore
        them with ``params`` (``buffers[k][...] = saved``).
    rng : numpy.random.Generator
        Drew the weights and draws the dropout masks: restore its
        ``bit_generator.state`` to replay a run.
    layers : list
        The layers in order; ``last_layer`` is the ``SoftmaxWithLoss``.

    Examples
    --------
    >>> net = MultiLayerNet(4, [5, 5], 3, use_batchnorm=True, weight_decay_lambda=0.1, rng=0)
    >>> list(net.params)
    ['W1', 'b1', 'gamma1', 'beta1', 'W2', 'b2', 'gamma2', 'beta2', 'W3', 'b3']
    >>> list(net.buffers)
    ['running_mean1', 'running_var1', 'running_mean2', 'running_var2']
    >>> x, t = np.random.default_rng(1).random((6, 4)), np.array([0, 1, 2, 0, 1, 2])
    >>> grads = net.gradient(x, t)
    >>> numerical = net.numerical_gradient(x, t)
    >>> max(float(np.abs(grads[k] - numerical[k]).max()) for k in grads) < 1e-8
    True
    """

    def __init__(
        self,
        input_size: int,
        hidden_size_list: Sequence[int],
        output_size: int,
        *,
        activation: str = "relu",
        weight_init: str | float = "he",
        weight_decay_lambda: float = 0.0,
        use_dropout: bool = False,
        dropout_ratio: float = 0.5,
        use_batchnorm: bool = False,
        dtype: DTypeLike = np.float64,
        rng: int | np.random.Generator | None = None,
    ):
        if not isinstance(hidden_size_list, Sequence) or isinstance(hidden_size_list, str):
            raise TypeError(
                f"hidden_size_list must be a sequence of widths such as [100, 100], "
                f"got {hidden_size_list!r}"
            )
        hidden = [
            check_positive_int(h, f"hidden_size_list[{i}]") for i, h in enumerate(hidden_size_list)
        ]
        sizes = [
            check_positive_int(input_size, "input_size"),
            *hidden,
            check_positive_int(output_size, "output_size"),
        ]
        self.activation = _check_activation(activation)
        self.weight_init = weight_init
        self.use_dropout, self.use_batchnorm = bool(use_dropout), bool(use_batchnorm)
        decay = check_non_negative_finite(weight_decay_lambda, "weight_decay_lambda")
        self._config = dict(
            input_size=sizes[0], hidden_size_list=hidden, output_size=sizes[-1],
            activation=activation, weight_init=weight_init, weight_decay_lambda=decay,
            use_dropout=self.use_dropout, dropout_ratio=dropout_ratio,
            use_batchnorm=self.use_batchnorm,
        )
        self._build(
            sizes,
            [_init_std(weight_init, fan_in) for fan_in in sizes[:-1]],
            activation,
            dtype=dtype,
            rng=rng,
            weight_decay_lambda=decay,
            use_batchnorm=self.use_batchnorm,
            use_dropout=self.use_dropout,
            dropout_ratio=dropout_ratio,
        )

    def __repr__(self) -> str:
        hidden = [W.shape[1] for W in list(self._weights.values())[:-1]]
        return (
            f"MultiLayerNet({self.input_size}, {hidden}, {self.output_size}, "
            f"activation={self.activation!r}, weight_decay_lambda={self.weight_decay_lambda}, "
            f"use_dropout={self.use_dropout}, use_batchnorm={self.use_batchnorm}, "
            f"dtype={self.dtype.name})"
        )
