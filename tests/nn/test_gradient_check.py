import runpy
from pathlib import Path

import numpy as np
import pytest

import nnlearn.nn.layers
from nnlearn import GradcheckReport, MultiLayerNet, TwoLayerNet, check_network, gradcheck
from nnlearn.cli import main
from nnlearn.nn.gradient_check import WorstEntry

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_gradcheck.py"


def cubic_loss(w):
    return lambda: float(np.sum(w**3))


class TestGradcheck:
    def test_correct_gradient_passes_in_both_modes(self, rng):
        params = {"a": rng.standard_normal((3, 4)), "b": rng.standard_normal(5)}

        def loss():
            return float(np.sum(np.sin(params["a"])) + np.sum(params["b"] ** 3))

        grads = {"a": np.cos(params["a"]), "b": 3 * params["b"] ** 2}
        full = gradcheck(loss, params, grads)
        assert full.ok and full.mode == "full" and full.n_evaluations == 2 * 17
        assert full.params["a"].method == "entries" and full.params["a"].n_checked == 12
        assert full.params["a"].max_abs_error < 1e-9
        assert len(full.worst) == 10 and all(isinstance(e, WorstEntry) for e in full.worst)
        fast = gradcheck(loss, params, grads, mode="fast", n_directions=3, rng=0)
        assert fast.ok and fast.n_evaluations == 2 * 3 * 2
        assert fast.params["b"].method == "directions" and fast.params["b"].n_checked == 3
        assert fast.worst == ()

    def test_a_wrong_entry_is_named_in_both_modes(self, rng):
        w = rng.standard_normal((2, 3))
        grads = 3 * w**2
        grads[1, 2] += 0.5
        for mode in ("full", "fast"):
            report = gradcheck(cubic_loss(w), w, grads, mode=mode, rng=1)
            assert not report.ok and report.failed == ["x"]
            check = report.params["x"]
            assert check.method == "entries" and check.n_failed == 1
            assert check.max_abs_error == pytest.approx(0.5, rel=1e-6)
            worst = report.worst[0]
            assert (worst.name, worst.index) == ("x", (1, 2))
            assert worst.analytic == pytest.approx(3 * w[1, 2] ** 2 + 0.5)
            assert worst.numerical == pytest.approx(3 * w[1, 2] ** 2, rel=1e-8)

    def test_report_table(self, rng):
        w = np.array([1.0, 2.0])
        text = str(gradcheck(cubic_loss(w), {"w": w}, {"w": [3.0, 10.0]}))
        assert text.splitlines()[0] == "gradcheck (full mode, 4 loss evaluations): FAILED for w"
        assert "parameter  shape  dtype    checked    failed  max abs err  max rel err" in text
        assert "w[1]" in text and "WRONG" in text and "w[0]" in text
        assert isinstance(gradcheck(cubic_loss(w), {"w": w}, {"w": 3 * w**2}), GradcheckReport)
        assert str(gradcheck(cubic_loss(w), w, 3 * w**2)).startswith("gradcheck (full mode")

    def test_parameters_are_restored_exactly(self, rng):
        w = rng.standard_normal(6)
        saved = w.copy()
        gradcheck(cubic_loss(w), w, 3 * w**2)
        gradcheck(cubic_loss(w), w, 3 * w**2, mode="fast", rng=0)
        assert np.array_equal(w, saved)
        calls = []

        def failing():
            calls.append(1)
            if len(calls) == 5:
                raise RuntimeError("loss broke")
            return float(np.sum(w))

        for mode in ("full", "fast"):
            calls.clear()
            with pytest.raises(RuntimeError, match="loss broke"):
                gradcheck(failing, w, np.ones(6), mode=mode)
            assert np.array_equal(w, saved)

    def test_float32_parameters(self, rng):
        w = rng.standard_normal(5).astype(np.float32)
        good = gradcheck(cubic_loss(w), w, 3 * w**2)
        assert good.ok and good.params["x"].rtol == 1e-2 and good.params["x"].atol == 1e-3
        assert gradcheck(cubic_loss(w), w, 3 * w**2, mode="fast", rng=0).ok
        assert not gradcheck(cubic_loss(w), w, 2 * w**2).ok
        assert gradcheck(cubic_loss(w), w, 3 * w**2, rtol=0.5, atol=0.5).params["x"].rtol == 0.5

    def test_bad_arguments(self):
        w = np.ones(3)
        loss = cubic_loss(w)
        with pytest.raises(TypeError, match="loss must be callable"):
            gradcheck(3.0, w, w)
        with pytest.raises(ValueError, match="mode must be 'full' or 'fast', got 'slow'"):
            gradcheck(loss, w, w, mode="slow")
        with pytest.raises(ValueError, match="n_directions must be an integer >= 1, got 0"):
            gradcheck(loss, w, w, n_directions=0)
        with pytest.raises(ValueError, match="rtol must be a finite number >= 0"):
            gradcheck(loss, w, w, rtol=-1e-5)
        with pytest.raises(ValueError, match=r"grads must have the keys of params \['a'\]"):
            gradcheck(loss, {"a": w}, {"b": w})
        with pytest.raises(ValueError, match=r"grads\['x'\] must have the shape of params"):
            gradcheck(loss, w, np.ones(4))
        with pytest.raises(TypeError, match=r"params\['x'\] must be a float32 or float64 numpy"):
            gradcheck(loss, np.ones(3, dtype=int), w)
        with pytest.raises(TypeError, match=r"params\['x'\] must be a float32 or float64 numpy"):
            gradcheck(loss, [1.0, 2.0, 3.0], w)
        with pytest.raises(ValueError, match="params must not be empty"):
            gradcheck(loss, {}, {})
        with pytest.raises(ValueError, match="loss must return a scalar"):
            gradcheck(lambda: w * 2, w, w)
        with pytest.raises(ValueError, match="loss returned nan"):
            gradcheck(lambda: float("nan"), w, w)


