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

A network of this library (a :class:`~nnlearn.nn.layer_net.LayerNet`) is
checked through its structure (:mod:`nnlearn.nn.numerical`): a moved
parameter changes one layer's output in a known way, so only the layers after
it are rerun, and all the entries of a column, or all the directions of a
parameter, at once. The same central differences, about 100 times faster than
moving each entry and rerunning the whole network.

The module is about 440 lines: ``gradcheck``, ``check_network`` and the
structured check of nnlearn's own networks share one comparison of analytic and
numerical values, and its tolerances; the report is in ``gradcheck_report``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

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
from nnlearn.nn import numerical
from nnlearn.nn.gradcheck_report import (
    GradcheckReport,
    ParamCheck,
    WorstEntry,
    build_report,
    compare_directions,
    compare_entries,
)
from nnlearn.nn.layer_net import LayerNet

__all__ = ["BATCHNORM_DEGENERATE", "GradcheckReport", "ParamCheck", "WorstEntry", "check_network",
           "gradcheck"]

#: Step and default (rtol, atol) for each parameter dtype.
SETTINGS = {
    np.dtype(np.float64): (1e-6, 1e-5, 1e-7),
    np.dtype(np.float32): (1e-3, 1e-2, 1e-3),
}

#: The name of the parameter when ``params`` is a single array.
ARRAY_NAME = "x"


def random_directions(rng: np.random.Generator, count: int, shape: tuple[int, ...]) -> np.ndarray:
    """``count`` random unit vectors of ``shape``: uniform in a cube centred at 0, normalised."""
    v = rng.random((count, *shape), dtype=np.float32).astype(np.float64)
    v -= 0.5
    flat = v.reshape(count, -1)
    flat /= np.sqrt(np.einsum("ij,ij->i", flat, flat))[:, np.newaxis]  # no BLAS threads
    return v


def _as_named(arrays: Any, what: str) -> dict[str, Any]:
    if isinstance(arrays, Mapping):
        if not arrays:
            raise ValueError(f"{what} must not be empty")
        return dict(arrays)
    return {ARRAY_NAME: arrays}


def _check_options(
    mode: Any, rtol: Any, atol: Any, n_directions: Any, rng: Any
) -> tuple[float | None, float | None, int, np.random.Generator]:
    if mode not in ("full", "fast"):
        raise ValueError(f"mode must be 'full' or 'fast', got {mode!r}")
    n_directions = check_positive_int(n_directions, "n_directions")
    if rtol is not None:
        rtol = check_non_negative_finite(rtol, "rtol")
    if atol is not None:
        atol = check_non_negative_finite(atol, "atol")
    return rtol, atol, n_directions, make_rng(rng)


def _tolerances(dtype: np.dtype, rtol: float | None, atol: float | None) -> tuple[float, ...]:
    step, default_rtol, default_atol = SETTINGS[dtype]
    return step, default_rtol if rtol is None else rtol, default_atol if atol is None else atol


def _check_entries(f: Callable[[], float], p: np.ndarray, step: float) -> np.ndarray:
    """Central differences of ``f`` for every entry of ``p`` (moved in place, restored)."""
    result = np.empty(p.shape)
    for index in np.ndindex(p.shape):
        f_plus, f_minus, step_taken = central_pair(f, p, index, step)
        result[index] = (f_plus - f_minus) / step_taken
    return result


