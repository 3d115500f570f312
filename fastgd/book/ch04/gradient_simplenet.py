"""The book's ``ch04/gradient_simplenet.py``: ``simpleNet`` (the script's own lines are the script's).

Examples
--------
>>> import numpy as np
>>> from fastgd.book.ch04.gradient_simplenet import numerical_gradient, simpleNet
>>> np.random.seed(0)
>>> net = simpleNet()
>>> x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
>>> numerical_gradient(lambda w: net.loss(x, t), net.W).shape
(2, 3)
"""
import os
import sys

import numpy as np

from fastgd.book.common.functions import cross_entropy_error, softmax
from fastgd.book.common.gradient import numerical_gradient
from fastgd.nn import SimpleNet as simpleNet  # noqa: N813 - the book's name

__all__ = ["sys", "os", "np", "softmax", "cross_entropy_error", "numerical_gradient", "simpleNet"]
