"""The textbook's activation and loss functions (its ``common/functions.py``), in numpy.

The book's code, statement for statement (the same numbers); ``sigmoid``, ``softmax`` and
``cross_entropy_error`` are the twins of :mod:`fastgd.nn.functions`, which documents them. The
book mirror (:mod:`fastgd.book`) uses the others as they are.
"""
from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

FloatT = TypeVar("FloatT", bound=np.floating[Any])

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
    """``1 / (1 + exp(-x))``, as the book.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.functions import sigmoid
    >>> sigmoid(np.array([0.0, np.log(3.0)]))
    array([0.5 , 0.75])
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
    """Softmax over the last axis, the row maximum subtracted first, as the book.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.functions import softmax
    >>> softmax(np.array([[0.0, np.log(3.0)], [1e3, 1e3]]))  # no overflow
    array([[0.25, 0.75],
           [0.5 , 0.5 ]])
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
    """Mean ``-log(y[b, t_b] + 1e-7)``: one-hot ``t`` (as many values as ``y``) by its argmax, else labels.

    The book's indexing ``y[np.arange(batch_size), t]``: labels of shape (N, 1) pair every row
    with every label, and numpy reads a label -1 as the last class.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.functions import cross_entropy_error
    >>> y = np.array([[0.25, 0.75], [0.5, 0.5]])
    >>> bool(cross_entropy_error(y, np.array([1, 0])) == cross_entropy_error(y, np.eye(2)[[1, 0]]))
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
