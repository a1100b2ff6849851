"""A network's loss on fixed data, as a function of its flattened parameters.

:class:`NetworkLoss` chains the layer rules of :mod:`nnlearn.analysis.rules`:
one forward and one backward pass at construction give the loss and its
gradient, and are kept, so that each Hessian-vector product afterwards costs
only the two R-passes (about one forward and one backward pass), for one
direction or for ``k`` at once. Everything is computed in float64 on a copy
of the parameters, whatever the network's dtype.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from nnlearn.analysis.rules import (
    Rule,
    check_layer,
    loss_backward,
    loss_r_backward,
    softmax_cross_entropy,
)
from nnlearn.functions import match_targets
from nnlearn.nn.layers import Affine, SoftmaxWithLoss

#: Columns of a block of directions processed together (bounds the memory of the R-passes).
_MAX_VALUES_PER_BLOCK = 2_000_000


def _stages(net: Any) -> list[tuple[Rule, Any, dict[str, str]]]:
    """Each layer with its rule and its parameters' names in ``net.params``, or a clear error."""
    for attribute in ("params", "layers", "last_layer"):
        if not hasattr(net, attribute):
            raise TypeError(
                f"net must be a layered network such as TwoLayerNet or MultiLayerNet (with "
                f"params, layers and last_layer), got {type(net).__name__}"
            )
    if not isinstance(net.last_layer, SoftmaxWithLoss):
        raise TypeError(f"the network's last layer must be SoftmaxWithLoss, got "
                        f"{type(net.last_layer).__name__}")
    if not net.layers or not isinstance(net.layers[0], Affine):
        raise TypeError("the network's first layer must be Affine")
    owner = {id(array): name for name, array in net.params.items()}
    stages, seen = [], set()
    for position, layer in enumerate(net.layers):
        rule = check_layer(layer, position)
        names = {}
        for attr in rule.params:
            name = owner.get(id(getattr(layer, attr)))
            if name is None:
                raise ValueError(f"layer {position} ({type(layer).__name__}): its {attr} is not "
                                 "one of net.params (was an entry rebound?)")
            names[attr] = name
            seen.add(name)
        stages.append((rule, layer, names))
    if seen != set(net.params):
        raise ValueError(f"net.params holds arrays no layer uses: {sorted(set(net.params) - seen)}")
    return stages