# --- networks and the mutants -----------------------------------------------------------------


def jitter(net, rng):
    """Random biases (and gamma, beta): no ReLU unit sits exactly on its kink at 0."""
    for name, p in net.params.items():
        if not name.startswith("W"):
            p += 0.3 * rng.standard_normal(p.shape)
    return net


def two_layer(seed, activation="sigmoid"):
    rng = np.random.default_rng(seed)
    net = jitter(TwoLayerNet(6, 6, 6, 0.5, activation=activation, rng=seed), rng)
    return net, rng.standard_normal((4, 6)), np.array([0, 1, 2, 3])


def multi_layer(seed, **options):
    rng = np.random.default_rng(seed)
    net = jitter(MultiLayerNet(6, [6, 5], 4, rng=seed, **options), rng)
    return net, rng.standard_normal((5, 6)), np.array([0, 1, 2, 3, 0])


CORRECT = {
    "two-layer sigmoid": lambda s: two_layer(s),
    "two-layer relu": lambda s: two_layer(s, "relu"),
    "two-layer tanh": lambda s: two_layer(s, "tanh"),
    "mlp batchnorm dropout decay": lambda s: multi_layer(
        s, use_batchnorm=True, use_dropout=True, dropout_ratio=0.3, weight_decay_lambda=0.1
    ),
    "mlp tanh batchnorm": lambda s: multi_layer(s, activation="tanh", use_batchnorm=True),
}


@pytest.mark.parametrize("name", CORRECT)
def test_no_false_alarm_on_correct_networks_over_many_seeds(name):
    for seed in range(25):
        net, x, t = CORRECT[name](seed)
        for mode in ("full", "fast"):
            report = check_network(net, x, t, mode=mode, rng=seed)
            assert report.ok, f"seed {seed}, {mode} mode:\n{report}"


def replace_backward(layer, backward):
    layer.backward = backward.__get__(layer)


