"""The textbook's helpers (its ``common/util.py``): image patches for convolutions, shuffling, smoothing."""
from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.reference.random import Rng, permutation


def smooth_curve(x: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """A loss curve smoothed by an 11-point Kaiser window (the book's plots).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.util import smooth_curve
    >>> smooth_curve(np.ones(20)).round(12).tolist() == [1.0] * 20
    True
    """
    x = np.asarray(x)
    window_len = 11
    s = np.r_[x[window_len - 1:0:-1], x, x[-1:-window_len:-1]]
    w = np.kaiser(window_len, 2)
    y = np.convolve(w / w.sum(), s, mode="valid")
    out: npt.NDArray[np.float64] = y[5:len(y) - 5]  # annotated: numpy's stubs type it Any here
    return out


def shuffle_dataset(x: npt.NDArray[Any], t: npt.NDArray[Any], rng: Rng = None
                    ) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """``x`` and ``t`` in one random order (``np.random.permutation`` unless ``rng`` is given).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.util import shuffle_dataset
    >>> x, t = shuffle_dataset(np.arange(10.0).reshape(5, 2), np.arange(5), rng=np.random.default_rng(0))
    >>> bool(np.array_equal(x[:, 0] / 2, t))  # rows and labels stay together
    True
    """
    order = permutation(rng, x.shape[0])
    x = x[order, :] if x.ndim == 2 else x[order, :, :, :]
    return x, t[order]


def conv_output_size(input_size: int, filter_size: int, stride: int = 1, pad: int = 0) -> float:
    """``(input_size + 2 * pad - filter_size) / stride + 1``: a convolution's output width (a float, as in the book).

    Examples
    --------
    >>> from fastgd.reference.util import conv_output_size
    >>> conv_output_size(28, 5)
    24.0
    """
    return (input_size + 2 * pad - filter_size) / stride + 1


def im2col(input_data: npt.NDArray[Any], filter_h: int, filter_w: int, stride: int = 1, pad: int = 0
           ) -> npt.NDArray[np.float64]:
    """Every ``filter_h`` × ``filter_w`` patch of a (N, C, H, W) batch as a row, as the book lays them out.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.util import im2col
    >>> im2col(np.arange(8.0).reshape(1, 2, 2, 2), 2, 2)  # one patch: channel 0's taps, then channel 1's
    array([[0., 1., 2., 3., 4., 5., 6., 7.]])
    """
    N, C, H, W = input_data.shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((N, C, filter_h, filter_w, out_h, out_w))
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            col[:, :, y, x, :, :] = img[:, :, y:y_max:stride, x:x_max:stride]
    rows: npt.NDArray[np.float64] = col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)  # see smooth_curve
    return rows


def col2im(col: npt.NDArray[Any], input_shape: tuple[int, ...], filter_h: int, filter_w: int, stride: int = 1,
           pad: int = 0) -> npt.NDArray[np.float64]:
    """Rows of patches added back into a (N, C, H, W) batch, tap by tap, as the book.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.util import col2im
    >>> col2im(np.ones((4, 1)), (1, 1, 2, 2), 1, 1)[0, 0]
    array([[1., 1.],
           [1., 1.]])
    """
    N, C, H, W = input_shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    col = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((N, C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1))
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            img[:, :, y:y_max:stride, x:x_max:stride] += col[:, :, y, x, :, :]
    out: npt.NDArray[np.float64] = img[:, :, pad:H + pad, pad:W + pad]  # annotated: see smooth_curve
    return out


__all__ = ["smooth_curve", "shuffle_dataset", "conv_output_size", "im2col", "col2im"]
