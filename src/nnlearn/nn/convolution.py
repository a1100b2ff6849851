"""Convolution and max pooling on image batches ``(N, C, H, W)``, by im2col: chapter 7.

A filter of size ``(FH, FW)`` moved by ``S`` over an input of size
``(H, W)`` padded by ``P`` on every side fits

.. math:: OH = \\frac{H + 2P - FH}{S} + 1, \\qquad OW = \\frac{W + 2P - FW}{S} + 1

times; the book computes ``OH = (H + 2P - FH) // S + 1`` and silently drops
the rows that do not fit. Here a size that does not fit (a filter larger
than the padded input, or a division with a remainder) is a ValueError
that says the sizes and the formula.

``im2col`` lays every window of the input out as a row, so that a
convolution is one matrix product; ``col2im`` adds the rows back into
their windows (overlapping windows add up). They take and give the book's
layout. :class:`Convolution` and :class:`~nnlearn.nn.pooling.Pooling` work on the same windows,
but keep their arrays with the batch axis last in memory, ``(C, H, W, N)``
(the layout of cuda-convnet): the windows of a batch are then runs of
``N`` contiguous numbers, their copy and the pooling are fast, and the
output is still an ``(N, C, H, W)`` array (a transposed view). Passing one
layer's output to the next keeps that layout without a copy.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nnlearn._shared.validation import check_non_negative_int, check_positive_int


def output_size(size: int, filter_size: int, stride: int, pad: int, name: str = "H") -> int:
    """Positions of a filter along one axis: :math:`(size + 2P - F) / S + 1`, checked.

    Raises ValueError when the filter is larger than the padded input or
    when the division leaves a remainder (the book's ``//`` would drop the
    last rows without a word).

    Examples
    --------
    >>> output_size(28, 5, 1, 0)
    24
    >>> output_size(28, 5, 2, 0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: H = 28 does not fit a filter of 5 with stride 2 and pad 0: ... = 12.5 is not ...
    """
    span = size + 2 * pad - filter_size
    fit = (f"{name} = {size} does not fit a filter of {filter_size} with stride {stride} "
           f"and pad {pad}")
    formula = (f"O{name} = ({name} + 2P - F{name}) / S + 1 = "
               f"({size} + 2*{pad} - {filter_size}) / {stride} + 1")
    if span < 0:
        raise ValueError(f"{fit}: the filter is larger than the padded input, {formula} < 1")
    if span % stride:
        raise ValueError(f"{fit}: {formula} = {span / stride + 1:g} is not an integer")
    return span // stride + 1


def _check_images(x: np.ndarray, name: str, channels: int | None = None) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"{name} must be a 4-D batch of images (N, C, H, W), got shape {x.shape}")
    if channels is not None and x.shape[1] != channels:
        raise ValueError(f"{name} must have {channels} channels (N, {channels}, H, W), "
                         f"got shape {x.shape}")
    return x


def _windows(x: np.ndarray, filter_h: int, filter_w: int, stride: int,
             axes: tuple[int, int]) -> np.ndarray:
    """Every ``filter_h × filter_w`` window of ``x`` along ``axes``, ``stride`` apart: a view.

    The window axes are appended at the end: ``(..., OH, ..., OW, ..., FH, FW)``.
    """
    view = sliding_window_view(x, (filter_h, filter_w), axis=axes)
    index = [slice(None)] * view.ndim
    index[axes[0]] = index[axes[1]] = slice(None, None, stride)
    return view[tuple(index)]


def _add_windows(image: np.ndarray, cols: np.ndarray, stride: int) -> None:
    """``image[n, c, oh*S + i, ow*S + j] += cols[n, c, i, j, oh, ow]`` for every (i, j).

    The book's loop of ``col2im``: one vectorised addition per position in the
    filter, so overlapping windows add up.
    """
    filter_h, filter_w, oh, ow = cols.shape[2:]
    for i in range(filter_h):
        for j in range(filter_w):
            image[:, :, i:i + stride * (oh - 1) + 1:stride,
                  j:j + stride * (ow - 1) + 1:stride] += cols[:, :, i, j]


def im2col(
    input_data: np.ndarray, filter_h: int, filter_w: int, stride: int = 1, pad: int = 0
) -> np.ndarray:
    """Every filter window of a batch of images as a row: the book's ``im2col``.

    Row ``(n, oh, ow)`` (in that order) holds the window of image ``n`` at
    output position ``(oh, ow)``, its columns ordered ``(c, i, j)``:

    .. math:: \\mathrm{col}[(n, oh, ow), (c, i, j)] = x_{pad}[n, c, oh S + i, ow S + j]

    with :math:`OH = (H + 2P - FH) / S + 1` (and :math:`OW` alike), padding
    with zeros. Built from a strided view of the windows and one copy.

    Parameters
    ----------
    input_data : numpy.ndarray, shape (N, C, H, W)
    filter_h, filter_w : int
    stride : int, default 1
    pad : int, default 0

    Returns
    -------
    numpy.ndarray, shape (N * OH * OW, C * filter_h * filter_w)

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> im2col(x, 2, 2, stride=2)
    array([[ 0.,  1.,  4.,  5.],
           [ 2.,  3.,  6.,  7.],
           [ 8.,  9., 12., 13.],
           [10., 11., 14., 15.]])
    """
    x = _check_images(input_data, "input_data")
    filter_h = check_positive_int(filter_h, "filter_h")
    filter_w = check_positive_int(filter_w, "filter_w")
    stride = check_positive_int(stride, "stride")
    pad = check_non_negative_int(pad, "pad")
    n, c, h, w = x.shape
    oh = output_size(h, filter_h, stride, pad, "H")
    ow = output_size(w, filter_w, stride, pad, "W")
    if pad:
        x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = _windows(x, filter_h, filter_w, stride, (2, 3))  # (N, C, OH, OW, FH, FW)
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * filter_h * filter_w)


def col2im(
    col: np.ndarray,
    input_shape: tuple[int, int, int, int],
    filter_h: int,
    filter_w: int,
    stride: int = 1,
    pad: int = 0,
) -> np.ndarray:
    """Add each row of ``col`` back into its window: the book's ``col2im``, adjoint of im2col.

    .. math:: x[n, c, y, x] = \\sum_{oh S + i = y + P,\\ ow S + j = x + P}
              \\mathrm{col}[(n, oh, ow), (c, i, j)]

    A pixel covered by ``k`` windows receives the sum of its ``k`` copies, so
    ``col2im(im2col(x))`` is ``x`` times the number of windows over each pixel.
    This is the backward pass of :func:`im2col`.

    Examples
    --------
    >>> x = np.ones((1, 1, 3, 3))
    >>> col2im(im2col(x, 2, 2), x.shape, 2, 2)[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    col = np.asarray(col)
    if len(input_shape) != 4:
        raise ValueError(f"input_shape must be (N, C, H, W), got {input_shape!r}")
    n, c, h, w = (check_positive_int(size, "input_shape") for size in input_shape)
    filter_h = check_positive_int(filter_h, "filter_h")
    filter_w = check_positive_int(filter_w, "filter_w")
    stride = check_positive_int(stride, "stride")
    pad = check_non_negative_int(pad, "pad")
    oh = output_size(h, filter_h, stride, pad, "H")
    ow = output_size(w, filter_w, stride, pad, "W")
    expected = (n * oh * ow, c * filter_h * filter_w)
    if col.shape != expected:
        raise ValueError(f"col must have shape (N*OH*OW, C*FH*FW) = {expected} for input_shape "
                         f"{tuple(input_shape)}, got {col.shape}")
    cols = col.reshape(n, oh, ow, c, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    image = np.zeros((n, c, h + 2 * pad, w + 2 * pad), col.dtype)
    _add_windows(image, cols, stride)
    return image[:, :, pad:h + pad, pad:w + pad]


def _to_chwn(x: np.ndarray, pad: int = 0, fill: float = 0.0) -> np.ndarray:
    """``x`` of shape (N, C, H, W) as a contiguous (C, H + 2P, W + 2P, N) array.

    No copy when ``x`` is already a transposed view of such an array (the
    output of these layers) and ``pad`` is 0.
    """
    if not pad:
        return np.ascontiguousarray(x.transpose(1, 2, 3, 0))
    n, c, h, w = x.shape
    out = np.full((c, h + 2 * pad, w + 2 * pad, n), fill, x.dtype)
    out[:, pad:h + pad, pad:w + pad, :] = x.transpose(1, 2, 3, 0)
    return out


def _from_chwn(x: np.ndarray, pad: int = 0) -> np.ndarray:
    """The (N, C, H, W) view of a (C, H + 2P, W + 2P, N) array, without its padding."""
    if pad:
        x = x[:, pad:-pad, pad:-pad, :]
    return x.transpose(3, 0, 1, 2)


def _check_stride_pad(stride: int, pad: int) -> tuple[int, int]:
    return check_positive_int(stride, "stride"), check_non_negative_int(pad, "pad")


def _reuse(buffer: np.ndarray | None, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """``buffer`` if it has this shape and dtype, else a new empty array: a layer's workspace."""
    if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
        return np.empty(shape, dtype)
    return buffer


class Convolution:
    """Convolution layer :math:`\\mathrm{out}[n, f] = \\sum_c W[f, c] \\star x[n, c] + b[f]`.

    Forward is :func:`im2col` followed by one matrix product with the
    filters as rows, :math:`W_{(F, C \\cdot FH \\cdot FW)}`; backward is
    :math:`dW = dout \\cdot col^\\top`, :math:`db = \\sum dout` and, for
    ``dx``, the product :math:`W^\\top dout` added back into the windows
    (:func:`col2im`). ``x`` has shape ``(N, C, H, W)``, the output
    ``(N, F, OH, OW)`` with :math:`OH = (H + 2P - FH) / S + 1`.

    Parameters
    ----------
    W : numpy.ndarray, shape (F, C, FH, FW)
        Filters, held by reference (update them in place).
    b : numpy.ndarray, shape (F,)
        Bias, held by reference.
    stride : int, default 1
    pad : int, default 0
        Zeros added on every side of the input.
    input_grad : bool, default True
        Whether ``backward`` computes ``dx``. The first layer of a network does
        not need it; skipping it saves a matrix product and the col2im.

    Attributes
    ----------
    col : numpy.ndarray, shape (C * FH * FW, OH * OW * N)
        The windows of the last ``forward``, one column each (the transpose of
        the book's ``col``, with the batch index varying fastest). Its memory
        is reused by the next ``forward`` of the same shape.
    dW, db : numpy.ndarray
        The gradients of the last ``backward``.

    Examples
    --------
    >>> W = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])  # one 2×2 filter: x[i, j] - x[i+1, j+1]
    >>> layer = Convolution(W, np.array([0.5]))
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> layer.forward(x)
    array([[[[-3.5, -3.5],
             [-3.5, -3.5]]]])
    >>> layer.backward(np.ones((1, 1, 2, 2)))[0, 0]
    array([[ 1.,  1.,  0.],
           [ 1.,  0., -1.],
           [ 0., -1., -1.]])
    >>> layer.dW, layer.db
    (array([[[[ 8., 12.],
             [20., 24.]]]]), array([4.]))
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0, *,
                 input_grad: bool = True):
        if W.ndim != 4 or b.shape != (W.shape[0],):
            raise ValueError(f"W must be 4-D (filters, channels, FH, FW) and b of shape "
                             f"(W.shape[0],), got W {W.shape} and b {b.shape}")
        self.W, self.b = W, b
        self.stride, self.pad = _check_stride_pad(stride, pad)
        self.input_grad = input_grad
        self.x_shape: tuple[int, ...] = ()
        self.out_hw: tuple[int, int] = (0, 0)
        self.col: np.ndarray | None = None
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        n_filters, channels, filter_h, filter_w = self.W.shape
        x = _check_images(x, "x", channels)
        n, _, h, w = self.x_shape = x.shape
        oh = output_size(h, filter_h, self.stride, self.pad, "H")
        ow = output_size(w, filter_w, self.stride, self.pad, "W")
        self.out_hw = (oh, ow)
        windows = _windows(_to_chwn(x, self.pad), filter_h, filter_w, self.stride, (1, 2))
        self.col = _reuse(self.col, (channels * filter_h * filter_w, oh * ow * n), x.dtype)
        # (C, OH, OW, N, FH, FW) -> rows (c, i, j), columns (oh, ow, n): one copy
        self.col.reshape(channels, filter_h, filter_w, oh, ow, n)[...] = (
            windows.transpose(0, 4, 5, 1, 2, 3))
        out = self.W.reshape(n_filters, -1) @ self.col
        out += self.b[:, np.newaxis]
        return _from_chwn(out.reshape(n_filters, oh, ow, n))

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        n_filters, channels, filter_h, filter_w = self.W.shape
        dout = _to_chwn(dout).reshape(n_filters, -1)
        self.dW = (dout @ self.col.T).reshape(self.W.shape)
        self.db = dout.sum(axis=1)
        if not self.input_grad:
            return None
        n, _, h, w = self.x_shape
        oh, ow = self.out_hw
        dcol = self.W.reshape(n_filters, -1).T @ dout  # (C*FH*FW, OH*OW*N)
        dx = np.zeros((channels, h + 2 * self.pad, w + 2 * self.pad, n), dout.dtype)
        cols = dcol.reshape(channels, filter_h, filter_w, oh, ow, n).transpose(5, 0, 1, 2, 3, 4)
        _add_windows(_from_chwn(dx), cols, self.stride)
        return _from_chwn(dx, self.pad)