def after_backward(layer, change):
    """Run the correct backward, then let ``change(layer, dout, dx)`` spoil its result."""
    correct = layer.backward

    def backward(dout):
        return change(layer, dout, correct(dout))

    layer.backward = backward


def affine_dW_not_transposed(net):  # dW = dout^T x instead of x^T dout
    after_backward(net.layers[2], lambda layer, dout, dx: setattr(layer, "dW", layer.dW.T) or dx)


def affine_dx_not_transposed(net):  # dx = dout W instead of dout W^T
    after_backward(net.layers[2], lambda layer, dout, dx: dout @ layer.W)


def softmax_missing_one_over_n(net):
    after_backward(net.last_layer, lambda layer, dout, dx: dx * dx.shape[0])


def bias_gradient_wrong_sign(net):
    after_backward(net.layers[2], lambda layer, dout, dx: setattr(layer, "db", -layer.db) or dx)


def bias_gradient_not_summed(net):  # the first sample's row only
    after_backward(net.layers[0], lambda layer, dout, dx: setattr(layer, "db", dout[0]) or dx)


def sigmoid_derivative_y(net):  # dout * y instead of dout * y (1 - y)
    replace_backward(net.layers[1], lambda self, dout: dout * self.out)


def relu_mask_inverted(net):
    replace_backward(net.layers[1], lambda self, dout: dout * ~self.mask)


def tanh_derivative_one_minus_y(net):  # 1 - y instead of 1 - y^2
    replace_backward(net.layers[1], lambda self, dout: dout * (1 - self.out))


def weight_decay_missing(net):
    net._add_weight_decay = lambda grads: None


def softmax_batch_index_off_by_one(net):  # subtracts sample n's label from row n - 1
    def backward(self, dout=1.0):
        dx = self.y
        n = dx.shape[0]
        dx[np.arange(n) - 1, self.t] -= 1.0
        return dx * dout / n

    replace_backward(net.last_layer, backward)


def batchnorm_dgamma_without_xn(net):
    after_backward(
        net.layers[1], lambda layer, dout, dx: setattr(layer, "dgamma", dout.sum(axis=0)) or dx
    )


def batchnorm_dx_without_mean_term(net):
    def backward(self, dout):
        self.dbeta, self.dgamma = dout.sum(axis=0), np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        dvar = -0.5 * np.sum(dxn * self.xc, axis=0) / self.std**3
        return dxc + (2.0 / dout.shape[0]) * self.xc * dvar  # forgot: - mean of that over the batch

    replace_backward(net.layers[1], backward)


def dropout_mask_ignored(net):
    replace_backward(net.layers[2], lambda self, dout: dout)


ALL_TWO_LAYER = {"W1", "b1", "W2", "b2"}
MUTANTS = [
    # (mutant, network, parameters whose gradients it spoils)
    (affine_dW_not_transposed, CORRECT["two-layer sigmoid"], {"W2"}),
    (affine_dx_not_transposed, CORRECT["two-layer sigmoid"], {"W1", "b1"}),
    (softmax_missing_one_over_n, CORRECT["two-layer sigmoid"], ALL_TWO_LAYER),
    (bias_gradient_wrong_sign, CORRECT["two-layer sigmoid"], {"b2"}),
    (bias_gradient_not_summed, CORRECT["two-layer relu"], {"b1"}),
    (sigmoid_derivative_y, CORRECT["two-layer sigmoid"], {"W1", "b1"}),
    (relu_mask_inverted, CORRECT["two-layer relu"], {"W1", "b1"}),
    (tanh_derivative_one_minus_y, CORRECT["two-layer tanh"], {"W1", "b1"}),
    (weight_decay_missing, lambda s: multi_layer(s, weight_decay_lambda=0.1), {"W1", "W2", "W3"}),
    # a permutation of the rows leaves their sum, the gradient of b2, unchanged
    (softmax_batch_index_off_by_one, CORRECT["two-layer tanh"], {"W1", "b1", "W2"}),
    (batchnorm_dgamma_without_xn, lambda s: multi_layer(s, use_batchnorm=True), {"gamma1"}),
    (batchnorm_dx_without_mean_term, lambda s: multi_layer(s, use_batchnorm=True), {"W1", "b1"}),
    (dropout_mask_ignored, lambda s: multi_layer(s, use_dropout=True), {"W1", "b1"}),
]


