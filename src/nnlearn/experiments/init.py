"""``init``: initial weight scales std 0.01, Xavier and He, with ReLU (sigmoid, tanh on request).

The book's ``weight_init_compare.py``: 784-100-100-100-100-10 with ReLU,
SGD at 0.01, batches of 128, 2000 steps; the initial weights
:math:`\\mathcal N(0, \\sigma^2)` with σ = 0.01, √(1/n) (Xavier) or √(2/n)
(He), n the layer's inputs. With ReLU, std 0.01 leaves the signal vanishing
and the loss flat at log 10 ≈ 2.30, where He learns. The book's run is ReLU
only; ``--set activations=relu,sigmoid,tanh`` adds sigmoid and tanh, with
which Xavier is the scale that keeps the signal alive. All settings of one
seed see the same batches; the accuracies are measured as in ``optimizers``.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

from nnlearn.experiments._training import check_mnist, mlp_cell
from nnlearn.experiments.base import Cell, Experiment, check_names, check_number
from nnlearn.experiments.optimizers import (
    CURVE_DEFAULTS,
    CURVE_QUICK,
    TRAINING_METRICS,
    last_loss,
    spread,
)
from nnlearn.experiments.table import Table
from nnlearn.nn.layer_net import ACTIVATIONS


def init_label(init: str | float) -> str:
    """``"std=0.01"`` for a number, the name otherwise.

    >>> init_label(0.01), init_label("he")
    ('std=0.01', 'he')
    """
    return init if isinstance(init, str) else f"std={init:g}"


def setting_label(activation: str, init: str | float) -> str:
    """The table's name of one activation with one initialisation: ``"relu/he"``."""
    return f"{activation}/{init_label(init)}"


def check_inits(settings: dict[str, Any]) -> None:
    """Check ``settings["inits"]``: a non-empty list of "he", "xavier" or standard deviations
    > 0, none twice; stored back as a list."""
    inits = settings["inits"]
    if isinstance(inits, (str, bytes)) or not isinstance(inits, Sequence) or not inits:
        raise ValueError(f"setting inits must be a non-empty list of 'he', 'xavier' or "
                         f"standard deviations, got {inits!r}")
    for i, init in enumerate(inits):
        if init not in ("he", "xavier"):
            if isinstance(init, bool) or not isinstance(init, numbers.Real):
                raise ValueError(f"setting inits[{i}] must be 'he', 'xavier' or a standard "
                                 f"deviation > 0, got {init!r}")
            check_number({f"inits[{i}]": init}, f"inits[{i}]")
    if len({init_label(init) for init in inits}) != len(inits):
        raise ValueError(f"setting inits names one initialisation twice: {inits!r}")
    settings["inits"] = list(inits)


class Init(Experiment):
    name = "init"
    title = "Initial weight scales (std 0.01, Xavier, He) on MNIST"
    metrics = TRAINING_METRICS
    defaults = {
        **CURVE_DEFAULTS,
        "optimizer": "sgd",
        "lr": 0.01,
        "inits": [0.01, "xavier", "he"],
        "activations": ["relu"],  # the book's; sigmoid and tanh on request
    }
    quick = CURVE_QUICK

    def check(self, settings: dict[str, Any]) -> None:
        check_mnist(settings)
        check_number(settings, "lr")
        check_names(settings, "activations", list(ACTIVATIONS))
        check_inits(settings)

    def cells(self, settings: Mapping[str, Any], seeds: Sequence[int], stage: int,
              done: Table) -> list[Cell]:
        shared = {key: value for key, value in settings.items()
                  if key not in ("inits", "activations")}
        return [Cell(setting_label(activation, init), seed,
                     {**shared, "activation": activation, "weight_init": init})
                for activation in settings["activations"] for init in settings["inits"]
                for seed in seeds]

    run_cell = staticmethod(mlp_cell)

    def summary(self, table: Table, settings: Mapping[str, Any]) -> list[str]:
        lines = [f"{'setting':<16} {'loss (last 100 steps)':>21}  test accuracy"]
        for name in table.settings():
            lines.append(f"{name:<16} {last_loss(table, name):>21.4f}  "
                         f"{spread(table.final(name, 'test_acc'))}")
        return lines
