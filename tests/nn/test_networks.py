import numpy as np
import pytest
from numpy.testing import assert_allclose

from nnlearn.functions import one_hot, softmax
from nnlearn.nn.multi_layer_net import MultiLayerNet
from nnlearn.nn.simple_net import SimpleNet
from nnlearn.nn.two_layer_net import TwoLayerNet

SEED_W = [[0.47355232, 0.9977393, 0.84668094], [0.85557411, 0.03563661, 0.69422093]]
SEED_X = np.array([0.6, 0.9])
SEED_T = np.array([0, 0, 1])
SEED_DW = [[0.21924757, 0.14356243, -0.36281000], [0.32887136, 0.21534364, -0.54421500]]


class TestSimpleNet:
    def test_seed_loss_and_numerical_gradient(self):
        net = SimpleNet(W=SEED_W)
        assert net.loss(SEED_X, SEED_T) == pytest.approx(0.9280682857864075, abs=1e-12)
        assert_allclose(net.numerical_gradient(SEED_X, SEED_T), SEED_DW, atol=1e-6)

    def test_closure_style_of_the_seed(self):
        from nnlearn.calculus.differentiate import numerical_gradient

        net = SimpleNet(W=SEED_W)
        dW = numerical_gradient(lambda w: net.loss(SEED_X, SEED_T), net.W)
        assert_allclose(dW, SEED_DW, atol=1e-6)
        assert_allclose(net.W, SEED_W, rtol=0, atol=0)

    def test_analytic_gradient_agrees_to_the_delta(self):
        net = SimpleNet(W=SEED_W)
        analytic = net.gradient(SEED_X, SEED_T)
        assert_allclose(analytic, net.numerical_gradient(SEED_X, SEED_T), atol=1e-6)
        assert_allclose(analytic, np.outer(SEED_X, softmax(SEED_X @ net.W) - SEED_T), rtol=1e-15)
        assert_allclose(net.gradient(SEED_X, 2), analytic, rtol=1e-15)

    def test_batch_gradient_is_the_mean(self, rng):
        net = SimpleNet(rng=rng)
        x = rng.standard_normal((4, 2))
        t = np.array([0, 2, 1, 2])
        per_sample = [net.gradient(x[i], t[i]) for i in range(4)]
        assert_allclose(net.gradient(x, t), np.mean(per_sample, axis=0), rtol=1e-12)
        assert_allclose(net.gradient(x, t), net.numerical_gradient(x, t), atol=1e-6)

    def test_random_weights_are_seeded(self):
        assert np.array_equal(SimpleNet(rng=3).W, SimpleNet(rng=3).W)
        assert SimpleNet(rng=3).W.shape == (2, 3)
        assert np.array_equal(SimpleNet(rng=3).W, np.random.default_rng(3).standard_normal((2, 3)))

    def test_bad_input(self):
        with pytest.raises(ValueError, match=r"W must have shape \(2, 3\), got \(3, 2\)"):
            SimpleNet(W=np.zeros((3, 2)))
        net = SimpleNet(W=SEED_W)
        with pytest.raises(ValueError, match=r"x must have shape \(2,\) or \(batch, 2\)"):
            net.predict([0.6, 0.9, 1.0])
        with pytest.raises(ValueError, match="label out of range"):
            net.loss(SEED_X, 3)
        with pytest.raises(TypeError, match="rng must be"):
            SimpleNet(rng="seed")


# --- TwoLayerNet and MultiLayerNet -------------------------------------------------------------


def book_numerical_gradient(net, x, t):
    """The book's loop, the oracle: each entry moved in place and the whole network run twice."""
    from nnlearn.calculus.differentiate import numerical_gradient

    def loss(_):
        return net.loss(x, t, train_flg=True)

    return {name: numerical_gradient(loss, p) for name, p in net.params.items()}


def relative_gap(grads, reference):
    """Largest entry difference over the largest reference entry, across all parameters."""
    scale = max(float(np.abs(g).max()) for g in reference.values())
    return max(float(np.abs(grads[k] - reference[k]).max()) for k in reference) / scale


