"""Small networks and an independent oracle for their Hessians: complex-step backprop."""

import numpy as np
import pytest

from nnlearn import MultiLayerNet, TwoLayerNet

ACTIVATIONS = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)),
                lambda z: 1 / (1 + np.exp(-z)) * (1 - 1 / (1 + np.exp(-z)))),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "relu": (lambda z: np.where(z.real > 0, z, 0), lambda z: (z.real > 0).astype(float)),
}


def reference_gradient(net, theta, x, t):
    """The gradient of a plain network's loss by a naive backprop that works on complex θ."""
    f, df = ACTIVATIONS[net.activation]
    weights, offset = [], 0
    for p in net.params.values():
        weights.append(theta[offset:offset + p.size].reshape(p.shape))
        offset += p.size
    pairs = list(zip(weights[::2], weights[1::2], strict=True))
    inputs, pre = [x], []
    for i, (W, b) in enumerate(pairs):
        z = inputs[-1] @ W + b
        pre.append(z)
        if i < len(pairs) - 1:
            inputs.append(f(z))
    s = pre[-1]
    p = np.exp(s - s.real.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dz = (p - np.eye(s.shape[1])[t]) / len(x)
    grads = []
    for i in reversed(range(len(pairs))):
        W = pairs[i][0]
        grads = [inputs[i].T @ dz + net.weight_decay_lambda * W, dz.sum(axis=0), *grads]
        if i:
            dz = (dz @ W.T) * df(pre[i - 1])
    return np.concatenate([g.ravel() for g in grads])


def reference_hessian(net, x, t):
    """Column j is Im ∇L(θ + i h e_j) / h with h = 1e-30: exact to rounding (no subtraction)."""
    theta = np.concatenate([p.ravel() for p in net.params.values()]).astype(complex)
    columns = []
    for j in range(theta.size):
        shifted = theta.copy()
        shifted[j] += 1e-30j
        columns.append(reference_gradient(net, shifted, x, t).imag / 1e-30)
    return np.stack(columns, axis=1)


@pytest.fixture(params=["sigmoid", "tanh", "relu", "decay"])
def small_problem(request):
    """A small plain network (each activation, and weight decay) with its data."""
    rng = np.random.default_rng(1)
    if request.param == "decay":
        net = MultiLayerNet(4, [5, 3], 3, activation="sigmoid", weight_decay_lambda=0.3, rng=0)
    else:
        net = TwoLayerNet(4, 5, 3, weight_init_std=1.0, activation=request.param, rng=0)
    x, t = rng.standard_normal((9, 4)), rng.integers(0, 3, 9)
    return net, x, t


@pytest.fixture
def oracle():
    """``oracle(net, x, t)``: the dense Hessian by complex-step backprop (the reference)."""
    return reference_hessian


@pytest.fixture
def oracle_gradient():
    """``oracle_gradient(net, theta, x, t)``: the naive backprop gradient (complex-safe)."""
    return reference_gradient
