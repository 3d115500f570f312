"""The textbook's building blocks and nets: fastgd.nn's numpy twins.

``SimpleNet`` (one weight matrix, softmax, cross-entropy) and ``TwoLayerNet`` (sigmoid
hidden layer, softmax output, cross-entropy loss) with the textbook's interfaces; their
``numerical_gradient`` perturbs each parameter through the plain numpy
:func:`fastgd.reference.numerical_gradient`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd._typing import FloatT
from fastgd.reference.gradient import numerical_gradient

# Results annotated in a local variable before their return: numpy's stubs (for Python >= 3.11) type them
# Any under the python_version = 3.10 that mypy checks this package with.


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
    """Derivative of :func:`sigmoid` at ``x``.

    Parameters
    ----------
    x : numpy.ndarray
        Any shape, a real floating dtype.

    Returns
    -------
    numpy.ndarray
        ``sigmoid(x) * (1 - sigmoid(x))``, shape and dtype of ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.nn import sigmoid, sigmoid_grad
    >>> sigmoid_grad(np.array([0.0]))
    array([0.25])
    >>> x, h = np.array([-2.0, 0.5, 3.0]), 1e-5  # a central difference agrees
    >>> bool(np.allclose(sigmoid_grad(x), (sigmoid(x + h) - sigmoid(x - h)) / (2 * h)))
    True
    """
    s = sigmoid(x)
    return (1.0 - s) * s


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


def labels_of(t: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Class labels of a batch: the argmax of one-hot rows, or 1-D labels as given.

    Parameters
    ----------
    t : numpy.ndarray
        One-hot rows (2-D) or labels (1-D).

    Returns
    -------
    numpy.ndarray
        1-D labels.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.nn import labels_of
    >>> labels_of(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]))
    array([1, 2])
    >>> labels_of(np.array([1, 2]))
    array([1, 2])
    """
    return t if t.ndim == 1 else np.argmax(t, axis=1)


