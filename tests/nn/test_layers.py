import numpy as np
import pytest
from numpy.testing import assert_allclose

from nnlearn.calculus.differentiate import numerical_gradient
from nnlearn.functions import cross_entropy_error, one_hot, softmax
from nnlearn.nn.layers import (
    Affine,
    BatchNormalization,
    Dropout,
    ReLU,
    Sigmoid,
    SoftmaxWithLoss,
    Tanh,
)


def projected(layer, x, r, **kwargs):
    """The scalar sum(forward(x) * r): its gradient w.r.t. the output is r."""
    return float(np.sum(layer.forward(x, **kwargs) * r))


def check_input_gradient(layer, x, rng, atol=1e-9, **kwargs):
    r = rng.standard_normal(layer.forward(x, **kwargs).shape)
    expected = numerical_gradient(lambda _: projected(layer, x, r, **kwargs), x)
    layer.forward(x, **kwargs)
    assert_allclose(layer.backward(r), expected, atol=atol)
    return r


class TestAffine:
    def test_backward_against_numerical(self, rng):
        W, b = rng.standard_normal((6, 4)), rng.standard_normal(4)
        layer = Affine(W, b)
        x = rng.standard_normal((3, 2, 3))  # flattened to (3, 6)
        r = check_input_gradient(layer, x, rng)
        assert layer.backward(r).shape == (3, 2, 3)
        def loss(_):
            return projected(layer, x, r)

        assert_allclose(layer.dW, numerical_gradient(loss, W), atol=1e-9)
        assert_allclose(layer.db, numerical_gradient(loss, b), atol=1e-9)
        assert_allclose(layer.db, r.sum(axis=0), rtol=1e-14)

    def test_closed_form_and_reference_parameters(self, rng):
        W, b = rng.standard_normal((3, 2)), rng.standard_normal(2)
        layer = Affine(W, b)
        x = rng.standard_normal((4, 3))
        assert_allclose(layer.forward(x), x @ W + b, rtol=1e-14)
        W *= 2  # the layer holds the very arrays
        assert_allclose(layer.forward(x), x @ W + b, rtol=1e-14)

    def test_without_input_gradient(self, rng):
        layer = Affine(rng.standard_normal((3, 2)), np.zeros(2), input_grad=False)
        layer.forward(rng.standard_normal((4, 3)))
        assert layer.backward(np.ones((4, 2))) is None
        assert_allclose(layer.db, [4.0, 4.0])

    def test_evaluate_stacked_copies(self, rng):
        layer = Affine(rng.standard_normal((3, 2)), rng.standard_normal(2))
        x = rng.standard_normal((5, 4, 3))
        assert_allclose(layer.evaluate(x), np.stack([layer.forward(c) for c in x]), rtol=1e-14)

    def test_bad_shapes(self, rng):
        with pytest.raises(ValueError, match=r"W must be 2-D and b of shape \(W.shape\[1\],\)"):
            Affine(np.zeros((3, 2)), np.zeros(3))
        layer = Affine(np.zeros((3, 2)), np.zeros(2))
        with pytest.raises(ValueError, match=r"x must have 3 values per sample, got shape \(4, 2"):
            layer.forward(np.zeros((4, 2)))


@pytest.mark.parametrize("layer_class", [Sigmoid, ReLU, Tanh])
class TestActivations:
    def test_backward_against_numerical(self, layer_class, rng):
        x = rng.standard_normal((4, 5))
        x[np.abs(x) < 0.01] = 0.5  # keep ReLU away from its kink
        check_input_gradient(layer_class(), x, rng)

    def test_column_and_stacked_evaluation(self, layer_class, rng):
        layer = layer_class()
        x = rng.standard_normal((3, 4, 5))
        assert_allclose(layer.evaluate(x), layer.forward(x), rtol=1e-15)
        assert_allclose(layer.evaluate_column(x[..., 2], 2), layer.forward(x)[..., 2], rtol=1e-15)

    def test_float32_stays_float32(self, layer_class, rng):
        layer = layer_class()
        x = rng.standard_normal((4, 5)).astype(np.float32)
        assert layer.forward(x).dtype == np.float32
        assert layer.backward(np.ones_like(x)).dtype == np.float32

    def test_backward_twice_gives_the_same(self, layer_class, rng):
        layer = layer_class()
        layer.forward(rng.standard_normal((4, 5)))
        dout = rng.standard_normal((4, 5))
        assert np.array_equal(layer.backward(dout), layer.backward(dout))


