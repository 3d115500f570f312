"""The Korean edition's ``common/functions.py``: the original's, with ``mean_squared_error`` for ``sum_squared_error``.

Examples
--------
>>> import numpy as np
>>> from fastgd.book.ko.common.functions import mean_squared_error
>>> float(mean_squared_error(np.array([0.5, 0.5]), np.array([0.0, 1.0])))  # 0.5 * sum((y - t)**2)
0.25
"""
import numpy as np

from fastgd.book.common.functions import (
    cross_entropy_error,
    identity_function,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_loss,
    step_function,
)
from fastgd.book.common.functions import sum_squared_error as mean_squared_error

__all__ = ["np", "identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad", "softmax",
           "mean_squared_error", "cross_entropy_error", "softmax_loss"]
