"""How well a network classifies: predictions in batches, accuracy, the confusion matrix."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from nnlearn._shared.validation import check_positive_int
from nnlearn.functions import as_labels

#: Samples per forward pass when computing accuracy.
EVAL_BATCH_SIZE = 2000


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
    counts = np.bincount(t * n_classes + y, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes).astype(np.int64)


def predict_labels(network: Any, x: np.ndarray, batch_size: int = EVAL_BATCH_SIZE) -> np.ndarray:
    """Class predicted for each row of ``x`` (argmax of ``network.predict``), batch by batch."""
    batch_size = check_positive_int(batch_size, "batch_size")
    batches = (x[i : i + batch_size] for i in range(0, len(x), batch_size))
    return np.concatenate([network.predict(batch).argmax(axis=1) for batch in batches])


def evaluate_accuracy(
    network: Any, x: np.ndarray, t: np.ndarray, batch_size: int = EVAL_BATCH_SIZE
) -> float:
    """Fraction of rows of ``x`` whose predicted class is ``t`` (labels or one-hot rows).

    .. math:: \\mathrm{acc} = \\frac{1}{N} \\sum_n [\\arg\\max_k y_{nk} = t_n]
    """
    labels, _ = as_labels(t, "t")
    if len(labels) != len(x):
        raise ValueError(f"x and t must hold as many samples, got {len(x)} and {len(labels)}")
    return float(np.count_nonzero(predict_labels(network, x, batch_size) == labels) / len(x))
