"""Optimizers: rules that turn gradients into in-place parameter updates.

Each optimizer has ``update(params, grads)``, where both are dicts of
name -> array with the same keys; the arrays in ``params`` are changed in place
(the network's layers hold references to them). State (velocities, squared
gradient averages, the step count) lives in the optimizer, is created on the
first update with each parameter's dtype, and is exported by
:meth:`Optimizer.state_dict` for checkpoints.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from nnlearn._shared.validation import check_non_negative_finite, check_positive_finite

#: Added to the denominator of the adaptive methods, as in the book.
EPSILON = 1e-7


def _check_fraction(value: Any, name: str) -> float:
    """Return ``value`` as a float if it lies in [0, 1)."""
    value = check_non_negative_finite(value, name)
    if value >= 1:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return value


class Optimizer:
    """Base class: per-parameter state slots, ``update``, and state export.

    Subclasses name their state arrays in ``slots`` and implement
    ``_update_one(param, grad, state, work)`` for one parameter, where ``work``
    is a scratch array of the parameter's shape and dtype (reused from step to
    step, so updates allocate no memory; it is not part of the state).
    """

    slots: ClassVar[tuple[str, ...]] = ()

    def __init__(self, lr: float = 0.01):
        self.lr = check_positive_finite(lr, "lr")
        self.iterations = 0
        self.state: dict[str, dict[str, np.ndarray]] = {}
        # name -> (the parameter array, its state, its scratch array), for quick steps
        self._cache: dict[str, tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]] = {}

    def hyperparameters(self) -> dict[str, float]:
        """The constructor's arguments, for logs and checkpoints."""
        return {"lr": self.lr}

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.hyperparameters().items())
        return f"{type(self).__name__}({args})"

    def _state_for(self, name: str, param: np.ndarray) -> dict[str, np.ndarray]:
        state = self.state.get(name)
        if state is None:
            state = self.state[name] = {slot: np.zeros_like(param) for slot in self.slots}
        return state

    def update(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Apply one step to every array of ``params`` in place, from ``grads``.

        Raises
        ------
        TypeError
            If a parameter is not a writeable floating-point NumPy array (a
            list, say, which could not be updated in place), or a gradient does
            not hold real numbers.
        ValueError
            If the keys differ, or a gradient's shape is not its parameter's
            (NumPy would broadcast a gradient of shape (1,) over the whole
            parameter).
        """
        if params.keys() != grads.keys():
            raise ValueError(
                f"params and grads must have the same keys, got {sorted(params)} "
                f"and {sorted(grads)}"
            )
        cache = self._cache
        for name, param in params.items():  # O(1) per parameter: shapes and dtypes only
            entry = cache.get(name)
            if entry is None or entry[0] is not param:
                _check_param(name, param)
                entry = cache[name] = (param, self._state_for(name, param), np.empty_like(param))
            grad = grads[name]
            if not isinstance(grad, np.ndarray) or grad.shape != param.shape:
                _check_grad(name, grad, param)
            elif grad.dtype.kind not in "biuf":
                raise TypeError(f"grads[{name!r}] must hold real numbers, got dtype {grad.dtype}")
        self.iterations += 1
        update_one = self._update_one
        for name, param in params.items():
            entry = cache[name]
            update_one(param, grads[name], entry[1], entry[2])

    def _update_one(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray], work: np.ndarray
    ) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict[str, np.ndarray]:
        """Flat dict of arrays: ``"<slot>/<param>"`` for each state array, plus ``"iterations"``."""
        flat = {"iterations": np.asarray(self.iterations, dtype=np.int64)}
        for name, state in self.state.items():
            for slot, array in state.items():
                flat[f"{slot}/{name}"] = array
        return flat

    def load_state_dict(self, flat: dict[str, np.ndarray]) -> None:
        """Restore what :meth:`state_dict` returned (arrays are copied)."""
        if "iterations" not in flat:
            raise ValueError("optimizer state lacks 'iterations'")
        state: dict[str, dict[str, np.ndarray]] = {}
        for key, array in flat.items():
            if key == "iterations":
                continue
            slot, _, name = key.partition("/")
            if slot not in self.slots:
                raise ValueError(
                    f"optimizer state has {key!r}, but {type(self).__name__} keeps "
                    f"{list(self.slots) or 'no state'}"
                )
            state.setdefault(name, {})[slot] = np.array(array)
        self.iterations = int(flat["iterations"])
        self.state = state
        self._cache = {}


def _check_param(name: str, param: Any) -> None:
    if not isinstance(param, np.ndarray) or param.dtype.kind != "f" or not param.flags.writeable:
        got = type(param).__name__ if not isinstance(param, np.ndarray) else (
            f"a read-only {param.dtype} array" if param.dtype.kind == "f" else f"{param.dtype}"
        )
        raise TypeError(
            f"params[{name!r}] must be a writeable floating-point numpy array (it is updated in "
            f"place), got {got}"
        )


def _check_grad(name: str, grad: Any, param: np.ndarray) -> None:
    shape = np.shape(grad)
    if shape != param.shape:
        raise ValueError(
            f"grads[{name!r}] must have the shape of params[{name!r}], {param.shape}, got {shape}"
        )
    dtype = np.asarray(grad).dtype
    if dtype.kind not in "biuf":
        raise TypeError(f"grads[{name!r}] must hold real numbers, got dtype {dtype}")


def _add_scaled(y: np.ndarray, a: float, x: ArrayLike, work: np.ndarray) -> None:
    """:math:`y \\leftarrow y + a x` in place, through ``work`` (which may be ``x``).

    Two NumPy passes. BLAS's axpy does it in one, but SciPy's ``axpy`` runs in
    SciPy's own copy of OpenBLAS, whose threads then compete with NumPy's for
    the cores: with two BLAS threads a training step became ten times slower.

    Examples
    --------
    >>> y, x = np.ones(3, np.float32), np.arange(3, dtype=np.float32)
    >>> _add_scaled(y, -0.5, x, np.empty_like(y)); y
    array([1. , 0.5, 0. ], dtype=float32)
    """
    np.multiply(x, a, out=work)
    y += work


def _step_by_root(
    param: np.ndarray, numerator: np.ndarray, h: np.ndarray, lr: float, work: np.ndarray
) -> None:
    """:math:`W \\leftarrow W - \\eta \\, n / (\\sqrt{h} + 10^{-7})`, in place through ``work``."""
    np.sqrt(h, out=work)
    work += EPSILON
    np.divide(numerator, work, out=work)
    _add_scaled(param, -lr, work, work)


class SGD(Optimizer):
    """Stochastic gradient descent: :math:`W \\leftarrow W - \\eta \\, \\partial L/\\partial W`.

    Examples
    --------
    >>> params, grads = {"W": np.array([1.0, 2.0])}, {"W": np.array([0.5, -1.0])}
    >>> SGD(lr=0.1).update(params, grads)
    >>> params["W"]
    array([0.95, 2.1 ])
    """

    def _update_one(self, param, grad, state, work):
        _add_scaled(param, -self.lr, grad, work)


class Momentum(Optimizer):
    """Momentum: :math:`v \\leftarrow \\alpha v - \\eta g,\\ W \\leftarrow W + v`.

    Examples
    --------
    >>> params, grads = {"W": np.array([1.0])}, {"W": np.array([1.0])}
    >>> opt = Momentum(lr=0.1, momentum=0.9)
    >>> opt.update(params, grads); opt.update(params, grads)
    >>> params["W"]  # 1 - 0.1 - (0.09 + 0.1)
    array([0.71])
    """

    slots = ("v",)

    def __init__(self, lr: float = 0.01, momentum: float = 0.9):
        super().__init__(lr)
        self.momentum = _check_fraction(momentum, "momentum")

    def hyperparameters(self):
        return {"lr": self.lr, "momentum": self.momentum}

    def _update_one(self, param, grad, state, work):
        v = state["v"]
        v *= self.momentum
        _add_scaled(v, -self.lr, grad, work)
        param += v


class Nesterov(Momentum):
    """Nesterov's accelerated gradient, in the book's form (Bengio et al. 2012).

    .. math:: W \\leftarrow W + \\alpha^2 v - (1 + \\alpha)\\eta g,\\
              v \\leftarrow \\alpha v - \\eta g

    with the velocity ``v`` of the step before: the same steps as PyTorch's
    ``SGD(nesterov=True)``, :math:`W \\leftarrow W + \\alpha v_{new} - \\eta g`.

    Examples
    --------
    >>> params, grads = {"W": np.array([1.0])}, {"W": np.array([1.0])}
    >>> opt = Nesterov(lr=0.1, momentum=0.9)
    >>> opt.update(params, grads); params["W"]  # 1 + 0.81 * 0 - 1.9 * 0.1
    array([0.81])
    >>> opt.update(params, grads); params["W"]  # 0.81 + 0.81 * (-0.1) - 1.9 * 0.1
    array([0.539])
    """

    def _update_one(self, param, grad, state, work):
        v = state["v"]
        np.multiply(v, self.momentum * self.momentum, out=work)
        param += work
        np.multiply(grad, (1 + self.momentum) * self.lr, out=work)
        param -= work
        v *= self.momentum
        np.multiply(grad, self.lr, out=work)
        v -= work


class AdaGrad(Optimizer):
    """AdaGrad: :math:`h \\leftarrow h + g^2,\\ W \\leftarrow W - \\eta g / (\\sqrt{h} + 10^{-7})`.

    Examples
    --------
    >>> params, grads = {"W": np.array([1.0])}, {"W": np.array([2.0])}
    >>> AdaGrad(lr=0.1).update(params, grads)
    >>> params["W"]  # 1 - 0.1 * 2 / (2 + 1e-7)
    array([0.9])
    """

    slots = ("h",)

    def _update_one(self, param, grad, state, work):
        h = state["h"]
        np.multiply(grad, grad, out=work)
        h += work
        _step_by_root(param, grad, h, self.lr, work)


class RMSprop(Optimizer):
    r"""RMSprop: AdaGrad with a moving average of squared gradients.

    .. math:: h \leftarrow \rho h + (1-\rho) g^2,\ W \leftarrow W - \eta g / (\sqrt{h} + 10^{-7})

    Examples
    --------
    >>> params, grads = {"W": np.array([1.0])}, {"W": np.array([2.0])}
    >>> RMSprop(lr=0.01, decay_rate=0.99).update(params, grads)
    >>> params["W"]  # 1 - 0.01 * 2 / sqrt(0.01 * 4)
    array([0.9])
    """

    slots = ("h",)

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99):
        super().__init__(lr)
        self.decay_rate = _check_fraction(decay_rate, "decay_rate")

    def hyperparameters(self):
        return {"lr": self.lr, "decay_rate": self.decay_rate}

    def _update_one(self, param, grad, state, work):
        h = state["h"]
        h *= self.decay_rate
        np.multiply(grad, grad, out=work)
        work *= 1 - self.decay_rate
        h += work
        _step_by_root(param, grad, h, self.lr, work)


class Adam(Optimizer):
    r"""Adam with bias correction folded into the step size, as in the book.

    .. math:: m \leftarrow m + (1-\beta_1)(g - m),\ v \leftarrow v + (1-\beta_2)(g^2 - v),\
              W \leftarrow W - \eta \sqrt{1-\beta_2^k} / (1-\beta_1^k) \, m / (\sqrt{v} + 10^{-7})

    The moments are computed as :math:`m \leftarrow \beta_1 m + (1-\beta_1) g` and
    :math:`v \leftarrow \beta_2 v + (1-\beta_2) g^2` (the same numbers, to
    rounding), in place, with one scratch array and no temporaries.

    Examples
    --------
    >>> params, grads = {"W": np.array([1.0])}, {"W": np.array([0.5])}
    >>> Adam(lr=0.001).update(params, grads)
    >>> params["W"]  # the first step moves each weight by about lr
    array([0.999])
    """

    slots = ("m", "v")

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999):
        super().__init__(lr)
        self.beta1 = _check_fraction(beta1, "beta1")
        self.beta2 = _check_fraction(beta2, "beta2")

    def hyperparameters(self):
        return {"lr": self.lr, "beta1": self.beta1, "beta2": self.beta2}

    def update(self, params, grads):
        k = self.iterations + 1
        self._step = self.lr * np.sqrt(1 - self.beta2**k) / (1 - self.beta1**k)
        super().update(params, grads)

    def _update_one(self, param, grad, state, work):
        m, v = state["m"], state["v"]
        m *= self.beta1
        _add_scaled(m, 1 - self.beta1, grad, work)
        np.multiply(grad, grad, out=work)
        v *= self.beta2
        _add_scaled(v, 1 - self.beta2, work, work)
        _step_by_root(param, m, v, self._step, work)


#: Optimizer classes by their command-line name.
OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSprop,
    "adam": Adam,
}


def make_optimizer(name: str, **hyperparameters: float) -> Optimizer:
    """Return the optimizer called ``name`` (a key of :data:`OPTIMIZERS`).

    Examples
    --------
    >>> make_optimizer("momentum", lr=0.05)
    Momentum(lr=0.05, momentum=0.9)
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {name!r}")
    return OPTIMIZERS[name](**hyperparameters)
