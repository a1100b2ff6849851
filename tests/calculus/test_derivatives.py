"""Tests for nnlearn.calculus.derivatives: closed forms, properties, error estimates, errors."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import nnlearn
from nnlearn import (
    DerivativeResult,
    derivative,
    directional_derivative,
    gradient,
    hessian,
    jacobian,
)

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name):
    """Import a module of benchmarks/ by path (the suite is shared with the benchmark)."""
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


suite = _load("suite_differentiate")
SCALAR_IDS = [case.name for case in suite.SCALAR_CASES]
VECTOR_CASES = suite.vector_cases()


class Recorder:
    """Wraps an elementwise f; records every point it is evaluated at and the calls."""

    def __init__(self, f):
        self.f, self.points, self.calls = f, [], 0

    def __call__(self, x):
        self.calls += 1
        self.points.append(np.array(x, copy=True).ravel())
        return self.f(x)

    def evaluated(self):
        return np.concatenate(self.points)


# --- closed forms, one function family at a time -------------------------------------------


@pytest.mark.parametrize("case", suite.SCALAR_CASES, ids=SCALAR_IDS)
def test_first_derivative_matches_closed_form(case):
    x = np.array(case.points)
    assert suite.relative_error(derivative(case.f, x), case.d1(x)) <= 1e-12


@pytest.mark.parametrize("case", suite.SCALAR_CASES, ids=SCALAR_IDS)
def test_second_derivative_matches_closed_form(case):
    x = np.array(case.points)
    assert suite.relative_error(derivative(case.f, x, n=2), case.d2(x)) <= 1e-9


@pytest.mark.parametrize("case", suite.SCALAR_CASES, ids=SCALAR_IDS)
def test_complex_step_matches_closed_form(case):
    x = np.array(case.points)
    result = derivative(case.f, x, method="complex", full_output=True)
    for value, exact in zip(result.value, case.d1(x), strict=True):
        assert suite.relative_error(value, exact) <= 1e-15
    assert suite.relative_error(derivative(case.f, x, n=2, method="complex"), case.d2(x)) <= 1e-11


@pytest.mark.parametrize("method", ["richardson", "central"])
def test_fixed_step_methods_on_a_smooth_function(method):
    x = np.array([0.3, 1.0, 2.5])
    tolerance = 1e-12 if method == "richardson" else 1e-9
    assert_allclose(derivative(np.sin, x, method=method), np.cos(x), rtol=tolerance)
    assert_allclose(derivative(np.sin, x, 2, method=method), -np.sin(x), rtol=tolerance * 1e3)


def test_many_points_are_evaluated_in_one_call_per_round():
    recorder = Recorder(np.sin)
    x = np.linspace(-2.0, 2.0, 12).reshape(3, 4)
    result = derivative(recorder, x, full_output=True)
    assert recorder.calls == 1
    assert result.value.shape == (3, 4)
    assert_array_equal(result.nfev, np.full((3, 4), 10))
    assert_allclose(result.value, np.cos(x), rtol=1e-13, atol=2e-14)


def test_full_output_fields():
    result = derivative(np.exp, 1.0, full_output=True)
    assert isinstance(result, DerivativeResult)
    assert result.method == "auto"
    assert isinstance(result.value, float) and isinstance(result.nfev, int)
    assert result.nfev == 10
    assert result.step == 2.0**-8  # 2^-8 * max(|x|, 1), a power of two
    assert abs(result.value - np.e) <= result.error <= 1e-12
    central = derivative(np.exp, 1.0, method="central", full_output=True)
    assert np.isnan(central.error) and central.nfev == 2
    complex_ = derivative(np.exp, 1.0, method="complex", full_output=True)
    assert complex_.nfev == 1 and complex_.value == np.exp(1.0)


def test_user_step_is_rounded_down_to_a_power_of_two():
    result = derivative(np.sin, 1.0, method="richardson", step=0.01, full_output=True)
    assert result.step == 2.0**-7
    assert abs(result.value - np.cos(1.0)) < 1e-13


# --- the hard points of the issue ----------------------------------------------------------


@pytest.mark.parametrize(
    ("f", "x", "exact"),
    [
        (np.log, 0.1, 10.0),
        (np.sqrt, 0.01, 5.0),
        (lambda x: x * np.log(x), 0.5, np.log(0.5) + 1),
        (np.log, 1e-6, 1e6),
        (np.arcsin, 0.99, 1 / np.sqrt(1 - 0.99**2)),
    ],
    ids=["log@0.1", "sqrt@0.01", "xlogx@0.5", "log@1e-6", "arcsin@0.99"],
)
def test_points_near_a_domain_boundary(f, x, exact):
    assert abs(derivative(f, x) - exact) <= 1e-12 * abs(exact)


def test_log_at_a_tenth_is_never_evaluated_below_zero():
    recorder = Recorder(np.log)
    derivative(recorder, 0.1)
    assert recorder.evaluated().min() > 0


@pytest.mark.parametrize(
    ("f", "x", "d1", "d2"),
    [
        (lambda x: x**2, 1e6, 2e6, 2.0),
        (lambda x: x**2, 1e-6, 2e-6, 2.0),
        (lambda x: np.exp(100 * x), 0.01, 100 * np.e, 1e4 * np.e),
        (lambda x: np.sin(50 * x), 0.7, 50 * np.cos(35.0), -2500 * np.sin(35.0)),
    ],
    ids=["x2@1e6", "x2@1e-6", "exp100x", "sin50x"],
)
def test_badly_scaled_points_and_fast_oscillation(f, x, d1, d2):
    assert abs(derivative(f, x) - d1) <= 1e-12 * abs(d1)
    assert abs(derivative(f, x, 2) - d2) <= 1e-9 * abs(d2)


def test_second_derivative_of_x_squared_at_a_million_where_the_seed_step_fails():
    seed = (1e6 + 1e-4) ** 2 - 2 * 1e6**2 + (1e6 - 1e-4) ** 2
    assert abs(seed / 1e-8 - 2.0) >= 1.0  # the seed's fixed step: relative error of 1 or more
    assert abs(derivative(lambda x: x**2, 1e6, n=2) - 2.0) <= 1e-15


def test_zero_derivatives_are_exactly_zero():
    assert derivative(np.cos, 0.0) == 0.0
    assert derivative(np.cos, 0.0, method="complex") == 0.0
    assert abs(derivative(lambda x: x**3, 0.0)) < 1e-18
    assert abs(derivative(lambda x: x**3, 0.0, n=2)) < 1e-15


def test_integer_zero_d_and_numpy_scalar_input():
    assert derivative(lambda x: x**2, 3) == 6.0
    assert derivative(lambda x: x**2, np.array(3)) == 6.0
    assert derivative(np.sin, np.float32(0.5)) == pytest.approx(np.cos(0.5), rel=1e-13)
    assert isinstance(derivative(np.sin, np.array(0.5)), float)
    assert_allclose(gradient(lambda x: np.sum(x**2), np.array([1, 2])), [2.0, 4.0])


@pytest.mark.parametrize(
    "wrap",
    [np.float64, lambda v: np.array(v), lambda v: np.array([[v]])[0, 0], float],
    ids=["numpy scalar", "0-d array", "element", "python float"],
)
def test_f_may_return_numpy_scalars_and_zero_d_arrays(wrap):
    def f(x):
        return wrap(np.sum(x**3))

    x = np.array([1.0, -2.0])
    assert_allclose(gradient(f, x), 3 * x**2, rtol=1e-13)
    assert_allclose(hessian(f, x), np.diag(6 * x), rtol=1e-12, atol=1e-12)
    assert directional_derivative(f, x, [1.0, 1.0]) == pytest.approx(15.0, rel=1e-13)


# --- multivariate --------------------------------------------------------------------------


@pytest.mark.parametrize("case", VECTOR_CASES, ids=[c.name for c in VECTOR_CASES])
def test_gradient_matches_closed_form(case):
    x = case.points[0]
    assert gradient(case.f, x).shape == x.shape
    assert suite.relative_error(gradient(case.f, x), case.grad(x)) <= 1e-12
    assert suite.relative_error(gradient(case.f, x, method="complex"), case.grad(x)) <= 1e-14


@pytest.mark.parametrize("case", [c for c in VECTOR_CASES if c.hess is not None],
                         ids=lambda c: c.name)
def test_hessian_of_rosenbrock_matches_closed_form(case):
    for x in case.points:
        h = hessian(case.f, x)
        assert_array_equal(h, h.T)
        assert suite.relative_error(h, case.hess(x)) <= 1e-12


def test_hessian_evaluation_count():
    calls = []
    rosenbrock = next(c for c in VECTOR_CASES if c.name == "Rosenbrock n=10")
    hessian(lambda x: calls.append(1) or rosenbrock.f(x), rosenbrock.points[0])
    assert len(calls) == 10 * 55 + 1  # ten per direction (10 axes, 45 pairs) and f(x)


def test_jacobian_of_a_vector_function():
    def f(x):
        return np.array([x[0] ** 2 * x[1], 5 * x[0] + np.sin(x[1]), np.exp(x[0] * x[1])])

    x = np.array([1.5, -0.5])
    exact = np.array([
        [2 * x[0] * x[1], x[0] ** 2],
        [5.0, np.cos(x[1])],
        [x[1] * np.exp(x[0] * x[1]), x[0] * np.exp(x[0] * x[1])],
    ])
    for method in ("auto", "complex"):
        assert suite.relative_error(jacobian(f, x, method=method), exact) <= 1e-13
    assert suite.relative_error(jacobian(f, x, method="central"), exact) <= 1e-9


def test_directional_derivative_is_the_gradient_along_v():
    rosenbrock = next(c for c in VECTOR_CASES if c.name == "Rosenbrock n=10")
    x = rosenbrock.points[1]
    v = np.linspace(-1.0, 2.0, x.size)
    exact = rosenbrock.grad(x) @ v
    assert directional_derivative(rosenbrock.f, x, v) == pytest.approx(exact, rel=1e-12)
    assert directional_derivative(rosenbrock.f, x, 100 * v) == pytest.approx(100 * exact,
                                                                             rel=1e-12)
    vector = directional_derivative(lambda x: np.array([x @ x, x[0]]), x, v)
    assert_allclose(vector, [2 * x @ v, v[0]], rtol=1e-12)


def test_gradient_of_a_matrix_argument_keeps_its_shape():
    loss = next(c for c in VECTOR_CASES if c.name.startswith("softmax"))
    w = loss.points[0]
    assert gradient(loss.f, w).shape == (5, 3)


def test_gradient_at_a_non_contiguous_view():
    x = np.arange(1.0, 7.0).reshape(2, 3).T  # Fortran-ordered view
    weights = np.arange(6.0).reshape(3, 2)
    assert_allclose(gradient(lambda z: np.sum(weights * z**2), x), 2 * weights * x, rtol=1e-13)
    assert_allclose(hessian(lambda z: np.sum(z**3), x), np.diag(6 * x.ravel()), atol=1e-12)


# --- properties ----------------------------------------------------------------------------


coefficient = st.one_of(st.just(0.0), st.floats(1e-3, 10), st.floats(-10, -1e-3))
coefficients = st.lists(coefficient, min_size=1, max_size=8)
points = st.floats(-3, 3, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(coefficients, points)
def test_derivatives_of_random_polynomials_are_exact(coeffs, x):
    poly = np.polynomial.Polynomial(coeffs)
    # rounding errors scale with the size of the terms, not with the result
    sizes = np.polynomial.Polynomial(np.abs(coeffs))
    size = [sizes.deriv(k)(max(abs(x), 1.0)) for k in range(3)]
    assert abs(derivative(poly, x) - poly.deriv(1)(x)) <= 1e-13 * (size[0] + size[1])
    assert abs(derivative(poly, x, n=2) - poly.deriv(2)(x)) <= 1e-11 * (size[0] + size[2])
    assert abs(derivative(poly, x, method="complex") - poly.deriv(1)(x)) <= 1e-15 * size[1]


vectors = st.lists(st.floats(-2, 2, allow_nan=False), min_size=1, max_size=6)


def _cubic(x):
    return np.sum(np.cos(x) * x**2) + np.prod(1 + x / 3)


@settings(max_examples=30, deadline=None)
@given(vectors)
def test_gradient_equals_jacobian_for_scalar_f(values):
    x = np.array(values)
    for method in ("auto", "central", "complex"):
        expected = jacobian(_cubic, x, method=method)[0]
        assert_array_equal(gradient(_cubic, x, method=method), expected)


@settings(max_examples=30, deadline=None)
@given(vectors)
def test_hessian_is_symmetric(values):
    h = hessian(_cubic, np.array(values))
    assert_array_equal(h, h.T)


# --- the error estimate --------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2])
def test_error_estimate_bounds_the_true_error_on_the_suite(n):
    bounded = []
    for case, x in suite.scalar_points():
        result = derivative(case.f, x, n, full_output=True)
        exact = (case.d1 if n == 1 else case.d2)(x)
        bounded.append(abs(result.value - exact) <= result.error)
    assert np.mean(bounded) >= 0.95


# --- f that raises, and the caller's array -------------------------------------------------


class Boom(Exception):
    pass


def _raises_after(calls):
    count = [0]

    def f(x):
        count[0] += 1
        if count[0] > calls:
            raise Boom("f failed")
        return np.sum(np.asarray(x) ** 2)

    return f


@pytest.mark.parametrize(
    "call",
    [
        lambda f, x: gradient(f, x),
        lambda f, x: jacobian(f, x),
        lambda f, x: hessian(f, x),
        lambda f, x: directional_derivative(f, x, np.ones_like(x)),
        lambda f, x: gradient(f, x, method="complex"),
    ],
    ids=["gradient", "jacobian", "hessian", "directional", "complex gradient"],
)
def test_f_that_raises_propagates_and_leaves_x_unchanged(call):
    x = np.array([1.0, 2.0, 3.0])
    with pytest.raises(Boom, match="f failed"):
        call(_raises_after(2), x)
    assert_array_equal(x, [1.0, 2.0, 3.0])


def test_f_that_raises_in_derivative_propagates():
    x = np.array([0.5, 1.5])

    def f(z):
        raise Boom("f failed")

    with pytest.raises(Boom, match="f failed"):
        derivative(f, x)
    assert_array_equal(x, [0.5, 1.5])


def test_f_that_spoils_its_argument_spoils_neither_x_nor_the_result():
    x = np.array([1.0, 2.0])

    def f(z):  # f gets the caller's array, holding the point: scribbling on it changes nothing
        value = np.sum(z**2)
        z.fill(7.0)
        return value

    for result, exact in [(gradient(f, x), [2.0, 4.0]), (hessian(f, x), 2 * np.eye(2)),
                          (directional_derivative(f, x, [1.0, 1.0]), 6.0)]:
        assert_allclose(result, exact, rtol=1e-12, atol=1e-12)
        assert_array_equal(x, [1.0, 2.0])


# --- bad input -----------------------------------------------------------------------------


def test_non_callable_f():
    for function in (derivative, gradient, jacobian, hessian):
        with pytest.raises(TypeError, match="f must be callable"):
            function(3.0, 1.0)


@pytest.mark.parametrize("n", [0, 3, True, 1.5, "1"])
def test_order_must_be_one_or_two(n):
    with pytest.raises(ValueError, match="n must be 1 or 2"):
        derivative(np.sin, 1.0, n)


def test_unknown_method():
    with pytest.raises(ValueError, match="method must be one of 'auto', 'central'"):
        derivative(np.sin, 1.0, method="forward")
    with pytest.raises(ValueError, match="method must be one of"):
        gradient(np.sum, [1.0], method="spline")


def test_complex_step_with_f_returning_real_values():
    with pytest.raises(ValueError, match="keeps the imaginary part.*returned real values"):
        derivative(lambda x: np.real(x) ** 2, 1.0, method="complex")
    with pytest.raises(ValueError, match="drops the imaginary part"):
        gradient(lambda x: float(np.sum(np.abs(x) ** 2)), [1.0, 2.0], method="complex")


def test_complex_step_with_f_zeroing_the_imaginary_part():
    def f(x):
        return x.real**2 + 0j

    with pytest.raises(ValueError, match="Im f\\(x \\+ ih\\) is exactly 0 while the real-step"):
        derivative(f, 1.5, method="complex")
    with pytest.raises(ValueError, match="Im f\\(x \\+ ih\\) is exactly 0"):
        jacobian(lambda x: f(x[:1]), [1.0, 2.0], method="complex")


def test_complex_step_accepts_a_genuine_zero_derivative_and_constants():
    result = derivative(np.cos, [0.0, 1.0], method="complex", full_output=True)
    assert result.value[0] == 0.0 and result.nfev[0] == 2  # one probe off the axis
    assert derivative(lambda x: 0 * x + 7.0 + 0j, 2.0, method="complex") == 0.0


@pytest.mark.parametrize("bad", [np.nan, np.inf, [1.0, np.nan]])
def test_x_must_be_finite(bad):
    with pytest.raises(ValueError, match="x must be finite"):
        derivative(np.sin, bad)
    with pytest.raises(ValueError, match="x must be finite"):
        gradient(np.sum, np.atleast_1d(bad))


def test_x_must_be_real():
    with pytest.raises(TypeError, match="x must hold real numbers"):
        derivative(np.sin, 1 + 2j)


def test_f_returning_the_wrong_shape():
    with pytest.raises(ValueError, match="f must work elementwise.*numpy.vectorize"):
        derivative(np.sum, [1.0, 2.0])
    with pytest.raises(ValueError, match="f must return a scalar, got an array of shape \\(2,\\)"):
        gradient(lambda x: x**2, [1.0, 2.0])
    with pytest.raises(ValueError, match="f must return a scalar"):
        hessian(lambda x: x**2, [1.0, 2.0])
    with pytest.raises(ValueError, match="f must always return 2 value"):
        jacobian(lambda x: x[: 2 if x[0] == 1.0 else 1], [1.0, 2.0])


def test_f_returning_complex_for_real_input():
    with pytest.raises(ValueError, match="f must return real values for real x"):
        derivative(lambda x: x + 1j, 1.0)


def test_step_must_be_positive():
    with pytest.raises(ValueError, match="step must be a finite number > 0"):
        derivative(np.sin, 1.0, step=-0.1)


def test_f_not_finite_anywhere_near_x():
    with pytest.raises(ValueError, match="f is not finite at the steps tried near x = 1"):
        derivative(lambda x: np.log(x - 10), 1.0)
    with pytest.raises(ValueError, match="f is not finite near x"):
        gradient(lambda x: np.sum(np.log(x - 10)), [1.0])


def test_direction_must_match_x_and_be_nonzero():
    with pytest.raises(ValueError, match="v must have the shape of x"):
        directional_derivative(np.sum, [1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="v must not be zero"):
        directional_derivative(np.sum, [1.0, 2.0], [0.0, 0.0])


def test_public_names_are_exported():
    for name in ("derivative", "gradient", "jacobian", "hessian", "directional_derivative",
                 "DerivativeResult"):
        assert name in nnlearn.__all__


# --- the benchmark -------------------------------------------------------------------------


def test_benchmark_smoke_run():
    bench = _load("bench_differentiate")
    report = bench.main(["--quick"])
    assert "nnlearn auto (default)" in report
    assert "Hessians" in report
