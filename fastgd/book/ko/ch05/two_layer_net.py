"""The Korean edition's ``ch05/two_layer_net.py``: the layer-based ReLU net, named ``TwoLayerNet`` as in the book.

Examples
--------
>>> import numpy as np
>>> from fastgd.book.ko.ch05.two_layer_net import TwoLayerNet
>>> np.random.seed(0)
>>> list(TwoLayerNet(input_size=784, hidden_size=50, output_size=10).layers)
['Affine1', 'Relu1', 'Affine2']
"""
import os
import sys
from collections import OrderedDict

from fastgd.book.ko._nets import ReluTwoLayerNet as TwoLayerNet
from fastgd.book.ko.common.gradient import numerical_gradient
from fastgd.book.ko.common.layers import *  # noqa: F403 - the book's own star import, leaked to its users

__all__ = ["sys", "os", "OrderedDict", "numerical_gradient", "TwoLayerNet", "im2col", "col2im", "Relu", "Sigmoid",
           "Affine", "SoftmaxWithLoss", "Dropout", "BatchNormalization", "Convolution", "Pooling", "np",
           "identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad", "softmax",
           "mean_squared_error", "cross_entropy_error", "softmax_loss"]