@pytest.mark.parametrize(
    ("mutant", "make", "spoiled"), MUTANTS, ids=[mutant.__name__ for mutant, _, _ in MUTANTS]
)
def test_mutant_is_caught_and_attributed_in_both_modes(mutant, make, spoiled):
    for seed in range(3):
        net, x, t = make(seed)
        assert check_network(net, x, t).ok  # the correct network first
        mutant(net)
        for mode in ("full", "fast"):
            report = check_network(net, x, t, mode=mode, rng=seed)
            assert set(report.failed) == spoiled, f"{mode} mode:\n{report}"
            for name in spoiled:
                assert report.params[name].method == "entries"
                assert report.params[name].n_failed > 0
            assert report.worst[0].name in spoiled
            assert "WRONG" in str(report)


class TestCheckNetwork:
    def test_leaves_the_network_unchanged(self):
        net, x, t = CORRECT["mlp batchnorm dropout decay"](0)
        net.gradient(x, t)  # running statistics away from their start
        params = {k: p.copy() for k, p in net.params.items()}
        buffers = {k: b.copy() for k, b in net.buffers.items()}
        state = net.rng.bit_generator.state
        for mode in ("full", "fast"):
            assert check_network(net, x, t, mode=mode, rng=0).ok
        assert all(np.array_equal(net.params[k], p) for k, p in params.items())
        assert all(np.array_equal(net.buffers[k], b) for k, b in buffers.items())
        assert net.rng.bit_generator.state == state

    def test_float32_network_is_checked_in_float64(self):
        rng = np.random.default_rng(0)
        net = TwoLayerNet(6, 5, 4, 0.5, dtype=np.float32, rng=0)
        x, t = rng.standard_normal((4, 6)).astype(np.float32), np.array([0, 1, 2, 3])
        report = check_network(net, x, t)
        assert report.ok and report.params["W1"].dtype == "float64"
        in_place = check_network(net, x, t, in_float64=False)
        assert in_place.ok and in_place.params["W1"].dtype == "float32"
        sigmoid_derivative_y(net)
        assert set(check_network(net, x, t, in_float64=False).failed) == {"W1", "b1"}

    def test_mnist_sized_network_fast_mode(self, rng):
        net = TwoLayerNet(784, 50, 10, rng=0)
        x, t = rng.random((3, 784)), np.array([7, 2, 1])
        report = check_network(net, x, t, mode="fast", rng=0)
        assert report.ok and report.n_evaluations == 2 * 8 * 4
        bias_gradient_wrong_sign(net)
        report = check_network(net, x, t, mode="fast", rng=0)
        assert report.failed == ["b2"] and report.params["b2"].n_failed == 10