def test_activation_values():
    x = np.array([-1000.0, -1.0, 0.0, 2.0, 1000.0])
    assert_allclose(Sigmoid().forward(x), [0, 1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-2)), 1])
    assert_allclose(Sigmoid().forward(x.astype(np.float32)), [0, 0.26894142, 0.5, 0.88079708, 1])
    assert_allclose(ReLU().forward(x), [0, 0, 0, 2, 1000])
    assert_allclose(Tanh().forward(x), np.tanh(x))
    sigmoid = Sigmoid()
    y = sigmoid.forward(x)
    assert_allclose(sigmoid.backward(np.ones(5)), y * (1 - y), rtol=1e-15)


class TestSoftmaxWithLoss:
    def test_loss_is_cross_entropy_of_softmax(self, rng):
        x, t = rng.standard_normal((5, 4)), np.array([0, 3, 1, 1, 2])
        loss = SoftmaxWithLoss().forward(x, t)
        assert loss == pytest.approx(-np.mean(np.log(softmax(x)[np.arange(5), t])), rel=1e-14)
        # the book's version differs only by its delta = 1e-7 inside the log
        assert loss == pytest.approx(cross_entropy_error(softmax(x), t), abs=1e-6)

    @pytest.mark.parametrize("shape", [(3, 10), (200, 10), (2, 50, 10)])
    def test_small_and_large_batches(self, rng, shape):  # two ways of reducing the rows
        x = 5 * rng.standard_normal(shape)
        t = rng.integers(0, 10, shape[-2])
        expected = -np.mean(np.log(softmax(x))[..., np.arange(shape[-2]), t], axis=-1)
        assert_allclose(SoftmaxWithLoss().evaluate(x, t), expected, rtol=1e-13)
        assert_allclose(SoftmaxWithLoss().evaluate(x, one_hot(t, 10)), expected, rtol=1e-13)
        if x.ndim == 2:
            layer = SoftmaxWithLoss()
            assert layer.forward(x, t) == pytest.approx(expected, rel=1e-13)
            assert_allclose(layer.y, softmax(x), rtol=1e-13)

    def test_labels_one_hot_and_soft_targets(self, rng):
        x, t = rng.standard_normal((5, 4)), np.array([0, 3, 1, 1, 2])
        by_label, by_one_hot = SoftmaxWithLoss(), SoftmaxWithLoss()
        assert by_label.forward(x, t) == pytest.approx(by_one_hot.forward(x, one_hot(t, 4)))
        assert_allclose(by_label.backward(), by_one_hot.backward(), rtol=1e-14)
        assert_allclose(by_label.backward(), (softmax(x) - one_hot(t, 4)) / 5, rtol=1e-12)
        soft = rng.random((5, 4))  # rows need not sum to 1: the exact gradient handles it
        layer = SoftmaxWithLoss()
        expected = numerical_gradient(lambda _: layer.forward(x, soft), x)
        layer.forward(x, soft)
        assert_allclose(layer.backward(), expected, atol=1e-9)

    @pytest.mark.parametrize("targets", ["labels", "one-hot"])
    def test_backward_matches_numerical_to_1e9(self, rng, targets):
        x, t = 3 * rng.standard_normal((6, 10)), rng.integers(0, 10, 6)
        if targets == "one-hot":
            t = one_hot(t, 10)
        layer = SoftmaxWithLoss()
        expected = numerical_gradient(lambda _: layer.forward(x, t), x)
        layer.forward(x, t)
        assert_allclose(layer.backward(), expected, rtol=0, atol=1e-9)
        assert_allclose(layer.backward(2.0), 2 * expected, rtol=0, atol=2e-9)

    def test_large_scores_and_single_sample(self):
        layer = SoftmaxWithLoss()
        assert layer.forward(np.array([[1000.0, 0.0]]), np.array([1])) == pytest.approx(1000.0)
        assert layer.forward(np.array([0.0, 0.0]), 1) == pytest.approx(np.log(2))
        assert_allclose(layer.backward(), [0.5, -0.5])

    def test_float32_stays_float32(self, rng):
        x = rng.standard_normal((5, 4)).astype(np.float32)
        layer = SoftmaxWithLoss()
        layer.forward(x, one_hot([0, 1, 2, 3, 0], 4))  # float64 one-hot rows: no upcast
        assert layer.backward().dtype == np.float32
        layer.forward(x, np.array([0, 1, 2, 3, 0]))
        assert layer.backward().dtype == np.float32

    def test_evaluate_stacked_copies(self, rng):
        x, t = rng.standard_normal((3, 5, 4)), np.array([0, 3, 1, 1, 2])
        layer = SoftmaxWithLoss()
        assert_allclose(layer.evaluate(x, t), [layer.forward(c, t) for c in x], rtol=1e-14)
        soft = one_hot(t, 4)
        assert_allclose(layer.evaluate(x, soft), [layer.forward(c, soft) for c in x], rtol=1e-14)

    def test_bad_targets(self, rng):
        layer = SoftmaxWithLoss()
        x = rng.standard_normal((3, 4))
        with pytest.raises(ValueError, match=r"t holds a label out of range: labels must be in"):
            layer.forward(x, np.array([0, 4, 1]))
        with pytest.raises(ValueError, match=r"t holds a label out of range"):
            layer.forward(x, np.array([0, -1, 1]))
        with pytest.raises(ValueError, match=r"t must be one-hot of the same shape as y \(3, 4\)"):
            layer.forward(x, np.array([0, 1]))


