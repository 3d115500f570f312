"""The Korean edition's ``ch04/gradient_2d.py``: the original's (the same definitions).

Examples
--------
>>> import fastgd.book.ch04.gradient_2d as original
>>> import fastgd.book.ko.ch04.gradient_2d as korean
>>> all(getattr(korean, name) is getattr(original, name) for name in original.__all__)
True
"""
from fastgd.book.ch04.gradient_2d import *  # noqa: F403 - the same module

__all__ = ["np", "numerical_gradient", "function_2", "tangent_line"]
