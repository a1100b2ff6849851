"""Networks trained by backpropagation: layers, networks, optimizers, the gradient checker.

- :mod:`~nnlearn.nn.graph`: the computational graph of chapter 5 (``MulLayer``,
  ``AddLayer``, the shopping examples);
- :mod:`~nnlearn.nn.layers`: ``forward``/``backward`` layers of chapter 5 and 6;
  :mod:`~nnlearn.nn.input_affine`: ``InputAffine``, a first layer that skips blank pixels;
- :mod:`~nnlearn.nn.convolution`: ``im2col``, ``col2im``, ``Convolution``;
  :mod:`~nnlearn.nn.pooling`: ``Pooling`` (chapter 7);
  :mod:`~nnlearn.nn.simple_conv_net`: ``SimpleConvNet``;
- :mod:`~nnlearn.nn.simple_net`: the seed's ``SimpleNet``;
- :mod:`~nnlearn.nn.layer_net`: the layer stack behind ``TwoLayerNet``
  (:mod:`~nnlearn.nn.two_layer_net`) and ``MultiLayerNet``
  (:mod:`~nnlearn.nn.multi_layer_net`), whose fast numerical gradient is
  :mod:`~nnlearn.nn.numerical`;
- :mod:`~nnlearn.nn.optimizers`: SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam;
- :mod:`~nnlearn.nn.gradient_check`: ``gradcheck`` and ``check_network``.
"""

from nnlearn.nn.convolution import Convolution, col2im, im2col
from nnlearn.nn.gradient_check import GradcheckReport, check_network, gradcheck
from nnlearn.nn.graph import AddLayer, Graph, MulLayer, apple_graph, apple_orange_graph
from nnlearn.nn.multi_layer_net import MultiLayerNet
from nnlearn.nn.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop
from nnlearn.nn.pooling import Pooling
from nnlearn.nn.simple_conv_net import SimpleConvNet
from nnlearn.nn.simple_net import SimpleNet
from nnlearn.nn.two_layer_net import TwoLayerNet

__all__ = [
    "AdaGrad",
    "Adam",
    "AddLayer",
    "Convolution",
    "GradcheckReport",
    "Graph",
    "Momentum",
    "MulLayer",
    "MultiLayerNet",
    "Nesterov",
    "Pooling",
    "RMSprop",
    "SGD",
    "SimpleConvNet",
    "SimpleNet",
    "TwoLayerNet",
    "apple_graph",
    "apple_orange_graph",
    "check_network",
    "col2im",
    "gradcheck",
    "im2col",
]
