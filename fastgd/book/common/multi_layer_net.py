"""The book's ``common/multi_layer_net.py``: :class:`fastgd.nn.MultiLayerNet` (compiled numerical gradient).

Examples
--------
>>> import numpy as np
>>> from fastgd.book.common.multi_layer_net import MultiLayerNet
>>> np.random.seed(0)
>>> network = MultiLayerNet(input_size=784, hidden_size_list=[100, 100, 100, 100], output_size=10)
>>> [network.params[f"W{i}"].shape for i in (1, 5)]
[(784, 100), (100, 10)]
"""
import os
import sys
from collections import OrderedDict

from fastgd.book.common.gradient import numerical_gradient
from fastgd.book.common.layers import *  # noqa: F403 - the book's own star import, leaked to its users
from fastgd.nn import MultiLayerNet

__all__ = ["sys", "os", "OrderedDict", "numerical_gradient", "MultiLayerNet", "im2col", "col2im", "Relu", "Sigmoid",
           "Affine", "SoftmaxWithLoss", "Dropout", "BatchNormalization", "Convolution", "Pooling", "np",
           "identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad", "softmax",
           "sum_squared_error", "cross_entropy_error", "softmax_loss"]
