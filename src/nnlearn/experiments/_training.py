"""What the MNIST experiments share: the data, the seeds of a cell, one Trainer run as rows."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from nnlearn.data.datasets import load_mnist
from nnlearn.training.evaluation import evaluate_accuracy
from nnlearn.training.trainer import Trainer

#: Where each experiment finds MNIST: ``data_dir`` of its settings, else NNLEARN_DATA_DIR
#: or the cache (:func:`nnlearn.load_mnist`).
DATA_DIR_SETTING = "data_dir"


@functools.lru_cache(maxsize=2)
def _mnist(data_dir: str | None, dtype: str, download: bool) -> tuple:
    return load_mnist(data_dir=data_dir, dtype=np.dtype(dtype), download=download)


def mnist(settings: dict[str, Any], *, download: bool = False) -> tuple:
    """``(x_train, t_train), (x_test, t_test)`` in the settings' dtype, loaded once per process.

    Cells run in worker processes never download (the runner loads the data
    once before the cells start, downloading it then if needed).
    """
    return _mnist(settings.get(DATA_DIR_SETTING), settings.get("dtype", "float32"), download)


def generators(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """Independent generators for a cell's initial weights and its batches, from one seed.

    Every setting of an experiment run with the same seed starts from the same
    draws (common random numbers): the comparison is of the settings, not of luck.
    """
    init, batches = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(init), np.random.default_rng(batches)


def train_rows(
    network: Any,
    optimizer: Any,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray] | None,
    batches: np.random.Generator,
    *,
    every_step: bool = True,
    test_curve: bool = True,
    **schedule: Any,
) -> list[dict[str, Any]]:
    """Train with :class:`~nnlearn.training.Trainer`; the history as rows of a table.

    Each step's row has ``loss`` (when ``every_step``), each evaluation's row
    ``train_acc`` and ``test_acc`` with ``train_n`` and ``test_n``, the numbers
    of samples they were measured on (subsets during training with the
    schedule's ``eval_samples``; the last test accuracy is on the whole test
    set). Without ``test_curve`` the test accuracy is measured once, after the
    last step. A run whose loss overflows stops there: its last row gets
    ``diverged = 1`` at the step that failed (accuracies then mean nothing),
    every other row ``diverged = 0``.
    """
    during = test if test_curve else None
    trainer = Trainer(network, optimizer, *train, *(during or (None, None)), seed=batches,
                      quiet=True, **schedule)
    diverged = False
    try:
        history = trainer.run()
    except FloatingPointError:
        history, diverged = trainer.history, True
    rows: dict[int, dict[str, Any]] = {}
    if every_step:
        for step, loss in enumerate(history.loss, start=1):
            rows[step] = {"step": step, "loss": loss, "diverged": 0}
    n_train, n_test = history.metadata["n_eval_train"], history.metadata["n_eval_test"]
    for j, step in enumerate(history.eval_steps):
        row = rows.setdefault(step, {"step": step, "diverged": 0})
        row.update(train_acc=history.train_acc[j], train_n=n_train)
        if history.test_acc:
            last = step == trainer.total_steps
            row.update(test_acc=history.test_acc[j], test_n=len(test[0]) if last else n_test)
    if test is not None and not test_curve and not diverged:
        rows[trainer.step].update(test_acc=evaluate_accuracy(network, *test), test_n=len(test[0]))
    if diverged:
        step = trainer.step + 1
        rows[step] = {"step": step, "diverged": 1}
    return [rows[step] for step in sorted(rows)]


def subsets(settings: dict[str, Any]) -> tuple[tuple, tuple]:
    """The first ``n_train`` training and ``n_test`` test images (None: all), as the book cuts."""
    (x, t), (x_test, t_test) = mnist(settings)
    n_train, n_test = settings.get("n_train"), settings.get("n_test")
    return (x[:n_train], t[:n_train]), (x_test[:n_test], t_test[:n_test])


#: The settings of an MNIST cell that :func:`mlp_cell` reads.
MLP_KEYS = ("hidden", "activation", "weight_init", "optimizer", "lr", "batch_size", "iters",
            "epochs", "sampling", "eval_every", "weight_decay", "dropout", "batchnorm",
            "n_train", "n_test", "eval_samples", "test_curve", "dtype", DATA_DIR_SETTING,
            "every_step")


def mlp_cell(params: dict[str, Any], seed: int) -> list[dict[str, Any]]:
    """Train the :class:`~nnlearn.MultiLayerNet` that ``params`` describe on MNIST: its rows.

    ``params`` has the keys of ``MLP_KEYS`` (``iters`` or ``epochs`` may
    be None, ``dropout`` 0 for none); the data are ``subsets(params)``.
    """
    return mlp_rows(params, seed, *subsets(params))


def mlp_rows(params: dict[str, Any], seed: int, train: tuple, test: tuple | None
             ) -> list[dict[str, Any]]:
    """:func:`mlp_cell` on the given training and test (or validation) sets."""
    from nnlearn.nn.multi_layer_net import MultiLayerNet
    from nnlearn.nn.optimizers import make_optimizer

    init, batches = generators(seed)
    network = MultiLayerNet(
        train[0].shape[1], list(params["hidden"]), 10, activation=params["activation"],
        weight_init=params["weight_init"], weight_decay_lambda=params.get("weight_decay", 0.0),
        use_dropout=bool(params.get("dropout")), dropout_ratio=params.get("dropout") or 0.5,
        use_batchnorm=bool(params.get("batchnorm")), dtype=np.dtype(params["dtype"]), rng=init,
    )
    length = ({"iters": params["iters"]} if params.get("iters") is not None
              else {"epochs": params["epochs"]})
    return train_rows(
        network, make_optimizer(params["optimizer"], lr=params["lr"]), train, test, batches,
        every_step=params.get("every_step", True), test_curve=params.get("test_curve", True),
        batch_size=params["batch_size"], sampling=params.get("sampling", "replacement"),
        eval_every=params.get("eval_every"), eval_samples=params.get("eval_samples"), **length,
    )


def check_mnist(settings: dict[str, Any]) -> None:
    """Check the settings that every MNIST experiment has (those present of them)."""
    from nnlearn.experiments.base import check_int

    hidden = settings["hidden"]
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, (list, tuple)) or not all(
            isinstance(h, int) and not isinstance(h, bool) and h >= 1 for h in hidden):
        raise ValueError(f"setting hidden must be a list of layer widths >= 1, got {hidden!r}")
    settings["hidden"] = list(hidden)
    for key in ("batch_size", "iters", "epochs", "eval_every", "eval_samples"):
        if settings.get(key) is not None:
            check_int(settings, key)
    for key in ("n_train", "n_test"):
        if settings.get(key) is not None:
            check_int(settings, key, minimum=2 if key == "n_train" else 1)
    if not isinstance(settings.get("test_curve", True), bool):
        raise ValueError(f"setting test_curve must be true or false, "
                         f"got {settings['test_curve']!r}")
    if settings.get("dtype", "float32") not in ("float32", "float64"):
        raise ValueError(f"setting dtype must be 'float32' or 'float64', "
                         f"got {settings['dtype']!r}")
    if settings.get("n_train") is not None and settings["batch_size"] > settings["n_train"]:
        raise ValueError(f"setting batch_size ({settings['batch_size']}) must be at most "
                         f"n_train ({settings['n_train']})")
