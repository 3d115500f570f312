"""Targets as the kernels read them: the (sample, class) pairs the textbook's cross-entropy sums over.

``cross_entropy_error`` takes the argmax of one-hot targets, then indexes
``y[np.arange(batch_size), t]`` with numpy's broadcasting: labels of shape (N,) pair row
``b`` with ``t[b]``, but labels of shape (N, 1) pair every row with every label. The kernels
take whatever pairs that indexing produces, per sample, with how often each occurs, so their
gradient is the gradient of the very loss the net's ``loss`` computes.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt


class Targets(NamedTuple):
    """Per sample ``b``: classes ``cls[ptr[b]:ptr[b+1]]``, each counted ``weight`` times in the loss."""

    ptr: npt.NDArray[np.intp]
    cls: npt.NDArray[np.intp]
    weight: npt.NDArray[np.float64]


def targets(t: npt.ArrayLike, batch: int, n_out: int, one_sample: bool = False) -> Targets:
    """The pairs ``cross_entropy_error(y, t)`` reads for ``y`` of shape (``batch``, ``n_out``).

    Parameters
    ----------
    t : array_like
        One-hot rows or integer labels, any shape the reference's indexing accepts.
    batch, n_out : int
        Shape of the predictions.
    one_sample : bool, optional
        The predictions are one 1-D row (the loss then reshapes ``t`` to one row first).

    Raises
    ------
    TypeError
        Labels that are not integers.
    ValueError
        Labels outside ``[0, n_out)``, or a shape the reference's indexing cannot pair with the batch.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn._targets import targets
    >>> targets(np.array([2, 0]), 2, 3)
    Targets(ptr=array([0, 1, 2]), cls=array([2, 0]), weight=array([1., 1.]))
    >>> targets(np.array([[2], [0]]), 2, 3).cls  # (N, 1): every row with every label
    array([0, 2, 0, 2])
    """
    t = np.asarray(t)
    if one_sample:
        t = t.reshape(1, t.size)
    if t.size == batch * n_out:  # one-hot, as cross_entropy_error decides
        if t.ndim < 2:
            raise ValueError(f"t has {t.size} values, as one-hot rows of {n_out} would, but is {t.ndim}-D")
        labels: npt.NDArray[Any] = t.argmax(axis=1)
    else:
        labels = t
    try:
        rows, cols = np.broadcast_arrays(np.arange(batch), labels)
    except ValueError:
        raise ValueError(f"t must hold {batch} labels or {batch}×{n_out} one-hot rows, got shape {t.shape}") from None
    if cols.dtype.kind not in "iu":
        raise TypeError(f"t must be one-hot rows or integer labels, got dtype {t.dtype}")
    if cols.size and (cols.min() < 0 or cols.max() >= n_out):
        raise ValueError(f"labels must be in [0, {n_out}), got {cols.min()}..{cols.max()}")
    pairs, counts = np.unique(rows.ravel().astype(np.intp) * n_out + cols.ravel(), return_counts=True)
    ptr = np.zeros(batch + 1, dtype=np.intp)
    np.cumsum(np.bincount(pairs // n_out, minlength=batch), out=ptr[1:])
    return Targets(ptr, (pairs % n_out).astype(np.intp), counts.astype(np.float64))
