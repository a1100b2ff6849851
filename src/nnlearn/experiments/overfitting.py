"""``overfitting``: 300 training images, no regularisation, weight decay and dropout.

The book's ``overfit_weight_decay.py`` (λ = 0.1, 201 epochs) and
``overfit_dropout.py`` (dropout 0.2, 301 epochs): the first 300 training
images, 784-100-100-100-100-100-100-10 with ReLU, SGD at 0.01, batches of 100
drawn with replacement. Here every setting runs 301 epochs (the curves pass
through epoch 201, where the weight-decay script stops), and the gap between
training and test accuracy is printed. The book ships its weight-decay script
with λ = 0.1, so its run without regularisation needs a hand edit; here it is
one of the settings. Sweeps of λ and of the dropout ratio are one setting
away (``--set weight_decay_sweep=[0.01,0.03,0.3] --set
dropout_sweep=[0.1,0.3,0.5]``).

The accuracies are measured every epoch, as in the book, on all 300 training
images and on 1000 test images evenly spaced through the test set (the book:
all 10,000, ten times the cost of the epoch's training); the last test
accuracy is on all 10,000 (``eval_samples=null``: every epoch on all of them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nnlearn.experiments._training import check_mnist, mlp_cell
from nnlearn.experiments.base import Cell, Experiment, check_number, check_sweep
from nnlearn.experiments.optimizers import TRAINING_METRICS, final_mean
from nnlearn.experiments.table import Table

NONE = "none"


def label(kind: str, value: float) -> str:
    """``"weight_decay=0.1"``, ``"dropout=0.2"``.

    >>> label("dropout", 0.2)
    'dropout=0.2'
    """
    return f"{kind}={value:g}"


def regularised(settings: Mapping[str, Any]) -> list[tuple[str, float]]:
    """(kind, value) of every regularised setting: the sweeps, with the book's values in them."""
    decays = sorted({*settings["weight_decay_sweep"], settings["weight_decay"]})
    ratios = sorted({*settings["dropout_sweep"], settings["dropout"]})
    return [("weight_decay", v) for v in decays] + [("dropout", v) for v in ratios]


def gap(table: Table, setting: str) -> float:
    """Final training accuracy minus final test accuracy, averaged over seeds."""
    return final_mean(table, setting, "train_acc") - final_mean(table, setting, "test_acc")


class Overfitting(Experiment):
    name = "overfitting"
    title = "Overfitting 300 MNIST images: none, weight decay, dropout"
    metrics = TRAINING_METRICS
    defaults = {
        "hidden": [100] * 6,
        "optimizer": "sgd",
        "lr": 0.01,
        "batch_size": 100,
        "epochs": 301,
        "eval_every": None,  # every epoch, as the book ...
        "eval_samples": 1000,  # ... on 1000 test images (the last time on all 10,000)
        "n_train": 300,
        "n_test": None,
        "weight_decay": 0.1,  # the book's λ
        "weight_decay_sweep": [],  # none: the book's λ alone (e.g. [0.01, 0.03, 0.3])
        "dropout": 0.2,  # the book's ratio
        "dropout_sweep": [],  # none: the book's ratio alone (e.g. [0.1, 0.3, 0.5])
        "dtype": "float32",
        "data_dir": None,
    }
    quick = {"hidden": [100] * 3, "epochs": 60, "n_test": 1000, "eval_samples": 300}

    def check(self, settings: dict[str, Any]) -> None:
        check_mnist(settings)
        check_number(settings, "lr")
        check_number(settings, "weight_decay")
        check_number(settings, "dropout")
        if settings["dropout"] >= 1:
            raise ValueError(f"setting dropout must be < 1, got {settings['dropout']!r}")
        for key in ("weight_decay_sweep", "dropout_sweep"):
            if settings[key] != []:  # a sweep may be left out: [] (the book's value stays)
                check_sweep(settings, key, below_one=key == "dropout_sweep")

    def cells(self, settings: Mapping[str, Any], seeds: Sequence[int], stage: int,
              done: Table) -> list[Cell]:
        shared = {key: value for key, value in settings.items()
                  if key not in ("weight_decay", "dropout", "weight_decay_sweep",
                                 "dropout_sweep")}
        base = {**shared, "activation": "relu", "weight_init": "he", "sampling": "replacement"}
        cells = [Cell(NONE, seed, base) for seed in seeds]
        for kind, value in regularised(settings):
            cells += [Cell(label(kind, value), seed, {**base, kind: value}) for seed in seeds]
        return cells

    run_cell = staticmethod(mlp_cell)

    def summary(self, table: Table, settings: Mapping[str, Any]) -> list[str]:
        lines = [f"{'setting':<20} {'train':>7} {'test':>7} {'gap':>7}"]
        for name in table.settings():
            lines.append(f"{name:<20} {final_mean(table, name, 'train_acc'):>7.4f} "
                         f"{final_mean(table, name, 'test_acc'):>7.4f} {gap(table, name):>7.4f}")
        book = [label("weight_decay", settings["weight_decay"]),
                label("dropout", settings["dropout"])]
        gaps = ", ".join(f"{name} {gap(table, name):.3f}" for name in book)
        verdict = ("narrower" if all(gap(table, name) < gap(table, NONE) for name in book)
                   else "not narrower everywhere")
        lines.append(f"gap without regularisation {gap(table, NONE):.3f}; with {gaps}: "
                     f"{verdict}")
        return lines if np.isfinite(gap(table, NONE)) else lines[:-1]
