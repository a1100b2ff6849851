"""The curvature of a network's loss: exact Hessian-vector products, spectrum, landscapes.

- :mod:`~nnlearn.analysis.rules`: the R-operator of each layer (a table);
- :mod:`~nnlearn.analysis.loss`: ``NetworkLoss``, the loss as a function of the flat
  parameters, with its gradient and exact Hessian-vector products;
- :mod:`~nnlearn.analysis.hvp`: ``hvp`` and ``hvp_central_difference``;
- :mod:`~nnlearn.analysis.operator`: the Hessian as a SciPy ``LinearOperator``, and dense;
- :mod:`~nnlearn.analysis.spectrum`: extreme eigenvalues by Lanczos (``eigsh``);
- :mod:`~nnlearn.analysis.trace`: exact trace, Hutchinson and Hutch++;
- :mod:`~nnlearn.analysis.density`: the spectral density by stochastic Lanczos quadrature;
- :mod:`~nnlearn.analysis.stability`: the step-size limit 2 / λ_max of gradient descent;
- :mod:`~nnlearn.analysis.tracking`: ``SharpnessTracker`` and ``TrajectoryRecorder``,
  callbacks for the Trainer;
- :mod:`~nnlearn.analysis.landscape`: the loss along lines and planes, filter-normalised
  directions, a training path's principal directions.
"""

from nnlearn.analysis.density import SpectralDensity, spectral_density
from nnlearn.analysis.hvp import hvp, hvp_central_difference
from nnlearn.analysis.landscape import (
    LossLine,
    LossSurface,
    Trajectory,
    filter_normalized_direction,
    loss_line,
    loss_surface,
    trajectory_directions,
)
from nnlearn.analysis.loss import NetworkLoss
from nnlearn.analysis.operator import HessianOperator, dense_hessian, hessian_operator
from nnlearn.analysis.spectrum import EigenResult, top_eigenvalues
from nnlearn.analysis.stability import StepSizeLimit, step_size_limit
from nnlearn.analysis.trace import TraceResult, hessian_diagonal, hessian_trace
from nnlearn.analysis.tracking import SharpnessTracker, TrajectoryRecorder

__all__ = [
    "EigenResult",
    "HessianOperator",
    "LossLine",
    "LossSurface",
    "NetworkLoss",
    "SharpnessTracker",
    "SpectralDensity",
    "StepSizeLimit",
    "TraceResult",
    "Trajectory",
    "TrajectoryRecorder",
    "dense_hessian",
    "filter_normalized_direction",
    "hessian_diagonal",
    "hessian_operator",
    "hessian_trace",
    "hvp",
    "hvp_central_difference",
    "loss_line",
    "loss_surface",
    "spectral_density",
    "step_size_limit",
    "top_eigenvalues",
    "trajectory_directions",
]
