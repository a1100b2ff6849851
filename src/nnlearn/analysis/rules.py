"""The R-operator of each layer: its values, gradients and their directional derivatives.

Pearlmutter's R-operator :math:`\\mathcal R\\{f(\\theta)\\} = \\frac{d}{d\\alpha}
f(\\theta + \\alpha v)\\big|_{\\alpha=0}` applied to every line of a forward and
a backward pass gives the Hessian-vector product :math:`Hv = \\mathcal R\\{\\nabla L\\}`
exactly, for about the cost of one more forward and backward pass. As in
autograd's ``defvjp`` table, the rules of every layer type live here, one
entry of :data:`RULES` each; :mod:`nnlearn.analysis.loss` chains them.

A :class:`Rule` has five functions (``p`` maps the layer's parameter
attributes, such as ``"W"``, to float64 arrays; ``dy`` is the gradient of the
loss with respect to the layer's output; ``R`` of an array is its
directional derivative along the parameter direction ``v``):

- ``value(layer, p, x) -> y``: the layer's output. Works on stacked copies
  too: ``x`` of shape ``(P, N, D)`` with parameters of shape ``(P, ...)``;
- ``cache(layer, p, x, y)``: what the passes below need from the forward pass;
- ``backward(p, cache, dy, need_dx) -> (dx, grads)``;
- ``r_forward(p, cache, rx, v) -> ry``: :math:`\\mathcal R\\{y\\}` from
  :math:`\\mathcal R\\{x\\}` (``rx`` is None for the first layer, whose input
  is data);
- ``r_backward(p, cache, dy, rdy, rx, v, need_dx) -> (rdx, rgrads)``:
  :math:`\\mathcal R\\{dx\\}` and :math:`\\mathcal R` of the parameter gradients.

Shapes: activations ``(N, D)``; R-values of activations ``(k, N, D)`` for
``k`` directions at once; a direction (and an R-gradient) of a parameter of
shape ``S`` has shape ``S + (k,)``, the layout of ``k`` stacked flat vectors.

Dropout and batch normalisation are differentiated in evaluation mode, where
they are fixed affine maps: dropout scales by :math:`1 - r`, batch
normalisation uses the running statistics.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from nnlearn.functions import sigmoid
from nnlearn.nn.layers import Affine, BatchNormalization, Dropout, ReLU, Sigmoid, Tanh


class Rule(NamedTuple):
    """The forward, backward and R-passes of one layer type (see the module docstring)."""

    params: tuple[str, ...]
    value: Callable[..., np.ndarray]
    cache: Callable[..., Any]
    backward: Callable[..., tuple[np.ndarray | None, dict[str, np.ndarray]]]
    r_forward: Callable[..., np.ndarray]
    r_backward: Callable[..., tuple[np.ndarray | None, dict[str, np.ndarray]]]


def _row(vector: np.ndarray) -> np.ndarray:
    """A parameter vector ``(..., D)`` as a row that broadcasts over samples: ``(..., 1, D)``."""
    return vector[..., np.newaxis, :]


# --- Affine: y = x W + b ------------------------------------------------------------------

def _affine_value(layer: Any, p: dict, x: np.ndarray) -> np.ndarray:
    y = x @ p["W"]
    y += _row(p["b"])
    return y


def _affine_backward(p: dict, x: np.ndarray, dy: np.ndarray, need_dx: bool):
    grads = {"W": x.T @ dy, "b": dy.sum(axis=0)}
    return (dy @ p["W"].T if need_dx else None), grads


def _affine_r_forward(p: dict, x: np.ndarray, rx: np.ndarray | None, v: dict) -> np.ndarray:
    # R{y} = R{x} W + x V_W + V_b
    vW = v["W"]
    din, dout, k = vW.shape
    n = len(x)
    ry = np.empty((k, n, dout))
    xv = (x @ vW.reshape(din, dout * k)).reshape(n, dout, k)
    np.add(xv.transpose(2, 0, 1), _row(v["b"].T), out=ry)
    if rx is not None:
        ry += (rx.reshape(k * n, din) @ p["W"]).reshape(k, n, dout)
    return ry


def _affine_r_backward(p, x, dy, rdy, rx, v, need_dx):
    # R{dW} = R{x}^T dy + x^T R{dy},  R{db} = sum R{dy},  R{dx} = R{dy} W^T + dy V_W^T
    k, n, dout = rdy.shape
    din = x.shape[1]
    rdy_last = np.ascontiguousarray(rdy.transpose(1, 2, 0)).reshape(n, dout * k)
    rW = (x.T @ rdy_last).reshape(din, dout, k)
    if rx is not None:
        rW += (rx.transpose(0, 2, 1) @ dy).transpose(1, 2, 0)
    grads = {"W": rW, "b": rdy.sum(axis=1).T}
    if not need_dx:
        return None, grads
    rdx = (rdy.reshape(k * n, dout) @ p["W"].T).reshape(k, n, din)
    rdx += dy @ v["W"].transpose(2, 1, 0)
    return rdx, grads


# --- activations and dropout: y = f(x), f' and f'' from the forward pass -------------------

def _elementwise(
    f: Callable[[Any, np.ndarray], np.ndarray],
    derivatives: Callable[[Any, np.ndarray, np.ndarray], tuple[Any, Any]],
) -> Rule:
    """The rule of ``y = f(x)`` elementwise, given ``(f', f'')`` (``f''`` None when 0).

    backward :math:`dx = dy f'`; :math:`\\mathcal R\\{y\\} = f' \\mathcal R\\{x\\}`;
    :math:`\\mathcal R\\{dx\\} = \\mathcal R\\{dy\\} f' + dy\\, f'' \\mathcal R\\{x\\}`.
    """

    def backward(p, cache, dy, need_dx):
        return dy * cache[0], {}

    def r_forward(p, cache, rx, v):
        return rx * cache[0]

    def r_backward(p, cache, dy, rdy, rx, v, need_dx):
        d1, d2 = cache
        rdx = rdy * d1
        if d2 is not None:
            rdx += (dy * d2) * rx
        return rdx, {}

    return Rule((), f, lambda layer, p, x, y: derivatives(layer, x, y), backward, r_forward,
                r_backward)


def _sigmoid_derivatives(layer, x, y):
    d1 = y * (1.0 - y)
    return d1, d1 * (1.0 - 2.0 * y)


def _tanh_derivatives(layer, x, y):
    d1 = 1.0 - y * y
    return d1, -2.0 * y * d1


def _dropout_scale(layer: Any) -> float:
    return 1.0 - layer.dropout_ratio


# --- batch normalisation with the running statistics: y = gamma (x - m) / s + beta ---------

def _batchnorm_stats(layer: Any) -> tuple[np.ndarray, np.ndarray]:
    mean = np.asarray(layer.running_mean, np.float64)
    std = np.sqrt(np.asarray(layer.running_var, np.float64) + layer.eps)
    return mean, std


def _batchnorm_value(layer, p, x):
    mean, std = _batchnorm_stats(layer)
    return (x - mean) / std * _row(p["gamma"]) + _row(p["beta"])


def _batchnorm_cache(layer, p, x, y):
    mean, std = _batchnorm_stats(layer)
    return (x - mean) / std, std


def _batchnorm_backward(p, cache, dy, need_dx):
    xn, std = cache
    grads = {"gamma": np.sum(xn * dy, axis=0), "beta": dy.sum(axis=0)}
    return dy * (p["gamma"] / std), grads


def _batchnorm_r_forward(p, cache, rx, v):
    xn, std = cache
    return rx * (p["gamma"] / std) + xn * _row(v["gamma"].T) + _row(v["beta"].T)


def _batchnorm_r_backward(p, cache, dy, rdy, rx, v, need_dx):
    xn, std = cache
    grads = {
        "gamma": (np.sum(rx * dy, axis=1) / std + np.sum(xn * rdy, axis=1)).T,
        "beta": rdy.sum(axis=1).T,
    }
    return (rdy * p["gamma"] + dy * _row(v["gamma"].T)) / std, grads


#: The rule of each layer type that has an R-operator.
RULES: dict[type, Rule] = {
    Affine: Rule(("W", "b"), _affine_value, lambda layer, p, x, y: x, _affine_backward,
                 _affine_r_forward, _affine_r_backward),
    Sigmoid: _elementwise(lambda layer, p, x: sigmoid(x), _sigmoid_derivatives),
    Tanh: _elementwise(lambda layer, p, x: np.tanh(x), _tanh_derivatives),
    ReLU: _elementwise(lambda layer, p, x: np.maximum(x, 0.0),
                       lambda layer, x, y: ((x > 0).astype(np.float64), None)),
    Dropout: _elementwise(lambda layer, p, x: x * _dropout_scale(layer),
                          lambda layer, x, y: (_dropout_scale(layer), None)),
    BatchNormalization: Rule(("gamma", "beta"), _batchnorm_value, _batchnorm_cache,
                             _batchnorm_backward, _batchnorm_r_forward, _batchnorm_r_backward),
}

def check_layer(layer: Any, position: int) -> Rule:
    """The rule of ``layer`` (the ``position``-th of its network), or a clear error."""
    rule = RULES.get(type(layer))
    if rule is None:
        names = ", ".join(kind.__name__ for kind in RULES)
        raise TypeError(
            f"layer {position} ({type(layer).__name__}) has no R-operator, so the Hessian of "
            f"this network cannot be taken; layers with one: {names}"
        )
    return rule


# --- softmax cross-entropy: L = -1/N sum_n sum_c t_nc log softmax(s_n)_c -------------------

def softmax_cross_entropy(s: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean cross-entropy of each stacked copy of scores ``s`` (..., N, C), and the softmax.

    ``t`` holds integer labels ``(N,)`` or float targets ``(N, C)``.
    """
    shifted = s - s.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=-1, keepdims=True)
    log_p = shifted - np.log(total)
    n = s.shape[-2]
    if t.ndim == 1:
        loss = -log_p[..., np.arange(n), t].sum(axis=-1)
    else:
        loss = -np.sum(log_p * t, axis=(-2, -1))
    return loss / n, exp / total


def loss_backward(p: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:math:`dL/ds = (p \\sum_c t_c - t) / N`, and the row sums :math:`\\sum_c t_c / N`."""
    n = len(p)
    if t.ndim == 1:
        ds = p.copy()
        ds[np.arange(n), t] -= 1.0
        return ds / n, np.full((n, 1), 1.0 / n)
    weight = t.sum(axis=1, keepdims=True) / n
    return p * weight - t / n, weight


def loss_r_backward(p: np.ndarray, weight: np.ndarray, rs: np.ndarray) -> np.ndarray:
    """:math:`\\mathcal R\\{dL/ds\\} = p \\odot (\\mathcal R\\{s\\} - p^\\top \\mathcal R\\{s\\})
    \\sum_c t_c / N` (the softmax Jacobian times the R-scores)."""
    rp = rs - np.sum(p * rs, axis=-1, keepdims=True)
    rp *= p * weight
    return rp
