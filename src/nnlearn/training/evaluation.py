"""How well a network classifies: predictions in batches, accuracy, the confusion matrix."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from nnlearn._shared.validation import check_positive_int
from nnlearn.data.datasets import load_test_set
from nnlearn.functions import as_labels

#: Samples per forward pass when computing accuracy.
EVAL_BATCH_SIZE = 2000
#: Rows per chunk when a dataset is scanned for NaN and infinity.
_SCAN_ROWS = 4096
#: uint8 pixels are divided by this, into [0, 1], as ``load_mnist(normalize=True)`` does.
PIXEL_MAX = 255


def input_dtype(network: Any, x: np.ndarray) -> np.dtype:
    """The dtype of the batches ``network`` gets from ``x``: floats as they are, uint8 pixels
    in the network's dtype (float64 for a network without one)."""
    if x.dtype != np.uint8:
        return x.dtype
    return np.dtype(getattr(network, "dtype", np.float64))


def as_input(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``x`` as network input: uint8 pixels divided by 255 into ``dtype``, floats unchanged.

    The division is the one :func:`~nnlearn.data.load_mnist` makes, so the
    values are the same bit for bit.

    Examples
    --------
    >>> as_input(np.array([0, 51, 255], np.uint8), np.dtype(np.float32))
    array([0. , 0.2, 1. ], dtype=float32)
    """
    if x.dtype != np.uint8:
        return x
    return np.divide(x, PIXEL_MAX, dtype=dtype)

def spaced_subset(x: np.ndarray, t: np.ndarray, size: int | None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """``size`` samples evenly spaced through the ``N`` of ``(x, t)``: rows ``⌊kN / size⌋``.

    Evenly spaced rather than the first ``size``, so that data ordered by
    class (the spiral) gives every class its share. The whole set, not copied,
    when ``size`` is None or at least ``N``.

    Examples
    --------
    >>> x, t = np.arange(10.0).reshape(10, 1), np.arange(10)
    >>> spaced_subset(x, t, 4)[1], spaced_subset(x, t, 5)[1], spaced_subset(x, t, 20)[1].size
    (array([0, 2, 5, 7]), array([0, 2, 4, 6, 8]), 10)
    """
    if size is None or size >= len(x):
        return x, t
    rows = np.arange(size) * len(x) // size
    return x[rows], t[rows]


#: Largest confusion matrix built, in bytes (int64 counts): 11,585 classes.
MAX_CONFUSION_BYTES = 2**30


def confusion_matrix(t: ArrayLike, y: ArrayLike, n_classes: int | None = None) -> np.ndarray:
    """Count of samples of true class ``i`` predicted as class ``j``.

    .. math:: C_{ij} = \\#\\{n : t_n = i,\\ y_n = j\\}

    Parameters
    ----------
    t : array_like of int, shape (N,), or one-hot rows (N, classes)
        True labels.
    y : array_like of int, shape (N,), or score rows (N, classes)
        Predicted labels, or scores whose argmax is the prediction.
    n_classes : int, optional
        Size of the matrix; by default the row width of one-hot / score input,
        or one more than the largest label seen.

    Returns
    -------
    numpy.ndarray of int64, shape (n_classes, n_classes)
        Rows are true labels, columns predictions; the diagonal holds the hits.

    Raises
    ------
    ValueError
        If the matrix would take more than :data:`MAX_CONFUSION_BYTES` (a
        label like ``10**6`` is likely not a class index), before allocating.

    Examples
    --------
    >>> confusion_matrix([0, 1, 2, 2], [0, 2, 2, 2])
    array([[1, 0, 0],
           [0, 0, 1],
           [0, 0, 2]])
    """
    t, t_width = as_labels(t, "t")
    y, y_width = as_labels(y, "y")
    if t.shape != y.shape:
        raise ValueError(f"t and y must hold as many samples, got {t.shape[0]} and {y.shape[0]}")
    largest = int(max(t.max(initial=-1), y.max(initial=-1)))
    if n_classes is None:
        n_classes = max(largest + 1, t_width, y_width)
    else:
        n_classes = check_positive_int(n_classes, "n_classes")
        if largest >= n_classes:
            raise ValueError(f"labels must be < n_classes={n_classes}, got {largest}")
    size = 8 * n_classes * n_classes
    if size > MAX_CONFUSION_BYTES:
        raise ValueError(
            f"a confusion matrix of {n_classes:,} classes would take {size / 2**30:,.1f} GiB "
            f"(at most {MAX_CONFUSION_BYTES / 2**30:g} GiB): the largest label is {largest:,}; "
            "labels must be class indices 0 .. n_classes - 1"
        )
    counts = np.bincount(t * n_classes + y, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes).astype(np.int64)


def predict_labels(
    network: Any, x: np.ndarray, batch_size: int = EVAL_BATCH_SIZE, *, check_finite: bool = True
) -> np.ndarray:
    """Class predicted for each row of ``x`` (argmax of ``network.predict``), batch by batch.

    ``x`` holds floats, or uint8 pixels that each batch divides by 255
    (:func:`as_input`). ``check_finite=False`` is for data already checked
    (the Trainer checks its data once): it is passed on to ``network.predict``,
    which must accept it (as :meth:`~nnlearn.nn.layer_net.LayerNet.predict`
    does), to skip its pass over ``x`` that refuses NaN and infinity.
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    options = {} if check_finite else {"check_finite": False}
    dtype = input_dtype(network, x)
    batches = (as_input(x[i : i + batch_size], dtype) for i in range(0, len(x), batch_size))
    return np.concatenate([network.predict(batch, **options).argmax(axis=1) for batch in batches])


def evaluate_accuracy(
    network: Any,
    x: np.ndarray,
    t: np.ndarray,
    batch_size: int = EVAL_BATCH_SIZE,
    *,
    check_finite: bool = True,
) -> float:
    """Fraction of rows of ``x`` whose predicted class is ``t`` (labels or one-hot rows).

    .. math:: \\mathrm{acc} = \\frac{1}{N} \\sum_n [\\arg\\max_k y_{nk} = t_n]

    ``check_finite`` as in :func:`predict_labels`.
    """
    labels, _ = as_labels(t, "t")
    if len(labels) != len(x):
        raise ValueError(f"x and t must hold as many samples, got {len(x)} and {len(labels)}")
    predicted = predict_labels(network, x, batch_size, check_finite=check_finite)
    return float(np.count_nonzero(predicted == labels) / len(x))


def check_dataset(network: Any, x: Any, t: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Check a dataset once, before training: shapes, finite samples, labels the network can score.

    ``x`` must be a non-empty floating-point batch without NaN or infinity,
    or uint8 pixels (divided by 255 batch by batch: :func:`as_input`);
    ``t`` one label per sample (integers in ``[0, classes)``, ``classes``
    being the width of ``network.predict`` of one sample) or one one-hot row
    of that width. ``name`` (``"train"``, ``"test"``) names the arrays in the
    errors. Returns ``x`` and ``t`` as arrays, not copied.

    Examples
    --------
    >>> from nnlearn.nn import TwoLayerNet
    >>> net = TwoLayerNet(2, 4, 3, rng=0)
    >>> _ = check_dataset(net, np.zeros((2, 2)), [0, 2], "test")
    >>> check_dataset(net, np.zeros((2, 2)), [0, 3], "test")
    Traceback (most recent call last):
        ...
    ValueError: t_test holds label 3, but the network scores 3 classes (labels 0 to 2)
    """
    x, t = np.asarray(x), np.asarray(t)
    if x.dtype.kind != "f" and x.dtype != np.uint8:
        raise TypeError(
            f"x_{name} must be a floating-point array or uint8 pixels, got dtype {x.dtype}"
        )
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"x_{name} must be a non-empty batch of samples, got shape {x.shape}")
    if t.ndim not in (1, 2) or len(t) != len(x):
        raise ValueError(
            f"t_{name} must hold one label (or one-hot row) per sample of x_{name}: "
            f"expected length {len(x)}, got shape {t.shape}"
        )
    for start in range(0, len(x) if x.dtype.kind == "f" else 0, _SCAN_ROWS):
        chunk = x[start : start + _SCAN_ROWS]
        if not np.isfinite(chunk).all():
            row = start + int(np.flatnonzero(~np.isfinite(chunk).reshape(len(chunk), -1)
                                             .all(axis=1))[0])
            raise ValueError(f"x_{name} holds NaN or infinity (first in sample {row})")
    classes = np.shape(network.predict(as_input(x[:1], input_dtype(network, x))))[-1]
    labels, width = as_labels(t, f"t_{name}")
    if width and width != classes:
        raise ValueError(
            f"t_{name} has one-hot rows of width {width}, but the network scores {classes} classes"
        )
    if labels.size and labels.max() >= classes:
        raise ValueError(
            f"t_{name} holds label {labels.max()}, but the network scores {classes} classes "
            f"(labels 0 to {classes - 1})"
        )
    return x, t


@dataclass
class Evaluation:
    """Accuracy and confusion matrix of a network on a test set; ``str()`` is a report."""

    dataset: str
    accuracy: float
    confusion: np.ndarray

    def __str__(self) -> str:
        n, hits = int(self.confusion.sum()), int(np.trace(self.confusion))
        k = len(self.confusion)
        width = max(5, len(str(self.confusion.max())) + 1)
        lines = [
            f"test accuracy on {self.dataset}: {self.accuracy:.4f} ({hits} / {n})",
            "confusion matrix (rows: true label, columns: predicted label)",
            "true" + "".join(f"{j:>{width}}" for j in range(k)),
        ]
        lines += [f"{i:>4}" + "".join(f"{c:>{width}}" for c in row)
                  for i, row in enumerate(self.confusion)]
        return "\n".join(lines)


def evaluate_on(
    network: Any,
    dataset: str,
    *,
    data_dir: str | os.PathLike | None = None,
    dtype: DTypeLike = np.float32,
    seed: int | None = 0,
) -> Evaluation:
    """Accuracy and confusion matrix of ``network`` on the test set of ``dataset``."""
    x_test, t_test = load_test_set(dataset, data_dir=data_dir, dtype=dtype, seed=seed,
                                   pixels=True)
    inputs = getattr(network, "input_size", None)
    if inputs is not None and x_test[0].size != inputs:
        raise ValueError(f"the network takes {inputs} inputs, but the samples of {dataset} have "
                         f"{x_test[0].size}: evaluate it on the dataset it was trained on")
    predicted = predict_labels(network, x_test)
    n_classes = int(max(t_test.max(), predicted.max())) + 1
    confusion = confusion_matrix(t_test, predicted, n_classes)
    return Evaluation(dataset, float(np.trace(confusion) / len(t_test)), confusion)
