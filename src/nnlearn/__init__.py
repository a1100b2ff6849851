"""nnlearn: the mathematics of neural-network learning, from scratch on NumPy.

The seed's core (losses, the central-difference ``numerical_diff`` and
``numerical_gradient``, ``gradient_descent``, ``softmax`` and ``SimpleNet``)
reproduces the book's printed values exactly; around it are accurate
derivatives, backpropagation layers and networks, a gradient checker,
optimizers and MNIST training, the curvature of a network's loss (exact
Hessian-vector products, eigenvalues, trace, density, landscapes) and the
experiments of chapter 6.
"""

import importlib
from typing import Any

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
from nnlearn.data.datasets import load_fashion_mnist, load_mnist, make_spiral
from nnlearn.functions import (
    cross_entropy_error,
    function_1,
    function_2,
    identity_function,
    mean_squared_error,
    one_hot,
    relu,
    sigmoid,
    softmax,
    step_function,
)
from nnlearn.nn.convolution import Convolution, col2im, im2col
from nnlearn.nn.gradient_check import GradcheckReport, check_network, gradcheck
from nnlearn.nn.graph import AddLayer, Graph, MulLayer
from nnlearn.nn.multi_layer_net import MultiLayerNet
from nnlearn.nn.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop
from nnlearn.nn.pooling import Pooling
from nnlearn.nn.simple_conv_net import SimpleConvNet
from nnlearn.nn.simple_net import SimpleNet
from nnlearn.nn.two_layer_net import TwoLayerNet
from nnlearn.training import History, Trainer, confusion_matrix

__version__ = "0.1.0"

#: Names served by a subpackage that is imported on first use: the curvature tools bring
#: SciPy (30 MB and a quarter of a second), which training, the tour and the book's core
#: never need.
_LAZY = {
    **dict.fromkeys(
        ("NetworkLoss", "SharpnessTracker", "dense_hessian", "hessian_operator",
         "hessian_trace", "hvp", "loss_line", "loss_surface", "spectral_density",
         "step_size_limit", "top_eigenvalues"),
        "nnlearn.analysis",
    ),
    **dict.fromkeys(("load_experiment", "run_experiment"), "nnlearn.experiments"),
}


def __getattr__(name: str) -> Any:
    """Import a lazily served name (or subpackage) on first use (PEP 562)."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f"nnlearn.{name}")
    else:
        raise AttributeError(f"module 'nnlearn' has no attribute {name!r}")
    globals()[name] = value
    return value


#: The subpackages reachable as attributes after ``import nnlearn`` (the last two on first use).
_SUBPACKAGES = ("calculus", "data", "functions", "nn", "training", "analysis", "experiments")


def __dir__() -> list[str]:
    """The public names (what tab completion offers), not the helpers imported here."""
    return sorted({*__all__, *_SUBPACKAGES, "__version__"})

__all__ = [
    "DivergenceError",
    "AdaGrad",
    "Adam",
    "AddLayer",
    "Convolution",
    "DerivativeResult",
    "GradcheckReport",
    "Graph",
    "History",
    "Momentum",
    "MulLayer",
    "MultiLayerNet",
    "Nesterov",
    "NetworkLoss",
    "Pooling",
    "RMSprop",
    "SGD",
    "SharpnessTracker",
    "SimpleConvNet",
    "SimpleNet",
    "Trainer",
    "TwoLayerNet",
    "check_network",
    "col2im",
    "confusion_matrix",
    "cross_entropy_error",
    "dense_hessian",
    "derivative",
    "directional_derivative",
    "function_1",
    "function_2",
    "gradcheck",
    "gradient",
    "gradient_descent",
    "hessian",
    "hessian_operator",
    "hessian_trace",
    "hvp",
    "identity_function",
    "im2col",
    "jacobian",
    "load_experiment",
    "load_fashion_mnist",
    "load_mnist",
    "loss_line",
    "loss_surface",
    "make_spiral",
    "mean_squared_error",
    "numerical_diff",
    "numerical_gradient",
    "one_hot",
    "relu",
    "run_experiment",
    "sigmoid",
    "softmax",
    "spectral_density",
    "step_function",
    "step_size_limit",
    "top_eigenvalues",
]
