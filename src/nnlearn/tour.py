"""``nnlearn tour``: the chapter's sections in order, their values and their figures.

Each section of the seed notebook becomes a :class:`Section`: a heading, the
formula on one line and the values the seed shows, every one computed by the
library when the tour runs. :func:`run` prints them in English or Korean and
saves the chapter's figures as PNG.

SimpleNet's weights are the book's printed ``W`` by default, so the tour is
reproducible and shows the book's loss 0.9280682857864075; ``seed=N`` draws
a random ``W`` from ``numpy.random.default_rng(N)`` instead.

The figures go beyond the seed to the end of the chapter: a two-layer network
trained on the spiral data (always, offline, in a fraction of a second) and
one trained on MNIST for a few hundred steps, when the MNIST files are at
hand (``NNLEARN_DATA_DIR`` or the cache; the tour never downloads). Their
data and initial weights are seeded by ``seed``, else :data:`TRAINING_SEED`.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from nnlearn._i18n import check_lang, translator
from nnlearn.descent import gradient_descent
from nnlearn.differentiate import numerical_diff, numerical_gradient
from nnlearn.functions import cross_entropy_error, function_1, function_2, one_hot
from nnlearn.networks import SimpleNet, TwoLayerNet

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The weights printed in the book for its SimpleNet example (the tour's default W).
BOOK_W = np.array([[0.47355232, 0.9977393, 0.84668094],
                   [0.85557411, 0.03563661, 0.69422093]])

#: Seed of the data and of the networks trained for the figures when the tour has no ``seed``.
TRAINING_SEED = 0

# Every sentence in both languages: key -> (English, Korean).
_TEXT = {
    "cee_title": ("Cross-entropy error: one sample", "교차 엔트로피 오차: 샘플 한 개"),
    "cee_y": ("(predicted probabilities; the largest, 0.6, is class 2)",
              "(예측 확률: 가장 큰 0.6이 클래스 2)"),
    "cee_t": ("(the answer 2, one-hot)", "(정답 2, 원-핫 인코딩)"),
    "cee_log": ("(only the answer's term is left)", "(정답 항만 남는다)"),
    "cee_wrong": ("a wrong guess (0.6 on class 7): {value!r}  (the worse the guess, the larger "
                  "the loss)",
                  "잘못된 예측 (클래스 7에 0.6): {value!r}  (예측이 틀릴수록 손실이 크다)"),
    "batch_title": ("Cross-entropy error: a mini-batch", "교차 엔트로피 오차: 미니배치"),
    "batch_one": ("the sample as a batch of one, shape (1, 10): {value!r}",
                  "샘플 하나를 배치로, 모양 (1, 10): {value!r}"),
    "batch_two": ("a batch of two (the good and the wrong guess): {value!r}  (the mean of the "
                  "two losses)",
                  "배치 두 개 (맞은 예측과 틀린 예측): {value!r}  (두 손실의 평균)"),
    "batch_labels": ("labels t = [2, 2] instead of one-hot rows: {value!r}",
                     "원-핫 대신 레이블 t = [2, 2]: {value!r}"),
    "diff_title": ("Numerical differentiation: function_1", "수치 미분: function_1"),
    "diff_exact": ("exact: {value:g}", "해석적 미분: {value:g}"),
    "diff_tangent": ("tangent at x = 5: y = a·x + b, a = {a!r}, b = f(5) − 5a = {b!r}",
                     "x = 5에서의 접선: y = a·x + b, a = {a!r}, b = f(5) − 5a = {b!r}"),
    "grad_title": ("Partial derivatives and the gradient: function_2",
                   "편미분과 기울기: function_2"),
    "grad_partial": ("∂f/∂x{i} at (3, 4), x{j} held at {held:g}: {value!r}",
                     "(3, 4)에서 ∂f/∂x{i} (x{j} = {held:g} 고정): {value!r}"),
    "grad_meaning": ("∇f points where f grows fastest; −∇f points downhill",
                     "∇f는 f가 가장 빠르게 커지는 방향, −∇f는 내려가는 방향"),
    "descent_title": ("Gradient descent", "경사하강법"),
    "descent_formula": ("x ← x − η ∇f(x), repeated step_num times",
                        "x ← x − η ∇f(x), step_num번 반복"),
    "descent_meaning": ("(x0, x1) reaches the minimum (0, 0) of function_2",
                        "(x0, x1)이 function_2의 최솟값 (0, 0)에 수렴"),
    "nditer_title": ("Walking a matrix with np.nditer", "np.nditer로 행렬 순회하기"),
    "nditer_meaning": ("numerical_gradient visits the entries of W in this order",
                       "numerical_gradient는 W의 원소를 이 순서로 방문한다"),
    "net_title": ("The gradient of a network's loss: SimpleNet", "신경망에서의 기울기: SimpleNet"),
    "net_formula": ("L(W) = CEE(softmax(x·W), t),  ∂L/∂W has the shape of W, (2, 3)",
                    "L(W) = CEE(softmax(x·W), t),  ∂L/∂W는 W와 같은 모양 (2, 3)"),
    "net_book_w": ("W (the book's printed weights; --seed N draws a random W):",
                   "W (책에 인쇄된 가중치, --seed N이면 무작위 W):"),
    "net_seed_w": ("W (random, seed {seed}):", "W (무작위, 시드 {seed}):"),
    "net_scores": ("x·W = {scores}  → predicted class {label}",
                   "x·W = {scores}  → 예측 클래스 {label}"),
    "net_analytic": ("the analytic x ⊗ (softmax(x·W) − t) differs by {value:.1e} (the δ = 1e-7 "
                     "inside the log)",
                     "해석적 기울기 x ⊗ (softmax(x·W) − t)와의 차이 {value:.1e} (log 안의 "
                     "δ = 1e-7 때문)"),
    "figures": ("Figures saved in {out}/:", "그림을 {out}/에 저장했습니다:"),
    "spiral": ("the spiral (300 points)", "나선 데이터 (300개 점)"),
    "trained": ("{net!r} trained on {what}, {steps} steps of Adam: test accuracy {accuracy:.3f}",
                "{net!r}: {what}, Adam {steps}단계 학습, 시험 정확도 {accuracy:.3f}"),
    "no_mnist": ("MNIST is not on this machine, so these were skipped: {files}. Set "
                 "NNLEARN_DATA_DIR to a folder with the MNIST .gz files, or download them once "
                 "with `nnlearn plot first-layer-weights`.",
                 "MNIST가 없어 건너뛴 그림: {files}. NNLEARN_DATA_DIR 환경 변수를 MNIST .gz "
                 "파일이 있는 폴더로 지정하거나, `nnlearn plot first-layer-weights`로 한 번 "
                 "내려받으세요."),
    "no_figures": ("(no figures saved)", "(그림은 저장하지 않음)"),
}


def _say(lang: str) -> Callable[..., str]:
    return translator(_TEXT, lang)


@dataclass(frozen=True)
class Section:
    """One step of the tour: a heading, the formula on one line, the computed values."""

    title: str
    formula: str
    lines: tuple[str, ...]

    def format(self, number: int) -> str:
        """The section as printed: ``== number. title ==``, the formula, the values indented."""
        body = "\n".join(f"   {line}" for line in (self.formula, *self.lines))
        return f"== {number}. {self.title} ==\n{body}"


def _array_lines(prefix: str, array: np.ndarray) -> tuple[str, ...]:
    """``prefix`` and a multi-line array, each row its own line."""
    rows = np.array2string(np.asarray(array), precision=8).splitlines()
    return (prefix, *(f"  {row}" for row in rows))


def _cross_entropy(text: Callable[..., str]) -> list[Section]:
    y = np.array([0.1, 0.05, 0.6, 0.0, 0.5, 0.0, 0.1, 0.0, 0.0, 0.0])
    t = one_hot(2, 10)
    y_wrong = np.array([0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0])
    one = Section(
        text("cee_title"),
        "E = −Σₖ tₖ log(yₖ + δ),  δ = 1e-7",
        (
            f"y = {y.tolist()}  {text('cee_y')}",
            f"t = {t.astype(int)}  {text('cee_t')}",
            f"cross_entropy_error(y, t) = {cross_entropy_error(y, t)!r}",
            f"−log(0.6 + 1e-7)          = {float(-np.log(0.6 + 1e-7))!r}  {text('cee_log')}",
            text("cee_wrong", value=cross_entropy_error(y_wrong, t)),
        ),
    )
    batch = np.stack([y, y_wrong])
    mini = Section(
        text("batch_title"),
        "E = −(1/N) Σₙ Σₖ tₙₖ log(yₙₖ + δ)",
        (
            text("batch_one", value=cross_entropy_error(y[np.newaxis], t[np.newaxis])),
            text("batch_two", value=cross_entropy_error(batch, np.stack([t, t]))),
            text("batch_labels", value=cross_entropy_error(batch, np.array([2, 2]))),
        ),
    )
    return [one, mini]


def _derivative(text: Callable[..., str]) -> Section:
    lines = []
    for x in (5, 10):
        exact = 0.02 * x + 0.1  # f'(x) of function_1, by hand
        value = numerical_diff(function_1, x)
        lines.append(f"numerical_diff(function_1, {x}) = {value!r}  "
                     f"({text('diff_exact', value=exact)})")
    a = numerical_diff(function_1, 5)
    lines.append(text("diff_tangent", a=a, b=function_1(5) - a * 5))
    return Section(text("diff_title"),
                   "f(x) = 0.01x² + 0.1x,  f′(x) ≈ (f(x+h) − f(x−h)) / 2h,  h = 1e-4", tuple(lines))


def _gradient(text: Callable[..., str]) -> Section:
    partials = (
        text("grad_partial", i=0, j=1, held=4.0,
             value=numerical_diff(lambda x0: x0**2 + 4.0**2, 3.0)),
        text("grad_partial", i=1, j=0, held=3.0,
             value=numerical_diff(lambda x1: 3.0**2 + x1**2, 4.0)),
    )
    gradients = tuple(
        f"numerical_gradient(function_2, {point}) = {numerical_gradient(function_2, point)}"
        for point in ([3.0, 4.0], [0.0, 2.0], [3.0, 0.0])
    )
    return Section(text("grad_title"), "f(x0, x1) = x0² + x1²,  ∇f = (∂f/∂x0, ∂f/∂x1)",
                   (*partials, *gradients, text("grad_meaning")))


def _descent(text: Callable[..., str]) -> Section:
    x = gradient_descent(function_2, np.array([3.0, 4.0]), lr=0.1, step_num=100)
    return Section(text("descent_title"), text("descent_formula"), (
        "gradient_descent(function_2, init_x=[3.0, 4.0], lr=0.1, step_num=100)",
        f"  = {x}",
        text("descent_meaning"),
    ))


def _nditer(text: Callable[..., str]) -> Section:
    x = np.array([[1, 2, 3], [4, 5, 6]])
    walk = []
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        walk.append(f"{it.multi_index} {x[it.multi_index]}")
        it.iternext()
    return Section(text("nditer_title"),
                   "it = np.nditer(x, flags=['multi_index']):  it.multi_index → x[it.multi_index]",
                   (*_array_lines("x =", x), *walk, text("nditer_meaning")))


def _simple_net(text: Callable[..., str], seed: int | None) -> Section:
    net = SimpleNet(W=BOOK_W) if seed is None else SimpleNet(rng=seed)
    x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
    scores = net.predict(x)
    w_heading = text("net_book_w") if seed is None else text("net_seed_w", seed=seed)
    w_lines = _array_lines(w_heading, net.W)
    dW = numerical_gradient(lambda W: net.loss(x, t), net.W)
    analytic = net.gradient(x, t)
    with np.printoptions(precision=8):
        lines = (
            *w_lines,
            f"x = {x},  t = {t}",
            text("net_scores", scores=scores, label=int(np.argmax(scores))),
            f"net.loss(x, t) = {net.loss(x, t)!r}",
            *_array_lines("dW = numerical_gradient(lambda W: net.loss(x, t), net.W) =", dW),
            text("net_analytic", value=float(np.max(np.abs(dW - analytic)))),
        )
    return Section(text("net_title"), text("net_formula"), lines)


def sections(lang: str | None = "en", seed: int | None = None) -> list[Section]:
    """The tour's sections in the seed's order, every value computed now.

    Parameters
    ----------
    lang : {"en", "ko"} or None
        Language of the headings and remarks (None: from the locale).
    seed : int, optional
        Seed for SimpleNet's random ``W``; by default the book's printed ``W``.

    Examples
    --------
    >>> first = sections("en")[0]
    >>> first.title
    'Cross-entropy error: one sample'
    >>> first.lines[2]
    'cross_entropy_error(y, t) = 0.510825457099338'
    """
    text = _say(check_lang(lang))
    return [*_cross_entropy(text), _derivative(text), _gradient(text), _descent(text),
            _nditer(text), _simple_net(text, seed)]


def _plots() -> Any:
    from nnlearn import plots  # matplotlib is imported only when a figure is drawn

    return plots


@dataclass(frozen=True)
class _Trained:
    """A network trained for the figures, with its data and its predictions on the test set."""

    net: Any
    history: Any
    x_test: np.ndarray
    t_test: np.ndarray
    y_test: np.ndarray
    summary: str


class _Chapter:
    """What the figures are drawn from; each network is trained once, when first needed.

    The spiral network always trains (offline, a fraction of a second). The
    MNIST network needs the MNIST files at hand (``data_dir``,
    ``NNLEARN_DATA_DIR`` or the cache), or ``download=True``.
    """

    def __init__(self, lang: str, seed: int | None, data_dir: str | Path | None = None,
                 download: bool = False):
        self.lang, self.data_dir, self.download = lang, data_dir, download
        self.seed = TRAINING_SEED if seed is None else seed
        self.trained: list[_Trained] = []

    def _train(self, net: Any, lr: float, data: tuple, iters: int, batch_size: int,
               eval_every: int, what: str) -> _Trained:
        from nnlearn.optimizers import Adam
        from nnlearn.training import Trainer, predict_labels

        (x_train, t_train), (x_test, t_test) = data
        history = Trainer(net, Adam(lr), x_train, t_train, x_test, t_test, iters=iters,
                          batch_size=batch_size, eval_every=eval_every, seed=self.seed,
                          quiet=True).run()
        summary = _say(self.lang)("trained", net=net, what=what, steps=iters,
                                  accuracy=history.test_acc[-1])
        trained = _Trained(net, history, x_test, t_test, predict_labels(net, x_test), summary)
        self.trained.append(trained)
        return trained

    @functools.cached_property
    def spiral(self) -> _Trained:
        from nnlearn.datasets import make_spiral

        data = (make_spiral(100, 3, 0.2, rng=self.seed),
                make_spiral(100, 3, 0.2, rng=self.seed + 1))
        net = TwoLayerNet(2, 30, 3, weight_init_std=1.0, activation="relu", rng=self.seed)
        what = _say(self.lang)("spiral")
        return self._train(net, 0.03, data, iters=1000, batch_size=30, eval_every=100, what=what)

    @functools.cached_property
    def mnist(self) -> _Trained:
        from nnlearn.datasets import load_mnist

        data = load_mnist(data_dir=self.data_dir, download=self.download)
        net = TwoLayerNet(784, 50, 10, dtype=np.float32, rng=self.seed)
        return self._train(net, 0.001, data, iters=600, batch_size=100, eval_every=600,
                           what="MNIST")


def _tangent(chapter: _Chapter) -> Figure:
    return _plots().plot_function_and_tangent(function_1, (5.0, 10.0), lang=chapter.lang)


def _surface(chapter: _Chapter) -> Figure:
    return _plots().plot_surface(function_2, lang=chapter.lang)


def _gradient_field(chapter: _Chapter) -> Figure:
    return _plots().plot_gradient_field(function_2, lang=chapter.lang)


def _descent_paths(chapter: _Chapter) -> Figure:
    return _plots().plot_descent_paths(function_2, (-3.0, 4.0), lang=chapter.lang)


def _learning_curves(chapter: _Chapter) -> Figure:
    return _plots().plot_learning_curves(chapter.spiral.history, lang=chapter.lang)


def _decision_boundary(chapter: _Chapter) -> Figure:
    run = chapter.spiral
    return _plots().plot_decision_boundary(run.net, run.x_test, run.t_test, lang=chapter.lang)


def _confusion(run: _Trained, lang: str) -> Figure:
    return _plots().plot_confusion_matrix(run.t_test, run.y_test, lang=lang)


def _first_layer_weights(chapter: _Chapter) -> Figure:
    return _plots().plot_first_layer_weights(chapter.mnist.net, lang=chapter.lang)


def _misclassified(chapter: _Chapter) -> Figure:
    run = chapter.mnist
    return _plots().plot_misclassified(run.x_test, run.t_test, run.y_test, lang=chapter.lang)


#: The chapter's figures in the tour's order: name for ``nnlearn plot`` -> (file, builder).
#: The last three need MNIST.
FIGURES: dict[str, tuple[str, Callable[[_Chapter], Figure]]] = {
    "tangent": ("function_1_tangent.png", _tangent),
    "surface": ("function_2_surface.png", _surface),
    "gradient-field": ("function_2_gradient_field.png", _gradient_field),
    "descent": ("gradient_descent_paths.png", _descent_paths),
    "learning-curves": ("spiral_learning_curves.png", _learning_curves),
    "decision-boundary": ("spiral_decision_boundary.png", _decision_boundary),
    "confusion-matrix": ("spiral_confusion_matrix.png",
                         lambda chapter: _confusion(chapter.spiral, chapter.lang)),
    "first-layer-weights": ("mnist_first_layer_weights.png", _first_layer_weights),
    "misclassified": ("mnist_misclassified.png", _misclassified),
    "mnist-confusion-matrix": ("mnist_confusion_matrix.png",
                               lambda chapter: _confusion(chapter.mnist, chapter.lang)),
}


def make_figure(
    name: str,
    *,
    lang: str | None = "en",
    seed: int | None = None,
    data_dir: str | Path | None = None,
    download: bool = True,
) -> Figure:
    """Draw the chapter figure called ``name`` (a key of :data:`FIGURES`).

    The network figures train their network first: on the spiral data
    (offline, under a second) or on MNIST (found in ``data_dir``,
    ``NNLEARN_DATA_DIR`` or the cache, else downloaded if ``download``).

    Examples
    --------
    >>> make_figure("tangent").axes[0].get_title()
    'A function and its tangents'
    """
    if name not in FIGURES:
        raise ValueError(f"name must be one of {', '.join(FIGURES)}, got {name!r}")
    return FIGURES[name][1](_Chapter(check_lang(lang), seed, data_dir, download))


def run(
    out: str | Path | None = "nnlearn-tour",
    lang: str | None = None,
    seed: int | None = None,
    *,
    file: TextIO | None = None,
) -> list[Path]:
    """Print the tour's sections and save the chapter's figures as PNG in ``out``.

    Parameters
    ----------
    out : str or Path or None
        Folder for the figures (created if needed); None saves none.
    lang : {"en", "ko"} or None
        Language of the text and the figure labels (None: from the locale).
    seed : int, optional
        Seed for SimpleNet's random ``W``; by default the book's printed ``W``.
    file : text stream, optional
        Where to print (standard output by default).

    Returns
    -------
    list of Path
        The figures written. Without MNIST at hand, its figures are skipped
        and the tour says how to get them.
    """
    lang = check_lang(lang)
    file = sys.stdout if file is None else file
    text = _say(lang)
    for number, section in enumerate(sections(lang, seed), start=1):
        print(section.format(number), end="\n\n", file=file)
    if out is None:
        print(text("no_figures"), file=file)
        return []
    out = Path(out)
    print(text("figures", out=out), file=file)
    chapter = _Chapter(lang, seed)
    written, missing = [], []
    for filename, build in FIGURES.values():
        try:
            figure = build(chapter)
        except FileNotFoundError:  # only the MNIST figures read files
            missing.append(filename)
            continue
        written.append(_plots().save(figure, out / filename))
        print(f"   {written[-1]}", file=file)
    for trained in chapter.trained:
        print(f"   {trained.summary}", file=file)
    if missing:
        print(text("no_mnist", files=", ".join(missing)), file=file)
    return written
