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
from fastgd.book.ko.common.functions import __all__ as _functions
from fastgd.book.ko.common.gradient import numerical_gradient

__all__ = _functions + ["sys", "os", "numerical_gradient", "TwoLayerNet"]
