"""The Korean edition's ``ch04/two_layer_net.py``: the sigmoid two-layer net, its generic path the Korean one.

Examples
--------
>>> import numpy as np
>>> from fastgd.book.ko.ch04.two_layer_net import TwoLayerNet
>>> np.random.seed(0)
>>> TwoLayerNet(input_size=784, hidden_size=50, output_size=10).params["W2"].shape
(50, 10)
"""
import os
import sys

from fastgd.book.ko._nets import TwoLayerNet
from fastgd.book.ko.common.functions import *  # noqa: F403 - the book's own star import, leaked to its users
from fastgd.book.ko.common.gradient import numerical_gradient

__all__ = ["sys", "os", "numerical_gradient", "TwoLayerNet", "np", "identity_function", "step_function", "sigmoid",
           "sigmoid_grad", "relu", "relu_grad", "softmax", "mean_squared_error", "cross_entropy_error",
           "softmax_loss"]
