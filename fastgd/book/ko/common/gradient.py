"""The Korean edition's ``common/gradient.py``: ``numerical_gradient`` with ``x[idx] = float(tmp_val) + h``.

Examples
--------
>>> import numpy as np
>>> from fastgd.book.ko.common.gradient import numerical_gradient
>>> numerical_gradient(lambda x: x[0]**2 + x[1]**2, np.array([3.0, 4.0]))  # float64: the original's numbers
array([6., 8.])
"""
from fastgd.book._gradients import widened_gradient as numerical_gradient
from fastgd.book.common.gradient import _numerical_gradient_1d, np, numerical_gradient_2d  # noqa: F401 - the book's

__all__ = ["np", "numerical_gradient", "numerical_gradient_2d"]
