"""The Korean edition's ``common/layers.py``: the original's layers, leaking the Korean functions' names.

Examples
--------
>>> from fastgd.book.ko.common.layers import *
>>> mean_squared_error.__name__, Affine.__module__
('sum_squared_error', 'fastgd.nn.layers')
"""
from fastgd.book.ko.common.functions import *  # noqa: F403 - the book's own star import, leaked to its users
from fastgd.book.ko.common.util import col2im, im2col
from fastgd.nn.layers import (
    Affine,
    BatchNormalization,
    Convolution,
    Dropout,
    Pooling,
    Relu,
    Sigmoid,
    SoftmaxWithLoss,
)

__all__ = ["im2col", "col2im", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout", "BatchNormalization",
           "Convolution", "Pooling", "np", "identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu",
           "relu_grad", "softmax", "mean_squared_error", "cross_entropy_error", "softmax_loss"]
