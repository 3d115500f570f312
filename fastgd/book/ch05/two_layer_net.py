"""The book's ``ch05/two_layer_net.py``: :class:`fastgd.nn.ReluTwoLayerNet`, named ``TwoLayerNet`` as in the book.

Swap chapter 5's ``from two_layer_net import TwoLayerNet`` for
``from fastgd.book.ch05.two_layer_net import TwoLayerNet``: the layer-based ReLU net, not
chapter 4's sigmoid one.

Examples
--------
>>> import numpy as np
>>> from fastgd.book.ch05.two_layer_net import TwoLayerNet
>>> np.random.seed(0)
>>> network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
>>> list(network.layers), type(network.lastLayer).__name__
(['Affine1', 'Relu1', 'Affine2'], 'SoftmaxWithLoss')
"""
import os
import sys
from collections import OrderedDict

from fastgd.book.common.gradient import numerical_gradient
from fastgd.book.common.layers import *  # noqa: F403 - the book's own star import, leaked to its users
from fastgd.nn import ReluTwoLayerNet as TwoLayerNet

__all__ = ["sys", "os", "OrderedDict", "numerical_gradient", "TwoLayerNet", "im2col", "col2im", "Relu", "Sigmoid",
           "Affine", "SoftmaxWithLoss", "Dropout", "BatchNormalization", "Convolution", "Pooling", "np",
           "identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad", "softmax",
           "sum_squared_error", "cross_entropy_error", "softmax_loss"]
