"""The Korean edition's ``ch07/simple_convnet.py``: the convolutional net, its generic path the Korean one.

Examples
--------
>>> import numpy as np
>>> from fastgd.book.ko.ch07.simple_convnet import SimpleConvNet
>>> np.random.seed(0)
>>> list(SimpleConvNet().layers)
['Conv1', 'Relu1', 'Pool1', 'Affine1', 'Relu2', 'Affine2']
"""
import os
import pickle
import sys
from collections import OrderedDict

from fastgd.book.ko._nets import SimpleConvNet
from fastgd.book.ko.common.gradient import numerical_gradient
from fastgd.book.ko.common.layers import *  # noqa: F403 - the book's own star import, leaked to its users

__all__ = ["sys", "os", "pickle", "OrderedDict", "numerical_gradient", "SimpleConvNet", "im2col", "col2im", "Relu",
           "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout", "BatchNormalization", "Convolution", "Pooling", "np",
           "identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad", "softmax",
           "mean_squared_error", "cross_entropy_error", "softmax_loss"]
