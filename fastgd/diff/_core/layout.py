"""Memory layout of the arrays handed to the kernels, and the order their elements are visited in."""
from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

_TYPED: tuple[np.dtype[np.float64], np.dtype[np.float32]] = (np.dtype(np.float64), np.dtype(np.float32))


def has_typed_kernel(x: npt.NDArray[Any]) -> bool:
    """True if the compiled float32/float64 kernels can address ``x`` directly.

    Byte-swapped and unaligned arrays, and other float dtypes (float16, longdouble),
    take the slower numpy-scalar path instead.
    """
    return x.dtype in _TYPED and x.dtype.isnative and x.flags.aligned


def memory_order(x: npt.NDArray[Any]) -> tuple[npt.NDArray[np.intp] | None, npt.NDArray[np.intp] | None]:
    """The elements of ``x`` in the order ``np.nditer(x)`` visits them: memory order.

    Returns ``(offsets, index)``: the byte offset of the i-th visited element from ``x``'s data
    pointer, and its position in C order (``x.flat``); each is None where it equals the
    C-contiguous default (``i * itemsize``, ``i``). The textbook perturbs elements in this order,
    which an order-sensitive ``f`` (one that draws random numbers) can tell apart from C order.
    Strided views (``W.T``, ``W[:, ::2]``) are addressed in the memory they share with ``W``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.diff._core.layout import memory_order
    >>> memory_order(np.zeros((2, 3)))
    (None, None)
    >>> offsets, index = memory_order(np.zeros((2, 3)).T)  # visited as the base's memory runs
    >>> offsets.tolist(), index.tolist()
    ([0, 8, 16, 24, 32, 40], [0, 2, 4, 1, 3, 5])
    """
    if x.flags.c_contiguous:
        return None, None
    if x.ndim == 1 and x.strides[0] > 0:  # a step, or the imaginary part of a complex array
        return np.arange(x.size, dtype=np.intp) * x.strides[0], None
    offsets: npt.NDArray[np.intp] = np.zeros((), dtype=np.intp)
    for length, stride in zip(x.shape, x.strides, strict=True):
        offsets = np.add.outer(offsets, np.arange(length, dtype=np.intp) * stride)
    offsets = offsets.ravel()
    nested = zip(x.strides[:-1], x.strides[1:], x.shape[1:], strict=True)
    if all(stride > 0 for stride in x.strides) and all(outer >= inner * length for outer, inner, length in nested):
        return offsets, None  # strided in C order (a step, the imaginary part of a complex array): no sort
    index = np.argsort(offsets, kind="stable").astype(np.intp, copy=False)
    offsets = offsets[index]
    if np.array_equal(index, np.arange(index.size)):
        return offsets, None
    return offsets, index


def visits(x: npt.NDArray[Any], elements: npt.NDArray[np.bool_] | None = None
           ) -> tuple[npt.NDArray[np.intp] | None, npt.NDArray[np.intp] | None, int]:
    """:func:`memory_order` limited to the elements where the mask ``elements`` (shaped like
    ``x``) is True, and how many those are: ``(offsets, index, count)``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.diff._core.layout import visits
    >>> offsets, index, count = visits(np.zeros((2, 3)).T, np.array([[True, False], [False, True], [True, True]]))
    >>> offsets.tolist(), index.tolist(), count  # C positions 0, 4, 3, 5 in the base's memory order
    ([0, 16, 32, 40], [0, 4, 3, 5], 4)
    """
    offsets, index = memory_order(x)
    if elements is None:
        return offsets, index, x.size
    positions = np.arange(x.size, dtype=np.intp) if index is None else index
    keep = np.ascontiguousarray(elements).reshape(-1)[positions]
    if offsets is None:
        offsets = positions * x.itemsize
    return offsets[keep], positions[keep], int(np.count_nonzero(keep))
