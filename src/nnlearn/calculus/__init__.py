"""Numerical calculus: the seed's finite differences, accurate derivatives, gradient descent.

- :mod:`~nnlearn.calculus.differentiate`: the book's ``numerical_diff`` and
  ``numerical_gradient`` (central differences, h = 1e-4);
- :mod:`~nnlearn.calculus.derivatives`: ``derivative``, ``gradient``,
  ``jacobian``, ``hessian`` near machine precision (step control in
  ``_steps``, Richardson extrapolation in ``_richardson``, the complex step in
  ``_complex_step``);
- :mod:`~nnlearn.calculus.descent`: ``gradient_descent`` and its
  ``DivergenceError``.
"""

from nnlearn.calculus.derivatives import (
    DerivativeResult,
    derivative,
    directional_derivative,
    gradient,
    hessian,
    jacobian,
)
from nnlearn.calculus.descent import DivergenceError, gradient_descent
from nnlearn.calculus.differentiate import numerical_diff, numerical_gradient

__all__ = [
    "DerivativeResult",
    "DivergenceError",
    "derivative",
    "directional_derivative",
    "gradient",
    "gradient_descent",
    "hessian",
    "jacobian",
    "numerical_diff",
    "numerical_gradient",
]