def jitter(net, rng):
    """Random biases (and gamma, beta): no ReLU unit sits exactly on its kink at 0."""
    for name, p in net.params.items():
        if not name.startswith("W"):
            p += (0.3 * rng.standard_normal(p.shape)).astype(p.dtype)
    return net


NETWORKS = {
    "two-layer sigmoid": lambda: TwoLayerNet(6, 5, 4, weight_init_std=0.5, rng=1),
    "two-layer relu": lambda: TwoLayerNet(6, 5, 4, 0.5, activation="relu", rng=1),
    "two-layer tanh": lambda: TwoLayerNet(6, 5, 4, 0.5, activation="tanh", rng=1),
    "mlp relu batchnorm decay": lambda: MultiLayerNet(
        6, [5, 4], 4, use_batchnorm=True, weight_decay_lambda=0.1, rng=2
    ),
    "mlp tanh xavier decay": lambda: MultiLayerNet(
        6, [5, 4, 3], 4, activation="tanh", weight_init="xavier", weight_decay_lambda=0.05, rng=2
    ),
    "mlp sigmoid batchnorm": lambda: MultiLayerNet(
        6, [5, 4], 4, activation="sigmoid", use_batchnorm=True, rng=2
    ),
    "softmax regression": lambda: MultiLayerNet(6, [], 4, weight_decay_lambda=0.2, rng=2),
}


