"""How well a network classifies: predictions in batches, accuracy, the confusion matrix."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from nnlearn._shared.validation import check_positive_int
from nnlearn.functions import as_labels

#: Samples per forward pass when computing accuracy.
EVAL_BATCH_SIZE = 2000

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

    ``check_finite=False`` is for data already checked (the Trainer checks its
    data once): it is passed on to ``network.predict``, which must accept it
    (as :meth:`~nnlearn.nn.layer_net.LayerNet.predict` does), to skip its pass
    over ``x`` that refuses NaN and infinity.
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    options = {} if check_finite else {"check_finite": False}
    batches = (x[i : i + batch_size] for i in range(0, len(x), batch_size))
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
