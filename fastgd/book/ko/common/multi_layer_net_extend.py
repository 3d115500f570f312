"""The Korean edition's ``common/multi_layer_net_extend.py``: :class:`fastgd.nn.MultiLayerNetExtend` (its generic path).

Examples
--------
>>> from fastgd.book.ko.common.multi_layer_net_extend import MultiLayerNetExtend
>>> MultiLayerNetExtend.__mro__[1].__module__
'fastgd.nn.multi_layer_net'
"""
import os
import sys
from collections import OrderedDict

from fastgd.book.ko._nets import MultiLayerNetExtend
from fastgd.book.ko.common.gradient import numerical_gradient
from fastgd.book.ko.common.layers import *  # noqa: F403 - the book's own star import, leaked to its users
from fastgd.book.ko.common.layers import __all__ as _layers

__all__ = _layers + ["sys", "os", "OrderedDict", "numerical_gradient", "MultiLayerNetExtend"]
