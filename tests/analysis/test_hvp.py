"""Exact Hessian-vector products: against complex-step backprop, numerical Hessians, symmetry."""

import numpy as np
import pytest

import nnlearn as nl
from nnlearn import MultiLayerNet, SimpleNet, TwoLayerNet
from nnlearn.analysis import NetworkLoss, hvp, hvp_central_difference


def _flat(net):
    return np.concatenate([p.ravel() for p in net.params.values()])


def test_gradient_is_the_networks_backprop_gradient(small_problem, oracle_gradient):
    net, x, t = small_problem
    f = NetworkLoss(net, x, t)
    np.testing.assert_allclose(f.loss, net.loss(x, t), rtol=1e-15)
    backprop = np.concatenate([g.ravel() for g in net.gradient(x, t).values()])
    np.testing.assert_allclose(f.grad, backprop, rtol=0, atol=1e-15)
    np.testing.assert_allclose(oracle_gradient(net, _flat(net), x, t), backprop, atol=1e-15)


def test_hvp_is_the_complex_step_hessian_to_1e_12(small_problem, oracle):
    net, x, t = small_problem
    reference = oracle(net, x, t)
    f = NetworkLoss(net, x, t)
    dense = f.hvp(np.eye(f.size))
    scale = np.abs(reference).max()
    np.testing.assert_allclose(dense, reference, rtol=0, atol=1e-12 * scale)
    v = np.random.default_rng(2).standard_normal(f.size)
    product = hvp(net, x, t, f.unflatten(v))
    np.testing.assert_allclose(f.flatten(product), reference @ v, rtol=0,
                               atol=1e-12 * np.abs(reference @ v).max())
    assert f.n_hvp == f.size
    lean = NetworkLoss(net, x, t, with_gradient=False)
    assert lean.grad is None and lean.loss == f.loss
    np.testing.assert_array_equal(lean.hvp(v), f.hvp(v))


def test_hvp_is_symmetric(small_problem, rng):
    net, x, t = small_problem
    f = NetworkLoss(net, x, t)
    v, w = rng.standard_normal((2, f.size))
    assert abs(w @ f.hvp(v) - v @ f.hvp(w)) <= 1e-13 * np.linalg.norm(v) * np.linalg.norm(w)


def test_k_directions_at_once_equal_one_at_a_time(small_problem, rng):
    net, x, t = small_problem
    f = NetworkLoss(net, x, t)
    V = rng.standard_normal((f.size, 4))
    together = f.hvp(V)
    for j in range(4):
        np.testing.assert_allclose(together[:, j], f.hvp(V[:, j]), rtol=1e-14, atol=1e-15)


def test_batchnorm_and_dropout_in_evaluation_mode_match_the_numerical_hessian(rng):
    net = MultiLayerNet(3, [4], 3, activation="tanh", use_batchnorm=True, use_dropout=True,
                        dropout_ratio=0.3, weight_decay_lambda=0.05, rng=0)
    net.buffers["running_mean1"][:] = rng.standard_normal(4)
    net.buffers["running_var1"][:] = rng.random(4) + 0.5
    net.params["gamma1"][:] = rng.random(4) + 0.5
    net.params["beta1"][:] = rng.standard_normal(4)
    x, t = rng.standard_normal((6, 3)), rng.integers(0, 3, 6)
    f = NetworkLoss(net, x, t)
    assert f.loss == net.loss(x, t)  # evaluation mode

    def loss(theta):
        for name, value in f.unflatten(theta).items():
            net.params[name][...] = value
        return net.loss(x, t)

    numerical = nl.hessian(loss, f.theta.copy())
    np.testing.assert_allclose(f.hvp(np.eye(f.size)), numerical, rtol=0,
                               atol=1e-8 * np.abs(numerical).max())


