"""``hparams``: random search of the learning rate and weight decay on a validation split.

The book's ``hyperparameter_optimization.py``: the first 500 training images,
shuffled, 100 of them held out for validation and 400 trained on;
784-100-100-100-100-100-100-10 with ReLU and He initialisation, SGD, batches
of 100, 50 epochs; 100 trials of lr = 10^U(−6, −2) and weight decay
λ = 10^U(−8, −4). Then what the book advises and leaves to the reader: a
second stage drawn from the range of the best trials, and the best setting of
both stages trained once more and evaluated once on the test set. The two
stages share the book's budget of 100 trials: 80 random ones, then 20 in the
narrowed ranges (``--set trials=100 --set second_trials=50`` for more).

The accuracies of each epoch are measured on all 100 validation images, as in
the book, and on 100 of the 400 training images, evenly spaced (the book: all
400, a third of the cost of the epoch's training); ``train_n`` and ``val_n``
say how many (``eval_samples=null``: all of them).

The draws and the validation split come from ``search_seed``; each trial runs
with every seed, and trials are ranked by their validation accuracy averaged
over seeds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nnlearn.experiments._training import check_mnist, mlp_rows, mnist
from nnlearn.experiments.base import Cell, Experiment, check_int
from nnlearn.experiments.optimizers import final_mean, spread
from nnlearn.experiments.table import Table

BEST = "best"


def split(params: Mapping[str, Any]) -> tuple[tuple, tuple]:
    """The training and validation sets: the first ``n_train + n_validation`` images, shuffled
    by ``search_seed``, the first ``n_validation`` of them held out."""
    (x, t), _ = mnist(params)
    n_val, n = params["n_validation"], params["n_train"] + params["n_validation"]
    order = np.random.default_rng(params["search_seed"]).permutation(n)
    x, t = x[:n][order], t[:n][order]
    return (x[n_val:], t[n_val:]), (x[:n_val], t[:n_val])


def draw(settings: Mapping[str, Any], trials: int, lr_range: Sequence[float],
         decay_range: Sequence[float], stage: int) -> list[tuple[float, float]]:
    """``trials`` pairs (lr, λ), log-uniform in the ranges (exponents of 10), λ drawn first
    as in the book."""
    rng = np.random.default_rng([settings["search_seed"], stage])
    pairs = []
    for _ in range(trials):
        decay = 10 ** rng.uniform(*decay_range)
        pairs.append((float(10 ** rng.uniform(*lr_range)), float(decay)))
    return pairs


def ranking(table: Table) -> list[str]:
    """The trials, best first: by final validation accuracy averaged over seeds."""
    trials = [name for name in table.settings() if name != BEST]
    return sorted(trials, key=lambda name: -np.nan_to_num(final_mean(table, name, "val_acc"),
                                                          nan=-1.0))


def narrowed(table: Table, top: int) -> tuple[list[float], list[float]]:
    """The exponent ranges (of lr and λ) spanned by the ``top`` best trials (at least ±0.25)."""
    best = ranking(table)[:top]
    ranges = []
    for metric in ("lr", "weight_decay"):
        exponents = np.log10([final_mean(table, name, metric) for name in best])
        low, high = float(exponents.min()), float(exponents.max())
        middle, half = (low + high) / 2, max((high - low) / 2, 0.25)
        ranges.append([middle - half, middle + half])
    return ranges[0], ranges[1]


class Hparams(Experiment):
    name = "hparams"
    title = "Random search of learning rate and weight decay on a validation split"
    metrics = ("lr", "weight_decay", "train_acc", "val_acc", "test_acc", "train_n", "val_n",
               "test_n", "diverged")
    stages = 3  # the search, the narrowed search, the best on the test set
    defaults = {
        "hidden": [100] * 6,
        "optimizer": "sgd",
        "batch_size": 100,
        "epochs": 50,
        "n_train": 400,
        "n_validation": 100,
        "n_test": None,
        "eval_samples": 100,  # training accuracy of each epoch on 100 of the 400 (the book: all)
        "trials": 80,  # with second_trials, the book's 100
        "lr_range": [-6.0, -2.0],  # exponents of 10
        "weight_decay_range": [-8.0, -4.0],
        "second_trials": 20,  # 0: no second stage
        "second_top": 5,  # the second stage spans the ranges of the best 5 trials
        "search_seed": 0,
        "dtype": "float32",
        "data_dir": None,
    }
    quick = {"hidden": [100] * 3, "epochs": 10, "trials": 6, "second_trials": 3,
             "second_top": 3, "n_test": 1000}

    def check(self, settings: dict[str, Any]) -> None:
        check_mnist(settings)
        check_int(settings, "n_validation")
        check_int(settings, "trials")
        check_int(settings, "second_trials", minimum=0)
        check_int(settings, "second_top")
        check_int(settings, "search_seed", minimum=0)
        for key in ("lr_range", "weight_decay_range"):
            value = settings[key]
            if (not isinstance(value, (list, tuple)) or len(value) != 2
                    or not all(isinstance(v, (int, float)) and np.isfinite(v) for v in value)
                    or not value[0] < value[1]):
                raise ValueError(f"setting {key} must be two exponents of 10 [low, high] with "
                                 f"low < high, got {value!r}")
            settings[key] = [float(v) for v in value]

    def cells(self, settings: Mapping[str, Any], seeds: Sequence[int], stage: int,
              done: Table) -> list[Cell]:
        base = {**settings, "activation": "relu", "weight_init": "he",
                "sampling": "replacement", "eval_every": None, "every_step": False}
        if stage == 0:
            pairs = draw(settings, settings["trials"], settings["lr_range"],
                         settings["weight_decay_range"], 0)
        elif stage == 1:
            pairs = draw(settings, settings["second_trials"],
                         *narrowed(done, settings["second_top"]), 1)
        else:
            name = ranking(done)[0]
            pair = (final_mean(done, name, "lr"), final_mean(done, name, "weight_decay"))
            return [Cell(BEST, seed, {**base, "lr": pair[0], "weight_decay": pair[1],
                                      "final_test": True}) for seed in seeds]
        return [Cell(f"stage{stage + 1}-{i:03d}", seed,
                     {**base, "lr": lr, "weight_decay": decay})
                for i, (lr, decay) in enumerate(pairs) for seed in seeds]

    @staticmethod
    def run_cell(params: Mapping[str, Any], seed: int) -> list[dict[str, Any]]:
        train, validation = split(params)
        if params.get("final_test"):
            _, (x_test, t_test) = mnist(params)
            n_test = params["n_test"]
            steps = params["epochs"] * (len(train[0]) // params["batch_size"])
            rows = mlp_rows({**params, "eval_every": steps, "test_curve": False}, seed, train,
                            (x_test[:n_test], t_test[:n_test]))
        else:
            rows = mlp_rows(params, seed, train, validation)
            for row in rows:
                if "test_acc" in row:
                    row["val_acc"], row["val_n"] = row.pop("test_acc"), row.pop("test_n")
        for row in rows:
            row.update(lr=params["lr"], weight_decay=params["weight_decay"])
        return rows

    def summary(self, table: Table, settings: Mapping[str, Any]) -> list[str]:
        lines = []
        for rank, name in enumerate(ranking(table)[:5], start=1):
            lines.append(f"best-{rank} ({name}): validation accuracy "
                         f"{spread(table.final(name, 'val_acc'))}  lr "
                         f"{final_mean(table, name, 'lr'):.3g}, weight decay "
                         f"{final_mean(table, name, 'weight_decay'):.3g}")
        if BEST in table.settings():
            lines.append(f"the best setting, trained again on the {settings['n_train']} images: "
                         f"test accuracy {spread(table.final(BEST, 'test_acc'))}")
        return lines
