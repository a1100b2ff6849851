"""The curvature of a network's loss: exact Hessian-vector products, spectrum, landscapes.

- :mod:`~nnlearn.analysis.rules`: the R-operator of each layer (a table);
- :mod:`~nnlearn.analysis.loss`: ``NetworkLoss``, the loss as a function of the flat
  parameters, with its gradient and exact Hessian-vector products;
- :mod:`~nnlearn.analysis.hvp`: ``hvp`` and ``hvp_central_difference``.
"""

from nnlearn.analysis.hvp import hvp, hvp_central_difference
from nnlearn.analysis.loss import NetworkLoss

__all__ = ["NetworkLoss", "hvp", "hvp_central_difference"]
