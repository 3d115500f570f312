"""The Korean edition's ``common/multi_layer_net_extend.py``: :class:`fastgd.nn.MultiLayerNetExtend` (its generic path).

Examples
--------
>>> from fastgd import nn
>>> from fastgd.book.ko.common.multi_layer_net_extend import MultiLayerNetExtend
>>> issubclass(MultiLayerNetExtend, nn.MultiLayerNetExtend)  # the compiled net, with the Korean generic path
True
"""
import os
import sys
from collections import OrderedDict

from fastgd.book.ko._nets import MultiLayerNetExtend
from fastgd.book.ko.common.gradient import numerical_gradient
from fastgd.book.ko.common.layers import *  # noqa: F403 - the book's own star import, leaked to its users

__all__ = ["sys", "os", "OrderedDict", "numerical_gradient", "MultiLayerNetExtend", "im2col", "col2im", "Relu",
           "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout", "BatchNormalization", "Convolution", "Pooling", "np",
           "identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad", "softmax",
           "mean_squared_error", "cross_entropy_error", "softmax_loss"]
