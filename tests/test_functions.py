import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose

from nnlearn.functions import (
    cross_entropy_error,
    identity_function,
    mean_squared_error,
    one_hot,
    relu,
    sigmoid,
    softmax,
    step_function,
)

SEED_Y = [0.1, 0.05, 0.6, 0.0, 0.5, 0.0, 0.1, 0.0, 0.0, 0.0]
SEED_T = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
SEED_CEE = 0.510825457099338


class TestCrossEntropyError:
    def test_one_sample_matches_the_seed(self):
        assert cross_entropy_error(SEED_Y, SEED_T) == pytest.approx(SEED_CEE, abs=1e-12)

    def test_equals_minus_log_of_the_right_probability(self):
        assert cross_entropy_error(SEED_Y, SEED_T) == pytest.approx(-np.log(0.6 + 1e-7), abs=1e-15)

    def test_batch_of_one_and_label_give_the_same(self):
        assert cross_entropy_error([SEED_Y], [SEED_T]) == pytest.approx(SEED_CEE, abs=1e-12)
        assert cross_entropy_error(SEED_Y, 2) == pytest.approx(SEED_CEE, abs=1e-12)
        assert cross_entropy_error([SEED_Y], [2]) == pytest.approx(SEED_CEE, abs=1e-12)

    def test_batch_is_the_mean_over_samples(self):
        wrong = [0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0]
        expected = (-np.log(0.6 + 1e-7) - np.log(0.1 + 1e-7)) / 2
        assert cross_entropy_error([SEED_Y, wrong], [2, 2]) == pytest.approx(expected, abs=1e-14)
        one_hots = np.array([SEED_T, SEED_T])
        assert cross_entropy_error([SEED_Y, wrong], one_hots) == pytest.approx(expected, abs=1e-14)

    def test_a_worse_prediction_has_a_larger_loss(self):
        wrong = [0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0]
        assert cross_entropy_error(wrong, SEED_T) == pytest.approx(2.302584092994546, abs=1e-12)

    def test_zero_probability_is_finite_thanks_to_delta(self):
        assert cross_entropy_error([1.0, 0.0], [0, 1]) == pytest.approx(-np.log(1e-7))

    @pytest.mark.parametrize(
        ("y", "t", "message"),
        [
            (SEED_Y, [0, 1, 0], "t must be one-hot of the same shape as y"),
            ([SEED_Y, SEED_Y], [2, 1, 0], "t must be one-hot of the same shape as y"),
            (SEED_Y, 10, "label out of range"),
            ([SEED_Y], [-1], "label out of range"),
            ([0.5, -0.1, 0.6], [0, 0, 1], "negative"),
            ([0.5, np.nan, 0.5], [0, 0, 1], "NaN"),
            (np.zeros((0, 10)), np.zeros(0, dtype=int), "must not be empty"),
            (np.zeros((2, 2, 2)), [0, 1], "one sample of shape"),
            ([0.5, 0.5], 0.5, "whole numbers"),
        ],
    )
    def test_bad_input_is_reported(self, y, t, message):
        with pytest.raises(ValueError, match=message):
            cross_entropy_error(y, t)

    def test_non_numeric_input_is_refused(self):
        with pytest.raises(TypeError, match="y must hold probabilities"):
            cross_entropy_error(["a", "b"], [0, 1])
        with pytest.raises(TypeError, match="t must hold numbers"):
            cross_entropy_error([0.5, 0.5], ["a", "b"])


class TestSoftmax:
    def test_seed_values(self):
        assert_allclose(softmax([0.3, 2.9, 4.0]), [0.01821127, 0.24519181, 0.73659691], atol=1e-8)

    def test_large_inputs_do_not_overflow(self):
        y = softmax([1000.0, 1001.0])
        assert np.all(np.isfinite(y))
        assert_allclose(y, [1 / (1 + np.e), np.e / (1 + np.e)], rtol=1e-15)

    def test_batch_rows_are_independent(self):
        batch = np.array([[0.3, 2.9, 4.0], [1000.0, 1001.0, -1000.0]])
        y = softmax(batch)
        assert_allclose(y[0], softmax(batch[0]), rtol=1e-15)
        assert_allclose(y.sum(axis=1), 1.0, rtol=1e-15)

    def test_float32_stays_float32(self):
        assert softmax(np.array([1.0, 2.0], dtype=np.float32)).dtype == np.float32

    @given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)),
                  elements=st.floats(-1e4, 1e4)))
    def test_rows_are_probabilities(self, x):
        y = softmax(x)
        assert np.all(y >= 0) and np.all(np.isfinite(y))
        assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-12)

    @given(st.lists(st.floats(-50, 50), min_size=2, max_size=8), st.floats(-100, 100))
    def test_invariant_to_shift(self, x, c):
        assert_allclose(softmax(np.array(x) + c), softmax(x), rtol=1e-9, atol=1e-300)

    def test_bad_input(self):
        with pytest.raises(ValueError, match="at least one axis"):
            softmax(3.0)
        with pytest.raises(ValueError, match="x must be finite"):
            softmax([1.0, np.nan])
        with pytest.raises(ValueError, match="x must not be empty"):
            softmax([])


class TestActivations:
    def test_sigmoid_values_and_symmetry(self):
        x = np.array([-2.0, 0.0, 2.0])
        assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-15)
        assert_allclose(sigmoid(x) + sigmoid(-x), 1.0, rtol=1e-15)

    def test_sigmoid_does_not_overflow(self):
        with np.errstate(over="raise"):
            assert_allclose(sigmoid([-1000.0, 1000.0]), [0.0, 1.0])

    def test_sigmoid_keeps_float32(self):
        assert sigmoid(np.ones(3, dtype=np.float32)).dtype == np.float32

    def test_relu_step_identity(self):
        x = np.array([-1.5, 0.0, 2.5])
        assert_allclose(relu(x), [0.0, 0.0, 2.5])
        assert step_function(x).tolist() == [0, 0, 1]
        assert identity_function(x) is x


def test_mean_squared_error_is_half_the_sum_of_squares():
    book_y = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]  # the book's example: 0.0975
    assert mean_squared_error(book_y, SEED_T) == pytest.approx(0.0975, abs=1e-15)
    with pytest.raises(ValueError, match="same shape"):
        mean_squared_error([0.1, 0.2], [0, 0, 1])


def test_one_hot():
    assert one_hot([2, 0], 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    with pytest.raises(ValueError, match=r"labels must be integers in \[0, 2\]"):
        one_hot([3], 3)