def test_float32_network_is_differentiated_in_float64(rng):
    net = TwoLayerNet(4, 5, 3, 1.0, dtype=np.float32, rng=0)
    x, t = rng.standard_normal((9, 4)), rng.integers(0, 3, 9)
    twin = net.astype(np.float64)
    v = {k: rng.standard_normal(p.shape) for k, p in net.params.items()}
    result = hvp(net, x, t, v)
    assert result["W1"].dtype == np.float64
    expected = hvp(twin, x, t, v)
    for k in v:
        np.testing.assert_array_equal(result[k], expected[k])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_central_difference_is_close_on_a_smooth_network_but_not_exact(activation, rng):
    net = TwoLayerNet(4, 5, 3, 1.0, activation=activation, rng=0)
    x, t = rng.standard_normal((9, 4)), rng.integers(0, 3, 9)
    f = NetworkLoss(net, x, t)
    v = f.unflatten(rng.standard_normal(f.size))
    exact = f.flatten(hvp(net, x, t, v))
    approx = f.flatten(hvp_central_difference(net, x, t, v))
    error = np.abs(approx - exact).max() / np.abs(exact).max()
    assert 1e-14 < error < 1e-8


def test_central_difference_is_wrong_by_order_one_when_a_step_crosses_a_relu_kink(rng):
    net = TwoLayerNet(10, 30, 5, 1.0, activation="relu", rng=0)
    x, t = rng.standard_normal((200, 10)), rng.integers(0, 5, 200)
    f = NetworkLoss(net, x, t)
    v = f.unflatten(rng.standard_normal(f.size))
    exact = f.flatten(hvp(net, x, t, v))
    approx = f.flatten(hvp_central_difference(net, x, t, v, eps=1e-2))
    assert np.linalg.norm(approx - exact) / np.linalg.norm(exact) > 0.05


class TestBadInput:
    @pytest.fixture
    def problem(self, rng):
        net = TwoLayerNet(4, 5, 3, rng=0)
        return net, rng.random((3, 4)), np.array([0, 1, 2])

    def test_wrong_keys(self, problem):
        net, x, t = problem
        v = {"W1": np.zeros((4, 5)), "b1": np.zeros(5)}
        with pytest.raises(ValueError, match=r"v must have the keys of net.params \['W1', 'b1', "
                                             r"'W2', 'b2'\], got \['W1', 'b1'\]"):
            hvp(net, x, t, v)

    def test_wrong_shape(self, problem):
        net, x, t = problem
        v = {k: np.zeros(p.shape) for k, p in net.params.items()}
        v["W2"] = np.zeros((3, 5))
        with pytest.raises(ValueError, match=r"v\['W2'\] must have shape \(5, 3\), got \(3, 5\)"):
            hvp(net, x, t, v)

    def test_not_a_dict(self, problem):
        net, x, t = problem
        with pytest.raises(TypeError, match="v must be a dict shaped like net.params, got ndarray"):
            hvp(net, x, t, np.zeros(43))

    def test_layer_without_r_operator(self, problem):
        net, x, t = problem

        class Softplus:
            def forward(self, x):
                return np.log1p(np.exp(x))

        net.layers[1] = Softplus()
        with pytest.raises(TypeError, match=r"layer 1 \(Softplus\) has no R-operator.*Affine, "
                                            r"Sigmoid"):
            NetworkLoss(net, x, t)

    def test_not_a_layered_network(self):
        with pytest.raises(TypeError, match="net must be a layered network such as TwoLayerNet"):
            NetworkLoss(SimpleNet(rng=0), np.zeros((1, 2)), np.array([0]))

    def test_bad_data(self, problem):
        net, x, t = problem
        with pytest.raises(ValueError, match=r"x must have shape \(batch, 4\), got \(3, 5\)"):
            NetworkLoss(net, np.zeros((3, 5)), t)
        with pytest.raises(ValueError, match="labels"):
            NetworkLoss(net, x, np.array([0, 1, 7]))
        f = NetworkLoss(net, x, t)
        with pytest.raises(ValueError, match=r"v must have shape \(43,\) or \(43, k\)"):
            f.hvp(np.zeros(42))