class TestBackpropGradients:
    @pytest.mark.parametrize("name", NETWORKS)
    def test_fast_numerical_gradient_is_the_book_loop(self, name, rng):
        net = jitter(NETWORKS[name](), rng)
        x, t = rng.standard_normal((5, 6)), rng.integers(0, 4, 5)
        oracle = book_numerical_gradient(net, x, t)
        fast = net.numerical_gradient(x, t)
        assert list(fast) == list(net.params)
        assert relative_gap(fast, oracle) < 1e-9
        # backprop is exact; the book's h = 1e-4 leaves a truncation error of order h^2
        assert relative_gap(net.gradient(x, t), oracle) < 1e-7

    def test_two_layer_backprop_agrees_to_1e9_on_mnist_like_sizes(self, rng):
        net = TwoLayerNet(50, 10, 10, rng=3)
        x, t = rng.random((20, 50)), rng.integers(0, 10, 20)
        x[:, :7] = 0.0  # blank pixels: their weights get a gradient of exactly 0
        oracle = book_numerical_gradient(net, x, t)
        fast = net.numerical_gradient(x, t)
        assert relative_gap(fast, oracle) < 1e-9
        assert np.all(fast["W1"][:7] == 0) and np.all(oracle["W1"][:7] == 0)
        grads = net.gradient(x, t)
        for k in grads:
            assert_allclose(grads[k], fast[k], rtol=0, atol=1e-9, err_msg=k)

    def test_dropout_with_a_fixed_mask(self, rng):
        net = jitter(MultiLayerNet(6, [5, 4], 3, use_dropout=True, dropout_ratio=0.3, rng=4), rng)
        x, t = rng.standard_normal((5, 6)), rng.integers(0, 3, 5)
        state = net.rng.bit_generator.state
        numerical = net.numerical_gradient(x, t)
        net.rng.bit_generator.state = state  # the same masks again
        grads = net.gradient(x, t)
        assert relative_gap(grads, numerical) < 1e-9
        assert np.any(net.layers[2].mask == 0)  # some units really were dropped

    def test_weight_decay_in_loss_and_gradient(self, rng):
        plain = MultiLayerNet(6, [5], 3, rng=5)
        decayed = MultiLayerNet(6, [5], 3, weight_decay_lambda=0.3, rng=5)
        x, t = rng.standard_normal((4, 6)), rng.integers(0, 3, 4)
        squares = sum(float(np.sum(decayed.params[k] ** 2)) for k in ("W1", "W2"))
        assert decayed.loss(x, t) == pytest.approx(plain.loss(x, t) + 0.15 * squares, rel=1e-14)
        g_plain, g_decayed = plain.gradient(x, t), decayed.gradient(x, t)
        for k in ("W1", "W2"):
            assert_allclose(g_decayed[k], g_plain[k] + 0.3 * decayed.params[k], rtol=1e-14)
        for k in ("b1", "b2"):
            assert_allclose(g_decayed[k], g_plain[k], rtol=1e-14)

    def test_labels_and_one_hot_agree(self, rng):
        net = TwoLayerNet(6, 5, 4, 0.5, rng=1)
        x, t = rng.standard_normal((5, 6)), rng.integers(0, 4, 5)
        assert net.loss(x, t) == pytest.approx(net.loss(x, one_hot(t, 4)), rel=1e-14)
        by_label, by_one_hot = net.gradient(x, t), net.gradient(x, one_hot(t, 4))
        for k in by_label:
            assert_allclose(by_label[k], by_one_hot[k], rtol=1e-12, atol=1e-16)
        assert net.accuracy(x, t) == net.accuracy(x, one_hot(t, 4))

    def test_loss_and_gradient_runs_one_forward_and_one_backward(self, rng, monkeypatch):
        net = MultiLayerNet(6, [5, 4], 3, use_batchnorm=True, use_dropout=True, rng=6)
        x, t = rng.standard_normal((5, 6)), rng.integers(0, 3, 5)
        state = net.rng.bit_generator.state
        calls = []
        for layer in [*net.layers, net.last_layer]:
            for method in ("forward", "backward"):
                original = getattr(layer, method)

                def counted(*args, _original=original, _name=method, **kwargs):
                    calls.append(_name)
                    return _original(*args, **kwargs)

                monkeypatch.setattr(layer, method, counted)
        loss, grads = net.loss_and_gradient(x, t)
        n_layers = len(net.layers) + 1
        assert calls.count("forward") == n_layers and calls.count("backward") == n_layers
        net.rng.bit_generator.state = state
        assert loss == net.loss(x, t, train_flg=True)
        net.rng.bit_generator.state = state
        for k, g in net.gradient(x, t).items():
            assert np.array_equal(g, grads[k])

    def test_float32_stays_float32(self, rng):
        net = TwoLayerNet(784, 50, 10, dtype=np.float32, rng=0)
        x = rng.random((100, 784), dtype=np.float32)
        t = rng.integers(0, 10, 100)
        loss, grads = net.loss_and_gradient(x, t)
        assert isinstance(loss, float)
        assert all(g.dtype == np.float32 for g in grads.values())
        affine, sigmoid = net.layers[0], net.layers[1]
        assert affine.x.dtype == sigmoid.out.dtype == net.last_layer.y.dtype == np.float32
        assert net.predict(x).dtype == np.float32
        assert net.predict(x.astype(np.float64)).dtype == np.float32  # input converted
        net64 = net.astype(np.float64)
        grads64 = net64.gradient(x, t)
        for k in grads:
            assert_allclose(grads[k], grads64[k], rtol=1e-3, atol=1e-6, err_msg=k)
        numerical = net.numerical_gradient(x[:5], t[:5])
        assert all(g.dtype == np.float32 for g in numerical.values())
        assert relative_gap(net.gradient(x[:5], t[:5]), numerical) < 1e-4

    def test_a_few_sgd_steps_reduce_the_loss(self, rng):
        net = TwoLayerNet(6, 8, 3, 0.5, rng=7)
        x, t = rng.standard_normal((30, 6)), rng.integers(0, 3, 30)
        before = net.loss(x, t)
        for _ in range(50):
            for k, g in net.gradient(x, t).items():
                net.params[k] -= 0.5 * g
        assert net.loss(x, t) < 0.8 * before


