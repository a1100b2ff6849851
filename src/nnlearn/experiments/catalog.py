"""The chapter's experiments by name, in the book's order."""

from __future__ import annotations

from nnlearn.experiments.base import Experiment
from nnlearn.experiments.batchnorm import BatchNorm
from nnlearn.experiments.hparams import Hparams
from nnlearn.experiments.init import Init
from nnlearn.experiments.init_histograms import InitHistograms
from nnlearn.experiments.optimizer_paths import OptimizerPaths
from nnlearn.experiments.optimizers import Optimizers
from nnlearn.experiments.overfitting import Overfitting

#: Every experiment by its command-line name, in the order of chapter 6.
EXPERIMENTS: dict[str, Experiment] = {
    experiment.name: experiment
    for experiment in (OptimizerPaths(), Optimizers(), InitHistograms(), Init(), BatchNorm(),
                       Overfitting(), Hparams())
}


def get_experiment(name: str) -> Experiment:
    """The experiment called ``name``; a ValueError lists the known names.

    Examples
    --------
    >>> get_experiment("optimizer-paths").title
    'Paths of six optimizers on f(x, y) = x²/20 + y²'
    >>> get_experiment("dropout")
    Traceback (most recent call last):
        ...
    ValueError: unknown experiment 'dropout'; known: optimizer-paths, ...
    """
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; known: {', '.join(EXPERIMENTS)}")
    return EXPERIMENTS[name]