class TestDropout:
    def test_train_and_eval(self):
        layer = Dropout(0.3, rng=5)
        x = np.arange(1.0, 13.0).reshape(3, 4)
        mask = np.random.default_rng(5).random((3, 4)) > 0.3
        assert_allclose(layer.forward(x), x * mask)
        assert_allclose(layer.backward(np.ones((3, 4))), mask)
        assert_allclose(layer.forward(x, train_flg=False), 0.7 * x)
        assert_allclose(layer.backward(np.ones((3, 4))), np.full((3, 4), 0.7))

    def test_backward_against_numerical_with_a_fixed_mask(self, rng):
        layer = Dropout(0.5, rng=1)
        x = rng.standard_normal((4, 6))
        state = layer.rng.bit_generator.state

        def loss(_):
            layer.rng.bit_generator.state = state  # the same mask every time
            return projected(layer, x, r)

        r = rng.standard_normal((4, 6))
        expected = numerical_gradient(loss, x)
        loss(x)
        assert_allclose(layer.backward(r), expected, atol=1e-9)

    def test_seeded_and_shared_generator(self):
        x = np.ones((5, 5))
        assert np.array_equal(Dropout(rng=3).forward(x), Dropout(rng=3).forward(x))
        generator = np.random.default_rng(0)
        assert Dropout(rng=generator).rng is generator

    def test_evaluate_replays_the_last_mask(self, rng):
        layer = Dropout(0.5, rng=2)
        x = rng.standard_normal((4, 6))
        out = layer.forward(x)
        stacked = np.stack([x, x])
        assert_allclose(layer.evaluate(stacked), np.stack([out, out]))
        assert_allclose(layer.evaluate_column(stacked[..., 1], 1), np.stack([out, out])[..., 1])
        layer.forward(x, train_flg=False)
        assert_allclose(layer.evaluate(x), 0.5 * x)
        assert_allclose(layer.evaluate_column(x[:, 1], 1), 0.5 * x[:, 1])

    def test_bad_ratio(self):
        with pytest.raises(ValueError, match=r"dropout_ratio must be in \[0, 1\), got 1"):
            Dropout(1)
        with pytest.raises(ValueError, match=r"dropout_ratio must be in \[0, 1\), got -0.1"):
            Dropout(-0.1)
        with pytest.raises(TypeError, match=r"dropout_ratio must be a number in \[0, 1\)"):
            Dropout("half")


def make_batchnorm(rng, d=4, dtype=np.float64):
    gamma = (1 + 0.5 * rng.standard_normal(d)).astype(dtype)
    beta = rng.standard_normal(d).astype(dtype)
    return BatchNormalization(gamma, beta, np.zeros(d, dtype), np.ones(d, dtype))


