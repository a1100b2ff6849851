"""Figures of the chapter, in English or Korean; the only package that imports matplotlib.

One module per family: :mod:`~nnlearn.plots.calculus` (tangents, surface,
gradient field), :mod:`~nnlearn.plots.descent` (descent paths),
:mod:`~nnlearn.plots.graph` (computational graphs, chapter 5),
:mod:`~nnlearn.plots.convolution` (filters and feature maps, chapter 7),
:mod:`~nnlearn.plots.training` (learning curves, confusion matrix),
:mod:`~nnlearn.plots.networks` (weights, misclassified samples, decision
regions), :mod:`~nnlearn.plots.experiments` (the chapter-6 experiments, with
:mod:`~nnlearn.plots.experiment_grids` and :mod:`~nnlearn.plots.experiment_labels`),
:mod:`~nnlearn.plots.curvature` (Hessian spectral density, sharpness against
2/lr) and :mod:`~nnlearn.plots.landscape` (loss line, contour with a training
path, 3-D surface). Every ``plot_*`` function returns a matplotlib ``Figure``
built without pyplot; :func:`save` writes it as PNG or SVG.
"""

from nnlearn.plots._style import PALETTE, check_figure_path, save
from nnlearn.plots.calculus import plot_function_and_tangent, plot_gradient_field, plot_surface
from nnlearn.plots.convolution import plot_conv_filters, plot_feature_maps
from nnlearn.plots.curvature import plot_sharpness, plot_spectral_density
from nnlearn.plots.descent import plot_descent_paths
from nnlearn.plots.experiments import plot_experiment, save_experiment
from nnlearn.plots.graph import plot_graph
from nnlearn.plots.landscape import plot_loss_contour, plot_loss_line, plot_loss_surface_3d
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
    "plot_conv_filters",
    "plot_decision_boundary",
    "plot_descent_paths",
    "plot_experiment",
    "plot_feature_maps",
    "plot_first_layer_weights",
    "plot_function_and_tangent",
    "plot_gradient_field",
    "plot_graph",
    "plot_learning_curves",
    "plot_loss_contour",
    "plot_loss_line",
    "plot_loss_surface_3d",
    "plot_misclassified",
    "plot_runs",
    "plot_sharpness",
    "plot_spectral_density",
    "plot_surface",
    "save",
    "save_experiment",
]
