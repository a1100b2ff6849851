"""Gradient checking: compare analytic gradients with central differences of the loss.

:func:`gradcheck` perturbs parameters in place, evaluates the loss and says
which gradient entries disagree; :func:`check_network` does it for a
network's backpropagation. Two modes:

* ``"full"``: every entry by central differences, two loss evaluations each;
* ``"fast"``: a few random directions per parameter (the directional
  derivative against :math:`v^\\top g`, as PyTorch's fast gradcheck does), and
  only for a parameter whose directions disagree, every entry of it, so that
  the report still names the wrong entries.

Steps and tolerances depend on the parameter's dtype. A float64 parameter is
moved by h = 1e-6 and checked with ``rtol=1e-5, atol=1e-7``. A float32 array
cannot hold such a step, and the loss computed from it carries float32
rounding (about 1e-7 relative) that a central difference divides by 2h: it is
moved by h = 1e-3 and checked with ``rtol=1e-2, atol=1e-3``. That is enough
for smooth networks but not reliable near kinks (ReLU) or with batch
normalisation on small batches, where a step of 1e-3 changes the function
itself; so :func:`check_network` checks a float64 copy of a float32 network
(the backward code is the same for both dtypes). In every case the difference
quotient divides by the step actually stored in the array,
:math:`\\mathrm{fl}(p + h) - \\mathrm{fl}(p - h)`, not by :math:`2h`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from nnlearn._shared.validation import (
    as_float_array,
    check_callable,
    check_non_negative_finite,
    check_positive_int,
    make_rng,
    scalar_value,
)
from nnlearn.calculus.differentiate import central_pair

#: Step and default (rtol, atol) for each parameter dtype.
SETTINGS = {
    np.dtype(np.float64): (1e-6, 1e-5, 1e-7),
    np.dtype(np.float32): (1e-3, 1e-2, 1e-3),
}

#: How many of the worst entries a report keeps.
WORST_COUNT = 10

#: The name of the parameter when ``params`` is a single array.
ARRAY_NAME = "x"


class WorstEntry(NamedTuple):
    """One checked entry: parameter name, index, analytic and numerical derivative."""

    name: str
    index: tuple[int, ...]
    analytic: float
    numerical: float


@dataclass(frozen=True)
class ParamCheck:
    """The result for one parameter.

    ``method`` is ``"entries"`` (every entry checked; ``n_checked`` entries,
    ``n_failed`` of them outside the tolerance) or ``"directions"`` (fast mode,
    all ``n_checked`` directions agreed; the errors are those of the
    directional derivatives).
    """

    name: str
    shape: tuple[int, ...]
    dtype: str
    method: str
    n_checked: int
    n_failed: int
    max_abs_error: float
    max_rel_error: float
    rtol: float
    atol: float

    @property
    def ok(self) -> bool:
        return self.n_failed == 0


@dataclass(frozen=True)
class GradcheckReport:
    """What :func:`gradcheck` found.

    Attributes
    ----------
    ok : bool
        Every parameter passed.
    mode : str
        ``"full"`` or ``"fast"``.
    params : dict of str to ParamCheck
        Per parameter: entries or directions checked, failures, the largest
        absolute error :math:`|a - n|` and relative error
        :math:`|a - n| / \\max(|a|, |n|, \\mathrm{atol})` (the floor keeps
        gradients that are 0, such as a bias before batch norm, from showing
        rounding noise as a relative error of 1).
    worst : tuple of WorstEntry
        The entries furthest outside (or closest to) the tolerance
        :math:`|a - n| \\le \\mathrm{atol} + \\mathrm{rtol} |n|`, worst
        first, at most :data:`WORST_COUNT`. In fast mode only parameters that
        failed were checked entry by entry, so a passing report lists none.
    n_evaluations : int
        Loss evaluations made.
    """

    ok: bool
    mode: str
    params: dict[str, ParamCheck]
    worst: tuple[WorstEntry, ...]
    n_evaluations: int

    @property
    def failed(self) -> list[str]:
        """Names of the parameters with wrong gradients."""
        return [name for name, check in self.params.items() if not check.ok]

    def __str__(self) -> str:
        status = "OK" if self.ok else f"FAILED for {', '.join(self.failed)}"
        lines = [f"gradcheck ({self.mode} mode, {self.n_evaluations:,} loss evaluations): {status}"]
        rows = [("parameter", "shape", "dtype", "checked", "failed", "max abs err", "max rel err")]
        for check in self.params.values():
            rows.append((
                check.name,
                str(check.shape),
                check.dtype,
                f"{check.n_checked:,} {check.method}",
                f"{check.n_failed:,}",
                f"{check.max_abs_error:.2e}",
                f"{check.max_rel_error:.2e}",
            ))
        lines += _table(rows)
        if self.worst:
            lines.append("worst entries:")
            rows = [("entry", "analytic", "numerical", "abs err", "check")]
            for entry in self.worst:
                check = self.params[entry.name]
                error = abs(entry.analytic - entry.numerical)
                bad = error > check.atol + check.rtol * abs(entry.numerical)
                rows.append((
                    f"{entry.name}[{', '.join(map(str, entry.index))}]",
                    f"{entry.analytic: .6e}",
                    f"{entry.numerical: .6e}",
                    f"{error:.2e}",
                    "WRONG" if bad else "ok",
                ))
            lines += _table(rows, indent="  ")
        return "\n".join(lines)


def _table(rows: list[tuple[str, ...]], indent: str = "") -> list[str]:
    widths = [max(len(cell) for cell in column) for column in zip(*rows, strict=True)]
    lines = []
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def _as_named(arrays: Any, what: str) -> dict[str, Any]:
    if isinstance(arrays, Mapping):
        if not arrays:
            raise ValueError(f"{what} must not be empty")
        return dict(arrays)
    return {ARRAY_NAME: arrays}


def _relative(diff: np.ndarray, a: np.ndarray, n: np.ndarray, floor: float) -> np.ndarray:
    """:math:`|a - n| / \\max(|a|, |n|, \\mathrm{floor})`, 0 where that scale is 0."""
    scale = np.maximum(np.maximum(np.abs(a), np.abs(n)), floor)
    return np.divide(diff, scale, out=np.zeros_like(diff), where=scale > 0)


def _check_entries(f: Callable[[], float], p: np.ndarray, step: float) -> np.ndarray:
    """Central differences of ``f`` for every entry of ``p`` (moved in place, restored)."""
    numerical = np.empty(p.shape)
    for index in np.ndindex(p.shape):
        f_plus, f_minus, step_taken = central_pair(f, p, index, step)
        numerical[index] = (f_plus - f_minus) / step_taken
    return numerical


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """:math:`\\sum_i a_i b_i` without BLAS, whose threads stall on a busy machine."""
    return float(np.einsum("i,i->", a.ravel(), b.ravel()))


def _directions_agree(
    f: Callable[[], float],
    p: np.ndarray,
    g: np.ndarray,
    step: float,
    rtol: float,
    atol: float,
    n_directions: int,
    rng: np.random.Generator,
) -> tuple[bool, float, float]:
    """Compare :math:`v^\\top g` with the directional derivative along random unit vectors ``v``.

    The tolerance is the entrywise one summed along ``v``:
    :math:`\\mathrm{atol} \\lVert v \\rVert_1 + \\mathrm{rtol} |d|`. Returns
    whether every direction agreed, and the largest absolute and relative errors.
    """
    saved = p.copy()
    agree, max_abs, max_rel = True, 0.0, 0.0
    for _ in range(n_directions):
        v = rng.random(p.shape)  # uniform in [-1/2, 1/2)^n, then of unit length
        v -= 0.5
        v /= np.sqrt(_dot(v, v))
        plus = (saved + step * v).astype(p.dtype, copy=False)
        minus = (saved - step * v).astype(p.dtype, copy=False)
        try:
            p[...] = plus
            f_plus = f()
            p[...] = minus
            f_minus = f()
        finally:
            p[...] = saved
        taken = np.subtract(plus, minus, dtype=np.float64)  # about 2 step v: what the loss saw
        numerical = (f_plus - f_minus) / (2 * step)
        analytic = _dot(g, taken) / (2 * step)
        error = abs(analytic - numerical)
        entrywise_atol = atol * float(np.abs(taken).sum()) / (2 * step)
        agree &= error <= entrywise_atol + rtol * abs(numerical)
        max_abs = max(max_abs, error)
        max_rel = max(max_rel, float(_relative(error, analytic, numerical, entrywise_atol)))
    return agree, max_abs, max_rel


def gradcheck(
    loss: Callable[[], Any],
    params: np.ndarray | Mapping[str, np.ndarray],
    grads: ArrayLike | Mapping[str, ArrayLike],
    *,
    mode: str = "full",
    rtol: float | None = None,
    atol: float | None = None,
    n_directions: int = 8,
    rng: int | np.random.Generator | None = None,
) -> GradcheckReport:
    """Check analytic gradients against central differences of ``loss``.

    An entry passes when :math:`|a - n| \\le \\mathrm{atol} + \\mathrm{rtol} |n|`
    with :math:`n = (L(p + h e_i) - L(p - h e_i)) / (\\mathrm{fl}(p_i + h) -
    \\mathrm{fl}(p_i - h))`.

    Parameters
    ----------
    loss : callable
        ``loss()`` returns the scalar loss computed from the *current contents*
        of ``params``: the checker moves the arrays in place, calls ``loss``,
        and always puts back the exact original values (even if ``loss``
        raises).
    params : numpy.ndarray or dict of str to numpy.ndarray
        float32 or float64 arrays (one array is named ``"x"`` in the report).
    grads : array_like or dict of str to array_like
        The analytic gradients, same structure and shapes.
    mode : {"full", "fast"}, default "full"
        ``"full"``: every entry, two evaluations each. ``"fast"``:
        ``n_directions`` random directions per parameter, two evaluations
        each; a parameter whose directions disagree is then checked in full.
        A failure in fast mode is therefore always one that full mode reports.
    rtol, atol : float, optional
        Tolerances; by default 1e-5 and 1e-7 for float64 parameters, 1e-2 and
        1e-3 for float32 ones (see the module notes).
    n_directions : int, default 8
        Directions per parameter in fast mode.
    rng : int or numpy.random.Generator, optional
        Source of the fast-mode directions.

    Returns
    -------
    GradcheckReport
        ``.ok``, per-parameter errors, the worst entries; ``print`` it for a table.

    Examples
    --------
    >>> w = np.array([1.0, -2.0, 3.0])
    >>> report = gradcheck(lambda: float(np.sum(w**3)), {"w": w}, {"w": 3 * w**2})
    >>> report.ok, report.n_evaluations
    (True, 6)
    >>> wrong = gradcheck(lambda: float(np.sum(w**3)), {"w": w}, {"w": 3 * w})
    >>> wrong.ok, wrong.failed, wrong.worst[0].index
    (False, ['w'], (1,))
    >>> print(wrong)  # doctest: +ELLIPSIS
    gradcheck (full mode, 6 loss evaluations): FAILED for w
    parameter  shape  dtype    checked    failed  max abs err  max rel err
    w          (3,)   float64  3 entries  2       1.80e+01     1.50e+00
    worst entries:
      entry  analytic       numerical      abs err   check
      w[1]   -6.000000e+00   1.200000e+01  1.80e+01  WRONG
      w[2]    9.000000e+00   2.700000e+01  1.80e+01  WRONG
      w[0]    3.000000e+00   3.000000e+00  ...  ok
    """
    check_callable(loss, "loss")
    if mode not in ("full", "fast"):
        raise ValueError(f"mode must be 'full' or 'fast', got {mode!r}")
    n_directions = check_positive_int(n_directions, "n_directions")
    if rtol is not None:
        rtol = check_non_negative_finite(rtol, "rtol")
    if atol is not None:
        atol = check_non_negative_finite(atol, "atol")
    params, grads = _as_named(params, "params"), _as_named(grads, "grads")
    if params.keys() != grads.keys():
        raise ValueError(
            f"grads must have the keys of params {sorted(params)}, got {sorted(grads)}"
        )
    for name, p in params.items():
        if not isinstance(p, np.ndarray) or p.dtype not in SETTINGS:
            raise TypeError(
                f"params[{name!r}] must be a float32 or float64 numpy array (it is moved in "
                f"place), got {getattr(p, 'dtype', type(p).__name__)}"
            )
        if p.size == 0:
            raise ValueError(f"params[{name!r}] must not be empty")
        grads[name] = as_float_array(grads[name], f"grads[{name!r}]").astype(np.float64)
        if grads[name].shape != p.shape:
            raise ValueError(
                f"grads[{name!r}] must have the shape of params[{name!r}] {p.shape}, "
                f"got {grads[name].shape}"
            )
    rng = make_rng(rng)

    n_evaluations = 0

    def f() -> float:
        nonlocal n_evaluations
        n_evaluations += 1
        value = loss()
        if type(value) is float and math.isfinite(value):  # the common case, without overhead
            return value
        return scalar_value(value, "loss")

    checks: dict[str, ParamCheck] = {}
    candidates: list[tuple[float, WorstEntry]] = []
    for name, p in params.items():
        g = grads[name]
        step, default_rtol, default_atol = SETTINGS[p.dtype]
        p_rtol = default_rtol if rtol is None else rtol
        p_atol = default_atol if atol is None else atol
        common = dict(name=name, shape=p.shape, dtype=p.dtype.name, rtol=p_rtol, atol=p_atol)
        if mode == "fast":
            agree, max_abs, max_rel = _directions_agree(
                f, p, g, step, p_rtol, p_atol, n_directions, rng
            )
            if agree:
                checks[name] = ParamCheck(
                    method="directions", n_checked=n_directions, n_failed=0,
                    max_abs_error=max_abs, max_rel_error=max_rel, **common,
                )
                continue
        numerical = _check_entries(f, p, step)
        diff = np.abs(g - numerical)
        tolerance = p_atol + p_rtol * np.abs(numerical)
        with np.errstate(divide="ignore", invalid="ignore"):
            badness = np.where(tolerance > 0, diff / tolerance, np.where(diff > 0, np.inf, 0.0))
        checks[name] = ParamCheck(
            method="entries", n_checked=p.size, n_failed=int(np.count_nonzero(diff > tolerance)),
            max_abs_error=float(diff.max()),
            max_rel_error=float(_relative(diff, g, numerical, p_atol).max()), **common,
        )
        for flat in np.argsort(badness, axis=None)[::-1][:WORST_COUNT]:
            idx = np.unravel_index(flat, p.shape)
            index = tuple(int(i) for i in idx)
            entry = WorstEntry(name, index, float(g[idx]), float(numerical[idx]))
            candidates.append((float(badness[idx]), entry))
    candidates.sort(key=lambda pair: -pair[0])
    return GradcheckReport(
        ok=all(check.ok for check in checks.values()),
        mode=mode,
        params=checks,
        worst=tuple(entry for _, entry in candidates[:WORST_COUNT]),
        n_evaluations=n_evaluations,
    )


#: Why a gradient check of a network with batch normalisation needs three samples or more.
BATCHNORM_DEGENERATE = {
    1: "a batch of one sample is degenerate for batch normalisation: the batch mean is the "
       "sample itself, so x − μ = 0 and batch norm outputs β whatever its input; every "
       "gradient before it is exactly 0, and the check would compare zeros with zeros",
    2: "a batch of two samples is degenerate for batch normalisation: it normalises every "
       "feature to −1 and +1 whatever the two values, so the gradients before it vanish (up "
       "to ε) and the check would compare near-zeros",
}


def _check_batchnorm_batch(net: Any, x: ArrayLike) -> None:
    """Refuse a batch too small for the batch-norm layers of ``net`` to be checked."""
    from nnlearn.nn.layers import BatchNormalization

    n = 1 if np.ndim(x) == 1 else int(np.shape(x)[0])
    if n in BATCHNORM_DEGENERATE and any(
            isinstance(layer, BatchNormalization) for layer in getattr(net, "layers", ())):
        raise ValueError(f"{BATCHNORM_DEGENERATE[n]}; check a batch of 3 samples or more")


def check_network(
    net: Any,
    x: ArrayLike,
    t: ArrayLike,
    *,
    mode: str = "full",
    rtol: float | None = None,
    atol: float | None = None,
    n_directions: int = 8,
    rng: int | np.random.Generator | None = None,
    in_float64: bool = True,
) -> GradcheckReport:
    """Check ``net.gradient(x, t)`` against ``net.loss(x, t, train_flg=True)``.

    ``net`` needs ``params`` (arrays the network reads in place),
    ``gradient(x, t)`` and ``loss(x, t, train_flg=True)``, as
    :class:`~nnlearn.TwoLayerNet` and :class:`~nnlearn.MultiLayerNet` have.
    Every loss evaluation starts from the state of ``net.rng`` that the
    gradient saw, so dropout uses the same masks throughout; afterwards
    ``net.rng`` and ``net.buffers`` (batch-norm running statistics) are put
    back as they were, so the check leaves the network unchanged.

    With ``in_float64`` (the default), a network whose parameters are not
    float64 is checked through its float64 copy ``net.astype(np.float64)``
    (same weights, statistics and generator state): the backward code is the
    same, and the check is not drowned in float32 rounding. The other
    arguments are those of :func:`gradcheck`. A network with batch
    normalisation needs a batch of 3 samples or more
    (:data:`BATCHNORM_DEGENERATE` says why).

    Examples
    --------
    >>> from nnlearn import TwoLayerNet
    >>> net = TwoLayerNet(4, 3, 2, rng=0)
    >>> x, t = np.random.default_rng(1).random((3, 4)), np.array([0, 1, 1])
    >>> check_network(net, x, t).ok
    True
    """
    _check_batchnorm_batch(net, x)
    if in_float64 and hasattr(net, "astype") and any(
        p.dtype != np.float64 for p in net.params.values()
    ):
        net = net.astype(np.float64)
    generator = getattr(net, "rng", None)
    state = generator.bit_generator.state if isinstance(generator, np.random.Generator) else None
    buffers = {name: array.copy() for name, array in getattr(net, "buffers", {}).items()}
    replay = False  # whether the loss draws from the generator (dropout), to be replayed

    def loss() -> float:
        if replay:
            generator.bit_generator.state = state
        return net.loss(x, t, train_flg=True)

    try:
        grads = net.gradient(x, t)
        replay = state is not None and generator.bit_generator.state != state
        return gradcheck(
            loss, net.params, grads,
            mode=mode, rtol=rtol, atol=atol, n_directions=n_directions, rng=rng,
        )
    finally:
        if state is not None:
            generator.bit_generator.state = state
        for name, array in buffers.items():
            net.buffers[name][...] = array