def _one_hot_like(y: npt.NDArray[np.floating[Any]], t: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Targets ``t`` (one-hot or labels, as cross_entropy_error reads them) as one-hot rows like ``y``."""
    if t.size == y.size:
        return t.reshape(y.shape)
    one_hot = np.zeros_like(y)
    one_hot[np.arange(y.shape[0]), t.reshape(-1)] = 1
    return one_hot


def cross_entropy_error(y: npt.NDArray[np.floating[Any]], t: npt.NDArray[Any]) -> np.floating[Any]:
    """Mean cross-entropy of predictions ``y`` against one-hot or label targets ``t``.

    Adds 1e-7 inside the log, as the textbook does.

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


class SimpleNet:
    """One weight matrix ``W`` (input_size × output_size), softmax and cross-entropy.

    Parameters
    ----------
    input_size, output_size : int, optional
        Shape of ``W``; the textbook's net is 2 × 3.
    rng : numpy.random.Generator, optional
        Draws ``W`` from a standard normal.

    Attributes
    ----------
    W : numpy.ndarray
        The weights, input_size × output_size.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.nn import SimpleNet
    >>> net = SimpleNet(rng=np.random.default_rng(0))
    >>> x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
    >>> net.W.shape, net.predict(x).shape
    ((2, 3), (3,))
    >>> bool(net.loss(x, t) > 0)
    True
    >>> numerical, backprop = net.numerical_gradient(x, t), net.gradient(x, t)
    >>> bool(np.allclose(numerical, backprop, rtol=0, atol=1e-6))  # up to the 1e-7 the loss adds in its log
    True
    """

    W: npt.NDArray[np.floating[Any]]  #: the weights, input_size × output_size

    def __init__(self, input_size: int = 2, output_size: int = 3, rng: np.random.Generator | None = None) -> None:
        rng = np.random.default_rng() if rng is None else rng
        self.W = rng.standard_normal((input_size, output_size))

    def predict(self, x: npt.NDArray[Any]) -> npt.NDArray[np.floating[Any]]:
        """Logits ``x @ W``."""
        logits: npt.NDArray[np.floating[Any]] = np.dot(x, self.W)  # annotated: see the top of the module
        return logits

    def loss(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> np.floating[Any]:
        """Cross-entropy of ``softmax(predict(x))`` against ``t``."""
        return cross_entropy_error(softmax(self.predict(x)), t)

    def numerical_gradient(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> npt.NDArray[np.floating[Any]]:
        """Central-difference gradient of the loss with respect to ``W``."""
        return numerical_gradient(lambda W: self.loss(x, t), self.W)

    def gradient(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> npt.NDArray[np.floating[Any]]:
        """The same gradient, analytically: ``x.T @ (softmax(x @ W) - one_hot(t)) / batch``."""
        x2 = x.reshape(1, -1) if x.ndim == 1 else x
        y = softmax(self.predict(x2))
        grad: npt.NDArray[np.floating[Any]] = np.dot(x2.T, (y - _one_hot_like(y, t)) / y.shape[0])  # see predict
        return grad


class TwoLayerNet:
    """The textbook's two-layer net: affine, sigmoid, affine, softmax, cross-entropy.

    Parameters
    ----------
    input_size, hidden_size, output_size : int
        Layer widths.
    weight_init_std : float, optional
        Standard deviation of the initial weights (biases start at zero).
    rng : numpy.random.Generator, optional
        Source of the initial weights (the textbook uses ``np.random.randn``).

    Attributes
    ----------
    params : dict
        ``W1`` (input × hidden), ``b1``, ``W2`` (hidden × output), ``b2``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.nn import TwoLayerNet
    >>> net = TwoLayerNet(input_size=4, hidden_size=5, output_size=3, rng=np.random.default_rng(0))
    >>> {key: value.shape for key, value in net.params.items()}
    {'W1': (4, 5), 'b1': (5,), 'W2': (5, 3), 'b2': (3,)}
    >>> x, t = np.random.default_rng(1).standard_normal((2, 4)), np.array([0, 2])
    >>> np.round(net.predict(x).sum(axis=1), 12)
    array([1., 1.])
    >>> numerical, backprop = net.numerical_gradient(x, t), net.gradient(x, t)
    >>> all(np.allclose(numerical[key], backprop[key], rtol=0, atol=1e-6) for key in net.params)  # see SimpleNet
    True
    >>> float(net.accuracy(x, t)) in (0.0, 0.5, 1.0)
    True
    """

    params: dict[str, npt.NDArray[np.floating[Any]]]  #: ``W1``, ``b1``, ``W2``, ``b2``

    def __init__(self, input_size: int, hidden_size: int, output_size: int, weight_init_std: float = 0.01,
                 rng: np.random.Generator | None = None) -> None:
        rng = np.random.default_rng() if rng is None else rng
        self.params = {
            "W1": weight_init_std * rng.standard_normal((input_size, hidden_size)),
            "b1": np.zeros(hidden_size),
            "W2": weight_init_std * rng.standard_normal((hidden_size, output_size)),
            "b2": np.zeros(output_size),
        }

    def predict(self, x: npt.NDArray[Any]) -> npt.NDArray[np.floating[Any]]:
        """Softmax probabilities for the rows of ``x``."""
        W1, W2 = self.params["W1"], self.params["W2"]
        b1, b2 = self.params["b1"], self.params["b2"]
        a1 = np.dot(x, W1) + b1
        z1 = sigmoid(a1)
        a2 = np.dot(z1, W2) + b2
        return softmax(a2)

    def loss(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> np.floating[Any]:
        """Mean cross-entropy of the predictions for ``x`` against ``t`` (one-hot or labels)."""
        return cross_entropy_error(self.predict(x), t)

    def accuracy(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> np.float64:
        """Fraction of the rows of ``x`` whose most probable class is ``t``'s."""
        y = np.argmax(self.predict(x), axis=1)
        accuracy: np.float64 = np.sum(y == labels_of(t)) / float(x.shape[0])  # annotated: see the top of the module
        return accuracy

    def numerical_gradient(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> dict[str, npt.NDArray[np.floating[Any]]]:
        """Central-difference gradient of the loss for every parameter, as a dict like ``params``."""
        loss_W = lambda W: self.loss(x, t)  # noqa: E731 - the textbook's closure
        return {key: numerical_gradient(loss_W, self.params[key]) for key in ("W1", "b1", "W2", "b2")}

    def gradient(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> dict[str, npt.NDArray[np.floating[Any]]]:
        """The same gradient by backpropagation."""
        W1, W2 = self.params["W1"], self.params["W2"]
        b1, b2 = self.params["b1"], self.params["b2"]
        batch_num = x.shape[0]
        a1 = np.dot(x, W1) + b1
        z1 = sigmoid(a1)
        a2 = np.dot(z1, W2) + b2
        y = softmax(a2)
        dy = (y - _one_hot_like(y, t)) / batch_num
        da1 = np.dot(dy, W2.T)
        dz1 = sigmoid_grad(a1) * da1
        return {"W1": np.dot(x.T, dz1), "b1": np.sum(dz1, axis=0),
                "W2": np.dot(z1.T, dy), "b2": np.sum(dy, axis=0)}
