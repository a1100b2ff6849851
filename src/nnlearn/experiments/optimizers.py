"""``optimizers``: SGD, Momentum, AdaGrad, Adam (RMSprop, Nesterov on request) on one MNIST MLP.

The book's ``optimizer_compare_mnist.py``: 784-100-100-100-100-10 with ReLU
and He initialisation, batches of 128 drawn with replacement, 2000 steps, each
optimizer at the book's default rate. The book plots the smoothed training
loss; here the accuracies are measured too, every 1000 steps, on 2000
training and 2000 test images evenly spaced through the sets, and at the end
on all 10,000 test images, over seeds. All optimizers of one seed start from
the same weights and see the same batches, as in the book's loop.
RMSprop and Nesterov, which the book's run leaves out, are one setting away:
``--set optimizers=sgd,momentum,adagrad,adam,rmsprop,nesterov`` (names take
the rates of :data:`RATES`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nnlearn.experiments._training import DATA_DIR_SETTING, check_mnist, mlp_cell
from nnlearn.experiments.base import Cell, Experiment, check_rates
from nnlearn.experiments.table import Table
from nnlearn.nn.optimizers import OPTIMIZERS

#: Columns of the training experiments: the loss of every step, accuracies at evaluations
#: with the numbers of images they were measured on, 1 on the step where the loss overflowed.
TRAINING_METRICS = ("loss", "train_acc", "test_acc", "train_n", "test_n", "diverged")

#: Training settings every MNIST curve experiment shares (the book's optimizer comparison).
CURVE_DEFAULTS: dict[str, Any] = {
    "hidden": [100, 100, 100, 100],
    "batch_size": 128,
    "iters": 2000,
    "eval_every": 1000,  # accuracies every 1000 steps (the book: none) ...
    "eval_samples": 2000,  # ... on 2000 training and test images; the last on all test images
    "n_train": None,  # all 60,000
    "n_test": None,  # all 10,000
    "dtype": "float32",  # the book computes in float64
    DATA_DIR_SETTING: None,
}

#: Each optimizer's rate when the optimizers are named without one: the book's defaults
#: (RMSprop and Nesterov, not in the book's run, at the book's classes' 0.01).
RATES = {"sgd": 0.01, "momentum": 0.01, "adagrad": 0.01, "adam": 0.001, "rmsprop": 0.01,
         "nesterov": 0.01}

#: The quick version: a smaller data set and 100 steps.
CURVE_QUICK: dict[str, Any] = {"iters": 100, "eval_every": 100, "n_train": 2000, "n_test": 500}


def final_mean(table: Table, setting: str, metric: str) -> float:
    """The mean over seeds of the last value of ``metric`` (NaN if never measured)."""
    finals = table.final(setting, metric)
    return float(np.mean(finals)) if finals.size and not np.isnan(finals).all() else np.nan


def last_loss(table: Table, setting: str, window: int = 100) -> float:
    """The training loss averaged over the last ``window`` steps and over seeds."""
    _, values = table.curve(setting, "loss")
    return float(np.nanmean(values[:, -window:]))


def spread(values: np.ndarray, digits: int = 4) -> str:
    """``mean`` for one seed, ``mean (min–max)`` for several."""
    values = values[~np.isnan(values)]
    if values.size == 0:
        return "—"
    text = f"{values.mean():.{digits}f}"
    return text if values.size == 1 else f"{text} ({values.min():.{digits}f}–" \
                                         f"{values.max():.{digits}f})"


class Optimizers(Experiment):
    name = "optimizers"
    title = "Optimizers training 784-100-100-100-100-10 (ReLU, He) on MNIST"
    metrics = TRAINING_METRICS
    defaults = {
        **CURVE_DEFAULTS,
        # the book's run: its four optimizers at its default rates
        "optimizers": {name: RATES[name] for name in ("sgd", "momentum", "adagrad", "adam")},
    }
    quick = CURVE_QUICK

    def check(self, settings: dict[str, Any]) -> None:
        check_mnist(settings)
        check_rates(settings, "optimizers", list(OPTIMIZERS), RATES)

    def cells(self, settings: Mapping[str, Any], seeds: Sequence[int], stage: int,
              done: Table) -> list[Cell]:
        shared = {key: value for key, value in settings.items() if key != "optimizers"}
        return [Cell(name, seed, {**shared, "optimizer": name, "lr": lr, "activation": "relu",
                                  "weight_init": "he"})
                for name, lr in settings["optimizers"].items() for seed in seeds]

    run_cell = staticmethod(mlp_cell)

    def summary(self, table: Table, settings: Mapping[str, Any]) -> list[str]:
        lines = [f"{'optimizer':<10} {'lr':>6}  {'loss (last 100 steps)':>21}  test accuracy"]
        for name in table.settings():
            lines.append(f"{name:<10} {settings['optimizers'][name]:>6g}  "
                         f"{last_loss(table, name):>21.4f}  "
                         f"{spread(table.final(name, 'test_acc'))}")
        return lines
