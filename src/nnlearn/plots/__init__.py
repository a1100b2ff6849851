"""Figures of the chapter, in English or Korean; the only package that imports matplotlib.

One module per family: :mod:`~nnlearn.plots.calculus` (tangents, surface,
gradient field), :mod:`~nnlearn.plots.descent` (descent paths),
:mod:`~nnlearn.plots.training` (learning curves, confusion matrix),
:mod:`~nnlearn.plots.networks` (weights, misclassified samples, decision
regions) and :mod:`~nnlearn.plots.experiments` (the chapter-6 experiments, with
:mod:`~nnlearn.plots.experiment_grids` and :mod:`~nnlearn.plots.experiment_labels`).
Every ``plot_*`` function returns a matplotlib ``Figure`` built without pyplot;
:func:`save` writes it as PNG or SVG.
"""

from nnlearn.plots._style import PALETTE, check_figure_path, save
from nnlearn.plots.calculus import plot_function_and_tangent, plot_gradient_field, plot_surface
from nnlearn.plots.descent import plot_descent_paths
from nnlearn.plots.experiments import plot_experiment, save_experiment
from nnlearn.plots.networks import (
    plot_decision_boundary,
    plot_first_layer_weights,
    plot_misclassified,
)
from nnlearn.plots.training import plot_confusion_matrix, plot_learning_curves, plot_runs

__all__ = [
    "PALETTE",
    "check_figure_path",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_descent_paths",
    "plot_experiment",
    "plot_first_layer_weights",
    "plot_function_and_tangent",
    "plot_gradient_field",
    "plot_learning_curves",
    "plot_misclassified",
    "plot_runs",
    "plot_surface",
    "save",
    "save_experiment",
]
