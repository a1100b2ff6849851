"""MultiLayerNet: fully connected, any depth (the book's ``MultiLayerNetExtend``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import DTypeLike

from nnlearn._shared.validation import (
    check_non_negative_finite,
    check_positive_finite,
    check_positive_int,
)
from nnlearn.nn.layer_net import LayerNet, check_activation


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


class MultiLayerNet(LayerNet):
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
        Masks are drawn from ``rng``.
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
        self.activation = check_activation(activation)
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
