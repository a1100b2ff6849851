"""``optimizer-paths``: six optimizers on the book's elongated bowl f(x, y) = x²/20 + y².

The book's ``optimizer_compare_naive.py``: 30 updates from (−7, 2) with SGD
(lr 0.95), Momentum (0.1), AdaGrad (1.5) and Adam (0.3), plus RMSprop and
Nesterov, which the book leaves out. nnlearn's optimizers follow the book's
``common/optimizer.py`` update rules exactly (Adam with the bias correction
folded into the step size, ε = 1e-7 added to the root), so the paths match
the book's code to rounding. Deterministic: one cell per optimizer, whatever
the seeds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nnlearn.experiments.base import (
    Cell,
    Experiment,
    check_int,
    check_rates,
)
from nnlearn.experiments.table import Table
from nnlearn.nn.optimizers import OPTIMIZERS, make_optimizer


def elongated_bowl(x: Any, y: Any) -> Any:
    """The book's f(x, y) = x²/20 + y²: 20 times steeper along y than along x.

    Examples
    --------
    >>> elongated_bowl(-7.0, 2.0)
    6.45
    """
    return x**2 / 20.0 + y**2


def elongated_bowl_gradient(x: Any, y: Any) -> tuple[Any, Any]:
    """∇f = (x/10, 2y), as the book's ``df``."""
    return x / 10.0, 2.0 * y


def descend(optimizer: str, lr: float, start: Sequence[float], steps: int) -> np.ndarray:
    """The points visited by ``steps`` updates of ``optimizer`` on :func:`elongated_bowl`.

    Returns an array of shape ``(steps + 1, 2)``, the start first.

    Examples
    --------
    >>> descend("sgd", 0.95, (-7.0, 2.0), 2)
    array([[-7.    ,  2.    ],
           [-6.335 , -1.8   ],
           [-5.73318,  1.62  ]])
    """
    params = {"x": np.array(float(start[0])), "y": np.array(float(start[1]))}
    rule = make_optimizer(optimizer, lr=lr)
    path = [(float(params["x"]), float(params["y"]))]
    for _ in range(steps):
        gx, gy = elongated_bowl_gradient(params["x"], params["y"])
        rule.update(params, {"x": np.asarray(gx), "y": np.asarray(gy)})
        path.append((float(params["x"]), float(params["y"])))
    return np.array(path)


class OptimizerPaths(Experiment):
    name = "optimizer-paths"
    title = "Paths of six optimizers on f(x, y) = x²/20 + y²"
    metrics = ("x", "y", "f")
    defaults = {
        "start": [-7.0, 2.0],
        "steps": 30,
        # the book's rates; RMSprop and Nesterov (not in the book) at rates that show them
        "optimizers": {"sgd": 0.95, "momentum": 0.1, "adagrad": 1.5, "adam": 0.3,
                       "rmsprop": 0.1, "nesterov": 0.1},
    }
    quick = {}
    uses_mnist = False
    light = True

    def check(self, settings: dict[str, Any]) -> None:
        start = settings["start"]
        if (isinstance(start, (str, bytes)) or not isinstance(start, Sequence) or len(start) != 2
                or not all(np.isfinite(float(v)) for v in start)):
            raise ValueError(f"setting start must be two finite numbers [x, y], got {start!r}")
        settings["start"] = [float(v) for v in start]
        check_int(settings, "steps")
        check_rates(settings, "optimizers", list(OPTIMIZERS))

    def cells(self, settings: Mapping[str, Any], seeds: Sequence[int], stage: int,
              done: Table) -> list[Cell]:
        return [Cell(name, seeds[0], {"optimizer": name, "lr": lr, "start": settings["start"],
                                      "steps": settings["steps"]})
                for name, lr in settings["optimizers"].items()]

    @staticmethod
    def run_cell(params: Mapping[str, Any], seed: int) -> list[dict[str, Any]]:
        path = descend(params["optimizer"], params["lr"], params["start"], params["steps"])
        with np.errstate(over="ignore", invalid="ignore"):
            values = elongated_bowl(path[:, 0], path[:, 1])
        return [{"step": k, "x": x, "y": y, "f": f}
                for k, ((x, y), f) in enumerate(zip(path.tolist(), values.tolist(), strict=True))]

    def summary(self, table: Table, settings: Mapping[str, Any]) -> list[str]:
        lines = []
        for name in table.settings():
            last = table.select(name)[-1]
            lines.append(f"{name:<9} lr {settings['optimizers'][name]:<5g} after {last['step']} "
                         f"steps: ({last['x']:+.4f}, {last['y']:+.4f}), f = {last['f']:.3g}")
        return lines
