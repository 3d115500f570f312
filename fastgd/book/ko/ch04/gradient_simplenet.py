"""The Korean edition's ``ch04/gradient_simplenet.py``: ``simpleNet`` and the Korean ``numerical_gradient``.

Examples
--------
>>> import numpy as np
>>> from fastgd.book.ko.ch04.gradient_simplenet import numerical_gradient, simpleNet
>>> np.random.seed(0)
>>> net = simpleNet()
>>> numerical_gradient(lambda w: net.loss(np.array([0.6, 0.9]), np.array([0, 0, 1])), net.W).shape
(2, 3)
"""
import os
import sys

import numpy as np

from fastgd.book.ko._nets import SimpleNet as simpleNet  # noqa: N813 - the book's name
from fastgd.book.ko.common.functions import cross_entropy_error, softmax
from fastgd.book.ko.common.gradient import numerical_gradient

__all__ = ["sys", "os", "np", "softmax", "cross_entropy_error", "numerical_gradient", "simpleNet"]
