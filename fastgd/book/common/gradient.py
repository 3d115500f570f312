"""The book's ``common/gradient.py``: ``numerical_gradient`` is fastgd's, compiled, the same numbers.

Swap ``from common.gradient import numerical_gradient`` for
``from fastgd.book.common.gradient import numerical_gradient`` (or ``from fastgd import
numerical_gradient``). ``numerical_gradient_2d`` and ``_numerical_gradient_1d`` keep the book's
``float(tmp_val) + h`` (see :mod:`fastgd.book._gradients`).

Examples
--------
>>> import numpy as np
>>> from fastgd.book.common.gradient import numerical_gradient, numerical_gradient_2d
>>> numerical_gradient(lambda x: x[0]**2 + x[1]**2, np.array([3.0, 4.0]))
array([6., 8.])
>>> numerical_gradient_2d(lambda x: np.sum(x**2), np.array([[1.0, 2.0], [3.0, 4.0]]))
array([[2., 4.],
       [6., 8.]])
"""
import numpy as np

from fastgd.book._gradients import widened_gradient as _numerical_gradient_1d  # noqa: F401 - the book's 1-D loop
from fastgd.book._gradients import widened_gradient_2d as numerical_gradient_2d
from fastgd.diff import numerical_gradient

__all__ = ["np", "numerical_gradient", "numerical_gradient_2d"]
