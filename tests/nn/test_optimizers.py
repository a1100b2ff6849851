"""Tests of nnlearn.nn.optimizers: each rule against its closed form, state and errors."""

import numpy as np
import pytest

from nnlearn.nn.optimizers import (
    OPTIMIZERS,
    SGD,
    AdaGrad,
    Adam,
    Momentum,
    Nesterov,
    RMSprop,
    make_optimizer,
)

G1, G2 = np.array([0.5, -2.0, 0.0]), np.array([1.0, 1.0, -3.0])
W0 = np.array([1.0, 2.0, 3.0])


def _two_steps(optimizer, dtype=np.float64):
    params = {"W": W0.astype(dtype)}
    reference = params["W"]
    optimizer.update(params, {"W": G1.astype(dtype)})
    optimizer.update(params, {"W": G2.astype(dtype)})
    assert params["W"] is reference, "the update must be in place"
    return params["W"]


def _expected(name):
    """Two steps written out by hand from each method's definition."""
    lr, eps = 0.1, 1e-7
    if name == "sgd":
        return W0 - lr * G1 - lr * G2
    if name == "momentum":
        v1 = -lr * G1
        v2 = 0.9 * v1 - lr * G2
        return W0 + v1 + v2
    if name == "nesterov":  # the look-ahead form: W <- W + momentum * v_new - lr * g
        v1 = -lr * G1
        w1 = W0 + 0.9 * v1 - lr * G1
        v2 = 0.9 * v1 - lr * G2
        return w1 + 0.9 * v2 - lr * G2
    if name == "adagrad":
        h1 = G1**2
        h2 = h1 + G2**2
        return W0 - lr * G1 / (np.sqrt(h1) + eps) - lr * G2 / (np.sqrt(h2) + eps)
    if name == "rmsprop":
        h1 = 0.01 * G1**2
        h2 = 0.99 * h1 + 0.01 * G2**2
        return W0 - lr * G1 / (np.sqrt(h1) + eps) - lr * G2 / (np.sqrt(h2) + eps)
    if name == "adam":  # textbook Adam with bias-corrected moments, same epsilon placement
        b1, b2 = 0.9, 0.999
        m1, v1 = (1 - b1) * G1, (1 - b2) * G1**2
        m2, v2 = b1 * m1 + (1 - b1) * G2, b2 * v1 + (1 - b2) * G2**2
        w = W0 - lr * np.sqrt(1 - b2) / (1 - b1) * m1 / (np.sqrt(v1) + eps)
        return w - lr * np.sqrt(1 - b2**2) / (1 - b1**2) * m2 / (np.sqrt(v2) + eps)
    raise AssertionError(name)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_two_steps_match_the_closed_form(name):
    np.testing.assert_allclose(
        _two_steps(make_optimizer(name, lr=0.1)), _expected(name), rtol=1e-13, atol=1e-15
    )


def test_first_adam_step_moves_each_moving_weight_by_about_lr():
    params = {"W": W0.copy()}
    Adam(lr=0.01).update(params, {"W": G1})
    np.testing.assert_allclose(W0 - params["W"], [0.01, -0.01, 0.0], atol=1e-7)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_float32_stays_float32(name):
    w = _two_steps(make_optimizer(name, lr=0.1), np.float32)
    assert w.dtype == np.float32
    np.testing.assert_allclose(w, _expected(name), rtol=1e-5, atol=1e-6)


def _book_adam(W, grads, lr=0.003, beta1=0.9, beta2=0.999):
    """The book's ``common/optimizer.py`` Adam, in float64, step after step."""
    W, m, v = W.astype(np.float64), np.zeros(W.shape), np.zeros(W.shape)
    for k, g in enumerate(grads, start=1):
        lr_t = lr * np.sqrt(1.0 - beta2**k) / (1.0 - beta1**k)
        m += (1 - beta1) * (g - m)
        v += (1 - beta2) * (g**2 - v)
        W -= lr_t * m / (np.sqrt(v) + 1e-7)
    return W, m, v


