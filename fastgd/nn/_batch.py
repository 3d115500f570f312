"""What the compiled gradients accept: float64 parameters and a real, finite batch; anything else goes generic."""
from __future__ import annotations

from typing import Any, TypeGuard

import numpy as np
import numpy.typing as npt


def is_float64(array: object, contiguous: bool = False) -> TypeGuard[npt.NDArray[np.float64]]:
    """``array`` is a finite, non-empty float64 ndarray (C-contiguous too, if asked)."""
    return (isinstance(array, np.ndarray) and array.dtype == np.float64 and array.size > 0
            and (array.flags.c_contiguous or not contiguous) and bool(np.isfinite(array).all()))


def as_batch(x: object, max_ndim: int | None = None, min_ndim: int = 1) -> npt.NDArray[np.float64] | None:
    """``x`` as a C-contiguous float64 batch, one row per sample (a 1-D ``x`` is one sample), or None.

    None when ``x`` is not a finite real array with ``min_ndim`` to ``max_ndim`` dimensions: the
    caller then takes the generic path, which behaves exactly as the book does.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind not in "biuf" or not min_ndim <= x.ndim <= (max_ndim or x.ndim):
        return None
    rows: Any = x.reshape(1, -1) if x.ndim == 1 else x.reshape(x.shape[0], -1)
    batch = np.ascontiguousarray(rows, dtype=np.float64)
    return batch if np.isfinite(batch).all() else None
