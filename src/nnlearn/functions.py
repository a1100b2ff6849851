"""Activations and loss functions: pure array-to-array math.

Everything here takes array-likes and returns NumPy arrays or floats; nothing
keeps state. Losses follow the book's definitions exactly, including the
``delta = 1e-7`` that keeps ``log`` away from zero in :func:`cross_entropy_error`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from nnlearn._shared.validation import (
    as_float_array,
    as_real_array,
    check_finite,
    check_positive_int,
)

#: Added to probabilities inside the log of :func:`cross_entropy_error`, as in the book.
CROSS_ENTROPY_DELTA = 1e-7


def identity_function(x: ArrayLike) -> np.ndarray:
    """Return ``x`` unchanged: :math:`h(x) = x` (the output activation for regression).

    Examples
    --------
    >>> identity_function([1.0, -2.0])
    array([ 1., -2.])
    """
    return as_real_array(x, "x")


def step_function(x: ArrayLike) -> np.ndarray:
    """Heaviside step: :math:`h(x) = 1` if :math:`x > 0` else 0, as integers.

    Examples
    --------
    >>> step_function([-1.0, 0.0, 2.0])
    array([0, 0, 1])
    """
    return (as_real_array(x, "x") > 0).astype(np.int64)


def sigmoid(x: ArrayLike) -> np.ndarray:
    """Logistic sigmoid :math:`\\sigma(x) = 1 / (1 + e^{-x})`, in one new array.

    For very negative ``x``, ``exp(-x)`` overflows to ``inf`` and ``1 / inf``
    is the exact limit 0, so that overflow is harmless and its warning is
    silenced; no other form is needed. Float32 input stays float32 (this is
    the activation of the networks' hot loop, so it works in place).

    Examples
    --------
    >>> sigmoid([-1000.0, 0.0, 1000.0])
    array([0. , 0.5, 1. ])
    """
    x = as_real_array(x, "x")
    out = np.negative(x, dtype=x.dtype if x.dtype.kind == "f" else np.float64)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def relu(x: ArrayLike) -> np.ndarray:
    """Rectified linear unit :math:`h(x) = \\max(0, x)`.

    Examples
    --------
    >>> relu([-1.0, 0.5])
    array([0. , 0.5])
    """
    return np.maximum(0, as_real_array(x, "x"))


def softmax(x: ArrayLike) -> np.ndarray:
    """Softmax over the last axis: :math:`y_k = e^{x_k - c} / \\sum_i e^{x_i - c}`.

    Subtracting :math:`c = \\max_i x_i` changes nothing mathematically but keeps
    every ``exp`` argument <= 0, so large inputs such as ``[1000, 1001]`` do not
    overflow. A 2-D input is a batch: each row is normalised on its own.

    Parameters
    ----------
    x : array_like, shape (n,) or (batch, n)
        Scores (logits).

    Returns
    -------
    numpy.ndarray
        Probabilities of the same shape; each row sums to 1.

    Examples
    --------
    >>> softmax([0.3, 2.9, 4.0])
    array([0.01821127, 0.24519181, 0.73659691])
    >>> softmax([1000.0, 1001.0])
    array([0.26894142, 0.73105858])
    """
    x = as_float_array(x, "x")
    if x.ndim == 0:
        raise ValueError("x must have at least one axis (a vector of scores), got a scalar")
    shifted = x - np.max(x, axis=-1, keepdims=True)
    exp_x = np.exp(shifted)
    return exp_x / np.sum(exp_x, axis=-1, keepdims=True)


def _check_probabilities(y: ArrayLike) -> np.ndarray:
    y = np.asarray(y)
    if y.dtype.kind in "biu":
        y = y.astype(np.float64)
    elif y.dtype.kind != "f":
        raise TypeError(f"y must hold probabilities (real numbers), got dtype {y.dtype}")
    if y.size == 0:
        raise ValueError(f"y must not be empty (an empty batch has no mean), got shape {y.shape}")
    if np.isnan(y).any():
        raise ValueError("y holds NaN; expected probabilities in [0, 1]")
    if (y < 0).any():
        raise ValueError(f"y holds negative values (min {y.min():g}); expected probabilities >= 0")
    return y


def one_hot(labels: ArrayLike, n_classes: int) -> np.ndarray:
    """Rows of the identity: ``one_hot(t, C)[n, k] = 1`` if ``t[n] == k`` else 0.

    Examples
    --------
    >>> one_hot([2, 0], 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    n_classes = check_positive_int(n_classes, "n_classes")
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu" or (labels < 0).any() or (labels >= n_classes).any():
        raise ValueError(f"labels must be integers in [0, {n_classes - 1}], got {labels!r}")
    return np.eye(n_classes)[labels]


def as_labels(values: ArrayLike, name: str) -> tuple[np.ndarray, int]:
    """Return integer class labels from labels (N,) or one-hot / score rows (N, C).

    Rows become their ``argmax``; the second value is the number of classes
    they imply (the row width), or 0 for labels.

    Examples
    --------
    >>> as_labels([[0.1, 0.9], [0.8, 0.2]], "y")
    (array([1, 0]), 2)
    """
    values = np.asarray(values)
    width = 0
    if values.ndim == 2:
        values, width = values.argmax(axis=1), values.shape[1]
    if values.ndim != 1:
        raise ValueError(
            f"{name} must be labels of shape (N,) or rows of shape (N, classes), "
            f"got shape {values.shape}"
        )
    if values.size == 0:
        return values.astype(np.int64), width
    if values.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integer class labels, got dtype {values.dtype}")
    if values.min() < 0:
        raise ValueError(f"{name} must hold labels >= 0, got {values.min()}")
    return values.astype(np.int64, copy=False), width


def match_targets(y: ArrayLike, t: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(y, t)`` as a batch: ``y`` 2-D, ``t`` one-hot (same shape) or 1-D labels.

    A single sample (1-D ``y``) becomes a batch of one. ``t`` is validated:
    one-hot rows must match ``y``'s shape, labels must be whole numbers in
    ``[0, classes)``.
    """
    y = np.asarray(y)
    if y.ndim not in (1, 2):
        raise ValueError(
            f"y must be one sample of shape (classes,) or a batch of shape "
            f"(batch, classes), got shape {y.shape}"
        )
    t = np.asarray(t)
    if t.dtype.kind not in "biuf":
        raise TypeError(f"t must hold numbers (one-hot rows or class labels), got dtype {t.dtype}")
    if y.ndim == 1:
        y = y.reshape(1, -1)
        if t.ndim <= 1:
            t = t.reshape(1, -1) if t.ndim == 1 else t.reshape(1)
    if t.shape == y.shape:
        return y, check_finite(t, "t")
    if t.shape != y.shape[:1]:
        raise ValueError(
            f"t must be one-hot of the same shape as y {y.shape} or labels of shape "
            f"{y.shape[:1]}, got shape {t.shape}"
        )
    if t.dtype.kind == "f" and not np.array_equal(t, np.round(t)):
        raise ValueError("t given as labels must hold whole numbers (class indices)")
    n_classes = y.shape[1]
    if (t < 0).any() or (t >= n_classes).any():
        raise ValueError(
            f"t holds a label out of range: labels must be in [0, {n_classes - 1}], "
            f"got min {t.min()} and max {t.max()}"
        )
    return y, t.astype(np.intp)


def accuracy(y: ArrayLike, t: ArrayLike) -> float:
    """Fraction of samples whose highest score is the label.

    .. math:: \\mathrm{acc} = \\frac{1}{N} \\sum_n [\\arg\\max_k y_{nk} = t_n]

    ``y`` holds scores (or probabilities), one row per sample; ``t`` labels or
    one-hot rows, checked as in :func:`cross_entropy_error`.

    Examples
    --------
    >>> accuracy([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]], [1, 0, 0])
    0.6666666666666666
    """
    y, t = match_targets(y, t)
    if t.ndim == 2:
        t = t.argmax(axis=1)
    return float(np.mean(y.argmax(axis=1) == t))


def cross_entropy_error(y: ArrayLike, t: ArrayLike) -> float:
    """Cross-entropy error, averaged over the batch, as in the book.

    .. math:: E = -\\frac{1}{N} \\sum_n \\sum_k t_{nk} \\log(y_{nk} + \\delta),
              \\quad \\delta = 10^{-7}

    The small :math:`\\delta` keeps ``log(0)`` from giving ``-inf``; it also
    biases the loss by about :math:`\\delta / y`, which is why backprop and
    numerical gradients of this exact loss differ by ~1e-7.

    Parameters
    ----------
    y : array_like, shape (classes,) or (batch, classes)
        Predicted probabilities (for example a softmax output).
    t : array_like
        Either one-hot (or soft) targets of the same shape as ``y``, or
        integer class labels of shape ``()`` for one sample / ``(batch,)``.

    Returns
    -------
    float
        The mean loss over the batch (a single sample is a batch of one).

    Examples
    --------
    >>> y = [0.1, 0.05, 0.6, 0.0, 0.5, 0.0, 0.1, 0.0, 0.0, 0.0]
    >>> cross_entropy_error(y, [0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
    0.510825457099338
    >>> cross_entropy_error(y, 2)
    0.510825457099338
    """
    y, t = match_targets(_check_probabilities(y), t)
    batch_size = y.shape[0]
    if t.ndim == 2:
        return float(-np.sum(t * np.log(y + CROSS_ENTROPY_DELTA)) / batch_size)
    picked = y[np.arange(batch_size), t]
    return float(-np.sum(np.log(picked + CROSS_ENTROPY_DELTA)) / batch_size)


def mean_squared_error(y: ArrayLike, t: ArrayLike) -> float:
    """Sum of squared errors with the book's factor one half.

    .. math:: E = \\tfrac12 \\sum_k (y_k - t_k)^2

    Despite the name (kept from the book) there is no division by the number
    of elements or samples: the factor 1/2 makes the derivative simply
    :math:`y - t`.

    Examples
    --------
    >>> mean_squared_error([0.1, 0.05, 0.6, 0.0], [0, 0, 1, 0])
    0.08625
    """
    y = as_float_array(y, "y")
    t = as_float_array(t, "t")
    if y.shape != t.shape:
        raise ValueError(f"y and t must have the same shape, got {y.shape} and {t.shape}")
    return float(0.5 * np.sum((y - t) ** 2))


def function_1(x: float | np.ndarray) -> float | np.ndarray:
    """The chapter's one-variable example :math:`f(x) = 0.01 x^2 + 0.1 x`.

    Its derivative is :math:`f'(x) = 0.02 x + 0.1` (0.2 at x = 5).

    Examples
    --------
    >>> function_1(5.0)
    0.75
    """
    return 0.01 * x**2 + 0.1 * x


def function_2(x: np.ndarray) -> float | np.ndarray:
    """The chapter's two-variable example :math:`f(x_0, x_1) = x_0^2 + x_1^2`.

    Its gradient is :math:`(2 x_0, 2 x_1)`.

    ``x`` is a vector ``(x0, x1)`` or any array whose first axis has length 2
    (so a grid ``(2, ny, nx)`` evaluates all points at once).

    Examples
    --------
    >>> float(function_2(np.array([3.0, 4.0])))
    25.0
    """
    return x[0] ** 2 + x[1] ** 2
