"""What every figure shares: the palette, the labels in both languages, the Korean font, saving.

Each ``plot_*`` function returns a :class:`matplotlib.figure.Figure` built
without pyplot, so nothing is shown and no global figure list grows: the
package works headless and needs no backend. :func:`save` writes PNG or SVG.

``lang="ko"`` draws Korean labels with an installed font that has Hangul
(NanumGothic, Noto Sans CJK, Malgun Gothic, AppleGothic, ...). Without one,
labels stay English and a single warning says so: never boxes for Hangul.
Colours follow the Okabe–Ito palette, which colour-blind readers can tell apart.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nnlearn._shared.i18n import check_lang, translator
from nnlearn._shared.validation import as_float_array
from nnlearn.plots import _fonts

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Okabe & Ito's colour-blind-safe palette: blue, vermillion, green, orange,
#: reddish purple, sky blue, yellow, black.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")

# Every label in both languages: key -> (English, Korean).
TEXT = {
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
    "one_step": ("lands on the minimum in one step", "한 번에 최솟값에 도달"),
    "zigzag_converges": ("converges, zigzagging across the minimum",
                         "최솟값을 넘나들며 수렴"),
    "zigzag_diverges": ("diverges, zigzagging ever wider", "점점 크게 넘나들며 발산"),
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
    "errors_scale": ("errors (off the diagonal)", "오답 수 (대각선 밖)"),
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
def drawing(
    lang: str | None, labels: Mapping[str, tuple[str, str]] | None = None
) -> Iterator[Callable[..., str]]:
    """Context for building a figure; yields ``text(key, **fields)`` in the language used.

    ``labels`` maps each key to its (English, Korean) pair: a figure family's
    own table (for example ``plots.curvature.LABELS``), by default :data:`TEXT`.
    Text objects take their font when they are created, so the labels keep the
    Korean font after the context is left.
    """
    import matplotlib

    lang, rc = _language(lang)
    with matplotlib.rc_context(rc):
        yield translator(TEXT if labels is None else labels, lang)


def new_figure(**kwargs: Any) -> Figure:
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


def check_limits(value: Sequence[float], name: str) -> tuple[float, float]:
    limits = as_float_array(value, name)
    if limits.shape != (2,) or not limits[0] < limits[1]:
        raise ValueError(f"{name} must be two finite numbers (low, high) with low < high, "
                         f"got {value!r}")
    return float(limits[0]), float(limits[1])


def check_num(num: int, name: str, minimum: int) -> int:
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {num!r}")
    return int(num)
