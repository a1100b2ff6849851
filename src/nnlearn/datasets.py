"""Datasets for training: MNIST and Fashion-MNIST from IDX files, and an embedded spiral.

This is the only module (with its private helpers) that touches files or the
network. The spiral needs neither: it is generated from a seed.
"""

from __future__ import annotations

import numpy as np

from nnlearn._validation import check_non_negative_finite, check_positive_int, make_rng


def make_spiral(
    n_per_class: int = 100,
    n_classes: int = 3,
    noise: float = 0.2,
    rng: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved 2-D spiral arms, one per class: a dataset no straight line separates.

    .. math:: x = r (\\sin\\theta, \\cos\\theta),\\ r \\in [0, 1],\\
              \\theta = 4(k + r) + \\varepsilon,\\ \\varepsilon \\sim N(0, \\mathrm{noise}^2)

    Parameters
    ----------
    n_per_class : int, default 100
        Points per arm (>= 1).
    n_classes : int, default 3
        Number of arms, that is classes (>= 1).
    noise : float, default 0.2
        Standard deviation of the angle noise, in radians (>= 0).
    rng : int or numpy.random.Generator, optional
        Seed or generator for the noise.

    Returns
    -------
    x : numpy.ndarray, shape (n_per_class * n_classes, 2), float64
        Points, class after class, inside the unit disc.
    t : numpy.ndarray, shape (n_per_class * n_classes,), int64
        Class labels ``0 .. n_classes - 1``.

    Examples
    --------
    >>> x, t = make_spiral(4, 2, noise=0.0)
    >>> x.shape, t.tolist()
    ((8, 2), [0, 0, 0, 0, 1, 1, 1, 1])
    >>> x[3].round(4)
    array([-0.7568, -0.6536])
    """
    n_per_class = check_positive_int(n_per_class, "n_per_class")
    n_classes = check_positive_int(n_classes, "n_classes")
    noise = check_non_negative_finite(noise, "noise")
    rng = make_rng(rng)
    radius = np.linspace(0.0, 1.0, n_per_class) if n_per_class > 1 else np.zeros(1)
    labels = np.repeat(np.arange(n_classes), n_per_class)
    theta = 4.0 * (labels + np.tile(radius, n_classes))
    theta += noise * rng.standard_normal(theta.shape)
    r = np.tile(radius, n_classes)
    x = np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1)
    return x, labels.astype(np.int64)
