"""The book's ``ch04/gradient_1d.py``: ``numerical_diff``, ``function_1``, ``tangent_line`` (the plot is the script's).

Examples
--------
>>> from fastgd.book.ch04.gradient_1d import function_1, numerical_diff
>>> round(numerical_diff(function_1, 10), 6)
0.3
"""
from typing import Any

import numpy as np

from fastgd.book._gradients import numerical_diff
from fastgd.book._gradients import tangent_line as _tangent


def function_1(x: Any) -> Any:
    """``0.01 x**2 + 0.1 x``."""
    return 0.01 * x**2 + 0.1 * x


def tangent_line(f: Any, x: Any) -> Any:
    """The tangent of ``f`` at ``x`` as a function of ``t``; prints the slope, as the book does."""
    return _tangent(numerical_diff, f, x)


__all__ = ["np", "numerical_diff", "function_1", "tangent_line"]
