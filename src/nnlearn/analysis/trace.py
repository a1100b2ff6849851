"""The trace of a network's Hessian: exact, by Hutchinson's estimator and by Hutch++.

Hutchinson: :math:`\\operatorname{tr} H = \\mathbb E[z^\\top H z]` for random
signs :math:`z`; the mean of ``m`` samples has a standard error that shrinks
only as :math:`1/\\sqrt m`, and its noise is the off-diagonal entries of
:math:`H` (:math:`\\operatorname{Var} z^\\top H z = 2\\sum_{i \\ne j} H_{ij}^2`).
Hutch++ (Meyer, Musco, Musco and Persson, 2021) first captures the top of the
spectrum exactly with a small sketch :math:`Q = \\operatorname{orth}(HS)` and
applies Hutchinson only to what is left, :math:`(I - QQ^\\top) H (I - QQ^\\top)`.

A network's Hessian has a few outlying eigenvalues (about one per class) and a
wide bulk, and two changes to the paper's recipe fit that shape (both can be
switched off). The sketch is small (an eighth of the budget instead of a third):
it only has to hold the outliers, and the rest of the budget goes to the
residual. And the residual's probes are drawn one layer at a time
(stratified probing): :math:`\\operatorname{tr} H = \\sum_\\ell
\\operatorname{tr} H_{\\ell\\ell}`, so the entries that couple two layers, which
carry most of the residual's off-diagonal mass, never enter a sample. A few pilot
probes per layer measure each layer's spread; the rest are allocated in
proportion to it (Neyman allocation) and only they enter the estimate, so it
stays unbiased. On the book's 784-50-10 network this reaches a 1% error with a
tenth of the products Hutchinson needs (see ``BENCHMARKS.md``).

The exact trace of a two-layer network comes from the closed-form diagonal of
its Hessian (:func:`hessian_diagonal`), at the cost of one gradient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from nnlearn._shared.validation import check_positive_int, make_rng
from nnlearn.analysis.loss import NetworkLoss
from nnlearn.analysis.operator import DENSE_LIMIT, as_operator
from nnlearn.nn.layers import Affine, ReLU, Sigmoid, Tanh

#: Methods of :func:`hessian_trace`.
METHODS = ("hutch++", "hutchinson", "exact", "auto")


@dataclass
class TraceResult:
    """An estimate of :math:`\\operatorname{tr} H`, its standard error and its cost in HVPs."""

    value: float
    std_error: float
    n_hvp: int
    method: str


def _signs(rng: np.random.Generator, n: int, m: int) -> np.ndarray:
    return rng.choice(np.array([-1.0, 1.0]), size=(n, m))


def hessian_trace(
    net: Any,
    x: ArrayLike | None = None,
    t: ArrayLike | None = None,
    *,
    method: str = "hutch++",
    n_hvp: int = 300,
    sketch: int | None = None,
    stratify: bool | None = None,
    rng: int | np.random.Generator | None = 0,
) -> TraceResult:
    """:math:`\\operatorname{tr} H` of the Hessian of ``net``'s loss on ``(x, t)``.

    Parameters
    ----------
    method : {"hutch++", "hutchinson", "exact", "auto"}
        ``"exact"``: the closed-form diagonal for a network with one hidden
        layer, else the dense Hessian (up to 5000 parameters). ``"auto"``:
        the closed-form diagonal when there is one, else Hutch++.
    n_hvp : int
        Hessian-vector products to spend (estimators only).
    sketch : int, optional
        Hutch++ only: columns of the sketch :math:`S` (each costs two
        products). Default ``n_hvp // 8``; the paper's split is ``n_hvp // 3``.
    stratify : bool, optional
        Draw the (residual) probes one layer at a time, allocated by a pilot
        of each layer's spread. Default: True for Hutch++, False for
        Hutchinson (the textbook estimator). ``sketch=n_hvp // 3,
        stratify=False`` is the Hutch++ of the paper.
    rng : int or Generator
        Draws the random sign vectors.

    Returns
    -------
    TraceResult
        ``std_error`` is the standard error of the Hutchinson part, from the
        spread of its samples (0 for the exact trace); ``n_hvp`` counts every
        product spent, pilots included.

    Examples
    --------
    >>> from nnlearn import TwoLayerNet
    >>> net = TwoLayerNet(4, 6, 3, weight_init_std=1.0, rng=0)
    >>> x, t = np.random.default_rng(1).random((8, 4)), np.array([0, 1, 2, 0, 1, 2, 0, 1])
    >>> exact = hessian_trace(net, x, t, method="exact")
    >>> estimate = hessian_trace(net, x, t, n_hvp=30)
    >>> abs(estimate.value - exact.value) < 4 * estimate.std_error
    True
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(map(repr, METHODS))}, got {method!r}")
    op = as_operator(net, x, t)
    loss, n = op.loss, op.shape[0]
    if method == "auto":
        method = "exact" if _one_hidden_layer(loss) else "hutch++"
    if method == "exact":
        if _one_hidden_layer(loss):
            diagonal = loss.flatten(hessian_diagonal(loss), "diagonal")
            return TraceResult(float(diagonal.sum()), 0.0, 0, "exact (closed-form diagonal)")
        if n > DENSE_LIMIT:
            raise ValueError(f"the exact trace of a network with {n} parameters and more than "
                             "one hidden layer needs the dense Hessian: use method='hutch++'")
        return TraceResult(float(np.trace(op.matmat(np.eye(n)))), 0.0, n, "exact (dense)")
    m = check_positive_int(n_hvp, "n_hvp")
    rng = make_rng(rng)
    groups = _layer_groups(loss) if (method == "hutch++" if stratify is None else stratify) \
        else [np.arange(n)]
    q, top, spent = np.zeros((n, 0)), 0.0, 0
    if method == "hutch++":
        classes = loss.shapes[loss.names[-1]][-1]
        columns = (min(max(2 * classes, m // 8), m // 3) if sketch is None
                   else check_positive_int(sketch, "sketch"))
        columns = max(columns, 1)
        if m - 2 * columns < 2 * len(groups):
            raise ValueError(f"n_hvp must be at least {2 * columns + 2 * len(groups)} for "
                             f"Hutch++ with a sketch of {columns} and {len(groups)} probe "
                             f"group(s), got {n_hvp}")
        q, _ = np.linalg.qr(op.matmat(_signs(rng, n, columns)))
        top, spent = float(np.einsum("ij,ij->", q, op.matmat(q))), 2 * columns
    elif len(groups) > 1 and m < 2 * len(groups):
        raise ValueError(f"n_hvp must be at least {2 * len(groups)} for Hutchinson with "
                         f"{len(groups)} probe group(s), got {n_hvp}")
    residual, error, used = _stratified_hutchinson(op, q, groups, m - spent, rng)
    return TraceResult(top + residual, error, spent + used, method)


def _stratified_hutchinson(
    op: Any, q: np.ndarray, groups: list[np.ndarray], budget: int, rng: np.random.Generator
) -> tuple[float, float, int]:
    """Estimate, standard error and HVPs of :math:`\\sum_g \\operatorname{tr}(PHP)_{gg}`.

    :math:`P = I - QQ^\\top`. One group is plain Hutchinson. With several, a
    pilot of a sixteenth of the budget (at least 2 probes per group) measures
    each group's standard deviation :math:`\\sigma_g`; the other probes go to
    the groups in proportion to :math:`\\sigma_g` (at least 2 each), and only
    they enter the estimate.
    """
    n = op.shape[0]

    def samples(group: np.ndarray, count: int) -> np.ndarray:
        z = np.zeros((n, count))
        z[group] = _signs(rng, len(group), count)
        z -= q @ (q.T @ z)
        return np.einsum("ij,ij->j", z, op.matmat(z))

    if len(groups) == 1:
        values = samples(groups[0], budget)
        return float(values.mean()), _std_error(values), budget
    pilot = max(2, budget // (16 * len(groups)))
    if budget - pilot * len(groups) < 2 * len(groups):
        pilot = 0
    spread = (np.array([samples(g, pilot).std(ddof=1) for g in groups]) if pilot
              else np.ones(len(groups)))
    rest = budget - pilot * len(groups) - 2 * len(groups)
    weights = spread / spread.sum() if spread.sum() > 0 else np.full(len(groups), 1 / len(groups))
    counts = 2 + np.floor(rest * weights).astype(int)
    counts[np.argmax(weights)] += budget - pilot * len(groups) - counts.sum()
    estimates = [samples(g, int(c)) for g, c in zip(groups, counts, strict=True)]
    value = sum(float(e.mean()) for e in estimates)
    error = float(np.sqrt(sum(e.var(ddof=1) / len(e) for e in estimates)))
    return value, error, pilot * len(groups) + int(counts.sum())


def _layer_groups(loss: NetworkLoss) -> list[np.ndarray]:
    """The flat indices of each layer's parameters (weights, bias, batch-norm scale and shift)."""
    return [np.concatenate([np.arange(loss.size)[loss.slices[name]] for name in names.values()])
            for _, _, names in loss.stages if names]


def _std_error(samples: np.ndarray) -> float:
    if len(samples) < 2:
        return float("inf")
    return float(samples.std(ddof=1) / np.sqrt(len(samples)))


def _one_hidden_layer(loss: NetworkLoss) -> bool:
    kinds = [type(layer) for _, layer, _ in loss.stages]
    return len(kinds) == 3 and kinds[0] is Affine and kinds[2] is Affine and kinds[1] in (
        Sigmoid, Tanh, ReLU)


def hessian_diagonal(
    net: Any, x: ArrayLike | None = None, t: ArrayLike | None = None
) -> dict[str, np.ndarray]:
    """The exact diagonal of the Hessian of a one-hidden-layer network, in closed form.

    For :math:`s = h(z) W_2 + b_2`, :math:`z = x W_1 + b_1` and the softmax
    cross-entropy, with :math:`A_n = (\\mathrm{diag}(p_n) - p_n p_n^\\top)/N` the
    Hessian of the loss in the scores of sample :math:`n` and :math:`g = dL/ds`:

    .. math:: H_{W_2[j,c]} = \\sum_n h_{nj}^2 A_{n,cc}, \\quad
              H_{W_1[i,j]} = \\sum_n x_{ni}^2 \\big(h'(z_{nj})^2\\, W_2[j]^\\top A_n W_2[j]
              + h''(z_{nj})\\, (g W_2^\\top)_{nj}\\big)

    and the biases the same without :math:`x^2`, :math:`h^2`; weight decay
    adds :math:`\\lambda` to each weight. The cost is that of one gradient.

    Examples
    --------
    >>> from nnlearn import TwoLayerNet
    >>> from nnlearn.analysis import dense_hessian
    >>> net = TwoLayerNet(4, 3, 2, weight_init_std=1.0, activation="tanh", rng=0)
    >>> x, t = np.random.default_rng(1).random((5, 4)), np.array([0, 1, 1, 0, 1])
    >>> diagonal = hessian_diagonal(net, x, t)
    >>> flat = np.concatenate([d.ravel() for d in diagonal.values()])
    >>> bool(np.allclose(flat, np.diag(dense_hessian(net, x, t)), rtol=1e-12, atol=1e-15))
    True
    """
    loss = as_operator(net, x, t).loss
    if not _one_hidden_layer(loss):
        raise ValueError("the closed-form diagonal needs a network with one hidden layer "
                         "(Affine, Sigmoid/Tanh/ReLU, Affine) and no batch norm or dropout")
    params, caches, dys, prob, weight = loss._state
    (_, _, first), (_, _, _), (_, _, second) = loss.stages
    d1, d2 = caches[1]
    h, W2 = caches[2], params[second["W"]]
    a = weight * prob * (1.0 - prob)  # diagonal of A_n, (N, C)
    wpw = (weight * prob) @ (W2 * W2).T - weight * (prob @ W2.T) ** 2  # W2[j] A_n W2[j], (N, H)
    curvature = d1 * d1 * wpw
    if d2 is not None:
        curvature += d2 * (dys[2] @ W2.T)
    diagonal = {
        first["W"]: (loss.x * loss.x).T @ curvature, first["b"]: curvature.sum(axis=0),
        second["W"]: (h * h).T @ a, second["b"]: a.sum(axis=0),
    }
    for name in (first["W"], second["W"]):
        diagonal[name] += loss.decay
    return {name: diagonal[name] for name in loss.names}
