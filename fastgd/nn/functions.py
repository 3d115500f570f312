"""The book's functions that its nets are made of: the sigmoid, the softmax and the cross-entropy loss.

The numpy operations of the book's ``common/functions.py``, in its order, so the same numbers
bit for bit; the cross-entropy refuses targets the book would read silently wrong (a label
-1 picks the last class in numpy's indexing).
"""
from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from fastgd.nn._targets import labels

_Float = TypeVar("_Float", bound=np.floating[Any])


def sigmoid(x: npt.NDArray[_Float]) -> npt.NDArray[_Float]:
    """``1 / (1 + exp(-x))`` elementwise.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn import sigmoid
    >>> np.round(sigmoid(np.array([-1.0, 0.0, 1.0])), 6)
    array([0.268941, 0.5     , 0.731059])
    """
    s: npt.NDArray[_Float] = 1 / (1 + np.exp(-x))  # annotated: numpy's stubs type it Any here
    return s


def softmax(x: npt.NDArray[_Float]) -> npt.NDArray[_Float]:
    """Softmax over the last axis, each row's maximum subtracted first (no overflow).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn import softmax
    >>> np.round(softmax(np.array([[0.3, 2.9, 4.0], [1000.0, 1000.0, 1000.0]])), 6)
    array([[0.018211, 0.245192, 0.736597],
           [0.333333, 0.333333, 0.333333]])
    """
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    y: npt.NDArray[_Float] = e / np.sum(e, axis=-1, keepdims=True)  # annotated: see sigmoid
    return y


def cross_entropy_error(y: npt.NDArray[np.floating[Any]], t: npt.ArrayLike) -> np.floating[Any]:
    """Mean ``-log(y[b, t_b] + 1e-7)`` of probabilities ``y`` against one-hot rows or labels ``t``.

    Read as the book reads ``t``: as many values as ``y`` are one-hot rows (their argmax is the
    label); otherwise labels index ``y[np.arange(batch), t]`` with numpy's broadcasting, so
    labels of shape (N, 1) pair every row with every label. A 1-D ``y`` is one sample.

    Raises
    ------
    TypeError
        Labels that are not integers.
    ValueError
        Labels outside ``[0, classes)``, or a ``t`` that cannot pair with the rows of ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn import cross_entropy_error
    >>> y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    >>> round(float(cross_entropy_error(y, np.eye(10)[2])), 6)  # -log(0.6 + 1e-7)
    0.510825
    >>> cross_entropy_error(y, np.array([-1]))
    Traceback (most recent call last):
    ...
    ValueError: t: labels must be in [0, 10), got -1..-1
    """
    if y.ndim == 1:
        y, t = y.reshape(1, y.size), np.reshape(t, (1, -1))
    rows = np.arange(y.shape[0])
    loss: np.floating[Any] = -np.sum(np.log(y[rows, labels(t, *y.shape)] + 1e-7)) / y.shape[0]  # see sigmoid
    return loss


__all__ = ["sigmoid", "softmax", "cross_entropy_error"]
