"""``init-histograms``: activations (and gradients) of 5 layers for four weight scales.

The book's ``weight_init_activation_histogram.py``: 1000 Gaussian samples of
100 features through 5 layers of 100 units, ``z = activation(x W)`` with
:math:`W \\sim \\mathcal N(0, \\sigma^2)` for σ = 1, 0.01, √(1/100) (Xavier)
and √(2/100) (He), and sigmoid, tanh and ReLU: a histogram of each layer's
output. The book edits the source for each of the 12 combinations and draws
every histogram on [0, 1], which cuts tanh's negative half and ReLU above 1.
Here each activation's histogram spans its whole output (sigmoid [0, 1], tanh
[−1, 1], ReLU [0, the largest value of the 5 layers], one range for all layers
so that they compare); exact zeros (half of a ReLU
layer) are counted apart and reported as a fraction instead of drawn as a
wall at 0. The gradients are new: a standard normal gradient at the top,
backpropagated, gives each layer's dL/dz, whose spread (on one range for the
5 layers) shows gradients that vanish or explode on the way down.

Rows: one per setting × seed × layer (``step``) × histogram bin (``bin``);
the layer's statistics (``mean``, ``std``, ``zeros``, ``grad_mean``,
``grad_std``) on its bin-0 row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nnlearn.experiments.base import Cell, Experiment, check_int, check_names
from nnlearn.experiments.init import check_inits, setting_label
from nnlearn.experiments.table import Table
from nnlearn.nn.layer_net import ACTIVATIONS
from nnlearn.nn.layers import Affine

#: The range each activation's outputs can take (ReLU's upper end: the largest value seen).
OUTPUT_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, None)}


def weight_std(init: str | float, fan_in: int) -> float:
    """σ of the initial weights: the number itself, √(1/n) for Xavier, √(2/n) for He."""
    if init == "xavier":
        return float(np.sqrt(1.0 / fan_in))
    if init == "he":
        return float(np.sqrt(2.0 / fan_in))
    return float(init)


def forward_backward(activation: str, init: str | float, n_samples: int, width: int,
                     layers: int, rng: np.random.Generator) -> tuple[list, list]:
    """Each layer's output z and the gradient dL/dz for a standard normal gradient at the top.

    The forward pass is the book's: ``x = randn(n_samples, width)``, then
    ``z = activation(z @ W)`` with ``W = randn(width, width) * σ``, no bias.
    """
    x = rng.standard_normal((n_samples, width))
    stack = []
    for _ in range(layers):
        W = rng.standard_normal((width, width)) * weight_std(init, width)
        stack += [Affine(W, np.zeros(width)), ACTIVATIONS[activation]()]
    outputs = []
    for layer in stack:
        x = layer.forward(x)
        if not isinstance(layer, Affine):
            outputs.append(x)
    dout = rng.standard_normal(x.shape)
    gradients = []
    for layer in reversed(stack):
        if not isinstance(layer, Affine):
            gradients.append(dout)
        dout = layer.backward(dout)
    return outputs, gradients[::-1]


def _histogram(values: np.ndarray, low: float, high: float, bins: int) -> np.ndarray:
    if not np.isfinite(high) or high <= low:
        high = low + 1.0
    return np.histogram(values, bins=bins, range=(low, high))[0]


class InitHistograms(Experiment):
    name = "init-histograms"
    title = "Activations and gradients of 5 layers: weight std 1, 0.01, Xavier, He"
    metrics = ("bin", "low", "high", "count", "grad_low", "grad_high", "grad_count",
               "mean", "std", "zeros", "grad_mean", "grad_std")
    defaults = {
        "n_samples": 1000,
        "width": 100,
        "layers": 5,
        "inits": [1.0, 0.01, "xavier", "he"],
        "activations": ["sigmoid", "tanh", "relu"],
        "bins": 30,
    }
    quick = {"n_samples": 300}
    uses_mnist = False
    light = True

    def check(self, settings: dict[str, Any]) -> None:
        for key in ("n_samples", "width", "layers", "bins"):
            check_int(settings, key)
        check_names(settings, "activations", list(ACTIVATIONS))
        check_inits(settings)

    def cells(self, settings: Mapping[str, Any], seeds: Sequence[int], stage: int,
              done: Table) -> list[Cell]:
        shared = {key: settings[key] for key in ("n_samples", "width", "layers", "bins")}
        return [Cell(setting_label(activation, init), seed,
                     {**shared, "activation": activation, "init": init})
                for activation in settings["activations"] for init in settings["inits"]
                for seed in seeds]

    @staticmethod
    def run_cell(params: Mapping[str, Any], seed: int) -> list[dict[str, Any]]:
        activation, bins = params["activation"], params["bins"]
        with np.errstate(over="ignore", invalid="ignore"):
            outputs, gradients = forward_backward(
                activation, params["init"], params["n_samples"], params["width"],
                params["layers"], np.random.default_rng(seed))
        low, high = OUTPUT_RANGE[activation]
        if high is None:  # ReLU: up to the largest value of any layer, so that layers compare
            high = float(max(z.max(initial=0.0) for z in outputs))
        g_high = float(max(np.abs(g).max(initial=0.0) for g in gradients)) or 1.0
        rows = []
        for layer, (z, g) in enumerate(zip(outputs, gradients, strict=True), start=1):
            nonzero = z[z != 0]
            counts = _histogram(nonzero, low, high, bins)
            g_counts = _histogram(g, -g_high, g_high, bins)
            step, g_step = (high - low) / bins, 2 * g_high / bins
            for k in range(bins):
                row = {"step": layer, "bin": k, "low": low + k * step,
                       "high": low + (k + 1) * step, "count": int(counts[k]),
                       "grad_low": -g_high + k * g_step, "grad_high": -g_high + (k + 1) * g_step,
                       "grad_count": int(g_counts[k])}
                if k == 0:
                    row.update(mean=float(z.mean()), std=float(z.std()),
                               zeros=float(np.mean(z == 0)), grad_mean=float(g.mean()),
                               grad_std=float(g.std()))
                rows.append(row)
        return rows

    def summary(self, table: Table, settings: Mapping[str, Any]) -> list[str]:
        lines = [f"{'setting':<18} per layer: mean / std of z, fraction of exact zeros, "
                 "std of dL/dz"]
        for name in table.settings():
            stats = [row for row in table.select(name, table.seeds(name)[0]) if row["bin"] == 0]
            parts = [f"{row['mean']:.3g}/{row['std']:.3g}"
                     + (f" zeros {row['zeros']:.0%}" if row["zeros"] else "")
                     + f" ∇{row['grad_std']:.2g}" for row in stats]
            lines.append(f"{name:<18} " + " | ".join(parts))
        return lines