class TestCommandLine:
    @pytest.fixture
    def no_mnist(self, monkeypatch, tmp_path):
        monkeypatch.delenv("NNLEARN_DATA_DIR", raising=False)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    def test_random_data_when_mnist_is_absent(self, no_mnist, capsys):
        assert main(["gradcheck", "--mode", "fast", "--batch", "2", "--seed", "1"]) == 0
        out = capsys.readouterr().out
        assert "TwoLayerNet(784, 50, 10, activation='sigmoid', dtype=float64)" in out
        assert "on 2 samples: random data (MNIST not found" in out
        assert "gradcheck (fast mode, 64 loss evaluations): OK" in out

    def test_a_wrong_backward_fails_with_status_1(self, no_mnist, capsys, monkeypatch):
        correct = nnlearn.nn.layers.Affine.backward

        def wrong_bias_sign(self, dout):
            dx = correct(self, dout)
            self.db = -self.db
            return dx

        monkeypatch.setattr(nnlearn.nn.layers.Affine, "backward", wrong_bias_sign)
        assert main(["gradcheck", "--mode", "fast", "--dtype", "float32"]) == 1
        out = capsys.readouterr().out
        assert "checked through its float64 copy" in out
        assert "FAILED for b1, b2" in out and "WRONG" in out

    def test_multi_layer_and_bad_batch(self, no_mnist, capsys):
        assert main(["gradcheck", "--model", "mlp", "--mode", "fast"]) == 0
        assert "gamma2" in capsys.readouterr().out
        assert main(["gradcheck", "--batch", "0"]) == 1
        assert "--batch must be at least 1, got 0" in capsys.readouterr().err
        assert main(["gradcheck", "--model", "mlp", "--batch", "1"]) == 1
        assert ("a batch of one sample is degenerate for batch normalisation: the batch mean is "
                "the sample itself" in capsys.readouterr().err)

    def test_mnist_samples(self, mnist_dir, capsys):
        assert main(["gradcheck", "--mode", "fast", "--data-dir", mnist_dir]) == 0
        assert "on 3 samples: MNIST test images" in capsys.readouterr().out


def test_benchmark_smoke_run(capsys):
    runpy.run_path(str(BENCHMARK), run_name="bench")["main"](["--quick", "--repeat", "1",
                                                              "--no-torch"])
    out = capsys.readouterr().out
    assert "| nnlearn check_network, full | 430 |" in out
    assert "| book's loop (h = 1e-4), then compare | 430 |" in out


@pytest.mark.parametrize(("batch", "match"), [
    (1, "a batch of one sample is degenerate for batch normalisation: the batch mean is the "
        "sample itself, so x − μ = 0 and batch norm outputs β"),
    (2, "a batch of two samples is degenerate for batch normalisation: it normalises every "
        "feature to −1 and \\+1"),
])
def test_a_batch_norm_check_on_one_or_two_samples_is_refused(batch, match):
    from nnlearn import MultiLayerNet, check_network

    net = MultiLayerNet(4, [3], 2, use_batchnorm=True, rng=0)
    x, t = np.random.default_rng(0).random((batch, 4)), np.zeros(batch, dtype=int)
    with pytest.raises(ValueError, match=match):
        check_network(net, x, t)
    with pytest.raises(ValueError, match="one sample is degenerate"):
        check_network(net, x[0], t[0])  # one sample without a batch axis
    plain = MultiLayerNet(4, [3], 2, rng=0)
    assert check_network(plain, x, t).ok  # without batch norm, one sample is a fine check


def through_the_loss(net):
    """The same network, checked by moving each parameter and calling its loss (no structure)."""
    net.loss = net.loss  # an instance attribute: check_network cannot trust the layers' loss
    return net


@pytest.mark.parametrize(
    ("mutant", "make", "spoiled"), MUTANTS, ids=[mutant.__name__ for mutant, _, _ in MUTANTS]
)
def test_the_structured_check_agrees_with_moving_each_parameter(mutant, make, spoiled):
    net, x, t = make(0)
    mutant(net)
    structured = check_network(net, x, t)
    plain = check_network(through_the_loss(net), x, t)
    wrong = [name for name, check in plain.params.items() if check.n_failed]
    assert structured.failed == wrong == [n for n in net.params if n in spoiled]
    # without the structure, a parameter that changes nothing (a bias before batch norm) is
    # not trusted: it does not pass, and says why
    assert set(plain.failed) == set(wrong) | set(plain.unchanged)
    assert plain.unchanged == structured.unchanged
    assert plain.n_evaluations == 2 * sum(p.size for p in net.params.values())
    for name, check in structured.params.items():
        assert check.n_failed == plain.params[name].n_failed
        assert check.max_abs_error == pytest.approx(plain.params[name].max_abs_error,
                                                    rel=1e-3, abs=2e-9)
