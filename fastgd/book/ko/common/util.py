"""The Korean edition's ``common/util.py``: the original's (the same code).

Examples
--------
>>> from fastgd.book.ko.common.util import conv_output_size
>>> conv_output_size(28, 5)
24.0
"""
from fastgd.book.common.util import *  # noqa: F403 - the same module

__all__ = ["np", "smooth_curve", "shuffle_dataset", "conv_output_size", "im2col", "col2im"]
