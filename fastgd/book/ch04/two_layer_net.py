"""The book's ``ch04/two_layer_net.py``: the sigmoid :class:`fastgd.nn.TwoLayerNet` (compiled numerical gradient).

Swap chapter 4's ``from two_layer_net import TwoLayerNet`` for
``from fastgd.book.ch04.two_layer_net import TwoLayerNet`` (chapter 5's net is another model:
:mod:`fastgd.book.ch05.two_layer_net`).

Examples
--------
>>> import numpy as np
>>> from fastgd.book.ch04.two_layer_net import TwoLayerNet
>>> np.random.seed(0)
>>> network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
>>> network.params["W1"].shape, "layers" in vars(network)
((784, 50), False)
"""
import os
import sys

from fastgd.book.common.functions import *  # noqa: F403 - the book's own star import, leaked to its users
from fastgd.book.common.gradient import numerical_gradient
from fastgd.nn import TwoLayerNet

__all__ = ["sys", "os", "numerical_gradient", "TwoLayerNet", "np", "identity_function", "step_function", "sigmoid",
           "sigmoid_grad", "relu", "relu_grad", "softmax", "sum_squared_error", "cross_entropy_error",
           "softmax_loss"]
