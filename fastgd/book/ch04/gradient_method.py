"""The book's ``ch04/gradient_method.py``: ``gradient_descent`` returning ``(x, x_history)``, ``function_2``.

Examples
--------
>>> import numpy as np
>>> from fastgd.book.ch04.gradient_method import function_2, gradient_descent
>>> x, x_history = gradient_descent(function_2, np.array([-3.0, 4.0]), lr=0.1, step_num=20)
>>> x_history.shape
(20, 2)
"""
from typing import Any

import numpy as np

from fastgd.book._gradients import gradient_descent
from fastgd.book.ch04.gradient_2d import numerical_gradient


def function_2(x: Any) -> Any:
    """``x0**2 + x1**2``."""
    return x[0] ** 2 + x[1] ** 2


__all__ = ["np", "numerical_gradient", "gradient_descent", "function_2"]
