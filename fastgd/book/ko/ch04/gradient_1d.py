"""The Korean edition's ``ch04/gradient_1d.py``: the original's (the same definitions).

Examples
--------
>>> import fastgd.book.ch04.gradient_1d as original
>>> import fastgd.book.ko.ch04.gradient_1d as korean
>>> all(getattr(korean, name) is getattr(original, name) for name in original.__all__)
True
"""
from fastgd.book.ch04.gradient_1d import *  # noqa: F403 - the same module

__all__ = ["np", "numerical_diff", "function_1", "tangent_line"]