def _along_directions(
    f: Callable[[], float], p: np.ndarray, g: np.ndarray, step: float, directions: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Numerical and analytic derivatives of ``f`` along each direction, and their L1 norms.

    ``p`` is moved in place to ``p ± h v`` (as its dtype stores it) and
    restored; the analytic side is :math:`g \\cdot` the step actually taken.
    """
    saved = p.copy()
    count = len(directions)
    numeric, analytic, l1 = np.empty(count), np.empty(count), np.empty(count)
    for i, v in enumerate(directions):
        plus = (saved + step * v).astype(p.dtype, copy=False)
        minus = (saved - step * v).astype(p.dtype, copy=False)
        try:
            p[...] = plus
            f_plus = f()
            p[...] = minus
            f_minus = f()
        finally:
            p[...] = saved
        taken = np.subtract(plus, minus, dtype=np.float64).ravel()  # about 2 h v: what f saw
        numeric[i] = (f_plus - f_minus) / (2 * step)
        analytic[i] = float(np.einsum("i,i->", g.ravel(), taken)) / (2 * step)
        l1[i] = float(np.abs(taken).sum()) / (2 * step)
    return numeric, analytic, l1


def gradcheck(
    loss: Callable[[], Any],
    params: np.ndarray | Mapping[str, np.ndarray],
    grads: ArrayLike | Mapping[str, ArrayLike],
    *,
    mode: str = "full",
    rtol: float | None = None,
    atol: float | None = None,
    n_directions: int = 8,
    rng: int | np.random.Generator | None = 0,
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
    rng : int, numpy.random.Generator or None, default 0
        Source of the fast-mode directions; seeded by default, so that two
        runs print the same report (None: fresh directions each time).

    Returns
    -------
    GradcheckReport
        ``.ok``, per-parameter errors, the worst entries; ``print`` it for a table.
        A parameter whose moves never changed the loss does not pass: the
        report says so on a line of its own (``.unchanged`` names them).

    Raises
    ------
    ValueError
        If the loss changed for no move of any parameter: ``loss`` does not
        read the arrays in ``params`` (it reads copies, say), so every
        numerical derivative is 0 and nothing can be checked.

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
    worst entries, by |analytic - numerical| / (atol + rtol |numerical|):
      entry  analytic       numerical      abs err   check
      w[1]   -6.000000e+00   1.200000e+01  1.80e+01  WRONG
      w[2]    9.000000e+00   2.700000e+01  1.80e+01  WRONG
      w[0]    3.000000e+00   3.000000e+00  ...  ok
    """
    check_callable(loss, "loss")
    rtol, atol, n_directions, rng = _check_options(mode, rtol, atol, n_directions, rng)
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
        step, p_rtol, p_atol = _tolerances(p.dtype, rtol, atol)
        if mode == "fast":
            directions = random_directions(rng, n_directions, p.shape)
            numeric, analytic, l1 = _along_directions(f, p, g, step, directions)
            agree, max_abs, max_rel = compare_directions(analytic, numeric, l1, p_rtol, p_atol)
            if agree:
                checks[name] = ParamCheck(
                    name=name, shape=p.shape, dtype=p.dtype.name, method="directions",
                    n_checked=n_directions, n_failed=0, max_abs_error=max_abs,
                    max_rel_error=max_rel, rtol=p_rtol, atol=p_atol,
                    loss_changed=bool(numeric.any()),
                )
                continue
        checks[name], worst = compare_entries(
            name, p.dtype, g, _check_entries(f, p, step), p_rtol, p_atol
        )
        candidates += worst
    return build_report(mode, checks, candidates, n_evaluations)


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
    rng: int | np.random.Generator | None = 0,
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
    if _structured(net):
        options = _check_options(mode, rtol, atol, n_directions, rng)
        return _check_layer_net(net, x, t, mode, *options)
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


def _structured(net: Any) -> bool:
    """Whether ``net`` is a float64 LayerNet whose loss is the layers' own (not replaced)."""
    return (
        isinstance(net, LayerNet)
        and type(net).loss is LayerNet.loss
        and "loss" not in vars(net)
        and all(p.dtype == np.float64 for p in net.params.values())
    )


def _site_directions(
    net: LayerNet, outputs: list[np.ndarray], labels: np.ndarray, k: int, attr: str,
    g: np.ndarray, step: float, rtol: float, atol: float, directions: np.ndarray,
) -> dict[str, Any] | None:
    """Fast mode for one parameter of a LayerNet: the ParamCheck fields, or None on disagreement."""
    count = len(directions)
    numeric = numerical.site_directional(net, outputs, labels, k, attr, directions, step)
    flat = directions.reshape(count, -1)
    analytic = np.einsum("ij,j->i", flat, g.ravel())
    agree, max_abs, max_rel = compare_directions(
        analytic, numeric, np.abs(flat).sum(axis=1), rtol, atol
    )
    if not agree:
        return None
    return dict(method="directions", n_checked=count, n_failed=0, max_abs_error=max_abs,
                max_rel_error=max_rel, loss_changed=bool(numeric.any()), depends_known=True)


def _check_layer_net(
    net: LayerNet,
    x: ArrayLike,
    t: ArrayLike,
    mode: str,
    rtol: float | None,
    atol: float | None,
    n_directions: int,
    rng: np.random.Generator,
) -> GradcheckReport:
    """:func:`check_network` through the network's structure (see the module notes)."""
    state = net.rng.bit_generator.state
    buffers = {name: array.copy() for name, array in net.buffers.items()}
    try:
        grads = net.gradient(x, t)
        net.rng.bit_generator.state = state  # the forward pass below draws the same masks
        outputs, labels = numerical.record(net, x, t)
        checks: dict[str, ParamCheck] = {}
        candidates: list[tuple[float, WorstEntry]] = []
        n_evaluations = 0
        for name, k, attr in net._sites:
            p, g = net.params[name], grads[name].astype(np.float64, copy=False)
            step, p_rtol, p_atol = _tolerances(p.dtype, rtol, atol)
            if mode == "fast":
                n_evaluations += 2 * n_directions
                fast = _site_directions(
                    net, outputs, labels, k, attr, g, step, p_rtol, p_atol,
                    random_directions(rng, n_directions, p.shape),
                )
                if fast is not None:
                    checks[name] = ParamCheck(name=name, shape=p.shape, dtype=p.dtype.name,
                                              rtol=p_rtol, atol=p_atol, **fast)
                    continue
            numeric, evaluated = numerical.site_gradient(net, outputs, labels, k, attr, step)
            n_evaluations += evaluated
            checks[name], worst = compare_entries(
                name, p.dtype, g, numeric, p_rtol, p_atol, depends_known=True
            )
            candidates += worst
        return build_report(mode, checks, candidates, n_evaluations)
    finally:
        net.rng.bit_generator.state = state
        for name, array in buffers.items():
            net.buffers[name][...] = array
