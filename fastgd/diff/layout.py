"""Memory layout of the arrays handed to the kernels."""
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


def c_order_offsets(x: npt.NDArray[Any]) -> npt.NDArray[np.intp] | None:
    """Byte offsets of the elements of ``x`` in C order, or None if ``x`` is C-contiguous.

    The kernels then address element ``i`` as ``data + offsets[i]``: strided views
    (``W.T``, ``W[:, ::2]``) are perturbed and updated in the caller's memory, never
    in a copy.
    """
    if x.flags.c_contiguous:
        return None
    offsets = np.zeros((), dtype=np.intp)
    for length, stride in zip(x.shape, x.strides, strict=True):
        offsets = np.add.outer(offsets, np.arange(length, dtype=np.intp) * stride)
    return offsets.ravel()
