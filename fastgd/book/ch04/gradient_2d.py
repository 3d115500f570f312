"""The book's ``ch04/gradient_2d.py``: the per-row ``numerical_gradient`` (``float(tmp_val) + h``), ``function_2``.

Examples
--------
>>> import numpy as np
>>> from fastgd.book.ch04.gradient_2d import function_2, numerical_gradient
>>> numerical_gradient(function_2, np.array([[3.0, 4.0], [0.0, 2.0]]))
array([[6., 8.],
       [0., 4.]])
"""
from typing import Any

import numpy as np

from fastgd.book._gradients import tangent_line as _tangent
from fastgd.book._gradients import widened_gradient as _numerical_gradient_no_batch  # noqa: F401 - the book's
from fastgd.book._gradients import widened_gradient_2d as numerical_gradient


def function_2(x: Any) -> Any:
    """``sum(x**2)`` of one point, or of each row of a 2-D ``x``."""
    if x.ndim == 1:
        return np.sum(x**2)
    return np.sum(x**2, axis=1)


def tangent_line(f: Any, x: Any) -> Any:
    """The tangent of ``f`` at ``x`` as a function of ``t``; prints the slope, as the book does."""
    return _tangent(numerical_gradient, f, x)


__all__ = ["np", "numerical_gradient", "function_2", "tangent_line"]
