"""The first affine layer of an image network: input columns blank in the whole batch are skipped.

In a batch of 100 MNIST images about a third of the 784 pixels are 0 in every
image (the borders, mostly). Such a column of ``x`` adds nothing to
:math:`x W` and gives a zero row of :math:`\\partial L / \\partial W`, yet
the two products with ``W`` multiply it anyway. :class:`InputAffine` gathers
the other columns (and the rows of ``W`` they meet) and multiplies those only:
in the ``fast`` preset (784-256-10, float32) the two products take about 0.65
of their time, gathers included (BENCHMARKS.md, "Training, quiet and busy").
"""

from __future__ import annotations

import numpy as np

from nnlearn.nn.layers import Affine

#: Columns are skipped only when at least this fraction of them is zero in the batch;
#: below it, gathering the rest costs about what it saves (BENCHMARKS.md).
MIN_ZERO_FRACTION = 0.125
#: The bytes of a row of ``W`` from which skipping pays (128 float32 or 64 float64
#: outputs): narrower layers spend on gathering what they save on multiplying.
MIN_ROW_BYTES = 512


def skips_pay(W: np.ndarray) -> bool:
    """Whether a first layer with weights ``W`` is faster as an :class:`InputAffine`.

    Examples
    --------
    >>> skips_pay(np.zeros((784, 256), np.float32)), skips_pay(np.zeros((784, 50), np.float32))
    (True, False)
    """
    return W.shape[1] * W.itemsize >= MIN_ROW_BYTES


class InputAffine(Affine):
    """:math:`\\mathrm{out} = x W + b` over the input columns that are not zero in the whole batch.

    With :math:`S = \\{i : x_{ni} \\neq 0 \\text{ for some sample } n\\}`,

    .. math:: \\mathrm{out} = x_{:,S} W_{S,:} + b, \\qquad
              \\frac{\\partial L}{\\partial W_{S,:}} = x_{:,S}^\\top \\, dout, \\qquad
              \\frac{\\partial L}{\\partial W_{i,:}} = 0 \\ (i \\notin S),

    the values of :class:`~nnlearn.nn.layers.Affine` (only terms
    :math:`0 \\cdot W_{ij}` are left out; the products may sum the rest in
    another order, which changes the last bits). When fewer than
    :data:`MIN_ZERO_FRACTION` of the columns are zero, every column is used,
    as by ``Affine``. As the first layer of a network it computes no input
    gradient: ``backward`` returns ``None``. (An infinite or NaN weight in a
    skipped row would give NaN through ``Affine``, ``0 * inf``; here it is
    left out.)

    Parameters
    ----------
    W : numpy.ndarray, shape (D_in, D_out)
        Weights, held by reference.
    b : numpy.ndarray, shape (D_out,)
        Bias, held by reference.

    Attributes
    ----------
    columns : numpy.ndarray or None
        :math:`S` of the last ``forward`` (sorted indices), or ``None`` when it
        used every column.

    Examples
    --------
    >>> layer = InputAffine(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.zeros(2))
    >>> layer.forward(np.array([[1.0, 0.0, 0.0], [2.0, 0.0, 1.0]]))
    array([[ 1.,  2.],
           [ 7., 10.]])
    >>> layer.columns
    array([0, 2])
    >>> layer.backward(np.array([[1.0, 0.0], [0.0, 1.0]])) is None
    True
    >>> layer.dW  # the row of the blank column is 0
    array([[1., 2.],
           [0., 0.],
           [0., 1.]])
    """

    def __init__(self, W: np.ndarray, b: np.ndarray):
        super().__init__(W, b, input_grad=False)
        self.columns: np.ndarray | None = None
        self._kept: np.ndarray | None = None  # x[:, columns]

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = self._rows(x)
        columns = np.flatnonzero(x.any(axis=0))
        if columns.size > (1 - MIN_ZERO_FRACTION) * x.shape[1]:
            self.columns = self._kept = None
            out = x @ self.W
        else:
            self.columns, self._kept = columns, x[:, columns]
            out = self._kept @ self.W[columns]
        out += self.b
        return out

    def backward(self, dout: np.ndarray) -> None:
        if self.columns is None:
            return super().backward(dout)
        self.dW = np.zeros(self.W.shape, np.result_type(self._kept, dout))
        self.dW[self.columns] = self._kept.T @ dout
        self.db = dout.sum(axis=0)
        return None
