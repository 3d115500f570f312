"""The textbook's activation and loss functions (its ``common/functions.py``), in numpy.

Same operations in the same order as the book, so the same numbers; fastgd's nets and the
book mirror (:mod:`fastgd.book`) use them as they are.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd._typing import FloatT

# Results annotated in a local variable before their return: numpy's stubs (for Python >= 3.11) type them
# Any under the python_version = 3.10 that mypy checks this package with.


def identity_function(x: Any) -> Any:
    """``x`` itself: the output activation of a regression net.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.functions import identity_function
    >>> identity_function(np.array([1.0, -2.0]))
    array([ 1., -2.])
    """
    return x


def step_function(x: npt.ArrayLike) -> npt.NDArray[np.int_]:
    """1 where ``x > 0``, else 0, as integers.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.functions import step_function
    >>> step_function(np.array([-1.0, 0.0, 2.0]))
    array([0, 0, 1])
    """
    return np.array(np.asarray(x) > 0, dtype=int)


def sigmoid(x: npt.NDArray[FloatT]) -> npt.NDArray[FloatT]:
    """``1 / (1 + exp(-x))``.

    Parameters
    ----------
    x : numpy.ndarray
        Any shape, a real floating dtype.

    Returns
    -------
    numpy.ndarray
        Shape and dtype of ``x``, in (0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn import sigmoid
    >>> np.round(sigmoid(np.array([-1.0, 0.0, 1.0])), 6)
    array([0.268941, 0.5     , 0.731059])
    """
    s: npt.NDArray[FloatT] = 1 / (1 + np.exp(-x))  # annotated: see above
    return s


def sigmoid_grad(x: npt.NDArray[FloatT]) -> npt.NDArray[FloatT]:
    """Derivative of :func:`sigmoid` at ``x``: ``(1 - sigmoid(x)) * sigmoid(x)``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.functions import sigmoid, sigmoid_grad
    >>> sigmoid_grad(np.array([0.0]))
    array([0.25])
    >>> x, h = np.array([-2.0, 0.5, 3.0]), 1e-5  # a central difference agrees
    >>> bool(np.allclose(sigmoid_grad(x), (sigmoid(x + h) - sigmoid(x - h)) / (2 * h)))
    True
    """
    s = sigmoid(x)
    return (1.0 - s) * s


def relu(x: npt.NDArray[FloatT]) -> npt.NDArray[FloatT]:
    """``max(0, x)`` elementwise.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.functions import relu
    >>> relu(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 2.])
    """
    out: npt.NDArray[FloatT] = np.maximum(0, x)  # annotated: see above
    return out


def relu_grad(x: npt.NDArray[FloatT]) -> npt.NDArray[FloatT]:
    """The textbook's derivative of :func:`relu`: 1 where ``x >= 0`` (0 included), else 0.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.functions import relu_grad
    >>> relu_grad(np.array([-1.0, 0.0, 2.0]))
    array([0., 1., 1.])
    """
    grad = np.zeros_like(x)
    grad[x >= 0] = 1
    return grad


def softmax(x: npt.NDArray[FloatT]) -> npt.NDArray[FloatT]:
    """Softmax over the last axis, with the row maximum subtracted first.

    Parameters
    ----------
    x : numpy.ndarray
        Scores (logits), one row per sample, a real floating dtype.

    Returns
    -------
    numpy.ndarray
        Probabilities, shape and dtype of ``x``: each row sums to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn import softmax
    >>> y = softmax(np.array([[0.3, 2.9, 4.0], [1000.0, 1000.0, 1000.0]]))  # no overflow
    >>> np.round(y, 6)
    array([[0.018211, 0.245192, 0.736597],
           [0.333333, 0.333333, 0.333333]])
    >>> np.round(y.sum(axis=-1), 12)
    array([1., 1.])
    """
    x = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(x)
    y: npt.NDArray[FloatT] = e / np.sum(e, axis=-1, keepdims=True)  # annotated: see above
    return y


def sum_squared_error(y: npt.NDArray[Any], t: npt.NDArray[Any]) -> Any:
    """``0.5 * sum((y - t)**2)`` (the Korean edition calls it ``mean_squared_error``).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.functions import sum_squared_error
    >>> float(sum_squared_error(np.array([0.5, 0.5]), np.array([0.0, 1.0])))
    0.25
    """
    return 0.5 * np.sum((y - t) ** 2)


def cross_entropy_error(y: npt.NDArray[np.floating[Any]], t: npt.NDArray[Any]) -> np.floating[Any]:
    """Mean cross-entropy of predictions ``y`` against one-hot or label targets ``t``.

    Adds 1e-7 inside the log, as the textbook does. Targets with as many elements as ``y``
    are one-hot rows (their argmax is taken); otherwise they index ``y`` as
    ``y[np.arange(batch_size), t]`` with numpy's broadcasting — so labels of shape (N, 1)
    pair every row with every label, exactly as in the book.

    Parameters
    ----------
    y : numpy.ndarray
        Predicted probabilities: one sample (1-D) or one row per sample (2-D).
    t : numpy.ndarray
        Targets: one-hot, shaped like ``y``, or integer labels, one per sample.

    Returns
    -------
    numpy.floating
        The loss averaged over the samples.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn import cross_entropy_error
    >>> y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    >>> t = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
    >>> round(float(cross_entropy_error(y, t)), 6)  # -log(0.6 + 1e-7)
    0.510825
    >>> bool(cross_entropy_error(y, t) == cross_entropy_error(y, np.array([2])))  # the label of the one-hot row
    True
    """
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    loss: np.floating[Any] = -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size  # see above
    return loss


def softmax_loss(X: npt.NDArray[np.floating[Any]], t: npt.NDArray[Any]) -> np.floating[Any]:
    """:func:`cross_entropy_error` of :func:`softmax` of the scores ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.functions import softmax_loss
    >>> round(float(softmax_loss(np.array([[0.0, 0.0]]), np.array([1]))), 6)  # -log(1/2 + 1e-7)
    0.693147
    """
    return cross_entropy_error(softmax(X), t)


def labels_of(t: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Class labels of a batch: the argmax of one-hot rows, or labels as given (the nets' ``accuracy``).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.functions import labels_of
    >>> labels_of(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]))
    array([1, 2])
    >>> labels_of(np.array([1, 2]))
    array([1, 2])
    """
    return t if t.ndim == 1 else np.argmax(t, axis=1)


__all__ = ["identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad", "softmax",
           "sum_squared_error", "cross_entropy_error", "softmax_loss", "labels_of"]
