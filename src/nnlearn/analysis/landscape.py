"""Loss landscapes: the loss along a line and over a plane through the weights, and a path on it.

The loss of a network with millions of weights can be seen only in slices:
along the line between two sets of weights (for example initial and
trained), or over the plane :math:`\\theta + \\alpha d_1 + \\beta d_2` spanned
by two directions. Random directions must be *filter-normalised* (Li et al.,
2018) to be comparable between networks: each output neuron's incoming
weights in the direction are scaled to the norm of that neuron's weights in
the network, so a step of 1 is as large as the weights themselves; biases
(and batch-norm parameters) are left out by default. The directions of a
training run are instead the two principal directions of its saved weights
(:func:`trajectory_directions`).

Every point of a slice is a forward pass, so the slices are computed in
batches: the first layer is linear in its weights,
:math:`x (W + \\alpha D_1 + \\beta D_2) = xW + \\alpha\\, x D_1 + \\beta\\, x D_2`,
so its three products are computed once and each point costs only the small
layers after it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from nnlearn._shared.validation import check_positive_finite, check_positive_int, make_rng
from nnlearn.analysis.loss import NetworkLoss
from nnlearn.analysis.rules import softmax_cross_entropy

#: Values of the stacked first-layer activations per batch of points (bounds the memory).
_VALUES_PER_BATCH = 4_000_000


def family_losses(loss: NetworkLoss, directions: np.ndarray, coords: np.ndarray) -> np.ndarray:
    """:math:`L(\\theta + \\sum_j c_{pj} d_j)` for each row ``c_p`` of ``coords`` (P, m).

    ``directions`` holds the flat :math:`d_j` as rows (m, n).
    """
    (rule0, layer0, names0), *rest = loss.stages
    base = loss.unflatten(loss.theta)
    dirs = [loss.unflatten(d) for d in directions]
    p0 = {attr: base[name] for attr, name in names0.items()}
    first = rule0.value(layer0, p0, loss.x)
    moved = np.stack([rule0.value(layer0, {a: d[n] for a, n in names0.items()}, loss.x)
                      for d in dirs])  # x D_j + db_j
    gram = _decay_gram(loss, base, dirs)
    n, width = first.shape
    batch = max(1, _VALUES_PER_BATCH // (n * width))
    out = np.empty(len(coords))
    for start in range(0, len(coords), batch):
        c = coords[start:start + batch]
        a = first + np.tensordot(c, moved, axes=(1, 0))
        for rule, layer, names in rest:
            p = {attr: base[name] + np.tensordot(c, np.stack([d[name] for d in dirs]),
                                                 axes=(1, 0)) for attr, name in names.items()}
            a = rule.value(layer, p, a)
        out[start:start + batch] = softmax_cross_entropy(a, loss.t)[0]
        if gram is not None:
            e = np.hstack([np.ones((len(c), 1)), c])
            out[start:start + batch] += 0.5 * loss.decay * np.einsum("pi,ij,pj->p", e, gram, e)
    return out


def _decay_gram(loss: NetworkLoss, base: dict, dirs: list[dict]) -> np.ndarray | None:
    """Gram matrix of (θ, d_1, ..., d_m) over the decayed weights: ||W(c)||² is a quadratic in c."""
    if not loss.decay:
        return None
    vectors = [np.concatenate([v[name].ravel() for name in loss._decayed]) for v in [base, *dirs]]
    stacked = np.stack(vectors)
    return stacked @ stacked.T


def filter_normalized_direction(
    net: Any, rng: int | np.random.Generator | None = 0, *, include_biases: bool = False
) -> dict[str, np.ndarray]:
    """A random direction shaped like ``net.params``, filter-normalised (Li et al., 2018).

    For each weight matrix, column :math:`j` (the incoming weights of output
    neuron :math:`j`) of a Gaussian draw is scaled to the norm of column
    :math:`j` of the weights. One-dimensional parameters (biases, batch
    norm) are zero unless ``include_biases``, then scaled to the parameter's norm.

    Examples
    --------
    >>> from nnlearn import TwoLayerNet
    >>> net = TwoLayerNet(4, 3, 2, rng=0)
    >>> d = filter_normalized_direction(net, rng=1)
    >>> bool(np.allclose(np.linalg.norm(d["W1"], axis=0), np.linalg.norm(net.params["W1"], axis=0)))
    True
    >>> d["b1"]
    array([0., 0., 0.])
    """
    rng = make_rng(rng)
    direction = {}
    for name, p in net.params.items():
        p = np.asarray(p, dtype=np.float64)
        d = rng.standard_normal(p.shape)
        if p.ndim >= 2:
            d *= np.linalg.norm(p, axis=0) / np.linalg.norm(d, axis=0)
        elif include_biases:
            d *= np.linalg.norm(p) / np.linalg.norm(d)
        else:
            d[...] = 0.0
        direction[name] = d
    return direction


@dataclass
class LossLine:
    """The loss at ``start + alpha (end - start)`` for each ``alpha``."""

    alphas: np.ndarray
    losses: np.ndarray


def loss_line(
    net: Any,
    x: ArrayLike,
    t: ArrayLike,
    start: Mapping[str, ArrayLike],
    end: Mapping[str, ArrayLike],
    num: int = 51,
    *,
    span: tuple[float, float] = (0.0, 1.0),
) -> LossLine:
    """The loss along the line from ``start`` to ``end`` (dicts shaped like ``net.params``).

    ``alpha`` runs over ``num`` points of ``span`` (0 is ``start``, 1 is
    ``end``; go beyond to see past them). The network itself is not changed.

    Examples
    --------
    >>> from nnlearn import TwoLayerNet
    >>> net = TwoLayerNet(4, 3, 2, weight_init_std=1.0, rng=0)
    >>> x, t = np.random.default_rng(1).random((5, 4)), np.array([0, 1, 1, 0, 1])
    >>> zero = {k: np.zeros_like(p) for k, p in net.params.items()}
    >>> line = loss_line(net, x, t, zero, net.params, num=3)
    >>> line.alphas, bool(np.isclose(line.losses[0], np.log(2)))  # zero weights: log 2
    (array([0. , 0.5, 1. ]), True)
    >>> bool(np.isclose(line.losses[-1], net.loss(x, t), rtol=1e-14))
    True
    """
    loss = NetworkLoss(net, x, t)
    a, b = loss.flatten(start, "start"), loss.flatten(end, "end")
    num = check_positive_int(num, "num")
    low, high = _span(span, "span")
    alphas = np.linspace(low, high, num)
    loss.theta = a
    return LossLine(alphas, family_losses(loss, (b - a)[np.newaxis], alphas[:, np.newaxis]))


@dataclass
class LossSurface:
    """The loss over the plane ``center + alpha d1 + beta d2``.

    Attributes
    ----------
    alphas, betas : numpy.ndarray
        The grid's coordinates along ``d1`` and ``d2``.
    losses : numpy.ndarray, shape (len(betas), len(alphas))
        ``losses[i, j]`` at ``(alphas[j], betas[i])`` (rows along ``d2``, as
        matplotlib's ``contour`` takes them).
    directions : tuple of two dicts
    """

    alphas: np.ndarray
    betas: np.ndarray
    losses: np.ndarray
    directions: tuple[dict[str, np.ndarray], dict[str, np.ndarray]]


def loss_surface(
    net: Any,
    x: ArrayLike,
    t: ArrayLike,
    num: int = 41,
    span: float | tuple[tuple[float, float], tuple[float, float]] = 1.0,
    directions: str | Sequence[Mapping[str, ArrayLike]] = "filter",
    *,
    rng: int | np.random.Generator | None = 0,
    include_biases: bool = False,
) -> LossSurface:
    """The loss on a ``num`` × ``num`` grid of the plane through the weights of ``net``.

    Parameters
    ----------
    span : float or ((alpha_min, alpha_max), (beta_min, beta_max))
        A float ``s`` means ``[-s, s]`` along both directions.
    directions : "filter" or (d1, d2)
        Two filter-normalised random directions drawn from ``rng``
        (:func:`filter_normalized_direction`), or two dicts shaped like
        ``net.params`` (for example from :func:`trajectory_directions`).

    Examples
    --------
    >>> from nnlearn import TwoLayerNet
    >>> net = TwoLayerNet(4, 3, 2, weight_init_std=1.0, rng=0)
    >>> x, t = np.random.default_rng(1).random((5, 4)), np.array([0, 1, 1, 0, 1])
    >>> surface = loss_surface(net, x, t, num=5)
    >>> surface.losses.shape, bool(np.isclose(surface.losses[2, 2], net.loss(x, t), rtol=1e-14))
    ((5, 5), True)
    """
    loss = NetworkLoss(net, x, t)
    num = check_positive_int(num, "num")
    if isinstance(span, (int, float)):
        span = check_positive_finite(span, "span")
        span = ((-span, span), (-span, span))
    (a0, a1), (b0, b1) = _span(span[0], "span[0]"), _span(span[1], "span[1]")
    if isinstance(directions, str):
        if directions != "filter":
            raise ValueError(f"directions must be 'filter' or two dicts shaped like net.params, "
                             f"got {directions!r}")
        generator = make_rng(rng)
        directions = tuple(filter_normalized_direction(net, generator,
                                                       include_biases=include_biases)
                           for _ in range(2))
    if len(directions) != 2:
        raise ValueError(f"directions must be two dicts shaped like net.params, got "
                         f"{len(directions)}")
    flat = np.stack([loss.flatten(d, f"directions[{i}]") for i, d in enumerate(directions)])
    alphas, betas = np.linspace(a0, a1, num), np.linspace(b0, b1, num)
    grid = np.stack(np.meshgrid(alphas, betas), axis=-1).reshape(-1, 2)
    losses = family_losses(loss, flat, grid).reshape(num, num)
    return LossSurface(alphas, betas, losses, (loss.unflatten(flat[0]), loss.unflatten(flat[1])))


def _span(value: Any, name: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be two numbers (low, high), got {value!r}") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"{name} must be two finite numbers with low < high, got {value!r}")
    return low, high


@dataclass
class Trajectory:
    """A training path projected on the plane of its two principal directions.

    Attributes
    ----------
    directions : tuple of two dicts
        Orthonormal (as flat vectors) principal directions of the path around ``center``.
    coords : numpy.ndarray, shape (T, 2)
        Each saved point's coordinates along them.
    explained : numpy.ndarray, shape (2,)
        The fraction of the path's squared distance to ``center`` that each direction explains.
    """

    directions: tuple[dict[str, np.ndarray], dict[str, np.ndarray]]
    coords: np.ndarray
    explained: np.ndarray


def trajectory_directions(
    net: Any, path: Sequence[Mapping[str, ArrayLike]]
) -> Trajectory:
    """The two principal directions of the weights saved along a run, around ``net``'s weights.

    The rows :math:`\\theta_i - \\theta` (``net.params`` being the centre, for
    example the final weights) are decomposed by SVD; the first two right
    singular vectors are the directions, and the projections of the rows on
    them the coordinates of the path (Li et al., 2018, section 7).

    Examples
    --------
    >>> from nnlearn import TwoLayerNet
    >>> net = TwoLayerNet(3, 2, 2, rng=0)
    >>> path = [{k: p + s for k, p in net.params.items()} for s in (0.3, 0.2, 0.1, 0.0)]
    >>> trajectory = trajectory_directions(net, path)
    >>> trajectory.coords[:, 0].round(6).tolist()  # a straight path: one direction explains it
    [-1.122497, -0.748331, -0.374166, 0.0]
    >>> trajectory.explained.round(6).tolist()
    [1.0, 0.0]
    """
    if len(path) < 2:
        raise ValueError(f"path must hold at least 2 sets of weights, got {len(path)}")
    names = list(net.params)
    center = np.concatenate([np.asarray(net.params[k], np.float64).ravel() for k in names])
    rows = np.stack([_flatten(net, p, f"path[{i}]") for i, p in enumerate(path)]) - center
    _, singular, vt = np.linalg.svd(rows, full_matrices=False)
    vt = vt[:2] if len(vt) >= 2 else np.vstack([vt, np.zeros_like(vt)])
    sign = np.sign(vt @ rows[0])  # the path starts on the negative side
    vt *= np.where(sign > 0, -1.0, 1.0)[:, np.newaxis]
    energy = float(np.sum(singular**2))
    explained = np.zeros(2)
    explained[:min(2, len(singular))] = singular[:2] ** 2 / energy if energy else 0.0
    shapes = [(k, np.shape(net.params[k])) for k in names]
    return Trajectory(tuple(_unflatten(shapes, d) for d in vt), rows @ vt.T, explained)


def _flatten(net: Any, params: Mapping[str, ArrayLike], name: str) -> np.ndarray:
    if set(params) != set(net.params):
        raise ValueError(f"{name} must have the keys of net.params {list(net.params)}")
    parts = []
    for k, p in net.params.items():
        value = np.asarray(params[k], np.float64)
        if value.shape != p.shape:
            raise ValueError(f"{name}[{k!r}] must have shape {p.shape}, got {value.shape}")
        parts.append(value.ravel())
    return np.concatenate(parts)


def _unflatten(shapes: list[tuple[str, tuple]], vector: np.ndarray) -> dict[str, np.ndarray]:
    out, offset = {}, 0
    for name, shape in shapes:
        size = int(np.prod(shape))
        out[name] = vector[offset:offset + size].reshape(shape)
        offset += size
    return out
