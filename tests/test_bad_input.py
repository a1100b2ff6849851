"""Bad input to the array math of nnlearn.functions: a TypeError naming the argument."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlearn as nl

ACTIVATIONS = {
    "identity_function": nl.identity_function,
    "step_function": nl.step_function,
    "sigmoid": nl.sigmoid,
    "relu": nl.relu,
    "softmax": nl.softmax,
}
NOT_REAL = [
    np.array(["a", "b"]), np.array([1 + 1j, 2.0]), np.array([None, 1.0], dtype=object),
    None, "text", [[1.0, "2"]], np.array(["2020-01-01"], dtype="datetime64[D]"),
]


@settings(max_examples=100)
@given(name=st.sampled_from(sorted(ACTIVATIONS)), x=st.sampled_from(NOT_REAL))
def test_activations_refuse_what_is_not_real_numbers(name, x):
    dtype = np.asarray(x).dtype
    with pytest.raises(TypeError, match=re.escape(f"x must hold real numbers, got dtype {dtype}")):
        ACTIVATIONS[name](x)


@pytest.mark.parametrize("name", ["identity_function", "step_function", "sigmoid", "relu"])
def test_activations_still_take_integers_and_booleans(name):
    result = ACTIVATIONS[name](np.array([-2, 0, 3]))
    reference = ACTIVATIONS[name](np.array([-2.0, 0.0, 3.0]))
    np.testing.assert_array_equal(result, reference)
    assert ACTIVATIONS[name]([True, False]).shape == (2,)


@pytest.mark.parametrize(
    ("n_classes", "error", "message"),
    [
        (2.5, TypeError, "n_classes must be an integer >= 0, got 2.5"),
        ("3", TypeError, "n_classes must be an integer >= 0, got '3'"),
        (0, ValueError, "n_classes must be an integer >= 1, got 0"),
        (None, TypeError, "n_classes must be an integer >= 0, got None"),
    ],
)
def test_one_hot_checks_the_number_of_classes(n_classes, error, message):
    with pytest.raises(error, match=re.escape(message)):
        nl.one_hot([0, 1], n_classes)


def test_one_hot_targets_must_be_finite():
    y = nl.softmax([[1.0, 2.0], [0.5, 0.1]])
    with pytest.raises(ValueError, match=r"t must be finite, but it holds NaN or infinity "
                                         r"\(1 entry, the first at \[1, 1\]\)"):
        nl.cross_entropy_error(y, [[0.0, 1.0], [1.0, np.inf]])
