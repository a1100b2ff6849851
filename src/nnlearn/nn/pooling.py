"""Max pooling on image batches ``(N, C, H, W)``, by strided views: chapter 7.

The maximum over each ``pool_h × pool_w`` window is taken over rows, then
over columns: a few vectorised comparisons of strided views of the input
(kept, like :class:`~nnlearn.nn.convolution.Convolution`'s arrays, with the
batch axis last in memory), never a Python loop over pixels.
"""

from __future__ import annotations

import numpy as np

from nnlearn._shared.validation import check_positive_int
from nnlearn.nn.convolution import (
    _check_images,
    _check_stride_pad,
    _from_chwn,
    _reuse,
    _to_chwn,
    output_size,
)


def _running_max(views: list[np.ndarray], top: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The elementwise maximum of ``views``, written into ``top``, and for each element the
    first view that holds it."""
    np.copyto(top, views[0])
    arg = np.zeros(top.shape, np.uint8)
    for k, view in enumerate(views[1:], start=1):
        better = view > top
        np.maximum(top, view, out=top)
        if k == 1:
            arg = better.view(np.uint8)
        else:  # arg < k so far: set it to k where better (faster than a masked assignment)
            arg += better * (np.uint8(k) - arg)
    return top, arg


def _route(dout: np.ndarray, arg: np.ndarray, size: int, dx: np.ndarray, axis: int,
           stride: int, exact: bool) -> np.ndarray:
    """Send each entry of ``dout`` to the position in its window that ``arg`` chose, in ``dx``.

    ``dx[..., o*S + k, ...] += dout[..., o, ...]`` where ``arg[..., o, ...] == k``,
    for the ``size`` positions ``k`` of a window along ``axis``. With ``exact``
    (the windows tile ``dx`` without overlap) every entry of ``dx`` is written
    once, the first position taking what the others did not; otherwise ``dx``
    is zeroed and the windows add up.
    """
    count = dout.shape[axis]

    def window(k: int) -> np.ndarray:
        index = [slice(None)] * dx.ndim
        index[axis] = slice(k, k + stride * (count - 1) + 1, stride)
        return dx[tuple(index)]

    if not exact:
        dx[...] = 0
        for k in range(size):
            window(k)[...] += dout * (arg == k)
        return dx
    for k in range(1, size):
        np.multiply(dout, arg == k, out=window(k))
    first = window(0)
    if size == 1:
        np.copyto(first, dout)
    else:  # dout - dout = 0 and dout - 0 = dout exactly
        np.subtract(dout, window(1), out=first)
        for k in range(2, size):
            first -= window(k)
    return dx


class Pooling:
    """Max pooling: :math:`\\mathrm{out}[n, c, oh, ow] = \\max_{i, j} x[n, c, oh S + i, ow S + j]`.

    Each channel is pooled on its own over ``pool_h × pool_w`` windows moved
    by ``stride``; ``backward`` sends each gradient to the position of its
    window's maximum (the first one, rows then columns, when several are
    equal). The maximum is taken over rows, then over columns, each a few
    vectorised comparisons of strided views. Padding is with :math:`-\\infty`,
    so it is never the maximum (the book pads with 0, which is the same after
    a ReLU).

    Parameters
    ----------
    pool_h, pool_w : int
    stride : int, default 1
        The book's default; ``Pooling(2, 2, stride=2)`` halves the height and width.
    pad : int, default 0
        At most half the pool size (as in PyTorch), so that every window
        holds part of the input.

    Examples
    --------
    >>> layer = Pooling(2, 2, stride=2)
    >>> x = np.array([[[[1.0, 2.0, 5.0, 0.0],
    ...                 [4.0, 3.0, 6.0, 7.0]]]])
    >>> layer.forward(x)
    array([[[[4., 7.]]]])
    >>> layer.backward(np.array([[[[10.0, 20.0]]]]))
    array([[[[ 0.,  0.,  0.,  0.],
             [10.,  0.,  0., 20.]]]])
    """

    def __init__(self, pool_h: int, pool_w: int, stride: int = 1, pad: int = 0):
        self.pool_h = check_positive_int(pool_h, "pool_h")
        self.pool_w = check_positive_int(pool_w, "pool_w")
        self.stride, self.pad = _check_stride_pad(stride, pad)
        if 2 * self.pad > min(self.pool_h, self.pool_w):
            raise ValueError(f"pad must be at most half the pool size ({self.pool_h}, "
                             f"{self.pool_w}), so that no window holds padding only, got {pad}")
        self.x_shape: tuple[int, ...] = ()
        self._rows: np.ndarray | None = None  # the maxima over rows, then their gradient
        self.arg_rows: np.ndarray | None = None
        self.arg_cols: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = _check_images(x, "x")
        _, _, h, w = self.x_shape = x.shape
        s = self.stride
        oh = output_size(h, self.pool_h, s, self.pad, "H")
        ow = output_size(w, self.pool_w, s, self.pad, "W")
        x = _to_chwn(x, self.pad, -np.inf)  # (C, H + 2P, W + 2P, N)
        c, _, padded_w, n = x.shape
        self._rows = _reuse(self._rows, (c, oh, padded_w, n), x.dtype)
        rows, self.arg_rows = _running_max(
            [x[:, i:i + s * (oh - 1) + 1:s] for i in range(self.pool_h)], self._rows)
        out, self.arg_cols = _running_max(
            [rows[:, :, j:j + s * (ow - 1) + 1:s] for j in range(self.pool_w)],
            np.empty((c, oh, ow, n), x.dtype))
        return _from_chwn(out)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        n, c, h, w = self.x_shape
        p, s = self.pad, self.stride
        dout = _to_chwn(dout)  # (C, OH, OW, N)
        oh, ow = dout.shape[1:3]
        padded_h, padded_w = h + 2 * p, w + 2 * p
        exact_w = self.pool_w == s and padded_w == s * ow
        exact_h = self.pool_h == s and padded_h == s * oh
        # the rows' maxima are no longer needed: their memory takes their gradient
        drows = _route(dout, self.arg_cols, self.pool_w, self._rows, 2, s, exact_w)
        dx = _route(drows, self.arg_rows, self.pool_h, np.empty((c, padded_h, padded_w, n),
                                                                 dout.dtype), 1, s, exact_h)
        return _from_chwn(dx, p)
