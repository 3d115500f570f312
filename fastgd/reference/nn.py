"""Chapter 4's nets (its ``ch04/gradient_simplenet.py`` and ``ch04/two_layer_net.py``): fastgd.nn's numpy twins.

``SimpleNet`` (one weight matrix, softmax, cross-entropy) and ``TwoLayerNet`` (sigmoid
hidden layer, softmax output, cross-entropy loss) with the textbook's interfaces; their
``numerical_gradient`` perturbs each parameter through the plain numpy
:func:`fastgd.reference.numerical_gradient`. Their weights are drawn by ``np.random.randn``,
as the book's, unless ``rng`` is given. The textbook's functions they use are re-exported
from :mod:`fastgd.reference.functions`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.reference.functions import cross_entropy_error, labels_of, sigmoid, sigmoid_grad, softmax
from fastgd.reference.gradient import numerical_gradient
from fastgd.reference.random import Rng, normal

# Results annotated in a local variable before their return: numpy's stubs (for Python >= 3.11) type them
# Any under the python_version = 3.10 that mypy checks this package with.


def _one_hot_like(y: npt.NDArray[np.floating[Any]], t: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Targets ``t`` (one-hot or labels, as cross_entropy_error reads them) as one-hot rows like ``y``."""
    if t.size == y.size:
        return t.reshape(y.shape)
    one_hot = np.zeros_like(y)
    one_hot[np.arange(y.shape[0]), t.reshape(-1)] = 1
    return one_hot


class SimpleNet:
    """One weight matrix ``W`` (input_size × output_size), softmax and cross-entropy.

    The book's code; :class:`fastgd.nn.SimpleNet` documents its parameters.

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

    def __init__(self, input_size: int = 2, output_size: int = 3, rng: Rng = None) -> None:
        self.W = normal(rng, (input_size, output_size))

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

    The book's code; :class:`fastgd.nn.TwoLayerNet` documents its parameters.

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
                 rng: Rng = None) -> None:
        self.params = {
            "W1": weight_init_std * normal(rng, (input_size, hidden_size)),
            "b1": np.zeros(hidden_size),
            "W2": weight_init_std * normal(rng, (hidden_size, output_size)),
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


__all__ = ["SimpleNet", "TwoLayerNet", "sigmoid", "sigmoid_grad", "softmax", "cross_entropy_error", "labels_of"]
