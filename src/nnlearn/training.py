"""Training on data: mini-batch loop, history, checkpoints and evaluation.

The ``Trainer`` drives any network that exposes ``params``,
``loss_and_gradient(x, t)`` and ``accuracy(x, t)``, with any optimizer from
:mod:`nnlearn.optimizers`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from nnlearn._validation import check_positive_int


def _as_labels(values: ArrayLike, name: str) -> tuple[np.ndarray, int]:
    """Return integer class labels from labels (N,) or one-hot / score rows (N, C).

    The second value is the number of classes implied: the row width, or 0 for labels.
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
    return values, width


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
    t, t_width = _as_labels(t, "t")
    y, y_width = _as_labels(y, "y")
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
