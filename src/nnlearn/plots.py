"""Figures for every idea of the chapter, in English or Korean.

Each ``plot_*`` function returns a :class:`matplotlib.figure.Figure` built
without pyplot, so nothing is shown and no global figure list grows: the
module works headless and needs no backend. :func:`save` writes PNG or SVG.
matplotlib is imported only here.

The data drawn is what the library computes: tangents use
:func:`~nnlearn.differentiate.numerical_diff`, arrows and contours call
``f`` on one 2-vector at a time with
:func:`~nnlearn.differentiate.numerical_gradient`, descent paths come from
:func:`~nnlearn.descent.gradient_descent`.

``lang="ko"`` draws Korean labels with an installed font that has Hangul
(NanumGothic, Noto Sans CJK, Malgun Gothic, AppleGothic, ...). Without one,
labels stay English and a single warning says so: never boxes for Hangul.
Colours follow the Okabe–Ito palette, which colour-blind readers can tell apart.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from nnlearn import _fonts
from nnlearn._i18n import check_lang, translator
from nnlearn._validation import as_float_array, check_callable, check_positive_finite, scalar_value
from nnlearn.descent import DivergenceError, gradient_descent
from nnlearn.differentiate import numerical_diff, numerical_gradient
from nnlearn.functions import as_labels
from nnlearn.training import confusion_matrix

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Okabe & Ito's colour-blind-safe palette: blue, vermillion, green, orange,
#: reddish purple, sky blue, yellow, black.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")

# Every label in both languages: key -> (English, Korean).
_TEXT = {
    "tangent_title": ("A function and its tangents", "함수와 접선"),
    "tangent": ("tangent at x = {x0:g} (slope {slope:.4f})",
                "x = {x0:g}에서의 접선 (기울기 {slope:.4f})"),
    "surface_title": ("Surface of f(x0, x1)", "f(x0, x1)의 곡면"),
    "field_title": ("Gradient field: arrows of −∇f point downhill",
                    "기울기 벡터장: −∇f 화살표는 내려가는 방향"),
    "descent_title": ("Gradient descent from {start}, {steps} steps",
                      "{start}에서 시작한 경사하강법, {steps}단계"),
    "lr": ("lr = {lr:g}: {behaviour}", "학습률 {lr:g}: {behaviour}"),
    "slow": ("converges slowly", "느리게 수렴"),
    "converges": ("converges", "수렴"),
    "oscillates": ("oscillates", "진동"),
    "diverges": ("diverges", "발산"),
    "stopped": ("diverges (x too large at step {step})", "발산 ({step}단계에서 x가 너무 큼)"),
    "path": ("path", "경로"),
    "start": ("start", "시작점"),
    "end": ("last point", "마지막 점"),
    "loss_title": ("Training loss", "훈련 손실"),
    "step": ("step", "단계"),
    "loss": ("loss", "손실"),
    "moving_average": ("moving average of {window} steps", "{window}단계 이동 평균"),
    "accuracy_title": ("Accuracy", "정확도"),
    "accuracy": ("accuracy", "정확도"),
    "train": ("train", "훈련 데이터"),
    "test": ("test", "시험 데이터"),
    "confusion_title": ("Confusion matrix ({correct} of {total} correct)",
                        "혼동 행렬 ({total}개 중 {correct}개 정답)"),
    "true_label": ("true label t", "정답 레이블 t"),
    "predicted_label": ("predicted label y", "예측 레이블 y"),
    "weights_title": ("First-layer weights W1: one {side}×{side} tile per hidden unit",
                      "첫 번째 층의 가중치 W1: 은닉 뉴런마다 {side}×{side} 타일"),
    "weights_scale": ("weight / max |weight| of the unit", "가중치 / 뉴런의 최대 |가중치|"),
    "misclassified_title": ("Misclassified: {wrong} of {total} samples",
                            "잘못 분류된 샘플: {total}개 중 {wrong}개"),
    "misclassified_tile": ("t={t}, y={y}", "정답 {t}, 예측 {y}"),
    "none_misclassified": ("no misclassified samples", "잘못 분류된 샘플 없음"),
    "boundary_title": ("Decision regions of the network", "신경망의 결정 영역"),
    "class": ("class {k}", "클래스 {k}"),
}

_fallback_warned = False


def _language(lang: str | None) -> tuple[str, dict[str, Any]]:
    """Return the language to draw in and the rc settings for its font."""
    global _fallback_warned
    lang = check_lang(lang)
    if lang == "en":
        return "en", {}
    family = _fonts.find_cjk_font()
    if family is None:
        if not _fallback_warned:
            _fallback_warned = True
            warnings.warn(
                "no font with Hangul is installed (for example NanumGothic: "
                "apt-get install fonts-nanum), so figure labels are drawn in English",
                UserWarning,
                stacklevel=3,
            )
        return "en", {}
    return "ko", {"font.family": [family, "DejaVu Sans"]}


@contextlib.contextmanager
def _drawing(lang: str | None) -> Iterator[Callable[..., str]]:
    """Context for building a figure; yields ``text(key, **fields)`` in the language used.

    Text objects take their font when they are created, so the labels keep the
    Korean font after the context is left.
    """
    import matplotlib

    lang, rc = _language(lang)
    with matplotlib.rc_context(rc):
        yield translator(_TEXT, lang)


def _new_figure(**kwargs: Any) -> Figure:
    from matplotlib.figure import Figure

    return Figure(layout="constrained", **kwargs)


def save(fig: Figure, path: str | Path, *, dpi: int = 100) -> Path:
    """Write ``fig`` to ``path`` as PNG or SVG, chosen by the suffix; return the path.

    Missing parent folders are created; any other suffix is a ValueError
    (see :func:`check_figure_path`).
    """
    path = check_figure_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format=path.suffix[1:].lower(), dpi=dpi)
    return path


def check_figure_path(path: str | Path) -> Path:
    """Return ``path`` as a Path if it ends in .png or .svg (any case), else raise ValueError.

    Examples
    --------
    >>> check_figure_path("out/tangent.SVG").suffix
    '.SVG'
    >>> check_figure_path("tangent.jpg")
    Traceback (most recent call last):
        ...
    ValueError: path must end in .png or .svg, got 'tangent.jpg'
    """
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        raise ValueError(f"path must end in .png or .svg, got {str(path)!r}")
    return path


def _limits(value: Sequence[float], name: str) -> tuple[float, float]:
    limits = as_float_array(value, name)
    if limits.shape != (2,) or not limits[0] < limits[1]:
        raise ValueError(f"{name} must be two finite numbers (low, high) with low < high, "
                         f"got {value!r}")
    return float(limits[0]), float(limits[1])


def _check_num(num: int, name: str, minimum: int) -> int:
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {num!r}")
    return int(num)


def _values_on_grid(f: Callable[[np.ndarray], Any], x0: np.ndarray, x1: np.ndarray) -> np.ndarray:
    """``f`` at every grid point, called on one 2-vector at a time: shape (len(x1), len(x0))."""
    z = np.empty((x1.size, x0.size))
    for i, j in np.ndindex(z.shape):
        z[i, j] = scalar_value(f(np.array([x0[j], x1[i]])), "f")
    return z


def plot_function_and_tangent(
    f: Callable[[Any], Any],
    x0s: ArrayLike = (5.0, 10.0),
    *,
    xlim: Sequence[float] = (0.0, 20.0),
    num: int = 200,
    lang: str | None = "en",
) -> Figure:
    """Draw ``f`` and its tangent lines :math:`y = f'(x_0) (x - x_0) + f(x_0)`.

    As in the chapter, the slope ``a`` is
    :func:`~nnlearn.differentiate.numerical_diff` at ``x0`` (0.1999999999990898
    at 5 for ``function_1``) and the line is ``a * x + b`` with
    ``b = f(x0) - a * x0``.

    Parameters
    ----------
    f : callable
        A function of one variable; it is called once on the whole grid if it
        works elementwise, else once per point.
    x0s : array_like
        The points of tangency.
    xlim : (float, float)
        The interval drawn.
    num : int
        Number of grid points (>= 2).
    lang : {"en", "ko"} or None
        Language of the labels (None: from the locale).

    Examples
    --------
    >>> from nnlearn import function_1
    >>> fig = plot_function_and_tangent(function_1, [5.0])
    >>> tangent = fig.axes[0].lines[1]
    >>> float(np.diff(tangent.get_ydata()[:2])[0] / np.diff(tangent.get_xdata()[:2])[0])
    0.19999999999...
    """
    check_callable(f, "f")
    x0s = np.atleast_1d(as_float_array(x0s, "x0s"))
    low, high = _limits(xlim, "xlim")
    x = np.linspace(low, high, _check_num(num, "num", 2))
    try:
        y = np.asarray(f(x), dtype=float)
    except (TypeError, ValueError):  # f takes one number at a time
        y = None
    if y is None or y.shape != x.shape:
        y = np.array([scalar_value(f(v), "f") for v in x])
    with _drawing(lang) as text:
        fig = _new_figure(figsize=(6.4, 4.4))
        ax = fig.add_subplot()
        ax.plot(x, y, color=PALETTE[7], linewidth=2, label="f(x)")
        for k, x0 in enumerate(x0s.reshape(-1)):
            slope = float(numerical_diff(f, x0))
            fx0 = scalar_value(f(x0), "f")
            colour = PALETTE[k % (len(PALETTE) - 1)]
            ax.plot(x, slope * x + (fx0 - slope * x0), "--", color=colour,
                    label=text("tangent", x0=x0, slope=slope))
            ax.plot([x0], [fx0], "o", color=colour)
        ax.set(title=text("tangent_title"), xlabel="x", ylabel="f(x)", xlim=(low, high))
        ax.grid(alpha=0.3)
        ax.legend()
    return fig


def plot_surface(
    f: Callable[[np.ndarray], Any],
    *,
    xlim: Sequence[float] = (-3.0, 3.0),
    ylim: Sequence[float] = (-3.0, 3.0),
    num: int = 31,
    lang: str | None = "en",
) -> Figure:
    """Draw the 3-D surface :math:`z = f(x_0, x_1)`, calling ``f`` on each 2-vector.

    Examples
    --------
    >>> from nnlearn import function_2
    >>> fig = plot_surface(function_2, num=5)
    >>> fig.axes[0].name
    '3d'
    """
    check_callable(f, "f")
    num = _check_num(num, "num", 2)
    x0 = np.linspace(*_limits(xlim, "xlim"), num)
    x1 = np.linspace(*_limits(ylim, "ylim"), num)
    z = _values_on_grid(f, x0, x1)
    grid0, grid1 = np.meshgrid(x0, x1)
    with _drawing(lang) as text:
        fig = _new_figure(figsize=(6.4, 5.2))
        ax = fig.add_subplot(projection="3d")
        ax.plot_surface(grid0, grid1, z, cmap="viridis", rstride=1, cstride=1,
                        edgecolor="0.3", linewidth=0.2, alpha=0.9)
        ax.set(title=text("surface_title"), xlabel="x0", ylabel="x1", zlabel="f(x0, x1)")
    return fig


def plot_gradient_field(
    f: Callable[[np.ndarray], Any],
    *,
    xlim: Sequence[float] = (-2.0, 2.0),
    ylim: Sequence[float] = (-2.0, 2.0),
    num: int = 17,
    lang: str | None = "en",
) -> Figure:
    """Draw the arrows :math:`-\\nabla f(x_0, x_1)` on a grid, over contour lines of ``f``.

    The gradient is :func:`~nnlearn.differentiate.numerical_gradient` at each
    grid point separately, on a 2-vector: never ``f`` of the whole flattened
    grid (the book's ``gradient_2d`` once passed all 324 points to ``f`` as
    one vector, which only worked because ``function_2`` happened to sum).

    Examples
    --------
    >>> from nnlearn import function_2
    >>> fig = plot_gradient_field(function_2, num=3)
    >>> arrows = fig.axes[0].collections[-1]
    >>> arrows.U.reshape(3, 3)  # -df/dx0 at x0, x1 in {-2, 0, 2}: rows are x1
    array([[ 4.,  0., -4.],
           [ 4.,  0., -4.],
           [ 4.,  0., -4.]])
    """
    check_callable(f, "f")
    num = _check_num(num, "num", 2)
    x0 = np.linspace(*_limits(xlim, "xlim"), num)
    x1 = np.linspace(*_limits(ylim, "ylim"), num)
    grad = np.empty((2, num, num))
    for i, j in np.ndindex(num, num):
        grad[:, i, j] = numerical_gradient(f, np.array([x0[j], x1[i]]))
    fine0 = np.linspace(x0[0], x0[-1], 60)
    fine1 = np.linspace(x1[0], x1[-1], 60)
    grid0, grid1 = np.meshgrid(x0, x1)
    with _drawing(lang) as text:
        fig = _new_figure(figsize=(6.0, 5.6))
        ax = fig.add_subplot()
        ax.contour(fine0, fine1, _values_on_grid(f, fine0, fine1), levels=10, colors="0.75",
                   linewidths=0.8)
        ax.quiver(grid0, grid1, -grad[0], -grad[1], color=PALETTE[0], angles="xy")
        ax.set(title=text("field_title"), xlabel="x0", ylabel="x1", aspect="equal")
    return fig


def _descent_path(
    f: Callable[[np.ndarray], Any], init_x: np.ndarray, lr: float, step_num: int
) -> tuple[np.ndarray, int | None]:
    """The points gradient descent visits, and the step where it diverged (or None)."""
    try:
        _, path = gradient_descent(f, init_x, lr, step_num, return_path=True)
        return path, None
    except DivergenceError as divergence:
        return divergence.path, divergence.step


def _behaviour(path: np.ndarray, stopped: int | None) -> str:
    """Name what a descent path does: slow, converges, oscillates or diverges."""
    steps = np.diff(path.reshape(len(path), -1), axis=0)
    if stopped is not None:
        return "stopped"
    if len(steps) < 2:
        return "slow"
    lengths = np.linalg.norm(steps, axis=1)
    if lengths[-1] > lengths[0]:
        return "diverges"
    if np.any(np.sum(steps[1:] * steps[:-1], axis=1) < 0):
        return "oscillates"
    return "converges" if lengths[-1] < 0.1 * lengths[0] else "slow"


def plot_descent_paths(
    f: Callable[[np.ndarray], Any],
    init_x: ArrayLike = (-3.0, 4.0),
    lrs: Sequence[float] = (0.01, 0.1, 0.9, 1.01),
    step_num: int = 20,
    *,
    lang: str | None = "en",
) -> Figure:
    """Draw gradient-descent paths, one panel per learning rate, over contour lines of ``f``.

    Each path is ``gradient_descent(f, init_x, lr, step_num, return_path=True)``;
    its points are coloured by step, so a path that jumps across the minimum
    (oscillation) or away from it (divergence) can be followed. The title of
    a panel says what the path does, as computed from its steps: converges
    slowly, converges, oscillates (steps reverse direction) or
    diverges (steps grow). A path that diverges so far that
    :func:`~nnlearn.descent.gradient_descent` raises ``FloatingPointError``
    is drawn up to its last point, and the title names the step.

    Examples
    --------
    >>> from nnlearn import function_2
    >>> fig = plot_descent_paths(function_2, lrs=(0.1, 1.01))
    >>> [ax.get_title() for ax in fig.axes[:2]]  # the third axes is the colour bar
    ['lr = 0.1: converges', 'lr = 1.01: diverges']
    """
    check_callable(f, "f")
    init_x = as_float_array(init_x, "init_x").astype(np.float64)
    if init_x.shape != (2,):
        raise ValueError(f"init_x must be a point (x0, x1) of shape (2,), got shape "
                         f"{init_x.shape}")
    lrs = [check_positive_finite(lr, "lr") for lr in np.atleast_1d(lrs).tolist()]
    if not lrs:
        raise ValueError("lrs must hold at least one learning rate")
    step_num = _check_num(step_num, "step_num", 1)
    paths = [_descent_path(f, init_x, lr, step_num) for lr in lrs]

    ncols = min(len(lrs), 2)
    nrows = math.ceil(len(lrs) / ncols)
    with _drawing(lang) as text:
        fig = _new_figure(figsize=(5.2 * ncols, 4.6 * nrows))
        axes = fig.subplots(nrows, ncols, squeeze=False).reshape(-1)
        for ax in axes[len(lrs):]:
            ax.remove()
        for ax, lr, (path, stopped) in zip(axes, lrs, paths, strict=False):
            _draw_contours(ax, f, path)
            ax.plot(path[:, 0], path[:, 1], "-", color="0.45", linewidth=0.8, zorder=2,
                    label=text("path"))
            points = ax.scatter(path[:, 0], path[:, 1], c=np.arange(len(path)), cmap="viridis",
                                vmin=0, vmax=step_num, s=18, zorder=3)
            ax.plot(*path[0], "s", color=PALETTE[1], markersize=8, zorder=4, label=text("start"))
            ax.plot(*path[-1], "*", color=PALETTE[1], markersize=14, markeredgecolor="black",
                    zorder=4, label=text("end"))
            behaviour = text(_behaviour(path, stopped), step=stopped)
            ax.set(title=text("lr", lr=lr, behaviour=behaviour), xlabel="x0", ylabel="x1",
                   aspect="equal")
            ax.legend(loc="upper right", fontsize="small")
        fig.colorbar(points, ax=axes[:len(lrs)].tolist(), shrink=0.6, label=text("step"))
        start = f"({init_x[0]:g}, {init_x[1]:g})"
        fig.suptitle(text("descent_title", start=start, steps=step_num))
    return fig


def _draw_contours(ax: Axes, f: Callable[[np.ndarray], Any], path: np.ndarray) -> None:
    """Contour lines of ``f`` on a square around the path and the origin."""
    low = np.minimum(path.min(axis=0), 0.0)
    high = np.maximum(path.max(axis=0), 0.0)
    centre, half = (low + high) / 2, max(float(np.max(high - low)) / 2, 1e-3) * 1.15
    x0 = np.linspace(centre[0] - half, centre[0] + half, 40)
    x1 = np.linspace(centre[1] - half, centre[1] + half, 40)
    with np.errstate(over="ignore"):
        ax.contour(x0, x1, _values_on_grid(f, x0, x1), levels=12, colors="0.75",
                   linewidths=0.8)


def _history_dict(history: Any) -> dict[str, np.ndarray]:
    data = history.to_dict() if hasattr(history, "to_dict") else history
    if not isinstance(data, Mapping):
        raise TypeError(f"history must be a History or a dict, got {type(history).__name__}")
    missing = [key for key in ("loss", "eval_steps", "train_acc") if key not in data]
    if missing:
        raise ValueError(f"history lacks {', '.join(missing)}; expected the keys loss, "
                         f"eval_steps, train_acc and (optionally) test_acc")
    arrays = {key: np.asarray(data.get(key, ()), dtype=float).reshape(-1)
              for key in ("loss", "eval_steps", "train_acc", "test_acc")}
    if arrays["loss"].size == 0:
        raise ValueError("history must hold at least one loss value")
    for key in ("train_acc", "test_acc"):
        if arrays[key].size not in (0, arrays["eval_steps"].size):
            raise ValueError(f"history[{key!r}] must have one value per evaluation step "
                             f"({arrays['eval_steps'].size}), got {arrays[key].size}")
    return arrays


def plot_learning_curves(history: Any, *, lang: str | None = "en") -> Figure:
    """Draw the loss at every step and the train and test accuracy at every evaluation.

    Parameters
    ----------
    history : nnlearn.training.History or mapping
        With ``loss`` (one value per step, step 1 first), ``eval_steps`` (the
        number of steps done at each evaluation), ``train_acc`` and optionally
        ``test_acc`` (one value per evaluation; either list may be empty).

    Examples
    --------
    >>> fig = plot_learning_curves({"loss": [2.3, 1.1, 0.7], "eval_steps": [0, 3],
    ...                             "train_acc": [0.1, 0.8], "test_acc": [0.1, 0.75]})
    >>> fig.axes[1].lines[1].get_ydata().tolist()
    [0.1, 0.75]
    """
    data = _history_dict(history)
    loss = data["loss"]
    steps = np.arange(1, loss.size + 1)
    window = max(1, loss.size // 50)
    with _drawing(lang) as text:
        fig = _new_figure(figsize=(10.0, 4.2))
        ax_loss, ax_acc = fig.subplots(1, 2)
        ax_loss.plot(steps, loss, color=PALETTE[5], linewidth=0.8, label=text("loss"))
        if window > 1:
            smooth = np.convolve(loss, np.ones(window) / window, mode="valid")
            ax_loss.plot(steps[window - 1:], smooth, color=PALETTE[0], linewidth=2,
                         label=text("moving_average", window=window))
        ax_loss.set(title=text("loss_title"), xlabel=text("step"), ylabel=text("loss"))
        ax_loss.legend()
        for k, key in enumerate(("train_acc", "test_acc")):
            if data[key].size:
                ax_acc.plot(data["eval_steps"], data[key], _MARKERS[k] + "-", color=PALETTE[k],
                            label=text(key.removesuffix("_acc")))
        ax_acc.set(title=text("accuracy_title"), xlabel=text("step"), ylabel=text("accuracy"),
                   ylim=(0.0, 1.02))
        ax_acc.legend(loc="lower right")
        for ax in (ax_loss, ax_acc):
            ax.grid(alpha=0.3)
    return fig


def plot_confusion_matrix(
    t: ArrayLike, y: ArrayLike, *, n_classes: int | None = None, lang: str | None = "en"
) -> Figure:
    """Draw :func:`~nnlearn.training.confusion_matrix` as a heat map with the counts written in.

    ``t`` and ``y`` are labels or one-hot / score rows (their argmax is taken).

    Examples
    --------
    >>> fig = plot_confusion_matrix([0, 1, 2, 2], [0, 2, 2, 2])
    >>> fig.axes[0].images[0].get_array().tolist()
    [[1, 0, 0], [0, 0, 1], [0, 0, 2]]
    """
    counts = confusion_matrix(t, y, n_classes)
    n = counts.shape[0]
    threshold = counts.max() / 2
    with _drawing(lang) as text:
        fig = _new_figure(figsize=(1.6 + 0.55 * max(n, 4), 1.2 + 0.5 * max(n, 4)))
        ax = fig.add_subplot()
        image = ax.imshow(counts, cmap="cividis")
        for i, j in np.ndindex(counts.shape):
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize="small",
                    color="black" if counts[i, j] > threshold else "white")
        ax.set(title=text("confusion_title", correct=int(np.trace(counts)),
                          total=int(counts.sum())),
               xlabel=text("predicted_label"), ylabel=text("true_label"),
               xticks=range(n), yticks=range(n))
        fig.colorbar(image, ax=ax, shrink=0.8)
    return fig


def _tile_side(rows: int, name: str) -> int:
    side = math.isqrt(rows)
    if side * side != rows:
        raise ValueError(f"{name} must hold square images (28×28 = 784 pixels for MNIST), "
                         f"got {rows} pixels")
    return side


def _grid_shape(n: int) -> tuple[int, int]:
    """Rows and columns for ``n`` tiles: near square, with a full last row when one fits.

    >>> _grid_shape(50), _grid_shape(7)
    ((5, 10), (3, 3))
    """
    square = math.ceil(math.sqrt(n))
    ncols = next((c for c in range(square, math.ceil(1.5 * square) + 1) if n % c == 0), square)
    return math.ceil(n / ncols), ncols


def plot_first_layer_weights(net: Any, *, lang: str | None = "en") -> Figure:
    """Draw each column of ``net.params["W1"]`` as a square image, one tile per hidden unit.

    Each tile is scaled by its largest absolute weight, so the colour shows
    the sign and the relative strength (blue negative, red positive).

    Examples
    --------
    >>> class Net:  # anything with params["W1"] of shape (pixels, hidden)
    ...     params = {"W1": np.arange(8.0).reshape(4, 2) - 3}
    >>> plot_first_layer_weights(Net()).axes[0].images[0].get_array().shape  # 2×2 tiles, 1 apart
    (4, 7)
    """
    params = getattr(net, "params", None)
    if not isinstance(params, Mapping) or "W1" not in params:
        raise TypeError("net must have a params dict with 'W1' (pixels × hidden units)")
    w1 = as_float_array(params["W1"], "net.params['W1']").astype(np.float64)
    if w1.ndim != 2:
        raise ValueError(f"net.params['W1'] must be 2-D (pixels, hidden), got shape {w1.shape}")
    side = _tile_side(w1.shape[0], "net.params['W1']")
    hidden = w1.shape[1]
    nrows, ncols = _grid_shape(hidden)
    mosaic = np.full((nrows * (side + 1) + 1, ncols * (side + 1) + 1), np.nan)
    scale = np.max(np.abs(w1), axis=0)
    scale[scale == 0] = 1.0
    for k in range(hidden):
        row, col = divmod(k, ncols)
        top, left = 1 + row * (side + 1), 1 + col * (side + 1)
        mosaic[top:top + side, left:left + side] = (w1[:, k] / scale[k]).reshape(side, side)
    with _drawing(lang) as text:
        import matplotlib

        cmap = matplotlib.colormaps["RdBu_r"].with_extremes(bad="0.85")
        fig = _new_figure(figsize=(1.0 + 0.9 * ncols, 1.0 + 0.9 * nrows))
        ax = fig.add_subplot()
        image = ax.imshow(np.ma.masked_invalid(mosaic), cmap=cmap, vmin=-1, vmax=1)
        ax.set_axis_off()
        ax.set_title(text("weights_title", side=side))
        fig.colorbar(image, ax=ax, shrink=0.7, label=text("weights_scale"))
    return fig


def plot_misclassified(
    x: ArrayLike, t: ArrayLike, y: ArrayLike, *, max_images: int = 16, lang: str | None = "en"
) -> Figure:
    """Draw the first ``max_images`` samples whose prediction ``y`` differs from ``t``.

    ``x`` holds square images, flat (N, 784) or (N, 28, 28) or (N, 1, 28, 28);
    ``t`` and ``y`` are labels or one-hot / score rows. Each image is titled
    with its true and predicted label.

    Examples
    --------
    >>> x = np.zeros((3, 4))
    >>> fig = plot_misclassified(x, [0, 1, 2], [0, 2, 2])
    >>> [ax.get_title() for ax in fig.axes]
    ['t=1, y=2']
    """
    x = as_float_array(x, "x")
    t, y = as_labels(t, "t")[0], as_labels(y, "y")[0]
    if not x.shape[0] == t.shape[0] == y.shape[0]:
        raise ValueError(f"x, t and y must hold as many samples, got {x.shape[0]}, "
                         f"{t.shape[0]} and {y.shape[0]}")
    images = x.reshape(x.shape[0], -1)
    side = _tile_side(images.shape[1], "x")
    wrong = np.flatnonzero(t != y)
    shown = wrong[:_check_num(max_images, "max_images", 1)]
    ncols = min(max(len(shown), 1), 8)
    nrows = max(math.ceil(len(shown) / ncols), 1)
    with _drawing(lang) as text:
        fig = _new_figure(figsize=(1.2 + 1.3 * ncols, 0.8 + 1.5 * nrows))
        fig.suptitle(text("misclassified_title", wrong=len(wrong), total=len(t)))
        if len(shown) == 0:
            fig.text(0.5, 0.5, text("none_misclassified"), ha="center", va="center")
        for k, n in enumerate(shown):
            ax = fig.add_subplot(nrows, ncols, k + 1)
            ax.imshow(images[n].reshape(side, side), cmap="gray_r")
            ax.set_title(text("misclassified_tile", t=t[n], y=y[n]), fontsize="small")
            ax.set_axis_off()
    return fig


def plot_decision_boundary(
    net: Any, x: ArrayLike, t: ArrayLike, *, resolution: int = 200, lang: str | None = "en"
) -> Figure:
    """Colour the plane by ``argmax net.predict(point)`` and draw the 2-D samples on it.

    Made for the spiral data (:func:`nnlearn.datasets.make_spiral`): ``x`` of
    shape (N, 2), ``t`` labels or one-hot rows. Each class has its own colour
    and marker.

    Examples
    --------
    >>> class Net:  # class 1 right of x0 = 0
    ...     def predict(self, x):
    ...         return np.stack([-x[:, 0], x[:, 0]], axis=1)
    >>> fig = plot_decision_boundary(Net(), [[-1.0, 0.0], [1.0, 0.0]], [0, 1], resolution=4)
    >>> fig.axes[0].images[0].get_array().tolist()
    [[0, 0, 1, 1], [0, 0, 1, 1], [0, 0, 1, 1], [0, 0, 1, 1]]
    """
    x = as_float_array(x, "x")
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"x must be 2-D points of shape (N, 2), got shape {x.shape}")
    t = as_labels(t, "t")[0]
    if t.shape[0] != x.shape[0]:
        raise ValueError(f"t must have one label per point ({x.shape[0]}), got {t.shape[0]}")
    resolution = _check_num(resolution, "resolution", 2)
    margin = 0.1 * (x.max(axis=0) - x.min(axis=0)) + 1e-3
    low, high = x.min(axis=0) - margin, x.max(axis=0) + margin
    x0 = np.linspace(low[0], high[0], resolution)
    x1 = np.linspace(low[1], high[1], resolution)
    grid0, grid1 = np.meshgrid(x0, x1)
    scores = np.asarray(net.predict(np.column_stack([grid0.ravel(), grid1.ravel()])))
    regions = scores.argmax(axis=1).reshape(resolution, resolution)
    n_classes = max(scores.shape[1], int(t.max()) + 1)
    with _drawing(lang) as text:
        from matplotlib.colors import ListedColormap

        colours = [PALETTE[k % len(PALETTE)] for k in range(n_classes)]
        fig = _new_figure(figsize=(6.0, 5.6))
        ax = fig.add_subplot()
        ax.imshow(regions, origin="lower", extent=(low[0], high[0], low[1], high[1]),
                  cmap=ListedColormap(colours), vmin=-0.5, vmax=n_classes - 0.5, alpha=0.3,
                  interpolation="nearest", aspect="auto")
        for k in range(n_classes):
            points = x[t == k]
            ax.scatter(points[:, 0], points[:, 1], s=18, color=colours[k],
                       marker=_MARKERS[k % len(_MARKERS)], edgecolors="black", linewidths=0.4,
                       label=text("class", k=k))
        ax.set(title=text("boundary_title"), xlabel="x0", ylabel="x1",
               xlim=(low[0], high[0]), ylim=(low[1], high[1]))
        ax.legend(loc="upper right")
    return fig