class TestNetworkInterface:
    def test_two_layer_init_follows_the_book(self):
        net = TwoLayerNet(784, 50, 10, rng=3)
        generator = np.random.default_rng(3)
        assert np.array_equal(net.params["W1"], 0.01 * generator.standard_normal((784, 50)))
        assert np.array_equal(net.params["W2"], 0.01 * generator.standard_normal((50, 10)))
        assert not net.params["b1"].any() and not net.params["b2"].any()
        assert net.buffers == {} and isinstance(net.rng, np.random.Generator)
        assert repr(net) == "TwoLayerNet(784, 50, 10, activation='sigmoid', dtype=float64)"

    @pytest.mark.parametrize(("weight_init", "std"), [("he", np.sqrt(2 / 400)),
                                                      ("xavier", np.sqrt(1 / 400)), (0.3, 0.3)])
    def test_multi_layer_init(self, weight_init, std):
        net = MultiLayerNet(400, [300], 10, weight_init=weight_init, rng=0)
        assert np.std(net.params["W1"]) == pytest.approx(std, rel=0.02)
        assert list(net.params) == ["W1", "b1", "W2", "b2"]

    def test_params_are_the_layers_arrays(self, rng):
        net = MultiLayerNet(6, [5], 3, use_batchnorm=True, rng=0)
        assert net.layers[0].W is net.params["W1"]
        assert net.layers[1].gamma is net.params["gamma1"]
        assert net.layers[1].running_mean is net.buffers["running_mean1"]
        x = rng.standard_normal((4, 6))
        saved = {k: p.copy() for k, p in net.params.items()}
        before = net.predict(x)
        net.params["W2"] *= 2  # in place: the network sees it
        assert not np.allclose(net.predict(x), before)
        for k, p in net.params.items():  # loading a checkpoint
            p[...] = saved[k]
        assert np.array_equal(net.predict(x), before)

    def test_batchnorm_running_statistics(self, rng):
        net = MultiLayerNet(6, [5], 3, use_batchnorm=True, rng=0)
        x, t = rng.standard_normal((8, 6)), rng.integers(0, 3, 8)
        mean = net.buffers["running_mean1"]
        net.predict(x)
        assert not mean.any()  # evaluation mode leaves the statistics alone
        net.numerical_gradient(x, t)
        assert not mean.any()  # so does the numerical gradient
        net.gradient(x, t)
        a1 = x @ net.params["W1"] + net.params["b1"]
        assert_allclose(net.buffers["running_mean1"], 0.1 * a1.mean(axis=0), rtol=1e-12)
        assert net.buffers["running_mean1"] is mean
        assert not np.allclose(net.predict(x), net.predict(x, train_flg=True))

    def test_dropout_modes_and_reproducibility(self, rng):
        x = rng.standard_normal((4, 6))
        net = MultiLayerNet(6, [50], 3, use_dropout=True, rng=0)
        assert np.array_equal(net.predict(x), net.predict(x))  # evaluation: no randomness
        assert not np.array_equal(net.predict(x, train_flg=True), net.predict(x, train_flg=True))
        again = MultiLayerNet(6, [50], 3, use_dropout=True, rng=0)
        assert np.array_equal(
            MultiLayerNet(6, [50], 3, use_dropout=True, rng=0).predict(x, train_flg=True),
            again.predict(x, train_flg=True),
        )
        assert net.layers[2].rng is net.rng

    def test_single_sample_and_image_shaped_input(self, rng):
        net = TwoLayerNet(6, 5, 4, 0.5, rng=1)
        x, t = rng.standard_normal((3, 6)), np.array([1, 0, 3])
        assert net.predict(x[0]).shape == (4,)
        assert_allclose(net.predict(x[0]), net.predict(x)[0], rtol=1e-14)
        assert net.loss(x[0], t[0]) == pytest.approx(net.loss(x[:1], t[:1]), rel=1e-14)
        assert net.loss(x[0], one_hot(t, 4)[0]) == pytest.approx(net.loss(x[:1], t[:1]))
        assert_allclose(net.predict(x.reshape(3, 2, 3)), net.predict(x), rtol=1e-14)

    def test_accuracy(self, rng):
        net = TwoLayerNet(6, 5, 4, 0.5, rng=1)
        x = rng.standard_normal((10, 6))
        labels = net.predict(x).argmax(axis=1)
        assert net.accuracy(x, labels) == 1.0
        wrong = (labels + 1) % 4
        assert net.accuracy(x, np.r_[labels[:3], wrong[3:]]) == pytest.approx(0.3)
        assert net.accuracy(x, one_hot(np.r_[labels[:3], wrong[3:]], 4)) == pytest.approx(0.3)

    def test_astype_copies(self, rng):
        net = MultiLayerNet(6, [5], 3, use_batchnorm=True, use_dropout=True, dtype=np.float32,
                            rng=0)
        net.gradient(rng.standard_normal((4, 6)), np.array([0, 1, 2, 0]))
        twin = net.astype(np.float64)
        assert twin.params["W1"].dtype == np.float64 and twin.params["W1"] is not net.params["W1"]
        assert np.array_equal(twin.params["W1"], net.params["W1"])
        assert np.array_equal(twin.buffers["running_var1"], net.buffers["running_var1"])
        assert twin.rng.bit_generator.state == net.rng.bit_generator.state
        x = rng.standard_normal((4, 6))
        assert_allclose(twin.predict(x, True), net.predict(x, True), rtol=1e-5, atol=1e-6)

    def test_bad_input(self):
        net = TwoLayerNet(6, 5, 4)
        x = np.zeros((3, 6))
        with pytest.raises(ValueError, match=r"x must have shape \(batch, 6\) or \(6,\) for one"):
            net.predict(np.zeros((3, 5)))
        with pytest.raises(ValueError, match=r"x must have shape \(batch, 6\).*got \(0, 6\)"):
            net.predict(np.zeros((0, 6)))
        with pytest.raises(TypeError, match="x must hold real numbers, got dtype <U1"):
            net.predict(np.array([["a"] * 6]))
        with pytest.raises(ValueError, match=r"t must be one-hot of the same shape as y \(3, 4\)"):
            net.loss(x, np.array([0, 1]))
        with pytest.raises(ValueError, match=r"label out of range: labels must be in \[0, 3\]"):
            net.gradient(x, np.array([0, 1, 4]))
        with pytest.raises(ValueError, match="t holds a label out of range"):
            net.accuracy(x, np.array([0, -1, 2]))
        with pytest.raises(ValueError, match="hidden_size must be an integer >= 1, got 0"):
            TwoLayerNet(6, 0, 4)
        with pytest.raises(TypeError, match="input_size must be an integer >= 0"):
            TwoLayerNet(6.5, 5, 4)
        with pytest.raises(ValueError, match="weight_init_std must be a finite number > 0"):
            TwoLayerNet(6, 5, 4, -0.01)
        with pytest.raises(ValueError, match="activation must be one of 'relu', 'sigmoid', 'tanh'"):
            TwoLayerNet(6, 5, 4, activation="softplus")
        with pytest.raises(ValueError, match="dtype must be float32 or float64, got int64"):
            TwoLayerNet(6, 5, 4, dtype=np.int64)
        with pytest.raises(TypeError, match="dtype must be float32 or float64, got 'single-ish'"):
            TwoLayerNet(6, 5, 4, dtype="single-ish")
        with pytest.raises(ValueError, match=r"hidden_size_list\[1\] must be an integer >= 1"):
            MultiLayerNet(6, [5, 0], 4)
        with pytest.raises(TypeError, match="hidden_size_list must be a sequence of widths"):
            MultiLayerNet(6, 5, 4)
        with pytest.raises(ValueError, match="weight_init must be 'he', 'xavier' or a standard"):
            MultiLayerNet(6, [5], 4, weight_init="lecun")
        with pytest.raises(ValueError, match="weight_init must be a finite number > 0"):
            MultiLayerNet(6, [5], 4, weight_init=0.0)
        with pytest.raises(ValueError, match="weight_decay_lambda must be a finite number >= 0"):
            MultiLayerNet(6, [5], 4, weight_decay_lambda=-1)
        with pytest.raises(ValueError, match=r"dropout_ratio must be in \[0, 1\)"):
            MultiLayerNet(6, [5], 4, use_dropout=True, dropout_ratio=1.5)
