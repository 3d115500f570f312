"""The book's ``common/util.py``: ``im2col``/``col2im``, ``shuffle_dataset``, ``smooth_curve``, ``conv_output_size``.

``im2col`` and ``col2im`` are the ones fastgd's convolution layers use (the book's layout and
sums, bit for bit); ``shuffle_dataset``, ``smooth_curve`` and ``conv_output_size`` are
:mod:`fastgd.reference.util`, the book's numpy code as it is (for the reason in
:mod:`fastgd.book.common.functions`).

Examples
--------
>>> import numpy as np
>>> from fastgd.book.common.util import im2col
>>> im2col(np.zeros((2, 3, 5, 5)), 3, 3).shape  # 2 images × 3 × 3 positions, 3 channels × 3 × 3 taps
(18, 27)
"""
import numpy as np

from fastgd.nn._patches import col2im, im2col
from fastgd.reference.util import conv_output_size, shuffle_dataset, smooth_curve

__all__ = ["np", "smooth_curve", "shuffle_dataset", "conv_output_size", "im2col", "col2im"]
