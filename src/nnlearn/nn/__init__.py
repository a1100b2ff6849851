"""Networks trained by backpropagation: layers, networks, optimizers, the gradient checker.

- :mod:`~nnlearn.nn.layers`: ``forward``/``backward`` layers of chapter 5 and 6;
- :mod:`~nnlearn.nn.simple_net`: the seed's ``SimpleNet``;
- :mod:`~nnlearn.nn.layer_net`: the layer stack behind ``TwoLayerNet``
  (:mod:`~nnlearn.nn.two_layer_net`) and ``MultiLayerNet``
  (:mod:`~nnlearn.nn.multi_layer_net`), whose fast numerical gradient is
  :mod:`~nnlearn.nn.numerical`;
- :mod:`~nnlearn.nn.optimizers`: SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam;
- :mod:`~nnlearn.nn.gradient_check`: ``gradcheck`` and ``check_network``.
"""

from nnlearn.nn.gradient_check import GradcheckReport, check_network, gradcheck
from nnlearn.nn.multi_layer_net import MultiLayerNet
from nnlearn.nn.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop
from nnlearn.nn.simple_net import SimpleNet
from nnlearn.nn.two_layer_net import TwoLayerNet

__all__ = [
    "AdaGrad",
    "Adam",
    "GradcheckReport",
    "Momentum",
    "MultiLayerNet",
    "Nesterov",
    "RMSprop",
    "SGD",
    "SimpleNet",
    "TwoLayerNet",
    "check_network",
    "gradcheck",
]
