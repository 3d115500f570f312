"""The Korean edition's ``common/multi_layer_net.py``: :class:`fastgd.nn.MultiLayerNet` with its generic path.

Examples
--------
>>> import numpy as np
>>> from fastgd.book.ko.common.multi_layer_net import MultiLayerNet, numerical_gradient
>>> np.random.seed(0)
>>> network = MultiLayerNet(4, [3], 2)
>>> network.params["b2"] = network.layers["Affine2"].b = np.zeros(2, dtype=np.float32)  # not float64: generic
>>> x, t = np.random.rand(2, 4), np.array([0, 1])
>>> grads = network.numerical_gradient(x, t)  # the Korean code's float(tmp_val) + h throughout
>>> bool(np.array_equal(grads["b2"], numerical_gradient(lambda W: network.loss(x, t), network.params["b2"])))
True
"""
import os
import sys
from collections import OrderedDict

from fastgd.book.ko._nets import MultiLayerNet
from fastgd.book.ko.common.gradient import numerical_gradient
from fastgd.book.ko.common.layers import *  # noqa: F403 - the book's own star import, leaked to its users

__all__ = ["sys", "os", "OrderedDict", "numerical_gradient", "MultiLayerNet", "im2col", "col2im", "Relu", "Sigmoid",
           "Affine", "SoftmaxWithLoss", "Dropout", "BatchNormalization", "Convolution", "Pooling", "np",
           "identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad", "softmax",
           "mean_squared_error", "cross_entropy_error", "softmax_loss"]