class TestBatchNormalization:
    @pytest.mark.parametrize("train_flg", [True, False])
    def test_backward_against_numerical(self, rng, train_flg):
        layer = make_batchnorm(rng)
        layer.running_mean[...] = rng.standard_normal(4)
        layer.running_var[...] = 1 + rng.random(4)
        x = 2 * rng.standard_normal((5, 4)) + 1
        saved = layer.running_mean.copy(), layer.running_var.copy()

        def loss(_):  # the running statistics do not enter the loss; keep them fixed anyway
            layer.running_mean[...], layer.running_var[...] = saved
            return projected(layer, x, r, train_flg=train_flg)

        r = rng.standard_normal((5, 4))
        expected = {
            "x": numerical_gradient(loss, x),
            "gamma": numerical_gradient(loss, layer.gamma),
            "beta": numerical_gradient(loss, layer.beta),
        }
        loss(x)
        assert_allclose(layer.backward(r), expected["x"], atol=1e-8)
        assert_allclose(layer.dgamma, expected["gamma"], atol=1e-8)
        assert_allclose(layer.dbeta, expected["beta"], atol=1e-8)

    def test_normalises_and_updates_running_statistics(self, rng):
        layer = make_batchnorm(rng)
        x = 3 * rng.standard_normal((6, 4)) + 2
        out = layer.forward(x)
        xn = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-6)
        assert_allclose(out, layer.gamma * xn + layer.beta, rtol=1e-12)
        assert_allclose(layer.running_mean, 0.1 * x.mean(axis=0), rtol=1e-12)
        assert_allclose(layer.running_var, 0.9 + 0.1 * x.var(axis=0), rtol=1e-12)
        running = layer.running_mean.copy()
        out = layer.forward(x, train_flg=False)  # evaluation leaves the statistics alone
        assert_allclose(layer.running_mean, running)
        expected = (x - running) / np.sqrt(layer.running_var + 1e-6) * layer.gamma + layer.beta
        assert_allclose(out, expected, rtol=1e-12)

    def test_backward_twice_and_float32(self, rng):
        layer = make_batchnorm(rng, dtype=np.float32)
        x = rng.standard_normal((5, 4)).astype(np.float32)
        assert layer.forward(x).dtype == np.float32
        dout = rng.standard_normal((5, 4)).astype(np.float32)
        first = layer.backward(dout)
        assert first.dtype == layer.dgamma.dtype == np.float32
        assert np.array_equal(first, layer.backward(dout))
        assert layer.running_var.dtype == np.float32

    @pytest.mark.parametrize("train_flg", [True, False])
    def test_evaluate_matches_forward(self, rng, train_flg):
        layer = make_batchnorm(rng)
        x = rng.standard_normal((2, 5, 4))
        saved = layer.running_mean.copy()
        outs = [layer.forward(c, train_flg) for c in x]
        layer.running_mean[...] = saved
        assert_allclose(layer.evaluate(x), np.stack(outs), rtol=1e-12, atol=1e-14)
        assert_allclose(layer.evaluate_column(x[..., 3], 3), np.stack(outs)[..., 3], rtol=1e-12)

    def test_bad_shapes(self, rng):
        with pytest.raises(ValueError, match=r"gamma, beta, running_mean and running_var must be"):
            BatchNormalization(np.ones(3), np.zeros(2), np.zeros(3), np.ones(3))
        with pytest.raises(ValueError, match=r"x must have shape \(N, 4\), got \(5, 3\)"):
            make_batchnorm(rng).forward(np.zeros((5, 3)))


def test_backward_twice_for_the_other_layers(rng):
    affine = Affine(rng.standard_normal((3, 2)), rng.standard_normal(2))
    affine.forward(rng.standard_normal((4, 3)))
    dout = rng.standard_normal((4, 2))
    first = affine.backward(dout), affine.dW, affine.db
    second = affine.backward(dout), affine.dW, affine.db
    for a, b in zip(first, second, strict=True):
        assert np.array_equal(a, b)
    loss = SoftmaxWithLoss()
    loss.forward(rng.standard_normal((4, 3)), np.array([0, 1, 2, 0]))
    assert np.array_equal(loss.backward(), loss.backward())
    dropout = Dropout(rng=0)
    dropout.forward(np.ones((4, 3)))
    assert np.array_equal(dropout.backward(dout[:, :1].repeat(3, 1)), dropout.backward(
        dout[:, :1].repeat(3, 1)))


def test_relu_in_place_overwrites_its_input_and_dout_with_the_same_values():
    x = np.array([[-1.0, 0.5], [2.0, -3.0]])
    dout = np.array([[1.0, 2.0], [3.0, 4.0]])
    expected_out, expected_dx = ReLU().forward(x.copy()), np.array([[0.0, 2.0], [3.0, 0.0]])
    layer = ReLU(inplace=True)
    out = layer.forward(x)
    assert out is x
    np.testing.assert_array_equal(out, expected_out)
    dx = layer.backward(dout)
    assert dx is dout
    np.testing.assert_array_equal(dx, expected_dx)
