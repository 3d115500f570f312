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
from fastgd.book.common.layers import __all__ as _layers
from fastgd.nn import MultiLayerNet

__all__ = _layers + ["sys", "os", "OrderedDict", "numerical_gradient", "MultiLayerNet"]
