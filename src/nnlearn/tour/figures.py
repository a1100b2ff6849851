"""The chapter's figures: what each is drawn from, and :func:`make_figure`.

The figures go beyond the seed to the end of the chapter: a two-layer network
trained on the spiral data (always, offline, in a fraction of a second) and
one trained on MNIST for a few hundred steps, when the MNIST files are at
hand (``NNLEARN_DATA_DIR`` or the cache; the tour never downloads). Their
data and initial weights are seeded by ``seed``, else :data:`TRAINING_SEED`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nnlearn._shared.i18n import check_lang
from nnlearn.functions import function_1, function_2
from nnlearn.nn.graph import apple_graph, apple_orange_graph
from nnlearn.nn.two_layer_net import TwoLayerNet
from nnlearn.tour.text import say

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Seed of the data and of the networks trained for the figures when the tour has no ``seed``.
TRAINING_SEED = 0


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
                 download: bool = False, checkpoint: str | Path | None = None):
        self.lang, self.data_dir, self.download = lang, data_dir, download
        self.checkpoint = checkpoint
        self.seed = TRAINING_SEED if seed is None else seed
        self.trained: list[_Trained] = []
        self.initial_filters: np.ndarray | None = None

    def _train(self, net: Any, lr: float, data: tuple, iters: int, batch_size: int,
               eval_every: int, what: str) -> _Trained:
        from nnlearn.nn.optimizers import Adam
        from nnlearn.training import Trainer
        from nnlearn.training.evaluation import predict_labels

        (x_train, t_train), (x_test, t_test) = data
        history = Trainer(net, Adam(lr), x_train, t_train, x_test, t_test, iters=iters,
                          batch_size=batch_size, eval_every=eval_every, seed=self.seed,
                          quiet=True).run()
        summary = say(self.lang)("trained", net=net, what=what, steps=iters,
                                  accuracy=history.test_acc[-1])
        trained = _Trained(net, history, x_test, t_test, predict_labels(net, x_test), summary)
        self.trained.append(trained)
        return trained

    @functools.cached_property
    def spiral(self) -> _Trained:
        from nnlearn.data.datasets import make_spiral

        data = (make_spiral(100, 3, 0.2, rng=self.seed),
                make_spiral(100, 3, 0.2, rng=self.seed + 1))
        net = TwoLayerNet(2, 30, 3, weight_init_std=1.0, activation="relu", rng=self.seed)
        what = say(self.lang)("spiral")
        return self._train(net, 0.03, data, iters=1000, batch_size=30, eval_every=100, what=what)

    @functools.cached_property
    def mnist(self) -> _Trained:
        from nnlearn.data.datasets import load_mnist

        if self.checkpoint is not None:
            return self._restored()
        data = load_mnist(data_dir=self.data_dir, download=self.download)
        net = TwoLayerNet(784, 50, 10, dtype=np.float32, rng=self.seed)
        return self._train(net, 0.001, data, iters=600, batch_size=100, eval_every=600,
                           what="MNIST")


    @functools.cached_property
    def convnet(self) -> _Trained:
        """The chapter-7 SimpleConvNet after 300 steps on MNIST; its first filters kept too.

        It trains on the first 10,000 training images and is tested on the
        first 2,000 test images, so that the evaluations stay short.
        """
        from nnlearn.data.datasets import load_mnist
        from nnlearn.nn.simple_conv_net import SimpleConvNet

        (x, t), (x_test, t_test) = load_mnist(data_dir=self.data_dir, download=self.download)
        data = (x[:10000], t[:10000]), (x_test[:2000], t_test[:2000])
        net = SimpleConvNet(dtype=np.float32, rng=self.seed)
        self.initial_filters = net.params["W1"].copy()
        return self._train(net, 0.003, data, iters=300, batch_size=100, eval_every=300,
                           what="MNIST (10,000 images)")

    def _restored(self) -> _Trained:
        """The network of a checkpoint of ``nnlearn train``, with its test set's predictions."""
        from nnlearn.data.datasets import load_dataset
        from nnlearn.training.evaluation import predict_labels
        from nnlearn.training.runs import restore_network

        net, run = restore_network(self.checkpoint)
        _, (x_test, t_test) = load_dataset(run.dataset, data_dir=self.data_dir,
                                           dtype=np.dtype(run.dtype), seed=run.schedule.seed)
        return _Trained(net, None, x_test, t_test, predict_labels(net, x_test),
                        f"{net!r} from {self.checkpoint}")


#: The figures that draw the MNIST network, which ``checkpoint=`` can give instead.
CHECKPOINT_FIGURES = ("first-layer-weights", "misclassified", "mnist-confusion-matrix")


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


def _graph(build: Callable[[], Any]) -> Callable[[_Chapter], Figure]:
    return lambda chapter: _plots().plot_graph(build(), lang=chapter.lang)


def _conv_filters(chapter: _Chapter) -> Figure:
    net = chapter.convnet.net
    return _plots().plot_conv_filters(chapter.initial_filters, net, lang=chapter.lang)


def _feature_maps(chapter: _Chapter) -> Figure:
    run = chapter.convnet
    return _plots().plot_feature_maps(run.net, run.x_test[0], lang=chapter.lang)


#: The figures of every chapter: chapter -> {name for ``nnlearn plot``: (file, builder)}.
#: Chapter 5's computational graphs need nothing; chapter 7's train a SimpleConvNet on MNIST.
CHAPTER_FIGURES: dict[int, dict[str, tuple[str, Callable[[_Chapter], Figure]]]] = {
    4: FIGURES,
    5: {
        "graph": ("graph_apple.png", _graph(apple_graph)),
        "graph-apple-orange": ("graph_apple_orange.png", _graph(apple_orange_graph)),
    },
    7: {
        "conv-filters": ("convnet_filters.png", _conv_filters),
        "feature-maps": ("convnet_feature_maps.png", _feature_maps),
    },
}

#: Every figure ``nnlearn plot`` draws, by name.
ALL_FIGURES = {name: figure for figures in CHAPTER_FIGURES.values()
               for name, figure in figures.items()}


def make_figure(
    name: str,
    *,
    lang: str | None = "en",
    seed: int | None = None,
    data_dir: str | Path | None = None,
    download: bool = True,
    checkpoint: str | Path | None = None,
) -> Figure:
    """Draw the figure called ``name`` (a key of :data:`ALL_FIGURES`).

    The network figures train their network first: on the spiral data
    (offline, under a second) or on MNIST (found in ``data_dir``,
    ``NNLEARN_DATA_DIR`` or the cache, else downloaded if ``download``);
    the convolutional network's for 300 steps, a few seconds. The figures of
    :data:`CHECKPOINT_FIGURES` draw the network of ``checkpoint`` (a checkpoint
    of ``nnlearn train``) instead of training one.

    Examples
    --------
    >>> make_figure("tangent").axes[0].get_title()
    'A function and its tangents'
    """
    if name not in ALL_FIGURES:
        raise ValueError(f"name must be one of {', '.join(ALL_FIGURES)}, got {name!r}")
    if checkpoint is not None and name not in CHECKPOINT_FIGURES:
        raise ValueError(f"a checkpoint draws only {', '.join(CHECKPOINT_FIGURES)}, not {name}")
    return ALL_FIGURES[name][1](_Chapter(check_lang(lang), seed, data_dir, download, checkpoint))
