"""im2col, col2im, Convolution and Pooling against naive loops and numerical gradients."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from nnlearn import gradcheck
from nnlearn.nn.convolution import Convolution, col2im, im2col, output_size
from nnlearn.nn.pooling import Pooling


@st.composite
def conv_shapes(draw):
    """(N, C, H, W), filter (FH, FW), stride and pad whose windows fit exactly."""
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    fh, fw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride, pad = draw(st.integers(1, 3)), draw(st.integers(0, 2))
    oh, ow = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    h, w = (oh - 1) * stride + fh - 2 * pad, (ow - 1) * stride + fw - 2 * pad
    if h < 1 or w < 1:
        h, w = h + 2 * pad, w + 2 * pad
        pad = 0
    return (n, c, h, w), (fh, fw), stride, pad


def naive_im2col(x, fh, fw, stride, pad):
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    rows = []
    for i in range(n):
        for y in range(oh):
            for z in range(ow):
                window = xp[i, :, y * stride:y * stride + fh, z * stride:z * stride + fw]
                rows.append(window.ravel())
    return np.array(rows)


def naive_col2im(col, shape, fh, fw, stride, pad):
    n, c, h, w = shape
    image = np.zeros((n, c, h + 2 * pad, w + 2 * pad))
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    row = 0
    for i in range(n):
        for y in range(oh):
            for z in range(ow):
                window = col[row].reshape(c, fh, fw)
                image[i, :, y * stride:y * stride + fh, z * stride:z * stride + fw] += window
                row += 1
    return image[:, :, pad:pad + h, pad:pad + w]


def naive_conv(x, W, b, stride, pad):
    n, _, h, w = x.shape
    f, _, fh, fw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    out = np.zeros((n, f, oh, ow))
    for i in range(n):
        for k in range(f):
            for y in range(oh):
                for z in range(ow):
                    patch = xp[i, :, y * stride:y * stride + fh, z * stride:z * stride + fw]
                    out[i, k, y, z] = np.sum(patch * W[k]) + b[k]
    return out


def naive_pool(x, ph, pw, stride, pad):
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=-np.inf)
    oh, ow = (h + 2 * pad - ph) // stride + 1, (w + 2 * pad - pw) // stride + 1
    out = np.empty((n, c, oh, ow))
    for y in range(oh):
        for z in range(ow):
            out[:, :, y, z] = xp[:, :, y * stride:y * stride + ph,
                                 z * stride:z * stride + pw].max(axis=(2, 3))
    return out


# --- im2col / col2im -------------------------------------------------------------------

@given(conv_shapes(), st.integers(0, 2**32 - 1))
def test_im2col_matches_a_naive_loop(case, seed):
    shape, (fh, fw), stride, pad = case
    x = np.random.default_rng(seed).standard_normal(shape)
    assert_array_equal(im2col(x, fh, fw, stride, pad), naive_im2col(x, fh, fw, stride, pad))


@given(conv_shapes(), st.integers(0, 2**32 - 1))
def test_col2im_matches_a_naive_loop_and_is_the_adjoint_of_im2col(case, seed):
    shape, (fh, fw), stride, pad = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    col = rng.standard_normal(im2col(x, fh, fw, stride, pad).shape)
    back = col2im(col, shape, fh, fw, stride, pad)
    assert_allclose(back, naive_col2im(col, shape, fh, fw, stride, pad), rtol=1e-12, atol=1e-12)
    # <im2col(x), col> = <x, col2im(col)>
    assert np.vdot(im2col(x, fh, fw, stride, pad), col) == pytest.approx(np.vdot(x, back))


@given(conv_shapes())
def test_col2im_of_im2col_counts_the_windows_over_each_pixel(case):
    shape, (fh, fw), stride, pad = case
    x = np.random.default_rng(0).standard_normal(shape)
    n, c, h, w = shape
    count = np.zeros((h + 2 * pad, w + 2 * pad))
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    for y in range(oh):
        for z in range(ow):
            count[y * stride:y * stride + fh, z * stride:z * stride + fw] += 1
    count = count[pad:pad + h, pad:pad + w]
    assert_allclose(col2im(im2col(x, fh, fw, stride, pad), shape, fh, fw, stride, pad),
                    x * count, rtol=1e-12, atol=1e-12)


def test_col2im_of_im2col_on_ones_with_stride_1():
    counts = col2im(im2col(np.ones((1, 1, 4, 4)), 3, 3), (1, 1, 4, 4), 3, 3)[0, 0]
    assert_array_equal(counts, [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]])


def test_im2col_on_the_books_shapes():
    x = np.random.default_rng(0).random((10, 3, 7, 7))
    assert im2col(x[:1], 5, 5, stride=1, pad=0).shape == (9, 75)
    assert im2col(x, 5, 5, stride=1, pad=0).shape == (90, 75)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: im2col(np.zeros((28, 28)), 5, 5),
         r"input_data must be a 4-D batch of images \(N, C, H, W\), got shape \(28, 28\)"),
        (lambda: im2col(np.zeros((1, 1, 28, 28)), 5, 5, stride=2),
         r"H = 28 does not fit a filter of 5 with stride 2 and pad 0: OH = \(H \+ 2P - FH\) / S "
         r"\+ 1 = \(28 \+ 2\*0 - 5\) / 2 \+ 1 = 12.5 is not an integer"),
        (lambda: im2col(np.zeros((1, 1, 3, 8)), 5, 5),
         r"H = 3 does not fit a filter of 5 with stride 1 and pad 0: the filter is larger than "
         r"the padded input"),
        (lambda: im2col(np.zeros((1, 1, 8, 8)), 0, 5), "filter_h must be an integer >= 1, got 0"),
        (lambda: im2col(np.zeros((1, 1, 8, 8)), 3, 3, pad=-1), "pad must be an integer >= 0"),
        (lambda: col2im(np.zeros((5, 9)), (1, 1, 4, 4), 3, 3),
         r"col must have shape \(N\*OH\*OW, C\*FH\*FW\) = \(4, 9\) for input_shape "
         r"\(1, 1, 4, 4\), got \(5, 9\)"),
        (lambda: col2im(np.zeros((4, 9)), (4, 4), 3, 3), r"input_shape must be \(N, C, H, W\)"),
    ],
)
def test_im2col_and_col2im_refuse_bad_sizes(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_output_size_is_the_formula():
    assert output_size(28, 5, 1, 0) == 24
    assert output_size(28, 3, 1, 1) == 28
    assert output_size(7, 3, 2, 1) == 4
    assert output_size(4, 2, 2, 0, "W") == 2


# --- Convolution -------------------------------------------------------------------------

@given(conv_shapes(), st.integers(1, 3), st.sampled_from([np.float32, np.float64]))
def test_convolution_forward_matches_a_naive_loop_in_its_dtype(case, filters, dtype):
    shape, (fh, fw), stride, pad = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    W = rng.standard_normal((filters, shape[1], fh, fw)).astype(dtype)
    b = rng.standard_normal(filters).astype(dtype)
    out = Convolution(W, b, stride, pad).forward(x)
    assert out.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert_allclose(out, naive_conv(x.astype(float), W.astype(float), b.astype(float), stride,
                                    pad), rtol=tol, atol=tol)


@pytest.mark.parametrize(("shape", "filters", "stride", "pad"), [
    ((2, 3, 6, 6), (4, 3, 3, 3), 1, 0),
    ((2, 2, 7, 7), (3, 2, 3, 3), 2, 1),
    ((1, 1, 5, 6), (2, 1, 2, 3), 1, 2),
])
def test_convolution_backward_matches_numerical_gradients(shape, filters, stride, pad):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    W, b = rng.standard_normal(filters), rng.standard_normal(filters[0])
    layer = Convolution(W, b, stride, pad)
    weights = rng.standard_normal(layer.forward(x).shape)  # loss = sum(weights * out)

    def loss():
        return float(np.sum(weights * layer.forward(x)))

    loss()
    dx = layer.backward(weights)
    report = gradcheck(loss, {"x": x, "W": W, "b": b}, {"x": dx, "W": layer.dW, "b": layer.db})
    assert report.ok, str(report)
    assert report.params["x"].max_abs_error < 1e-7


def test_convolution_backward_twice_gives_the_same_gradients_and_keeps_float32():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 2, 6, 6)).astype(np.float32)
    layer = Convolution(rng.standard_normal((4, 2, 3, 3)).astype(np.float32),
                        np.zeros(4, np.float32), pad=1)
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape).astype(np.float32)
    dx1, dW1 = layer.backward(dout), layer.dW.copy()
    dx2 = layer.backward(dout)
    assert_array_equal(dx1, dx2)
    assert_array_equal(dW1, layer.dW)
    assert dx1.dtype == layer.dW.dtype == layer.db.dtype == np.float32


def test_convolution_without_input_grad_returns_none_and_reuses_its_columns():
    rng = np.random.default_rng(3)
    W, b = rng.standard_normal((2, 1, 3, 3)), np.zeros(2)
    layer = Convolution(W, b, input_grad=False)
    x1, x2 = rng.standard_normal((2, 1, 5, 5)), rng.standard_normal((2, 1, 5, 5))
    out1 = layer.forward(x1)
    col = layer.col
    out2 = layer.forward(x2)
    assert layer.col is col  # same memory, new windows
    assert_allclose(out1, naive_conv(x1, W, b, 1, 0), rtol=1e-12)  # not overwritten
    assert layer.backward(np.ones_like(out2)) is None
    # dW[f, c, i, j] = sum over n, oh, ow of x[n, c, oh + i, ow + j]: every window summed
    window_sum = im2col(x2, 3, 3).sum(axis=0).reshape(1, 3, 3)
    assert_allclose(layer.dW, np.stack([window_sum, window_sum]), rtol=1e-12)
    assert_allclose(layer.db, [18.0, 18.0])


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (np.zeros((4, 25)), r"x must be a 4-D batch of images \(N, C, H, W\), got shape \(4, 25\)"),
        (np.zeros((4, 2, 5, 5)),
         r"x must have 1 channels \(N, 1, H, W\), got shape \(4, 2, 5, 5\)"),
        (np.zeros((4, 1, 2, 5)), "H = 2 does not fit a filter of 3"),
    ],
)
def test_convolution_refuses_bad_input(x, message):
    layer = Convolution(np.zeros((2, 1, 3, 3)), np.zeros(2))
    with pytest.raises(ValueError, match=message):
        layer.forward(x)


def test_convolution_refuses_bad_weights():
    with pytest.raises(ValueError, match=r"W must be 4-D \(filters, channels, FH, FW\)"):
        Convolution(np.zeros((2, 9)), np.zeros(2))
    with pytest.raises(ValueError, match="stride must be an integer >= 1, got 0"):
        Convolution(np.zeros((2, 1, 3, 3)), np.zeros(2), stride=0)


# --- Pooling -----------------------------------------------------------------------------

@st.composite
def pool_shapes(draw):
    """(N, C, H, W), pool (PH, PW), stride and pad (at most half the pool) that fit exactly."""
    ph, pw, stride = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    pad = draw(st.integers(0, min(ph, pw) // 2))
    oh, ow = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    h, w = (oh - 1) * stride + ph - 2 * pad, (ow - 1) * stride + pw - 2 * pad
    if h < 1 or w < 1:
        h, w, pad = h + 2 * pad, w + 2 * pad, 0
    return (draw(st.integers(1, 3)), draw(st.integers(1, 3)), h, w), (ph, pw), stride, pad


@given(pool_shapes(), st.sampled_from([np.float32, np.float64]), st.integers(0, 2**32 - 1))
def test_pooling_forward_matches_a_naive_loop_in_its_dtype(case, dtype, seed):
    shape, (ph, pw), stride, pad = case
    x = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    out = Pooling(ph, pw, stride, pad).forward(x)
    assert out.dtype == dtype
    assert_array_equal(out, naive_pool(x.astype(float), ph, pw, stride, pad).astype(dtype))


@pytest.mark.parametrize(("shape", "pool", "stride", "pad"), [
    ((2, 3, 4, 4), (2, 2), 2, 0),   # the book's: windows tile the input
    ((2, 2, 5, 5), (3, 3), 1, 0),   # overlapping windows
    ((1, 2, 6, 7), (2, 3), 3, 1),   # padding, a gap between windows
    ((1, 1, 6, 6), (3, 3), 3, 0),   # three positions per axis
])
def test_pooling_backward_matches_numerical_gradients(shape, pool, stride, pad):
    x = np.random.default_rng(4).permutation(np.prod(shape)).reshape(shape) / 7.0  # no ties
    layer = Pooling(*pool, stride=stride, pad=pad)
    weights = np.random.default_rng(5).standard_normal(layer.forward(x).shape)

    def loss():
        return float(np.sum(weights * layer.forward(x)))

    loss()
    report = gradcheck(loss, x, layer.backward(weights))
    assert report.ok, str(report)


def test_pooling_sends_the_gradient_to_the_first_maximum_of_a_tie():
    layer = Pooling(2, 2, stride=2)
    layer.forward(np.ones((1, 1, 2, 2)))
    assert_array_equal(layer.backward(np.array([[[[5.0]]]]))[0, 0], [[5, 0], [0, 0]])


def test_pooling_keeps_float32_and_accepts_the_convolutions_layout():
    rng = np.random.default_rng(6)
    conv = Convolution(rng.standard_normal((3, 1, 3, 3)).astype(np.float32),
                       np.zeros(3, np.float32))
    x = conv.forward(rng.standard_normal((4, 1, 8, 8)).astype(np.float32))
    layer = Pooling(2, 2, stride=2)
    out = layer.forward(x)
    assert_array_equal(out, naive_pool(np.ascontiguousarray(x), 2, 2, 2, 0).astype(np.float32))
    dx = layer.backward(np.ones_like(out))
    assert dx.dtype == out.dtype == np.float32 and dx.shape == x.shape
    assert dx.sum() == out.size
    assert_array_equal(layer.backward(np.ones_like(out)), dx)  # backward twice: the same


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (np.zeros((3, 5)), r"x must be a 4-D batch of images \(N, C, H, W\), got shape \(3, 5\)"),
        (np.zeros((1, 1, 5, 4)), r"H = 5 does not fit a filter of 2 with stride 2 and pad 0: .* "
                                 r"= 2.5 is not an integer"),
    ],
)
def test_pooling_refuses_bad_input(x, message):
    with pytest.raises(ValueError, match=message):
        Pooling(2, 2, stride=2).forward(x)


def test_pooling_refuses_a_pad_over_half_the_window():
    with pytest.raises(ValueError, match=r"pad must be at most half the pool size \(2, 3\), "
                                         r"so that no window holds padding only, got 2"):
        Pooling(2, 3, pad=2)
