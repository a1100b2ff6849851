"""Test functions with closed-form derivatives, shared by the benchmark and the tests.

Scalar functions are elementwise (NumPy ufuncs only), accept complex input (so
the complex step applies) and come with f' and f'' in closed form and the
points to differentiate at. The points include a domain boundary close by (log
at 0.1, sqrt at 0.01, x log x at 0.5, arcsin at 0.99), badly scaled points
(1e6, 1e-6, exp(100x)), fast oscillation (sin(50x)) and zero derivatives.

Multivariate cases give a gradient (and for Rosenbrock a Hessian) in closed
form at a few fixed points each; they return NumPy scalars and accept complex
input too.

The closed forms avoid cancellation (``1/cosh(x)**2``, not ``1 - tanh(x)**2``),
so that they are exact to a few units in the last place.

Error measure used everywhere: ``relative_error(estimate, exact)`` is
``max|estimate - exact| / max|exact|`` (an absolute error where the exact
value is 0).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ScalarCase:
    """An elementwise function of one variable with its first two derivatives."""

    name: str
    f: Callable
    d1: Callable
    d2: Callable
    points: tuple[float, ...]


@dataclass(frozen=True)
class VectorCase:
    """A function of an array with its gradient (and Hessian, when known) in closed form."""

    name: str
    f: Callable
    grad: Callable
    points: tuple[np.ndarray, ...]
    hess: Callable | None = None


def relative_error(estimate, exact) -> float:
    """``max|estimate - exact| / max|exact|``; the absolute error when ``exact`` is all zero."""
    estimate = np.asarray(estimate, dtype=np.float64)
    exact = np.asarray(exact, dtype=np.float64)
    scale = np.max(np.abs(exact))
    error = float(np.max(np.abs(estimate - exact)))
    return error / scale if scale > 0 else error


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _sigmoid_d1(x):
    e = np.exp(-x)
    return e / (1 + e) ** 2  # s (1 - s) without the cancellation in 1 - s


def _sigmoid_d2(x):
    return _sigmoid_d1(x) * np.expm1(-x) / (1 + np.exp(-x))  # s (1 - s) (1 - 2s)


SCALAR_CASES: tuple[ScalarCase, ...] = (
    ScalarCase("exp", np.exp, np.exp, np.exp, (-1.0, 0.5, 3.0)),
    ScalarCase("log", np.log, lambda x: 1 / x, lambda x: -1 / x**2, (0.1, 1.0, 10.0, 1e6)),
    ScalarCase(
        "sqrt", np.sqrt, lambda x: 0.5 / np.sqrt(x), lambda x: -0.25 * x**-1.5, (0.01, 2.0, 1e6)
    ),
    ScalarCase("x*log(x)", lambda x: x * np.log(x), lambda x: np.log(x) + 1, lambda x: 1 / x,
               (0.5, 3.0)),
    ScalarCase("sin", np.sin, np.cos, lambda x: -np.sin(x), (0.3, 2.0)),
    ScalarCase("cos", np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x), (0.0, 1.0)),
    ScalarCase("tan", np.tan, lambda x: 1 / np.cos(x) ** 2,
               lambda x: 2 * np.tan(x) / np.cos(x) ** 2, (0.2, 1.2)),
    ScalarCase("sin(50x)", lambda x: np.sin(50 * x), lambda x: 50 * np.cos(50 * x),
               lambda x: -2500 * np.sin(50 * x), (0.1, 0.7)),
    ScalarCase("exp(100x)", lambda x: np.exp(100 * x), lambda x: 100 * np.exp(100 * x),
               lambda x: 1e4 * np.exp(100 * x), (0.01, -0.02)),
    ScalarCase("x^2", lambda x: x**2, lambda x: 2 * x, lambda x: 2 + 0 * x, (1e6, 1e-6, 3.0)),
    ScalarCase("x^3", lambda x: x**3, lambda x: 3 * x**2, lambda x: 6 * x, (0.0, 2.0)),
    ScalarCase("1/x", lambda x: 1 / x, lambda x: -1 / x**2, lambda x: 2 / x**3,
               (1e-6, 0.5, -2.0)),
    ScalarCase("arctan", np.arctan, lambda x: 1 / (1 + x**2),
               lambda x: -2 * x / (1 + x**2) ** 2, (0.5, 5.0)),
    ScalarCase("tanh", np.tanh, lambda x: 1 / np.cosh(x) ** 2,
               lambda x: -2 * np.tanh(x) / np.cosh(x) ** 2, (0.5, 2.0)),
    ScalarCase("sigmoid", _sigmoid, _sigmoid_d1, _sigmoid_d2, (0.0, 3.0)),
    ScalarCase("exp(-x^2)", lambda x: np.exp(-(x**2)), lambda x: -2 * x * np.exp(-(x**2)),
               lambda x: (4 * x**2 - 2) * np.exp(-(x**2)), (0.5, 1.5)),
    ScalarCase("1/(1+25x^2)", lambda x: 1 / (1 + 25 * x**2),
               lambda x: -50 * x / (1 + 25 * x**2) ** 2,
               lambda x: (3750 * x**2 - 50) / (1 + 25 * x**2) ** 3, (0.2, 0.6)),
    ScalarCase("exp(sin(x))", lambda x: np.exp(np.sin(x)), lambda x: np.cos(x) * np.exp(np.sin(x)),
               lambda x: (np.cos(x) ** 2 - np.sin(x)) * np.exp(np.sin(x)), (1.0, 2.0)),
    ScalarCase("log1p", np.log1p, lambda x: 1 / (1 + x), lambda x: -1 / (1 + x) ** 2,
               (1e-6, 2.0)),
    ScalarCase("arcsin", np.arcsin, lambda x: 1 / np.sqrt((1 - x) * (1 + x)),
               lambda x: x / ((1 - x) * (1 + x)) ** 1.5, (0.5, 0.99)),
    ScalarCase("3x^5-2x^3+x", lambda x: 3 * x**5 - 2 * x**3 + x,
               lambda x: 15 * x**4 - 6 * x**2 + 1, lambda x: 60 * x**3 - 12 * x, (0.7, -1.3)),
    ScalarCase("x^2.5", lambda x: x**2.5, lambda x: 2.5 * x**1.5, lambda x: 3.75 * x**0.5,
               (0.3, 4.0)),
    ScalarCase("softplus", lambda x: np.log1p(np.exp(x)), _sigmoid, _sigmoid_d1, (-2.0, 1.0)),
    ScalarCase("sin(x)/x", lambda x: np.sin(x) / x,
               lambda x: (x * np.cos(x) - np.sin(x)) / x**2,
               lambda x: -np.sin(x) / x - 2 * np.cos(x) / x**2 + 2 * np.sin(x) / x**3,
               (1.0, 4.0)),
    ScalarCase("x*exp(-x)", lambda x: x * np.exp(-x), lambda x: (1 - x) * np.exp(-x),
               lambda x: (x - 2) * np.exp(-x), (0.5, 5.0)),
)


def scalar_points() -> list[tuple[ScalarCase, float]]:
    """Every (case, point) pair of the scalar suite."""
    return [(case, x) for case in SCALAR_CASES for x in case.points]


# --- multivariate ---------------------------------------------------------------------------


def _sum_squares(x):
    return np.sum(x**2)


def _rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def _rosenbrock_grad(x):
    grad = np.zeros_like(x)
    inner = x[1:] - x[:-1] ** 2
    grad[:-1] = -400.0 * x[:-1] * inner - 2.0 * (1.0 - x[:-1])
    grad[1:] += 200.0 * inner
    return grad


def _rosenbrock_hess(x):
    n = x.size
    hess = np.zeros((n, n))
    diag = np.zeros(n)
    diag[:-1] = 1200.0 * x[:-1] ** 2 - 400.0 * x[1:] + 2.0
    diag[1:] += 200.0
    off = -400.0 * x[:-1]
    hess[np.arange(n), np.arange(n)] = diag
    hess[np.arange(n - 1), np.arange(1, n)] = off
    hess[np.arange(1, n), np.arange(n - 1)] = off
    return hess


def _points(rng, shape, count=3, low=-1.5, high=1.5):
    return tuple(rng.uniform(low, high, size=shape) for _ in range(count))


def _ill_conditioned_quadratic(n, rng):
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    a = (q * np.logspace(0, 6, n)) @ q.T
    a = 0.5 * (a + a.T)
    return (lambda x: 0.5 * x @ a @ x), (lambda x: a @ x)


def _softmax_classifier(rng, n_samples=8, n_features=5, n_classes=3):
    inputs = rng.standard_normal((n_samples, n_features))
    labels = rng.integers(0, n_classes, size=n_samples)
    targets = np.eye(n_classes)[labels]

    def loss(w):
        z = inputs @ w
        z_max = z.max(axis=1, keepdims=True)
        log_sum = z_max[:, 0] + np.log(np.sum(np.exp(z - z_max), axis=1))
        return np.mean(log_sum - z[np.arange(n_samples), labels])

    def grad(w):
        z = inputs @ w
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        return inputs.T @ (p - targets) / n_samples

    return loss, grad, (n_features, n_classes)


def vector_cases() -> list[VectorCase]:
    """The multivariate cases, built from a fixed seed."""
    rng = np.random.default_rng(20240611)
    cases = [VectorCase("sum of squares n=5", _sum_squares, lambda x: 2 * x, _points(rng, 5))]
    for n in (2, 10, 100):
        cases.append(
            VectorCase(
                f"Rosenbrock n={n}", _rosenbrock, _rosenbrock_grad, _points(rng, n),
                hess=_rosenbrock_hess if n <= 10 else None,
            )
        )
    f, g = _ill_conditioned_quadratic(50, rng)
    cases.append(VectorCase("quadratic n=50, cond 1e6", f, g, _points(rng, 50)))
    loss, grad, shape = _softmax_classifier(rng)
    cases.append(VectorCase("softmax cross-entropy W(5,3)", loss, grad, _points(rng, shape)))
    return cases
