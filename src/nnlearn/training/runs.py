"""Training runs described by settings: presets, the network they build, resuming, evaluation.

A run is a plain dict of settings (:data:`DEFAULT_RUN` lists them) that
``nnlearn train`` builds from a preset, a checkpoint and command-line options;
it is stored in every checkpoint, so that ``nnlearn evaluate`` and
``--resume`` rebuild the same network.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from nnlearn.data.datasets import load_dataset
from nnlearn.nn.multi_layer_net import MultiLayerNet
from nnlearn.nn.optimizers import make_optimizer
from nnlearn.nn.two_layer_net import TwoLayerNet
from nnlearn.training.checkpoints import group_arrays, load_arrays, load_checkpoint
from nnlearn.training.evaluation import confusion_matrix, predict_labels
from nnlearn.training.trainer import Trainer

#: Models that :func:`build_network` makes: the chapter's net, and a deeper MLP.
MODELS = ("two-layer", "mlp")

#: A run's settings when nothing else is said (``nnlearn train`` with no options).
DEFAULT_RUN: dict[str, Any] = {
    "dataset": "mnist",
    "model": "two-layer",
    "hidden": [50],
    "activation": None,  # sigmoid for two-layer (the book's), relu for mlp
    "optimizer": "sgd",
    "lr": 0.1,
    "lr_decay": 1.0,  # learning rate multiplied by this after every epoch
    "batch_size": 100,
    "epochs": None,
    "iters": None,  # with neither epochs nor iters: one epoch
    "sampling": "shuffle",
    "eval_every": None,  # once per epoch
    "seed": 0,
    "dtype": "float32",
}

#: Named configurations for ``nnlearn train --preset``.
PRESETS: dict[str, dict[str, Any]] = {
    # The chapter's run: 784-50-10 sigmoid, SGD lr 0.1, batches of 100 drawn with
    # replacement, 10,000 iterations, accuracy every 600 (one "epoch").
    "book": {
        "dataset": "mnist", "model": "two-layer", "hidden": [50], "activation": "sigmoid",
        "optimizer": "sgd", "lr": 0.1, "batch_size": 100, "iters": 10000, "epochs": None,
        "sampling": "replacement", "eval_every": 600, "lr_decay": 1.0,
    },
    # >= 0.98 MNIST test accuracy in seconds: 784-256-10 ReLU, Adam with a learning rate
    # decaying by 0.6 each epoch, 6 epochs (0.9822-0.9825 test accuracy over seeds 0-2).
    "fast": {
        "dataset": "mnist", "model": "mlp", "hidden": [256], "activation": "relu",
        "optimizer": "adam", "lr": 0.003, "lr_decay": 0.6, "batch_size": 100, "epochs": 6,
        "iters": None, "sampling": "shuffle", "eval_every": None,
    },
}


def activation_of(run: dict[str, Any]) -> str:
    """The hidden activation: as set, else sigmoid for two-layer (the book's), relu for mlp."""
    return run["activation"] or ("sigmoid" if run["model"] == "two-layer" else "relu")


def build_network(run: dict[str, Any], input_size: int, output_size: int) -> Any:
    """The network that a run's settings describe (``model``, ``hidden``, ``activation``, ...).

    ``"two-layer"`` is :class:`~nnlearn.TwoLayerNet` with the book's
    initial weight scale 0.01 (one hidden size); ``"mlp"`` is
    :class:`~nnlearn.MultiLayerNet` with He initialisation for ReLU
    and Xavier otherwise. The initial weights are drawn from ``run["seed"]``.
    """
    model, hidden, activation = run["model"], list(run["hidden"]), activation_of(run)
    options = {"activation": activation, "dtype": np.dtype(run["dtype"]), "rng": run["seed"]}
    if model == "two-layer":
        if len(hidden) != 1:
            raise ValueError(f"model 'two-layer' has one hidden layer, got hidden sizes {hidden}")
        return TwoLayerNet(input_size, hidden[0], output_size, 0.01, **options)
    if model == "mlp":
        init = "he" if activation == "relu" else "xavier"
        return MultiLayerNet(input_size, hidden, output_size, weight_init=init, **options)
    raise ValueError(f"model must be one of {MODELS}, got {model!r}")


def restore_network(path: str | os.PathLike) -> tuple[Any, dict[str, Any]]:
    """Rebuild the network saved in a checkpoint; return it with the run's settings.

    The run's settings, input and output sizes are read from the checkpoint's
    history metadata (``"run"``, ``"input_size"``, ``"output_size"``), as
    written by ``nnlearn train``.
    """
    arrays, meta = load_checkpoint(path)
    metadata = meta["history"]["metadata"]
    if "run" not in metadata:
        raise ValueError(f"{path}: the checkpoint does not say which network it holds")
    network = build_network(metadata["run"], metadata["input_size"], metadata["output_size"])
    groups = group_arrays(arrays)
    load_arrays(network.params, groups.get("param", {}), f"{path}: parameter")
    load_arrays(network.buffers, groups.get("buffer", {}), f"{path}: buffer")
    return network, metadata


def resolve_run(*layers: dict[str, Any] | None) -> dict[str, Any]:
    """Merge run settings over :data:`DEFAULT_RUN`, later layers winning.

    Giving ``epochs`` clears ``iters`` and the other way round; with neither,
    the run lasts one epoch.

    Examples
    --------
    >>> run = resolve_run(PRESETS["book"], {"lr": 0.5, "epochs": 2})
    >>> run["lr"], run["epochs"], run["iters"], run["sampling"]
    (0.5, 2, None, 'replacement')
    """
    run = dict(DEFAULT_RUN)
    for layer in layers:
        for key, value in (layer or {}).items():
            if key not in DEFAULT_RUN:
                raise ValueError(f"unknown run setting {key!r}; known: {sorted(DEFAULT_RUN)}")
            run[key] = value
            if key in ("epochs", "iters") and value is not None:
                run["iters" if key == "epochs" else "epochs"] = None
    if run["epochs"] is None and run["iters"] is None:
        run["epochs"] = 1
    return run


def saved_run(path: str | os.PathLike) -> dict[str, Any]:
    """The run settings stored in a checkpoint written by :func:`prepare_trainer`."""
    _, meta = load_checkpoint(path)
    run = meta.get("history", {}).get("metadata", {}).get("run")
    if run is None:
        raise ValueError(f"{path}: the checkpoint does not record its run settings")
    return run


def prepare_trainer(
    run: dict[str, Any],
    *,
    data_dir: str | os.PathLike | None = None,
    checkpoint: str | os.PathLike | None = None,
    resume: str | os.PathLike | None = None,
    quiet: bool = False,
) -> Trainer:
    """Load the data, build the network and optimizer of ``run``, and return its Trainer.

    With ``resume``, the trainer continues from that checkpoint.
    """
    dtype = np.dtype(run["dtype"])
    (x, t), (x_test, t_test) = load_dataset(
        run["dataset"], data_dir=data_dir, dtype=dtype, seed=run["seed"]
    )
    input_size, output_size = x.shape[1], int(max(t.max(), t_test.max())) + 1
    network = build_network(run, input_size, output_size)
    optimizer = make_optimizer(run["optimizer"], lr=run["lr"])
    trainer = Trainer(
        network, optimizer, x, t, x_test, t_test,
        epochs=run["epochs"], iters=run["iters"], batch_size=run["batch_size"],
        sampling=run["sampling"], eval_every=run["eval_every"], lr_decay=run["lr_decay"],
        seed=run["seed"],
        quiet=quiet, checkpoint=checkpoint,
        metadata={"run": run, "input_size": input_size, "output_size": output_size},
    )
    if resume is not None:
        trainer.load_checkpoint(resume)
    return trainer


def describe_run(trainer: Trainer) -> str:
    """One line saying what a trainer made by :func:`prepare_trainer` will do."""
    meta = trainer.history.metadata
    run = meta["run"]
    sizes = "-".join(str(n) for n in (meta["input_size"], *run["hidden"], meta["output_size"]))
    activation = activation_of(run)
    start = f", from step {trainer.step}" if trainer.step else ""
    decay = f" decaying by {trainer.lr_decay:g} per epoch" if trainer.lr_decay != 1 else ""
    return (
        f"{run['dataset']}, {run['model']} {sizes} {activation} {run['dtype']}, "
        f"{trainer.optimizer!r}{decay}, batch {trainer.batch_size} ({trainer.sampling}), "
        f"{trainer.total_steps} steps{start}"
    )


@dataclass
class Evaluation:
    """Accuracy and confusion matrix of a network on a test set; ``str()`` is a report."""

    dataset: str
    accuracy: float
    confusion: np.ndarray

    def __str__(self) -> str:
        n, hits = int(self.confusion.sum()), int(np.trace(self.confusion))
        k = len(self.confusion)
        width = max(5, len(str(self.confusion.max())) + 1)
        lines = [
            f"test accuracy on {self.dataset}: {self.accuracy:.4f} ({hits} / {n})",
            "confusion matrix (rows: true label, columns: predicted label)",
            "true" + "".join(f"{j:>{width}}" for j in range(k)),
        ]
        lines += [f"{i:>4}" + "".join(f"{c:>{width}}" for c in row)
                  for i, row in enumerate(self.confusion)]
        return "\n".join(lines)


def evaluate_on(
    network: Any,
    dataset: str,
    *,
    data_dir: str | os.PathLike | None = None,
    dtype: DTypeLike = np.float32,
    seed: int | None = 0,
) -> Evaluation:
    """Accuracy and confusion matrix of ``network`` on the test set of ``dataset``."""
    _, (x_test, t_test) = load_dataset(dataset, data_dir=data_dir, dtype=dtype, seed=seed)
    predicted = predict_labels(network, x_test)
    n_classes = int(max(t_test.max(), predicted.max())) + 1
    confusion = confusion_matrix(t_test, predicted, n_classes)
    return Evaluation(dataset, float(np.trace(confusion) / len(t_test)), confusion)
