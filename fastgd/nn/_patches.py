"""Image patches as matrix rows and back: the book's ``im2col`` and ``col2im``, by a strided view.

A convolution of a (N, C, H, W) batch with (FH, FW) filters every ``stride`` pixels, after
``pad`` zeros around each image, reads ``out_h × out_w`` patches per image. :func:`im2col`
lays them out as the book does (rows in (n, y, x) order, columns in (c, fy, fx) order) and
:func:`col2im` adds such rows back into a batch, tap by tap in the book's order, so the sums
are the book's bit for bit.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import as_strided


def out_size(size: int, filter_size: int, stride: int, pad: int) -> int:
    """Patches along one axis: ``(size + 2 * pad - filter_size) // stride + 1``."""
    return (size + 2 * pad - filter_size) // stride + 1


def im2col(input_data: npt.NDArray[Any], filter_h: int, filter_w: int, stride: int = 1, pad: int = 0
           ) -> npt.NDArray[Any]:
    """Every ``filter_h`` × ``filter_w`` patch of a (N, C, H, W) batch as one row.

    Returns
    -------
    numpy.ndarray
        (N · out_h · out_w) × (C · filter_h · filter_w), float64 (as the book's zeros it fills).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn._patches import im2col
    >>> im2col(np.arange(9.0).reshape(1, 1, 3, 3), 2, 2)
    array([[0., 1., 3., 4.],
           [1., 2., 4., 5.],
           [3., 4., 6., 7.],
           [4., 5., 7., 8.]])
    """
    N, C, H, W = input_data.shape
    out_h, out_w = out_size(H, filter_h, stride, pad), out_size(W, filter_w, stride, pad)
    if out_h < 0 or out_w < 0:
        raise ValueError(f"a {filter_h} × {filter_w} filter does not fit a {H} × {W} image padded by {pad}")
    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)]) if pad else input_data
    n, c, y, x = img.strides
    # Every tap of every patch, (N, C, FH, FW, out_h, out_w), copied into the book's buffer: for one image the
    # rows returned are a strided view of it, and BLAS rounds a product with that view unlike one with a copy.
    taps = np.array(as_strided(img, (N, C, filter_h, filter_w, out_h, out_w), (n, c, y, x, y * stride, x * stride),
                               writeable=False), dtype=np.float64, order="C")
    rows: npt.NDArray[np.float64] = taps.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)  # see col2im
    return rows


def col2im(col: npt.NDArray[Any], input_shape: tuple[int, ...], filter_h: int, filter_w: int, stride: int = 1,
           pad: int = 0) -> npt.NDArray[np.float64]:
    """Rows of patches (:func:`im2col`'s layout) added back into a (N, C, H, W) batch.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn._patches import col2im, im2col
    >>> col2im(im2col(np.ones((1, 1, 3, 3)), 2, 2), (1, 1, 3, 3), 2, 2)[0, 0]  # patches holding each pixel
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    N, C, H, W = input_shape
    out_h, out_w = out_size(H, filter_h, stride, pad), out_size(W, filter_w, stride, pad)
    patches = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    for y, x in np.ndindex(filter_h, filter_w):  # tap by tap, as the book adds them
        img[:, :, y:y + stride * out_h:stride, x:x + stride * out_w:stride] += patches[:, :, y, x]
    out: npt.NDArray[np.float64] = img[:, :, pad:H + pad, pad:W + pad]  # annotated: numpy's stubs type it Any
    return out


__all__ = ["out_size", "im2col", "col2im"]
