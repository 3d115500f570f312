"""The book's ``common/layers.py``: its layers (:mod:`fastgd.nn.layers`), and the names its star import brings.

The layers the mirror's nets are built from, so a layer taken from here and put into a net
keeps its compiled ``numerical_gradient``.

Examples
--------
>>> import numpy as np
>>> from fastgd.book.common.layers import *
>>> Relu().forward(np.array([-1.0, 2.0])), softmax is not None, im2col is not None
(array([0., 2.]), True, True)
"""
from fastgd.book.common.functions import *  # noqa: F403 - the book's own star import, leaked to its users
from fastgd.book.common.util import col2im, im2col
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
           "relu_grad", "softmax", "sum_squared_error", "cross_entropy_error", "softmax_loss"]
