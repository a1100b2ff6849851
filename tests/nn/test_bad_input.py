"""Bad input to the networks, the optimizers and the gradient checker: errors, never numbers."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from nnlearn import (
    SGD,
    Adam,
    MultiLayerNet,
    SimpleNet,
    TwoLayerNet,
    check_network,
    gradcheck,
)
from nnlearn.nn.optimizers import OPTIMIZERS

# --- NaN and infinity at every public entry point of the networks ---------------------------

NETWORKS = {
    "two-layer": lambda: TwoLayerNet(4, 5, 3, rng=0),
    "multi-layer": lambda: MultiLayerNet(4, [5, 5], 3, use_batchnorm=True, rng=0),
    "float32": lambda: TwoLayerNet(4, 5, 3, dtype=np.float32, rng=0),
}
ENTRY_POINTS = {
    "predict": lambda net, x, t: net.predict(x),
    "loss": lambda net, x, t: net.loss(x, t),
    "gradient": lambda net, x, t: net.gradient(x, t),
    "loss_and_gradient": lambda net, x, t: net.loss_and_gradient(x, t),
    "accuracy": lambda net, x, t: net.accuracy(x, t),
    "numerical_gradient": lambda net, x, t: net.numerical_gradient(x, t),
    "check_network": lambda net, x, t: check_network(net, x, t),
}
FINITE_ERROR = r"^x must be finite, but it holds NaN or infinity \(\d+ entr(y|ies), the first at"


@pytest.mark.parametrize("entry", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
@pytest.mark.parametrize("make", NETWORKS.values(), ids=NETWORKS.keys())
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_infinity_in_x(entry, make, bad):
    net = make()
    x = np.ones((3, 4))
    x[1, 2] = bad
    with pytest.raises(ValueError, match=FINITE_ERROR + r" \[1, 2\]\)"):
        entry(net, x, np.array([0, 2, 1]))


def test_the_issue_case_gives_an_error_not_one_third():
    with pytest.raises(ValueError, match=FINITE_ERROR + r" \[0, 0\]\)"):
        TwoLayerNet(4, 5, 3).accuracy(np.full((3, 4), np.nan), [0, 2, 1])


def test_simple_net_refuses_nan_input():
    net = SimpleNet(rng=0)
    for method in (net.predict, lambda x: net.loss(x, [0, 0, 1]),
                   lambda x: net.gradient(x, [0, 0, 1]),
                   lambda x: net.numerical_gradient(x, [0, 0, 1])):
        with pytest.raises(ValueError, match="x must be finite"):
            method(np.array([0.6, np.nan]))


@pytest.mark.parametrize("entry", ["loss", "gradient", "accuracy"])
def test_nan_in_one_hot_targets(entry):
    net = TwoLayerNet(4, 5, 3, rng=0)
    t = np.eye(3)[[0, 2, 1]]
    t[2, 0] = np.nan
    with pytest.raises(ValueError, match=r"t must be finite, but it holds NaN or infinity "
                                         r"\(1 entry, the first at \[2, 0\]\)"):
        ENTRY_POINTS[entry](net, np.ones((3, 4)), t)


def test_the_training_loop_can_skip_the_check_and_gets_the_same_numbers():
    net = TwoLayerNet(4, 5, 3, rng=0)
    x, t = np.random.default_rng(0).random((6, 4)), np.array([0, 1, 2, 0, 1, 2])
    loss, grads = net.loss_and_gradient(x, t)
    unchecked_loss, unchecked = net.loss_and_gradient(x, t, check_finite=False)
    assert unchecked_loss == loss
    assert all(np.array_equal(grads[k], unchecked[k]) for k in grads)
    assert_array_equal(net.predict(x, check_finite=False), net.predict(x))
    # the unchecked path does not look: a NaN gives a NaN loss, which the trainer sees
    x[0, 0] = np.nan
    assert np.isnan(net.loss_and_gradient(x, t, check_finite=False)[0])


@settings(max_examples=80)
@given(
    dtype=st.sampled_from(["U3", "complex128", "object", "datetime64[s]"]),
    shape=st.sampled_from([(3, 4), (4,), (2, 2, 2)]),
    entry=st.sampled_from(sorted(ENTRY_POINTS)),
)
def test_wrong_dtypes_are_named(dtype, shape, entry):
    x = np.zeros(shape, dtype=dtype)
    message = re.escape(f"x must hold real numbers, got dtype {x.dtype}")
    with pytest.raises(TypeError, match=message):
        ENTRY_POINTS[entry](TwoLayerNet(4, 5, 3, rng=0), x, np.zeros(3, dtype=int))


@settings(max_examples=80)
@given(shape=st.lists(st.integers(0, 6), min_size=0, max_size=3).map(tuple))
def test_wrong_shapes_are_named(shape):
    size = int(np.prod(shape))
    if size and size % 4 == 0 and len(shape) >= 1 and size // shape[0] == 4:
        return  # a valid batch
    if shape == (4,):
        return  # one sample
    x = np.ones(shape)
    with pytest.raises(ValueError, match=r"x must have shape \(batch, 4\) or \(4,\)"):
        TwoLayerNet(4, 5, 3, rng=0).predict(x)


# --- optimizers --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_a_list_parameter_is_an_error_not_a_silent_no_op(name):
    with pytest.raises(TypeError, match=r"params\['W'\] must be a writeable floating-point "
                                        r"numpy array \(it is updated in place\), got list"):
        OPTIMIZERS[name]().update({"W": [1.0, 2.0]}, {"W": np.ones(2)})


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_a_gradient_of_another_shape_is_not_broadcast(name):
    params = {"b": np.zeros(2), "W": np.ones((2, 3))}
    optimizer = OPTIMIZERS[name]()
    with pytest.raises(ValueError, match=r"grads\['W'\] must have the shape of params\['W'\], "
                                         r"\(2, 3\), got \(1,\)"):
        optimizer.update(params, {"b": np.ones(2), "W": np.ones(1)})
    assert_array_equal(params["b"], 0.0)  # nothing was updated
    assert optimizer.iterations == 0


@pytest.mark.parametrize(
    ("param", "message"),
    [
        (np.arange(3), "got int64"),
        (np.ones(3, dtype=complex), "got complex128"),
        (np.broadcast_to(np.ones(1), (3,)), "got a read-only float64 array"),
        ((1.0, 2.0, 3.0), "got tuple"),
    ],
)
def test_parameters_that_cannot_be_updated_in_place(param, message):
    with pytest.raises(TypeError, match=message):
        Adam().update({"W": param}, {"W": np.ones(3)})


def test_gradients_that_are_not_real_numbers():
    with pytest.raises(TypeError, match=r"grads\['W'\] must hold real numbers, got dtype <U1"):
        SGD().update({"W": np.ones(2)}, {"W": np.array(["a", "b"])})
    with pytest.raises(TypeError, match=r"grads\['W'\] must hold real numbers, got dtype complex"):
        SGD().update({"W": np.ones(2)}, {"W": [1j, 2]})
    params = {"W": np.ones(2)}
    SGD(lr=0.5).update(params, {"W": [1, 2]})  # a list of the right shape is fine
    assert_array_equal(params["W"], [0.5, 0.0])


# --- the gradient checker and a loss that does not read params in place -----------------------


def copying_net():
    """A network whose loss reads copies of its parameters (the issue's case)."""
    net = TwoLayerNet(4, 5, 3, rng=0)
    x, t = np.random.default_rng(1).random((3, 4)), np.array([0, 2, 1])
    frozen = TwoLayerNet(4, 5, 3, rng=0)
    net.loss = lambda x, t, train_flg=False: frozen.loss(x, t, train_flg)
    return net, x, t


@pytest.mark.parametrize("mode", ["full", "fast"])
def test_a_loss_that_never_sees_the_moves_is_an_error(mode):
    net, x, t = copying_net()
    with pytest.raises(ValueError, match="the loss did not change when W1, b1, W2, b2 moved "
                                         r"\(every numerical derivative exactly 0\), so their "
                                         "gradient was not checked: the loss must compute from "
                                         "the arrays in params"):
        check_network(net, x, t, mode=mode)
    zero_grads = {k: np.zeros_like(p) for k, p in net.params.items()}
    with pytest.raises(ValueError, match="the loss did not change"):
        gradcheck(lambda: net.loss(x, t, True), net.params, zero_grads, mode=mode)


@pytest.mark.parametrize("mode", ["full", "fast"])
def test_one_parameter_the_loss_ignores_is_reported_and_does_not_pass(mode):
    rng = np.random.default_rng(0)
    params = {"a": rng.standard_normal(3), "b": rng.standard_normal(2)}
    b_copy = params["b"].copy()

    def loss():  # reads a, but a copy of b
        return float(np.sum(params["a"] ** 2) + np.sum(b_copy**2))

    report = gradcheck(loss, params, {"a": 2 * params["a"], "b": np.zeros(2)}, mode=mode)
    assert not report.ok and report.failed == ["b"] and report.unchanged == ["b"]
    assert report.params["a"].ok and report.params["b"].n_failed == 0
    lines = str(report).splitlines()
    assert lines[0].endswith("FAILED for b")
    assert lines[1].startswith("!! the loss did not change when b moved (every numerical "
                               "derivative exactly 0), so its gradient was not checked")


def test_a_network_parameter_without_effect_passes_with_a_note():
    rng = np.random.default_rng(0)
    net = MultiLayerNet(6, [6, 5], 4, use_batchnorm=True, rng=0)
    x, t = rng.standard_normal((5, 6)), np.array([0, 1, 2, 3, 0])
    report = check_network(net, x, t)  # the biases before batch norm change nothing
    assert report.ok and report.unchanged == ["b1", "b2"]
    assert ("note: the loss does not depend on b1, b2 here (every numerical derivative exactly "
            "0, as for a bias before batch normalisation): checked against 0") in str(report)
    net.layers[0].backward = lambda dout, layer=net.layers[0], correct=net.layers[0].backward: (
        correct(dout), setattr(layer, "db", layer.db + 1.0))[0]
    assert check_network(net, x, t).failed == ["b1"]  # 0 is still checked


def test_fast_mode_is_seeded_by_default():
    net = TwoLayerNet(20, 6, 3, rng=0)
    x, t = np.random.default_rng(0).random((3, 20)), np.array([0, 1, 2])
    first, second = (str(check_network(net, x, t, mode="fast")) for _ in range(2))
    assert first == second == str(check_network(net, x, t, mode="fast", rng=0))
    assert first.startswith("gradcheck (fast mode, 64 loss evaluations): OK")
    w = np.array([1.0, 2.0, 3.0])
    reports = [str(gradcheck(lambda: float(np.sum(w**3)), w, 3 * w**2, mode="fast"))
               for _ in range(2)]
    assert reports[0] == reports[1]


def test_worst_entries_say_what_they_are_sorted_by():
    w = np.array([1.0, 2.0])
    text = str(gradcheck(lambda: float(np.sum(w**3)), w, [3.0, 10.0]))
    assert "worst entries, by |analytic - numerical| / (atol + rtol |numerical|):" in text
