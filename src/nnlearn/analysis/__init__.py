"""The curvature of a network's loss: exact Hessian-vector products, spectrum, landscapes.

- :mod:`~nnlearn.analysis.rules`: the R-operator of each layer (a table);
- :mod:`~nnlearn.analysis.loss`: ``NetworkLoss``, the loss as a function of the flat
  parameters, with its gradient and exact Hessian-vector products;
- :mod:`~nnlearn.analysis.hvp`: ``hvp`` and ``hvp_central_difference``;
- :mod:`~nnlearn.analysis.operator`: the Hessian as a SciPy ``LinearOperator``, and dense;
- :mod:`~nnlearn.analysis.spectrum`: extreme eigenvalues by Lanczos (``eigsh``);
- :mod:`~nnlearn.analysis.trace`: exact trace, Hutchinson and Hutch++;
- :mod:`~nnlearn.analysis.density`: the spectral density by stochastic Lanczos quadrature.
"""

from nnlearn.analysis.density import SpectralDensity, spectral_density
from nnlearn.analysis.hvp import hvp, hvp_central_difference
from nnlearn.analysis.loss import NetworkLoss
from nnlearn.analysis.operator import HessianOperator, dense_hessian, hessian_operator
from nnlearn.analysis.spectrum import EigenResult, top_eigenvalues
from nnlearn.analysis.trace import TraceResult, hessian_diagonal, hessian_trace

__all__ = [
    "EigenResult",
    "HessianOperator",
    "NetworkLoss",
    "SpectralDensity",
    "TraceResult",
    "dense_hessian",
    "hessian_diagonal",
    "hessian_operator",
    "hessian_trace",
    "hvp",
    "hvp_central_difference",
    "spectral_density",
    "top_eigenvalues",
]
