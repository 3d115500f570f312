"""The book's ``common/multi_layer_net_extend.py``: :class:`fastgd.nn.MultiLayerNetExtend` (compiled gradient).

Examples
--------
>>> import numpy as np
>>> from fastgd.book.common.multi_layer_net_extend import MultiLayerNetExtend
>>> np.random.seed(0)
>>> network = MultiLayerNetExtend(input_size=784, hidden_size_list=[100, 100], output_size=10, use_batchnorm=True)
>>> sorted(network.params)[:4]
['W1', 'W2', 'W3', 'b1']
"""
import os
import sys
from collections import OrderedDict

from fastgd.book.common.gradient import numerical_gradient
from fastgd.book.common.layers import *  # noqa: F403 - the book's own star import, leaked to its users
from fastgd.nn import MultiLayerNetExtend

__all__ = ["sys", "os", "OrderedDict", "numerical_gradient", "MultiLayerNetExtend", "im2col", "col2im", "Relu",
           "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout", "BatchNormalization", "Convolution", "Pooling", "np",
           "identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad", "softmax",
           "sum_squared_error", "cross_entropy_error", "softmax_loss"]
