"""The machinery shared by :class:`~nnlearn.nn.TwoLayerNet` and
:class:`~nnlearn.nn.MultiLayerNet`: a stack of layers.

:class:`LayerNet` builds ``Affine -> [BatchNormalization] -> activation ->
[Dropout]`` blocks ending in ``SoftmaxWithLoss``, checks input, and gives
``predict``, ``loss``, ``accuracy``, ``gradient`` (backpropagation) and
``numerical_gradient`` (see :mod:`nnlearn.nn.numerical`). A wide first layer
(:func:`~nnlearn.nn.input_affine.skips_pay`) is an
:class:`~nnlearn.nn.input_affine.InputAffine`, which skips the input columns
that are zero in the whole batch (blank pixels).

:class:`LayerNet` is about 250 lines, a third of them docstrings: building the
stack, checking input, and the forward and backward passes are one story; the
numerical gradient's machinery lives in :mod:`nnlearn.nn.numerical`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from nnlearn._shared.validation import check_finite, make_rng
from nnlearn.functions import accuracy
from nnlearn.nn import numerical
from nnlearn.nn.input_affine import InputAffine, skips_pay
from nnlearn.nn.layers import (
    Affine,
    BatchNormalization,
    Dropout,
    ReLU,
    Sigmoid,
    SoftmaxWithLoss,
    Tanh,
)

#: Hidden-layer activations by name.
ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}

#: Layers whose ``forward`` takes ``train_flg``.
_MODAL_LAYERS = (Dropout, BatchNormalization)

def check_dtype(dtype: DTypeLike) -> np.dtype:
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


def check_activation(activation: str) -> str:
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {', '.join(map(repr, ACTIVATIONS))}, got {activation!r}"
        )
    return activation


class LayerNet:
    """Affine layers with activations (and batch norm, dropout) between them, then softmax.

    The shared machinery of :class:`~nnlearn.nn.TwoLayerNet` and
    :class:`~nnlearn.nn.MultiLayerNet`.

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
        self.dtype = check_dtype(dtype)
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
            affine = (InputAffine(W, b) if i == 1 and skips_pay(W)  # blank pixels skipped
                      else Affine(W, b, input_grad=i > 1))
            self._add(affine, i, W=W, b=b)
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

    def astype(self, dtype: DTypeLike) -> LayerNet:
        """A copy of the network computing in ``dtype``.

        Same architecture, parameters and running statistics (converted to
        ``dtype``), and a generator of its own in the same state as
        ``rng``, so it draws the same dropout masks. A float64 copy of a
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

    def _as_batch(self, x: ArrayLike, check: bool = True) -> tuple[np.ndarray, bool]:
        """``x`` as an ``(N, input_size)`` array of the network's dtype, and whether it was
        one sample. ``check``: refuse NaN and infinity (one pass over ``x``; the shape and
        dtype checks are O(1))."""
        x = np.asarray(x)
        shape = x.shape
        if x.dtype.kind not in "biuf":
            raise TypeError(f"x must hold real numbers, got dtype {x.dtype}")
        if check:
            check_finite(x, "x")
        if x.dtype != self.dtype:
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

    def _as_batch_targets(
        self, x: ArrayLike, t: ArrayLike, check: bool = True
    ) -> tuple[np.ndarray, ArrayLike]:
        """``x`` as a batch, and ``t`` with a batch axis when ``x`` is one sample.

        ``t`` itself is checked by :class:`SoftmaxWithLoss` (labels in range,
        one-hot of the scores' shape and finite): O(N) on the labels only.
        """
        x, single = self._as_batch(x, check)
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
                decayed = self.weight_decay_lambda * W
                decayed += grads[name]
                grads[name] = decayed

    def predict(
        self, x: ArrayLike, train_flg: bool = False, *, check_finite: bool = True
    ) -> np.ndarray:
        """Scores (logits) before the softmax, shape ``(batch, output_size)``.

        One sample of shape ``(input_size,)`` gives scores of shape
        ``(output_size,)``. ``train_flg=True`` runs dropout and batch
        normalisation in training mode, as in the book (batch statistics, a new
        dropout mask, running statistics updated). ``x`` holding NaN or
        infinity is an error; ``check_finite=False`` skips that pass over
        ``x``, for data already checked (as SciPy's ``check_finite``).
        """
        x, single = self._as_batch(x, check_finite)
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

    def loss_and_gradient(
        self, x: ArrayLike, t: ArrayLike, *, check_finite: bool = True
    ) -> tuple[float, dict[str, np.ndarray]]:
        """The training-mode loss and its gradient by backpropagation: one forward, one backward.

        ``check_finite=False`` skips the pass over ``x`` that refuses NaN and
        infinity: for a training loop whose data were checked once (the
        labels are still checked, O(N)).

        Returns
        -------
        loss : float
        grads : dict of str to numpy.ndarray
            Keyed like ``params``, in the network's dtype.
        """
        x, t = self._as_batch_targets(x, t, check_finite)
        loss = self.last_layer.forward(self._forward(x, True), t) + self._decay_loss()
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
        return accuracy(self._forward(x, False), t)

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

        The dropout masks are drawn once (from ``rng``) and kept for every
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
        return numerical.layer_net_gradient(self, x, t)
