"""InputAffine: the same values and gradients as Affine, without the blank input columns."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from nnlearn.calculus.differentiate import numerical_gradient
from nnlearn.nn import MultiLayerNet, TwoLayerNet
from nnlearn.nn.input_affine import MIN_ZERO_FRACTION, InputAffine
from nnlearn.nn.layers import Affine


def _images(rng, n=8, d=30, blank=(0, 1, 2, 7, 8, 20, 29)):
    """A batch whose columns ``blank`` are 0 in every sample, and a few other zeros."""
    x = rng.random((n, d))
    x[x < 0.2] = 0.0
    x[:, list(blank)] = 0.0
    return x


def _both(rng, x, width=5, dtype=np.float64):
    W = rng.standard_normal((x.shape[1], width)).astype(dtype)
    b = rng.standard_normal(width).astype(dtype)
    dout = rng.standard_normal((x.shape[0], width)).astype(dtype)
    sparse, dense = InputAffine(W, b), Affine(W, b, input_grad=False)
    outs = sparse.forward(x), dense.forward(x)
    assert sparse.backward(dout) is None and dense.backward(dout) is None
    return sparse, dense, outs, dout


def test_same_output_and_gradients_as_affine_and_zero_rows_for_blank_columns(rng):
    x = _images(rng)
    sparse, dense, (out, expected), _ = _both(rng, x)
    assert_array_equal(sparse.columns, np.setdiff1d(np.arange(30), [0, 1, 2, 7, 8, 20, 29]))
    assert_allclose(out, expected, rtol=1e-13)
    assert_allclose(sparse.dW, dense.dW, rtol=1e-13, atol=1e-15)
    assert_array_equal(sparse.db, dense.db)
    assert not sparse.dW[[0, 1, 2, 7, 8, 20, 29]].any()


def test_float32_stays_float32_and_matches_affine_to_rounding(rng):
    x = _images(rng, n=100, d=200, blank=range(0, 200, 3)).astype(np.float32)
    sparse, dense, (out, expected), _ = _both(rng, x, width=64, dtype=np.float32)
    assert out.dtype == sparse.dW.dtype == np.float32
    assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    assert_allclose(sparse.dW, dense.dW, rtol=1e-5, atol=1e-5)


def test_gradients_against_numerical(rng):
    x = _images(rng)
    W, b = rng.standard_normal((30, 4)), rng.standard_normal(4)
    layer, r = InputAffine(W, b), rng.standard_normal((8, 4))

    def loss(_):
        return float(np.sum(layer.forward(x) * r))

    expected_W, expected_b = numerical_gradient(loss, W), numerical_gradient(loss, b)
    layer.forward(x)
    layer.backward(r)
    assert layer.columns is not None
    assert_allclose(layer.dW, expected_W, atol=1e-9)
    assert_allclose(layer.db, expected_b, atol=1e-9)


def test_a_batch_without_blank_columns_uses_every_column_as_affine_does(rng):
    x = rng.random((6, 12)) + 0.1
    sparse, dense, (out, expected), _ = _both(rng, x)
    assert sparse.columns is None
    assert_array_equal(out, expected)
    assert_array_equal(sparse.dW, dense.dW)


def test_too_few_blank_columns_are_not_worth_skipping(rng):
    d = 40
    few = int(MIN_ZERO_FRACTION * d) - 1  # 4 of 40: below an eighth
    x = _images(rng, d=d, blank=range(few))
    sparse, dense, (out, expected), _ = _both(rng, x)
    assert sparse.columns is None
    assert_array_equal(out, expected)
    x = _images(rng, d=d, blank=range(few + 1))  # 5 of 40: skipped
    assert _both(rng, x)[0].columns.size == d - few - 1


def test_all_zero_batch(rng):
    x = np.zeros((4, 10))
    sparse, dense, (out, expected), dout = _both(rng, x)
    assert sparse.columns.size == 0
    assert_array_equal(out, np.broadcast_to(sparse.b, (4, 5)))
    assert_array_equal(out, expected)
    assert_array_equal(sparse.dW, np.zeros((10, 5)))
    assert_array_equal(sparse.db, dout.sum(axis=0))


def test_images_keep_their_shape_and_bad_shapes_are_refused(rng):
    x = _images(rng, n=3, d=16, blank=(0, 3, 12, 15)).reshape(3, 1, 4, 4)
    layer = InputAffine(rng.standard_normal((16, 2)), np.zeros(2))
    assert_allclose(layer.forward(x), x.reshape(3, 16) @ layer.W, rtol=1e-13)
    assert layer.columns.size == 12
    with pytest.raises(ValueError, match=r"x must have 16 values per sample, got shape \(3, 15\)"):
        layer.forward(np.ones((3, 15)))


@pytest.mark.parametrize(("width", "dtype", "skips"), [
    (256, np.float32, True), (128, np.float32, True), (100, np.float32, False),
    (64, np.float64, True), (50, np.float64, False),
])
def test_networks_use_it_for_a_wide_first_layer_only(width, dtype, skips):
    net = MultiLayerNet(30, [width, width], 3, dtype=dtype, rng=0)
    assert isinstance(net.layers[0], InputAffine) is skips
    assert not any(isinstance(layer, InputAffine) for layer in net.layers[1:])


def test_network_gradient_is_the_dense_one_and_the_numerical_one(rng):
    net = TwoLayerNet(30, 64, 3, 0.5, activation="relu", rng=0)
    assert isinstance(net.layers[0], InputAffine)
    x, t = _images(rng, n=6), np.array([0, 1, 2, 0, 1, 2])
    grads = {k: v.copy() for k, v in net.gradient(x, t).items()}
    numerical = net.numerical_gradient(x, t)
    net.layers[0] = Affine(net.params["W1"], net.params["b1"], input_grad=False)
    dense = net.gradient(x, t)
    for key in grads:
        assert_allclose(grads[key], dense[key], rtol=1e-12, atol=1e-15, err_msg=key)
        assert_allclose(grads[key], numerical[key], rtol=1e-6, atol=1e-8, err_msg=key)
