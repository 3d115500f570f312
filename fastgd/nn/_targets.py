"""Targets as the kernels read them: the (sample, class) pairs the textbook's cross-entropy sums over.

``cross_entropy_error`` takes the argmax of one-hot targets, then indexes
``y[np.arange(batch_size), t]`` with numpy's broadcasting: labels of shape (N,) pair row
``b`` with ``t[b]``, but labels of shape (N, 1) pair every row with every label. The kernels
take whatever pairs that indexing produces, per sample, with how often each occurs, so their
gradient is the gradient of the very loss the net's ``loss`` computes.
"""
from __future__ import annotations

from typing import Any, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

_Float = TypeVar("_Float", bound=np.floating[Any])


class Targets(NamedTuple):
    """Per sample ``b``: classes ``cls[ptr[b]:ptr[b+1]]``, each counted ``weight`` times in the loss."""

    ptr: npt.NDArray[np.intp]
    cls: npt.NDArray[np.intp]
    weight: npt.NDArray[np.float64]


def labels(t: npt.ArrayLike, batch: int, n_out: int) -> npt.NDArray[np.integer[Any]]:
    """The labels the book's ``cross_entropy_error`` indexes ``y[np.arange(batch), labels]`` with, checked.

    ``t`` with ``batch * n_out`` values is one-hot rows (its argmax along axis 1); anything else
    is labels, kept in their shape (numpy's broadcasting pairs them with the rows).

    Raises
    ------
    TypeError
        Labels that are not integers.
    ValueError
        Labels outside ``[0, n_out)``, one-hot values that are not rows, or a shape the
        book's indexing cannot pair with ``batch`` rows.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn._targets import labels
    >>> labels(np.array([[0.0, 1.0], [1.0, 0.0]]), 2, 2), labels(np.array([[1], [0]]), 2, 2).shape
    (array([1, 0]), (2, 1))
    """
    given: npt.NDArray[Any] = np.asarray(t)
    if given.size == batch * n_out:  # one-hot, as cross_entropy_error decides
        if given.ndim < 2:
            raise ValueError(f"t has {given.size} values, as one-hot rows of {n_out} would, but is {given.ndim}-D")
        out: npt.NDArray[np.integer[Any]] = given.argmax(axis=1)
        if given.shape == (batch, n_out):
            return out  # one class per row
    else:
        out = given
    if out.shape != (batch,):
        try:
            np.broadcast_shapes((batch,), out.shape)
        except ValueError:
            raise ValueError(f"t must hold {batch} labels or {batch}×{n_out} one-hot rows, got shape {given.shape}"
                             ) from None
    if out.dtype.kind not in "iu":
        raise TypeError(f"t must be one-hot rows or integer labels, got dtype {given.dtype}")
    if out.size and (out.min() < 0 or out.max() >= n_out):
        raise ValueError(f"t: labels must be in [0, {n_out}), got {out.min()}..{out.max()}")
    return out


def targets(t: npt.ArrayLike, batch: int, n_out: int, one_sample: bool = False) -> Targets:
    """The pairs ``cross_entropy_error(y, t)`` reads for ``y`` of shape (``batch``, ``n_out``).

    Parameters
    ----------
    t : array_like
        One-hot rows or integer labels, any shape the book's indexing accepts (:func:`labels`).
    batch, n_out : int
        Shape of the predictions.
    one_sample : bool, optional
        The predictions are one 1-D row (the loss then reshapes ``t`` to one row first).

    Raises
    ------
    TypeError, ValueError
        As :func:`labels`.

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
    rows, cols = np.broadcast_arrays(np.arange(batch), labels(t.reshape(1, t.size) if one_sample else t, batch, n_out))
    pairs, counts = np.unique(rows.ravel().astype(np.intp) * n_out + cols.ravel(), return_counts=True)
    ptr = np.zeros(batch + 1, dtype=np.intp)
    np.cumsum(np.bincount(pairs // n_out, minlength=batch), out=ptr[1:])
    return Targets(ptr, (pairs % n_out).astype(np.intp), counts.astype(np.float64))


def one_hot(t: npt.ArrayLike, y: npt.NDArray[_Float]) -> npt.NDArray[_Float]:
    """Targets ``t`` as one-hot rows like the predictions ``y`` (one-hot ``t`` reshaped; labels, one per row, spread).

    What backpropagation subtracts from the softmax (the book's ``y - t`` takes one-hot rows).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn._targets import one_hot
    >>> one_hot(np.array([2, 0]), np.zeros((2, 3)))
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    t = np.asarray(t)
    if t.size == y.size:
        return t.reshape(y.shape)
    out = np.zeros_like(y)
    out[np.arange(y.shape[0]), labels(t, *y.shape).reshape(-1)] = 1
    return out


__all__ = ["Targets", "labels", "targets", "one_hot"]
