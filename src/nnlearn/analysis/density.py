"""The eigenvalue density of a network's Hessian by stochastic Lanczos quadrature (SLQ).

For a unit vector :math:`v`, ``m`` steps of Lanczos give a tridiagonal
:math:`T` whose eigenvalues :math:`\\theta_i` (Ritz values) and the squared
first components :math:`w_i = (e_1^\\top u_i)^2` of its eigenvectors form a
Gauss quadrature: :math:`v^\\top f(H) v \\approx \\sum_i w_i f(\\theta_i)`, exact
for every polynomial of degree below :math:`2m`. Averaged over random
:math:`v`, :math:`\\mathbb E[v^\\top f(H) v] = \\frac1n \\operatorname{tr} f(H) =
\\frac1n \\sum_j f(\\lambda_j)`: the nodes and weights describe the spectral
density :math:`\\phi(\\lambda) = \\frac1n \\sum_j \\delta(\\lambda - \\lambda_j)`.
The weights are the squared first components, not :math:`1/m` per node (a
mistake once released in a popular implementation that puts far too much
mass on the outliers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.linalg import eigh_tridiagonal

from nnlearn._shared.validation import check_positive_finite, check_positive_int, make_rng
from nnlearn.analysis.operator import as_operator

#: Start vectors run through Lanczos together (one block of Hessian-vector products per step).
_BLOCK = 4


@dataclass
class SpectralDensity:
    """Gauss-quadrature nodes and weights of each start vector; ``density`` smooths them.

    Attributes
    ----------
    nodes, weights : list of numpy.ndarray
        One array per start vector; each vector's weights sum to 1.
    n_hvp : int
    """

    nodes: list[np.ndarray]
    weights: list[np.ndarray]
    n_hvp: int

    def moment(self, power: int) -> float:
        """:math:`\\frac1n \\operatorname{tr} H^p`, estimated by the mean of
        :math:`\\sum_i w_i \\theta_i^p` over the start vectors."""
        return float(np.mean([np.sum(w * q ** power) for q, w in zip(self.nodes, self.weights,
                                                                       strict=True)]))

    def density(self, grid: ArrayLike, sigma: float | None = None) -> np.ndarray:
        """:math:`\\phi(\\lambda)` on ``grid``: each node a Gaussian of width ``sigma``.

        By default ``sigma`` is 1% of the spread of the nodes. The result
        integrates to 1 over a grid that covers the nodes.
        """
        grid = np.asarray(grid, dtype=np.float64)
        nodes, weights = np.concatenate(self.nodes), np.concatenate(self.weights)
        if sigma is None:
            sigma = max(0.01 * float(np.ptp(nodes)), 1e-12)
        sigma = check_positive_finite(sigma, "sigma")
        gauss = np.exp(-0.5 * ((grid[..., np.newaxis] - nodes) / sigma) ** 2)
        return gauss @ weights / (len(self.nodes) * sigma * np.sqrt(2 * np.pi))


def lanczos(
    matmat: Callable[[np.ndarray], np.ndarray], start: np.ndarray, steps: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The Lanczos tridiagonal of each column of ``start``: (diagonal, off-diagonal) pairs.

    The columns run side by side, with full reorthogonalisation against their
    own earlier vectors; a column whose Krylov space closes early
    (:math:`\\beta \\approx 0`) stops there.
    """
    n, k = start.shape
    basis = np.zeros((steps, n, k))
    q = start / np.linalg.norm(start, axis=0)
    alpha, beta = np.zeros((steps, k)), np.zeros((steps, k))
    length = np.full(k, steps)
    for j in range(steps):
        basis[j] = q
        w = matmat(q)
        alpha[j] = np.einsum("ij,ij->j", q, w)
        # full reorthogonalisation (twice is enough): w -= Q (Q^T w), column by column
        for _ in range(2):
            w -= np.einsum("jnk,jk->nk", basis[:j + 1], np.einsum("jnk,nk->jk", basis[:j + 1], w))
        beta[j] = np.linalg.norm(w, axis=0)
        closed = (beta[j] <= 1e-10 * np.maximum(np.abs(alpha[:j + 1]).max(axis=0), 1e-300)) & (
            length == steps)
        length[closed] = j + 1
        active = length > j + 1
        q = np.where(active, w / np.where(beta[j] > 0, beta[j], 1.0), 0.0)
    return [(alpha[:length[c], c], beta[:length[c] - 1, c]) for c in range(k)]


def spectral_density(
    net: Any,
    x: ArrayLike | None = None,
    t: ArrayLike | None = None,
    *,
    n_vectors: int = 8,
    steps: int = 80,
    rng: int | np.random.Generator | None = 0,
) -> SpectralDensity:
    """The Hessian's eigenvalue density by stochastic Lanczos quadrature.

    Parameters
    ----------
    n_vectors : int
        Random start vectors (Rademacher, normalised); the density is their mean.
    steps : int
        Lanczos steps per vector (at most the number of parameters):
        ``steps`` nodes each, exact moments up to degree ``2 steps - 1``.
    rng : int or Generator

    Examples
    --------
    >>> from nnlearn import TwoLayerNet
    >>> from nnlearn.analysis import dense_hessian
    >>> net = TwoLayerNet(4, 3, 2, weight_init_std=1.0, rng=0)
    >>> x, t = np.random.default_rng(1).random((5, 4)), np.array([0, 1, 1, 0, 1])
    >>> slq = spectral_density(net, x, t, n_vectors=1, steps=23)  # as many steps as parameters
    >>> exact = np.linalg.eigvalsh(dense_hessian(net, x, t))
    >>> len(slq.nodes[0])  # the Krylov space sees 0 (a 4-fold eigenvalue here) once
    20
    >>> float(np.abs(slq.nodes[0][:, None] - exact).min(axis=1).max()) < 1e-12
    True
    """
    op = as_operator(net, x, t)
    n = op.shape[0]
    n_vectors = check_positive_int(n_vectors, "n_vectors")
    steps = check_positive_int(steps, "steps")
    if steps > n:
        raise ValueError(f"steps must be at most the number of parameters ({n}), got {steps}")
    rng = make_rng(rng)
    before = op.loss.n_hvp
    nodes, weights = [], []
    for first in range(0, n_vectors, _BLOCK):
        count = min(_BLOCK, n_vectors - first)
        start = rng.choice(np.array([-1.0, 1.0]), size=(n, count))
        for alpha, beta in lanczos(op.matmat, start, steps):
            theta, vectors = eigh_tridiagonal(alpha, beta)
            nodes.append(theta)
            weights.append(vectors[0] ** 2)
    return SpectralDensity(nodes, weights, op.loss.n_hvp - before)
