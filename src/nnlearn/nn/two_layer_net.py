"""The chapter's ``TwoLayerNet``: affine, activation, affine, softmax with loss."""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from nnlearn._shared.validation import check_positive_finite, check_positive_int
from nnlearn.nn.layer_net import LayerNet, check_activation


class TwoLayerNet(LayerNet):
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
        Seed or generator for the initial weights, kept as ``rng``.

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
        self.activation = check_activation(activation)
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
