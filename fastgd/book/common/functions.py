"""The book's ``common/functions.py``: its activation and loss functions (numpy, the book's numbers).

Swap ``from common.functions import ...`` for ``from fastgd.book.common.functions import ...``.

Examples
--------
>>> import numpy as np
>>> from fastgd.book.common.functions import *
>>> np.round(softmax(np.array([0.3, 2.9, 4.0])), 4), float(step_function(np.array(1.0)))
(array([0.0182, 0.2452, 0.7366]), 1.0)
"""
import numpy as np

from fastgd.reference.functions import (
    cross_entropy_error,
    identity_function,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_loss,
    step_function,
    sum_squared_error,
)

__all__ = ["np", "identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad", "softmax",
           "sum_squared_error", "cross_entropy_error", "softmax_loss"]
