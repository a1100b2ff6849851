import numpy as np
import pytest
from numpy.testing import assert_allclose

from nnlearn.calculus.descent import DivergenceError, gradient_descent
from nnlearn.calculus.differentiate import numerical_gradient
from nnlearn.functions import function_2


def test_seed_values():
    x = gradient_descent(function_2, np.array([3.0, 4.0]), lr=0.1, step_num=100)
    assert_allclose(x, [6.111107928998789e-10, 8.148143905314271e-10], rtol=1e-6)


def test_init_x_is_not_modified():
    init_x = np.array([3.0, 4.0])
    gradient_descent(function_2, init_x, lr=0.1, step_num=5)
    assert init_x.tolist() == [3.0, 4.0]


def test_integer_start():
    x = gradient_descent(function_2, np.array([3, 4]), lr=0.1, step_num=100)
    assert_allclose(x, [6.111107928998789e-10, 8.148143905314271e-10], rtol=1e-6)


def test_path_records_every_step():
    x, path = gradient_descent(function_2, [3.0, 4.0], lr=0.1, step_num=3, return_path=True)
    assert path.shape == (4, 2)
    assert_allclose(path[0], [3.0, 4.0])
    for before, after in zip(path[:-1], path[1:], strict=True):
        assert_allclose(after, before - 0.1 * numerical_gradient(function_2, before.copy()))
    assert np.array_equal(path[-1], x)
    # On x0^2 + x1^2 each step multiplies x by (1 - 2 lr) = 0.8.
    assert_allclose(path[3], [3.0 * 0.8**3, 4.0 * 0.8**3], rtol=1e-9)


def test_zero_steps_returns_the_start():
    x, path = gradient_descent(function_2, [3.0, 4.0], step_num=0, return_path=True)
    assert x.tolist() == [3.0, 4.0] and path.shape == (1, 2)


def test_divergence_is_reported_with_step_and_learning_rate():
    # The book's lr=10 silently returns about -2.6e13; here it stops and says why.
    with pytest.raises(FloatingPointError, match=r"diverged at step \d+ with lr=10"):
        gradient_descent(function_2, [-3.0, 4.0], lr=10.0, step_num=100)


def test_divergence_keeps_the_points_visited_before_it():
    with pytest.raises(DivergenceError) as caught:
        gradient_descent(function_2, [-3.0, 4.0], lr=10.0, step_num=100, return_path=True)
    error = caught.value
    assert error.lr == 10.0 and error.step > 1
    assert error.path.shape == (error.step, 2)
    _, path = gradient_descent(function_2, [-3.0, 4.0], 10.0, error.step - 1, return_path=True)
    assert np.array_equal(error.path, path)  # on x0^2 + x1^2 each step multiplies x by -19
    assert_allclose(error.path[1], [57.0, -76.0], rtol=1e-9)
    with pytest.raises(DivergenceError) as without_path:
        gradient_descent(function_2, [-3.0, 4.0], lr=10.0, step_num=100)
    assert without_path.value.path is None and without_path.value.step == error.step


def test_overflow_to_infinity_is_reported():
    with np.errstate(over="ignore"), pytest.raises(FloatingPointError, match="lr=1e\\+300"):
        gradient_descent(function_2, [3.0, 4.0], lr=1e300, step_num=10)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"lr": 0.0}, ValueError, "lr must be a finite number > 0"),
        ({"lr": -0.1}, ValueError, "lr must be a finite number > 0"),
        ({"lr": float("nan")}, ValueError, "lr must be a finite number > 0"),
        ({"lr": float("inf")}, ValueError, "lr must be a finite number > 0"),
        ({"lr": "0.1"}, TypeError, "lr must be a real number"),
        ({"step_num": -1}, ValueError, "step_num must be an integer >= 0"),
        ({"step_num": 2.5}, TypeError, "step_num must be an integer"),
        ({"step_num": True}, TypeError, "step_num must be an integer"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        gradient_descent(function_2, [3.0, 4.0], **kwargs)


def test_bad_f_and_start():
    with pytest.raises(TypeError, match="f must be callable"):
        gradient_descent(None, [3.0, 4.0])
    with pytest.raises(ValueError, match="init_x must not be empty"):
        gradient_descent(function_2, [])
    with pytest.raises(ValueError, match="must return a scalar"):
        gradient_descent(lambda x: x, [3.0, 4.0])
