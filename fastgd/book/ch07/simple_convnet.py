"""The book's ``ch07/simple_convnet.py``: :class:`fastgd.nn.SimpleConvNet` (compiled numerical gradient).

Examples
--------
>>> import numpy as np
>>> from fastgd.book.ch07.simple_convnet import SimpleConvNet
>>> np.random.seed(0)
>>> network = SimpleConvNet()
>>> {key: value.shape for key, value in network.params.items()}["W2"]
(4320, 100)
"""
import os
import pickle
import sys
from collections import OrderedDict

from fastgd.book.common.gradient import numerical_gradient
from fastgd.book.common.layers import *  # noqa: F403 - the book's own star import, leaked to its users
from fastgd.nn import SimpleConvNet

__all__ = ["sys", "os", "pickle", "OrderedDict", "numerical_gradient", "SimpleConvNet", "im2col", "col2im", "Relu",
           "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout", "BatchNormalization", "Convolution", "Pooling", "np",
           "identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad", "softmax",
           "sum_squared_error", "cross_entropy_error", "softmax_loss"]
