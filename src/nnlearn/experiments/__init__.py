"""The experiments of chapter 6, rerunnable: over seeds, in parallel, with their data on disk.

- :mod:`~nnlearn.experiments.catalog`: ``EXPERIMENTS`` by name;
- :mod:`~nnlearn.experiments.runner`: ``run_experiment`` (a run folder, resumable,
  cells in parallel through joblib) and ``load_experiment``;
- :mod:`~nnlearn.experiments.table`: ``Table``, the tidy data;
- one module per experiment, its settings the book's by default.
"""

from nnlearn.experiments.base import parse_settings
from nnlearn.experiments.catalog import EXPERIMENTS, get_experiment
from nnlearn.experiments.runner import ExperimentResult, load_experiment, run_experiment
from nnlearn.experiments.table import Table

__all__ = [
    "EXPERIMENTS",
    "ExperimentResult",
    "Table",
    "get_experiment",
    "load_experiment",
    "parse_settings",
    "run_experiment",
]
