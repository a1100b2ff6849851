import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from nnlearn.calculus.differentiate import numerical_diff, numerical_gradient
from nnlearn.functions import function_1, function_2


class TestNumericalDiff:
    def test_seed_values(self):
        assert numerical_diff(function_1, 5) == pytest.approx(0.1999999999990898, abs=1e-12)
        assert numerical_diff(function_1, 10) == pytest.approx(0.2999999999986347, abs=1e-12)

    def test_is_the_central_difference(self):
        h = 1e-4
        assert numerical_diff(np.exp, 1.0) == (np.exp(1 + h) - np.exp(1 - h)) / (2 * h)

    def test_elementwise_on_arrays_and_lists(self):
        assert_allclose(numerical_diff(function_1, [5.0, 10.0]), [0.2, 0.3], atol=1e-10)

    def test_f_not_callable(self):
        with pytest.raises(TypeError, match="f must be callable"):
            numerical_diff(3.0, 1.0)


class TestNumericalGradient:
    def test_seed_values(self):
        assert_allclose(numerical_gradient(function_2, np.array([3.0, 4.0])), [6, 8], atol=1e-8)

    def test_integer_input_is_not_truncated(self):
        grad = numerical_gradient(function_2, np.array([3, 4]))
        assert grad.dtype == np.float64
        assert_allclose(grad, [6, 8], atol=1e-8)
        assert_allclose(numerical_gradient(function_2, [3, 4]), [6, 8], atol=1e-8)

    def test_matrix_element_by_element(self):
        w = np.arange(6.0).reshape(2, 3)
        assert_allclose(numerical_gradient(lambda v: np.sum(v**3), w), 3 * w**2, atol=1e-6)

    def test_perturbs_in_place_for_closures_and_restores(self):
        w = np.array([[0.1, -0.2, 0.3], [1.5, 2.5, -3.5]])
        original = w.copy()
        seen = []

        def loss(_):
            seen.append(w.copy())  # the closure reads w itself, as in the seed
            return float(np.sum(w**2))

        assert_allclose(numerical_gradient(loss, w), 2 * original, atol=1e-8)
        assert len(seen) == 12 and not np.array_equal(seen[0], original)
        assert np.array_equal(w, original)

    def test_restores_x_exactly_when_f_raises(self):
        x = np.array([0.1, 0.2, 0.3])
        original = x.copy()
        calls = []

        def failing(v):
            calls.append(1)
            if len(calls) == 4:
                raise RuntimeError("boom")
            return float(v.sum())

        with pytest.raises(RuntimeError, match="boom"):
            numerical_gradient(failing, x)
        assert np.array_equal(x, original)

    def test_float32_uses_a_step_suited_to_float32(self):
        x = np.array([3.0, 4.0], dtype=np.float32)
        grad = numerical_gradient(function_2, x)
        assert grad.dtype == np.float32
        assert_allclose(grad, [6, 8], rtol=1e-5)
        assert np.array_equal(x, np.array([3.0, 4.0], dtype=np.float32))
        # The seed's h = 1e-4 in float32 arithmetic is off by ~1e-3 relative.
        e0 = np.array([1e-4, 0.0], dtype=np.float32)
        seed_style = (function_2(x + e0) - function_2(x - e0)) / (2 * e0[0])
        assert seed_style.dtype == np.float32
        assert abs(seed_style - 6) > 100 * abs(grad[0] - 6)

    def test_float32_on_a_curved_function(self):
        x = np.array([0.5, -1.25, 2.0], dtype=np.float32)
        grad = numerical_gradient(lambda v: float(np.sum(np.sin(v) * v)), x)
        exact = np.sin(x.astype(np.float64)) + x * np.cos(x.astype(np.float64))
        assert_allclose(grad, exact, rtol=1e-4, atol=1e-4)

    @given(st.lists(st.floats(-10, 10), min_size=1, max_size=5))
    def test_gradient_of_quadratic(self, values):
        x = np.array(values)
        assert_allclose(numerical_gradient(lambda v: np.sum(v**2), x), 2 * x, atol=1e-6)

    @pytest.mark.parametrize(
        ("f", "x", "error", "message"),
        [
            ("not a function", [1.0], TypeError, "f must be callable"),
            (function_2, np.array([]), ValueError, "x must not be empty"),
            (function_2, [np.nan, 1.0], ValueError, "x must be finite"),
            (lambda v: v, [1.0, 2.0], ValueError, "must return a scalar"),
            (lambda v: np.inf, [1.0], ValueError, "expected a finite number"),
            (lambda v: np.nan, [1.0], ValueError, "expected a finite number"),
            (function_2, ["a", "b"], TypeError, "x must hold real numbers"),
            (function_2, [3e13, 1.0], ValueError, "too large for the fixed step"),
        ],
    )
    def test_bad_input(self, f, x, error, message):
        with pytest.raises(error, match=message):
            numerical_gradient(f, x)
