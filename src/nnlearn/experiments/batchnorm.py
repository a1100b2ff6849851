"""``batchnorm``: training with and without batch normalisation over 16 initial weight scales.

The book's ``batch_norm_test.py``: the first 1000 training images,
784-100-100-100-100-100-10 with ReLU, SGD at 0.01, batches of 100 drawn with
replacement, 20 epochs, the initial weights :math:`\\mathcal N(0, w^2)` for 16
scales w from 1 to 1e-4; the book plots the training accuracy on the 1000
images every epoch, as here; the test accuracy is measured too, once, after
the last step, on all 10,000 test images (``test_curve=true``: every epoch).
A run whose loss overflows is reported as diverged (the book's plots show it
as accuracy 0.097). Networks with and without batch norm of one seed see the
same batches.

Beside it, the book's ``batch_norm_gradient_check.py``: backprop against the
numerical gradient of 784-100-100-10 with batch norm, on ``check_batch``
training images. The book checks one image, and that check is degenerate:
with a batch of one, each feature's batch mean is the sample itself, so
x − μ = 0, batch norm outputs β whatever its input, and the gradient of
everything before it is exactly 0 — the check compares zeros with zeros. Two
samples are hardly better: each feature normalises to −1 and +1 whatever the
values. The check here takes 10 images.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nnlearn.experiments._training import check_mnist, mlp_cell, mnist
from nnlearn.experiments.base import Cell, Experiment, check_int, check_number, check_sweep
from nnlearn.experiments.optimizers import TRAINING_METRICS, spread
from nnlearn.experiments.table import Table
from nnlearn.nn.gradient_check import BATCHNORM_DEGENERATE


def label(batchnorm: bool, scale: float) -> str:
    """The table's name of one cell: ``"batchnorm/w=0.01"`` or ``"plain/w=0.01"``.

    >>> label(True, 0.0630957344480193)
    'batchnorm/w=0.0631'
    """
    return f"{'batchnorm' if batchnorm else 'plain'}/w={scale:.3g}"


def gradient_check(params: Mapping[str, Any], seed: int) -> list[dict[str, Any]]:
    """Mean ``|backprop − numerical|`` of every parameter, as the book prints it: one row each."""
    from nnlearn.nn.multi_layer_net import MultiLayerNet

    (x, t), _ = mnist(params)
    batch = params["check_batch"]
    net = MultiLayerNet(784, [100, 100], 10, use_batchnorm=True, rng=seed)
    x, t = x[:batch].astype(np.float64), t[:batch]
    analytic, numerical = net.gradient(x, t), net.numerical_gradient(x, t)
    return [{"step": k, "grad_error": float(np.mean(np.abs(analytic[name] - numerical[name])))}
            for k, name in enumerate(net.params, start=1)]


#: Parameter names of the checked network, in the order of the rows of :func:`gradient_check`.
CHECKED = ("W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3")


class BatchNorm(Experiment):
    name = "batchnorm"
    title = "Batch normalisation against 16 initial weight scales (MNIST, 1000 images)"
    metrics = (*TRAINING_METRICS, "grad_error")
    defaults = {
        "hidden": [100, 100, 100, 100, 100],
        "optimizer": "sgd",
        "lr": 0.01,
        "batch_size": 100,
        "epochs": 20,
        "eval_every": None,  # every epoch
        "n_train": 1000,
        "n_test": None,  # all 10,000 (the book: training accuracy only) ...
        "test_curve": False,  # ... once, at the end
        "weight_scales": np.logspace(0, -4, num=16).tolist(),
        "check_batch": 10,  # the book's 1 is degenerate (see the module's docstring)
        "dtype": "float32",
        "data_dir": None,
    }
    quick = {"hidden": [100, 100, 100], "epochs": 8, "n_test": 500, "check_batch": 3,
             "weight_scales": [1.0, 0.01, 0.0001]}

    def check(self, settings: dict[str, Any]) -> None:
        check_mnist(settings)
        check_number(settings, "lr")
        check_sweep(settings, "weight_scales")
        if settings["check_batch"] in BATCHNORM_DEGENERATE:
            raise ValueError(f"setting check_batch: "
                             f"{BATCHNORM_DEGENERATE[settings['check_batch']]}; use 3 samples "
                             "or more")
        check_int(settings, "check_batch", minimum=3)

    def cells(self, settings: Mapping[str, Any], seeds: Sequence[int], stage: int,
              done: Table) -> list[Cell]:
        shared = {key: value for key, value in settings.items()
                  if key not in ("weight_scales", "check_batch")}
        cells = [Cell("gradient-check", seeds[0], {"check": True, "check_batch":
                                                   settings["check_batch"],
                                                   "data_dir": settings["data_dir"]})]
        for scale in settings["weight_scales"]:
            for batchnorm in (True, False):
                cells += [Cell(label(batchnorm, scale), seed,
                               {**shared, "activation": "relu", "weight_init": scale,
                                "batchnorm": batchnorm, "sampling": "replacement"})
                          for seed in seeds]
        return cells

    @staticmethod
    def run_cell(params: Mapping[str, Any], seed: int) -> list[dict[str, Any]]:
        return gradient_check(params, seed) if params.get("check") else mlp_cell(params, seed)

    def summary(self, table: Table, settings: Mapping[str, Any]) -> list[str]:
        errors = table.select("gradient-check")
        lines = [f"gradient check on {settings['check_batch']} images, mean |backprop − "
                 f"numerical|: " + ", ".join(f"{CHECKED[int(row['step']) - 1]} "
                                              f"{row['grad_error']:.1e}" for row in errors),
                 f"{'weight scale':>12}  {'train (batch norm)':>20}  {'train (plain)':>20}  "
                 f"{'test (batch norm)':>20}  {'test (plain)':>20}"]
        for scale in settings["weight_scales"]:
            cells = [label(True, scale), label(False, scale)]
            columns = []
            for metric in ("train_acc", "test_acc"):
                for name in cells:
                    diverged = table.final(name, "diverged")
                    columns.append("diverged" if np.nansum(diverged) else
                                   spread(table.final(name, metric)))
            lines.append(f"{scale:>12.3g}  " + "  ".join(f"{c:>20}" for c in columns))
        return lines