@pytest.mark.parametrize("order", ["C", "F"])  # BLAS's axpy, and NumPy's passes
def test_float32_adam_follows_the_books_formula_in_float32(order):
    rng = np.random.default_rng(0)
    W0 = rng.standard_normal((60, 70)).astype(np.float32, order=order)
    grads = [rng.standard_normal((60, 70)).astype(np.float32, order=order) for _ in range(5)]
    grads[2][:10] = 0.0  # rows with no gradient: m and v only decay
    opt, W = Adam(lr=0.003), W0.copy(order=order)
    for g in grads:
        opt.update({"W": W}, {"W": g})
    W_ref, m_ref, v_ref = _book_adam(W0, grads)
    assert {W.dtype, opt.state["W"]["m"].dtype, opt.state["W"]["v"].dtype} == {np.dtype("f4")}
    np.testing.assert_allclose(W, W_ref, rtol=0, atol=1e-6)
    np.testing.assert_allclose(opt.state["W"]["m"], m_ref, rtol=1e-5, atol=1e-6)  # |g| ~ 1
    np.testing.assert_allclose(opt.state["W"]["v"], v_ref, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_state_dict_round_trip_continues_identically(name):
    a = make_optimizer(name, lr=0.1)
    params_a = {"W": W0.copy(), "b": np.ones(2)}
    a.update(params_a, {"W": G1, "b": np.array([1.0, -1.0])})
    b = make_optimizer(name, lr=0.1)
    b.load_state_dict(a.state_dict())
    params_b = {k: v.copy() for k, v in params_a.items()}
    grads = {"W": G2, "b": np.array([0.5, 2.0])}
    a.update(params_a, grads)
    b.update(params_b, grads)
    for key in params_a:
        np.testing.assert_array_equal(params_a[key], params_b[key])
    assert b.iterations == 2


def test_state_is_per_parameter_and_exported_flat():
    opt = Adam()
    opt.update({"W": np.zeros(2), "b": np.zeros(1)}, {"W": np.ones(2), "b": np.ones(1)})
    assert sorted(opt.state_dict()) == ["iterations", "m/W", "m/b", "v/W", "v/b"]
    assert opt.state_dict()["iterations"] == 1


def test_repr_and_hyperparameters():
    assert repr(RMSprop(lr=0.5)) == "RMSprop(lr=0.5, decay_rate=0.99)"
    assert Adam().hyperparameters() == {"lr": 0.001, "beta1": 0.9, "beta2": 0.999}
    assert SGD(0.1).hyperparameters() == {"lr": 0.1}
    assert isinstance(Nesterov(), Momentum) and AdaGrad().lr == 0.01


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: SGD(0), ValueError, "lr must be a finite number > 0"),
        (lambda: SGD(float("nan")), ValueError, "lr must be a finite number > 0"),
        (lambda: SGD("0.1"), TypeError, "lr must be a real number > 0"),
        (lambda: Momentum(momentum=1.0), ValueError, r"momentum must be in \[0, 1\)"),
        (lambda: Nesterov(momentum=-0.1), ValueError, "momentum must be a finite number >= 0"),
        (lambda: RMSprop(decay_rate=1.5), ValueError, r"decay_rate must be in \[0, 1\)"),
        (lambda: Adam(beta1=1), ValueError, r"beta1 must be in \[0, 1\)"),
        (lambda: Adam(beta2=True), TypeError, "beta2 must be a real number"),
        (lambda: make_optimizer("lbfgs"), ValueError, "optimizer must be one of"),
    ],
)
def test_hyperparameter_errors(build, error, match):
    with pytest.raises(error, match=match):
        build()


def test_mismatched_keys_are_refused():
    with pytest.raises(ValueError, match="params and grads must have the same keys"):
        SGD(0.1).update({"W": np.zeros(2)}, {"b": np.zeros(2)})


def test_foreign_state_is_refused():
    with pytest.raises(ValueError, match=r"optimizer state has 'v/W', but SGD keeps no state"):
        SGD(0.1).load_state_dict({"iterations": np.array(1), "v/W": np.zeros(2)})
    with pytest.raises(ValueError, match="optimizer state lacks 'iterations'"):
        Adam().load_state_dict({})


@pytest.mark.parametrize(
    ("optimizer", "lr"),
    [(SGD(), 0.01), (Momentum(), 0.01), (AdaGrad(), 0.01), (RMSprop(), 0.01), (Adam(), 0.001)],
)
def test_default_learning_rates_are_the_books(optimizer, lr):
    assert optimizer.lr == lr
