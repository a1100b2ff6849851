"""``nnlearn tour --chapter 5``: backpropagation, from the apple graph to a gradient check.

The sections follow the chapter: the shopping examples on a computational
graph (multiplication and addition nodes), the ``Affine`` and
``SoftmaxWithLoss`` layers on small examples, and the gradient check of
``TwoLayerNet``: backpropagation against central differences, the
differences printed as the chapter prints them (``key:diff``, the mean
absolute difference).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from nnlearn._shared.i18n import check_lang, translator
from nnlearn.nn.graph import apple_graph, apple_orange_graph
from nnlearn.nn.layers import Affine, SoftmaxWithLoss
from nnlearn.nn.two_layer_net import TwoLayerNet
from nnlearn.tour.sections import Section, _array_lines

# Every sentence of chapter 5's tour in both languages: key -> (English, Korean).
TEXT = {
    "apple_title": ("A computational graph: buying apples", "계산 그래프: 사과 쇼핑"),
    "apple_formula": ("price = apple × apple_num × tax;  a × node sends back dout × (the other "
                      "input)",
                      "지불 금액 = 사과 × 사과 개수 × 소비세;  × 노드는 dout × (다른 입력)을 "
                      "돌려보낸다"),
    "forward": ("forward:  price = {value!r}  (the book prints int(price) = {rounded})",
                "순전파:  price = {value!r}  (책의 출력: int(price) = {rounded})"),
    "backward": ("backward from dprice = 1:", "dprice = 1에서 역전파:"),
    "apple_meaning": ("one more yen per apple costs 2.2 yen more; one more apple, 110 yen",
                      "사과 값이 1원 오르면 지불 금액은 2.2원, 사과가 하나 늘면 110원 늘어난다"),
    "orange_title": ("Apples and oranges: an addition node", "사과와 귤: 덧셈 노드"),
    "orange_formula": ("price = (apple × apple_num + orange × orange_num) × tax;  a + node "
                       "passes dout on unchanged",
                       "지불 금액 = (사과 × 사과 개수 + 귤 × 귤 개수) × 소비세;  + 노드는 "
                       "dout을 그대로 흘려보낸다"),
    "affine_title": ("The Affine layer on a batch", "배치용 Affine 계층"),
    "affine_formula": ("Y = X·W + B;  dX = dY·Wᵀ,  dW = Xᵀ·dY,  dB = Σₙ dY",
                       "Y = X·W + B;  dX = dY·Wᵀ,  dW = Xᵀ·dY,  dB = Σₙ dY"),
    "affine_y": ("X·W + B with W all ones and B = [1, 2, 3] =",
                 "W가 모두 1이고 B = [1, 2, 3]일 때 X·W + B ="),
    "affine_bias": ("the bias is added to every row, so its gradient sums dY over the batch",
                    "편향은 모든 행에 더해지므로, 그 기울기는 배치 방향으로 dY를 더한 것"),
    "softmax_title": ("The Softmax-with-Loss layer", "Softmax-with-Loss 계층"),
    "softmax_formula": ("L = −log softmax(a)ₜ;  ∂L/∂a = y − t", "L = −log softmax(a)ₜ;  "
                        "∂L/∂a = y − t"),
    "softmax_meaning": ("the gradient is the error of the prediction: y − t",
                        "기울기는 예측의 오차 y − t 그대로"),
    "check_title": ("Gradient check: backpropagation against numerical gradients",
                    "기울기 확인: 오차역전파법과 수치 미분 비교"),
    "check_formula": ("mean |backprop − numerical| per parameter, TwoLayerNet(784, 50, 10), "
                      "ReLU, {n} samples",
                      "매개변수마다 평균 |역전파 − 수치 미분|, TwoLayerNet(784, 50, 10), ReLU, "
                      "샘플 {n}개"),
    "check_mnist": ("on the first 3 MNIST training images, as the book",
                    "책처럼 MNIST 훈련 이미지 처음 3개로"),
    "check_random": ("on 3 random images (MNIST is not on this machine: set NNLEARN_DATA_DIR)",
                     "무작위 이미지 3개로 (MNIST가 없음: NNLEARN_DATA_DIR 지정)"),
    "check_how": ("numerical: the central difference with h = 1e-4 of every weight, the "
                  "book's loop (computed column by column, same values)",
                  "수치 미분: 모든 가중치에 대해 h = 1e-4 중심 차분, 책의 반복문과 같은 값 "
                  "(열 단위로 계산)"),
    "check_meaning": ("differences of 1e-10 and smaller: backpropagation is right",
                      "차이가 1e-10 이하: 오차역전파법 구현이 맞다"),
}


def _graph_lines(graph: object, names: tuple[str, ...], text: Callable[..., str]) -> tuple:
    price = graph["price"].value
    grads = [f"d{name} = {graph[name].grad!r}" for name in names]
    return (text("forward", value=price, rounded=int(price)), text("backward"),
            "  " + ",  ".join(grads))


def _apple(text: Callable[..., str]) -> Section:
    lines = _graph_lines(apple_graph(), ("apple", "apple_num", "tax"), text)
    return Section(text("apple_title"), text("apple_formula"), (*lines, text("apple_meaning")))


def _apple_orange(text: Callable[..., str]) -> Section:
    lines = _graph_lines(apple_orange_graph(),
                         ("apple", "apple_num", "orange", "orange_num", "tax"), text)
    return Section(text("orange_title"), text("orange_formula"), lines)


def _affine(text: Callable[..., str]) -> Section:
    x = np.array([[0.0, 0.0], [5.0, 5.0]])
    layer = Affine(np.ones((2, 3)), np.array([1.0, 2.0, 3.0]))
    y = layer.forward(x)
    dy = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    dx = layer.backward(dy)
    return Section(text("affine_title"), text("affine_formula"), (
        *_array_lines(text("affine_y"), y),
        *_array_lines("dY =", dy),
        f"dB = {layer.db}  ({text('affine_bias')})",
        *_array_lines("dW =", layer.dW),
        *_array_lines("dX =", dx),
    ))


def _softmax(text: Callable[..., str]) -> Section:
    a, t = np.array([[0.3, 2.9, 4.0]]), np.array([2])
    layer = SoftmaxWithLoss()
    loss = layer.forward(a, t)
    with np.printoptions(precision=8):
        return Section(text("softmax_title"), text("softmax_formula"), (
            f"a = {a[0]},  t = {t[0]}",
            f"y = softmax(a) = {layer.y[0]},  L = {loss!r}",
            f"∂L/∂a = {layer.backward()[0]}  ({text('softmax_meaning')})",
        ))


def _gradient_check(text: Callable[..., str], data_dir: str | Path | None) -> Section:
    from nnlearn.data.datasets import load_mnist

    try:
        (x, t), _ = load_mnist(data_dir=data_dir, download=False, dtype=np.float64)
        x, t, source = x[:3], t[:3], text("check_mnist")
    except FileNotFoundError:
        rng = np.random.default_rng(0)
        x, t, source = rng.random((3, 784)), rng.integers(0, 10, 3), text("check_random")
    net = TwoLayerNet(784, 50, 10, activation="relu", rng=0)
    numerical = net.numerical_gradient(x, t)
    backprop = net.gradient(x, t)
    diffs = [f"{key}:{np.average(np.abs(backprop[key] - numerical[key]))}" for key in numerical]
    return Section(text("check_title"), text("check_formula", n=len(t)),
                   (source, text("check_how"), *diffs, text("check_meaning")))


def sections(lang: str | None = "en", data_dir: str | Path | None = None) -> list[Section]:
    """Chapter 5's sections, every value computed now.

    The gradient check uses the first three MNIST training images when the
    files are at hand (``data_dir``, ``NNLEARN_DATA_DIR`` or the cache; never
    downloaded), three random images otherwise.

    Examples
    --------
    >>> first = sections("en")[0]
    >>> first.title
    'A computational graph: buying apples'
    >>> first.lines[0]
    'forward:  price = 220.00000000000003  (the book prints int(price) = 220)'
    >>> first.lines[2]
    '  dapple = 2.2,  dapple_num = 110.00000000000001,  dtax = 200'
    """
    text = translator(TEXT, check_lang(lang))
    return [_apple(text), _apple_orange(text), _affine(text), _softmax(text),
            _gradient_check(text, data_dir)]
