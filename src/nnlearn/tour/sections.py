"""The tour's printed sections: the seed's steps with the values the library computes.

SimpleNet's weights are the book's printed ``W`` by default, so the tour is
reproducible and shows the book's loss 0.9280682857864075; ``seed=N`` draws
a random ``W`` from ``numpy.random.default_rng(N)`` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnlearn._shared.i18n import check_lang
from nnlearn.calculus.descent import gradient_descent
from nnlearn.calculus.differentiate import numerical_diff, numerical_gradient
from nnlearn.functions import cross_entropy_error, function_1, function_2, one_hot
from nnlearn.nn.simple_net import SimpleNet
from nnlearn.tour.text import say

#: The weights printed in the book for its SimpleNet example (the tour's default W).
BOOK_W = np.array([[0.47355232, 0.9977393, 0.84668094],
                   [0.85557411, 0.03563661, 0.69422093]])


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
    text = say(check_lang(lang))
    return [*_cross_entropy(text), _derivative(text), _gradient(text), _descent(text),
            _nditer(text), _simple_net(text, seed)]
