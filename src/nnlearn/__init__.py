"""nnlearn: the mathematics of neural-network learning, from scratch on NumPy.

The seed's core (losses, the central-difference ``numerical_diff`` and
``numerical_gradient``, ``gradient_descent``, ``softmax`` and ``SimpleNet``)
reproduces the book's printed values exactly; around it are accurate
derivatives, backpropagation layers and networks, a gradient checker,
optimizers and MNIST training.
"""

from nnlearn.datasets import load_fashion_mnist, load_mnist, make_spiral
from nnlearn.derivatives import (
    DerivativeResult,
    derivative,
    directional_derivative,
    gradient,
    hessian,
    jacobian,
)
from nnlearn.descent import DivergenceError, gradient_descent
from nnlearn.differentiate import numerical_diff, numerical_gradient
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
from nnlearn.gradcheck import GradcheckReport, check_network, gradcheck
from nnlearn.networks import MultiLayerNet, SimpleNet, TwoLayerNet
from nnlearn.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop
from nnlearn.training import History, Trainer, confusion_matrix

__version__ = "0.1.0"

__all__ = [
    "DivergenceError",
    "AdaGrad",
    "Adam",
    "DerivativeResult",
    "GradcheckReport",
    "History",
    "Momentum",
    "MultiLayerNet",
    "Nesterov",
    "RMSprop",
    "SGD",
    "SimpleNet",
    "Trainer",
    "TwoLayerNet",
    "check_network",
    "confusion_matrix",
    "cross_entropy_error",
    "derivative",
    "directional_derivative",
    "function_1",
    "function_2",
    "gradcheck",
    "gradient",
    "gradient_descent",
    "hessian",
    "identity_function",
    "jacobian",
    "load_fashion_mnist",
    "load_mnist",
    "make_spiral",
    "mean_squared_error",
    "numerical_diff",
    "numerical_gradient",
    "one_hot",
    "relu",
    "sigmoid",
    "softmax",
    "step_function",
]