class NetworkLoss:
    """The loss of ``net`` on ``(x, t)`` as a function of its flat parameters :math:`\\theta`.

    .. math:: L(\\theta) = -\\frac1N \\sum_n \\log \\mathrm{softmax}(s_n(\\theta))_{t_n}
              + \\frac{\\lambda}{2} \\sum_l \\lVert W_l \\rVert^2

    :math:`\\theta` is ``net.params`` flattened in order, each array in C order
    (:meth:`flatten`, :meth:`unflatten`). Dropout and batch normalisation are
    taken in evaluation mode (the loss of ``net.loss(x, t)``), where they are
    fixed affine maps; for a network without them this is also the training loss.

    Parameters
    ----------
    net : TwoLayerNet or MultiLayerNet
        Its parameters are copied (as float64) now; later changes to the
        network are not seen.
    x : array_like, shape (N, input_size)
    t : array_like
        Labels ``(N,)`` or one-hot rows ``(N, classes)``.
    with_gradient : bool, default True
        False skips the first layer's backward pass (its product is as large
        as the forward one), which Hessian-vector products do not need;
        ``grad`` is then None.

    Attributes
    ----------
    theta : numpy.ndarray
        The flat parameters.
    loss : float
        :math:`L(\\theta)`.
    grad : numpy.ndarray or None
        :math:`\\nabla L(\\theta)`, flat.
    n_hvp : int
        Hessian-vector products computed so far (one per direction).

    Examples
    --------
    >>> from nnlearn import TwoLayerNet
    >>> net = TwoLayerNet(4, 3, 2, weight_init_std=1.0, rng=0)
    >>> x, t = np.random.default_rng(1).random((5, 4)), np.array([0, 1, 1, 0, 1])
    >>> f = NetworkLoss(net, x, t)
    >>> f.size, f.loss == net.loss(x, t)
    (23, True)
    >>> v = np.random.default_rng(2).standard_normal(f.size)
    >>> w = np.random.default_rng(3).standard_normal(f.size)
    >>> bool(np.isclose(w @ f.hvp(v), v @ f.hvp(w), rtol=1e-13))  # H is symmetric
    True
    """

    def __init__(self, net: Any, x: ArrayLike, t: ArrayLike, *, with_gradient: bool = True):
        self.stages = _stages(net)
        self.names = list(net.params)
        self.shapes = {name: net.params[name].shape for name in self.names}
        bounds = np.cumsum([0] + [int(np.prod(s)) for s in self.shapes.values()])
        self.slices = {name: slice(int(a), int(b))
                       for name, a, b in zip(self.names, bounds[:-1], bounds[1:], strict=True)}
        self.size = int(bounds[-1])
        self.decay = float(getattr(net, "weight_decay_lambda", 0.0) or 0.0)
        self._decayed = [names["W"] for rule, layer, names in self.stages
                         if isinstance(layer, Affine)]
        self.x, self.t = self._check_data(x, t)
        self.theta = self.flatten(net.params)
        self.n_hvp = 0
        self.loss, self.grad, self._state = self._forward_backward(self.unflatten(self.theta),
                                                                   with_gradient)

    # --- parameters as one vector ----------------------------------------------------------

    def flatten(self, arrays: Mapping[str, ArrayLike], name: str = "v") -> np.ndarray:
        """A dict shaped like ``net.params`` as one float64 vector; a clear error otherwise."""
        if not isinstance(arrays, Mapping):
            raise TypeError(f"{name} must be a dict shaped like net.params, got "
                            f"{type(arrays).__name__}")
        if set(arrays) != set(self.names):
            raise ValueError(f"{name} must have the keys of net.params {self.names}, "
                             f"got {list(arrays)}")
        flat = np.empty(self.size)
        for key in self.names:
            array = np.asarray(arrays[key])
            if array.shape != self.shapes[key]:
                raise ValueError(f"{name}[{key!r}] must have shape {self.shapes[key]}, "
                                 f"got {array.shape}")
            if array.dtype.kind not in "biuf":
                raise TypeError(f"{name}[{key!r}] must hold real numbers, got dtype {array.dtype}")
            flat[self.slices[key]] = array.ravel()
        if not np.all(np.isfinite(flat)):
            raise ValueError(f"{name} must hold finite numbers")
        return flat

    def unflatten(self, vector: np.ndarray) -> dict[str, np.ndarray]:
        """Views of a flat vector ``(n,)`` (or ``k`` of them, ``(n, k)``) shaped like the params."""
        tail = vector.shape[1:]
        return {name: vector[self.slices[name]].reshape(*self.shapes[name], *tail)
                for name in self.names}

    def _check_data(self, x: ArrayLike, t: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        inputs = self.shapes[self.stages[0][2]["W"]][0]
        classes = self.shapes[self._decayed[-1]][1]
        x = np.asarray(x)
        if x.dtype.kind not in "biuf":
            raise TypeError(f"x must hold real numbers, got dtype {x.dtype}")
        if x.ndim == 0 or len(x) == 0 or x.size != len(x) * inputs:
            raise ValueError(f"x must have shape (batch, {inputs}), got {x.shape}")
        x = np.asarray(x.reshape(len(x), inputs), dtype=np.float64)  # read, never written
        _, t = match_targets(np.empty((len(x), classes)), t)
        t = t.astype(np.float64) if t.ndim == 2 else t.astype(np.intp)
        return x, t

    # --- loss and gradient -----------------------------------------------------------------

    def _layer_params(self, params: dict[str, np.ndarray], names: dict[str, str]) -> dict:
        return {attr: params[name] for attr, name in names.items()}

    def _forward_backward(
        self, params: dict[str, np.ndarray], with_gradient: bool = True
    ) -> tuple[float, np.ndarray | None, tuple]:
        caches, a = [], self.x
        for rule, layer, names in self.stages:
            p = self._layer_params(params, names)
            y = rule.value(layer, p, a)
            caches.append(rule.cache(layer, p, a, y))
            a = y
        loss, prob = softmax_cross_entropy(a, self.t)
        dy, weight = loss_backward(prob, self.t)
        grad, dys = np.empty(self.size), [None] * len(self.stages)
        for i in reversed(range(len(self.stages))):
            rule, layer, names = self.stages[i]
            dys[i] = dy
            if i == 0 and not with_gradient:
                return float(loss) + self._decay_loss(params), None, (params, caches, dys, prob,
                                                                       weight)
            dy, grads = rule.backward(self._layer_params(params, names), caches[i], dy, i > 0)
            for attr, array in grads.items():
                grad[self.slices[names[attr]]] = array.ravel()
        if self.decay:
            for name in self._decayed:
                grad[self.slices[name]] += self.decay * params[name].ravel()
        return float(loss) + self._decay_loss(params), grad, (params, caches, dys, prob, weight)

    def _decay_loss(self, params: dict[str, np.ndarray]) -> float:
        """:math:`\\frac{\\lambda}{2} \\sum_l \\lVert W_l \\rVert^2`."""
        if not self.decay:
            return 0.0
        return 0.5 * self.decay * sum(float(np.vdot(params[n], params[n])) for n in self._decayed)

    def loss_and_gradient(self, theta: ArrayLike) -> tuple[float, np.ndarray]:
        """:math:`L` and :math:`\\nabla L` at other flat parameters (one forward, one backward)."""
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != (self.size,):
            raise ValueError(f"theta must have shape ({self.size},), got {theta.shape}")
        loss, grad, _ = self._forward_backward(self.unflatten(theta))
        return loss, grad

    # --- Hessian-vector products -----------------------------------------------------------

    def hvp(self, v: ArrayLike) -> np.ndarray:
        """:math:`H v` at ``theta``, exactly, for ``v`` of shape ``(n,)`` or ``(n, k)``.

        ``k`` directions at once share the matrix products (faster than ``k``
        calls). Each costs one R-forward and one R-backward pass.
        """
        v = np.asarray(v, dtype=np.float64)
        if v.ndim not in (1, 2) or v.shape[0] != self.size:
            raise ValueError(f"v must have shape ({self.size},) or ({self.size}, k), "
                             f"got {v.shape}")
        columns = v.reshape(self.size, -1)
        widest = max(len(self.x) * max(s[-1] for s in self.shapes.values()), self.size)
        block = max(1, _MAX_VALUES_PER_BLOCK // widest)
        out = np.empty_like(columns)
        for start in range(0, columns.shape[1], block):
            part = np.ascontiguousarray(columns[:, start:start + block])
            out[:, start:start + block] = self._hvp_block(part)
        self.n_hvp += columns.shape[1]
        return out.reshape(v.shape)

    def _hvp_block(self, V: np.ndarray) -> np.ndarray:
        """The R-passes for the columns of ``V`` (n, k)."""
        params, caches, dys, prob, weight = self._state
        k = V.shape[1]
        v = self.unflatten(V)
        rxs, rx = [], None
        for (rule, _, names), cache in zip(self.stages, caches, strict=True):
            rxs.append(rx)
            rx = rule.r_forward(self._layer_params(params, names), cache, rx,
                                self._layer_params(v, names))
        rdy = loss_r_backward(prob, weight, rx)
        out = np.empty((self.size, k))
        for i in reversed(range(len(self.stages))):
            rule, _, names = self.stages[i]
            rdy, rgrads = rule.r_backward(self._layer_params(params, names), caches[i], dys[i],
                                          rdy, rxs[i], self._layer_params(v, names), i > 0)
            for attr, array in rgrads.items():
                out[self.slices[names[attr]]] = array.reshape(-1, k)
        if self.decay:
            for name in self._decayed:
                out[self.slices[name]] += self.decay * V[self.slices[name]]
        return out
