"""The book's ``common/util.py``: ``im2col``/``col2im``, ``shuffle_dataset``, ``smooth_curve``, ``conv_output_size``.

Examples
--------
>>> import numpy as np
>>> from fastgd.book.common.util import im2col
>>> im2col(np.zeros((2, 3, 5, 5)), 3, 3).shape  # 2 images × 3 × 3 positions, 3 channels × 3 × 3 taps
(18, 27)
"""
import numpy as np

from fastgd.reference.util import col2im, conv_output_size, im2col, shuffle_dataset, smooth_curve

__all__ = ["np", "smooth_curve", "shuffle_dataset", "conv_output_size", "im2col", "col2im"]
