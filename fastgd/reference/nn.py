"""The textbook's building blocks and nets: fastgd.nn's numpy twins.

``SimpleNet`` (one weight matrix, softmax, cross-entropy) and ``TwoLayerNet`` (sigmoid
hidden layer, softmax output, cross-entropy loss) with the textbook's interfaces; their
``numerical_gradient`` perturbs each parameter through the plain numpy
:func:`fastgd.reference.numerical_gradient`.
"""
import numpy as np

from fastgd.reference.gradient import numerical_gradient


def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    """Derivative of :func:`sigmoid` at ``x``."""
    s = sigmoid(x)
    return (1.0 - s) * s


def softmax(x):
    """Softmax over the last axis, with the row maximum subtracted first."""
    x = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(x)
    return e / np.sum(e, axis=-1, keepdims=True)


def labels_of(t):
    """Class labels of a batch: the argmax of one-hot rows, or 1-D labels as given."""
    return t if t.ndim == 1 else np.argmax(t, axis=1)


def _one_hot_like(y, t):
    """Targets ``t`` (one-hot or labels, as cross_entropy_error reads them) as one-hot rows like ``y``."""
    if t.size == y.size:
        return t.reshape(y.shape)
    one_hot = np.zeros_like(y)
    one_hot[np.arange(y.shape[0]), t.reshape(-1)] = 1
    return one_hot


def cross_entropy_error(y, t):
    """Mean cross-entropy of predictions ``y`` against one-hot or label targets ``t``.

    Adds 1e-7 inside the log, as the textbook does.
    """
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


class SimpleNet:
    """One weight matrix ``W`` (input_size × output_size), softmax and cross-entropy.

    Parameters
    ----------
    input_size, output_size : int, optional
        Shape of ``W``; the textbook's net is 2 × 3.
    rng : numpy.random.Generator, optional
        Draws ``W`` from a standard normal.
    """

    def __init__(self, input_size=2, output_size=3, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        self.W = rng.standard_normal((input_size, output_size))

    def predict(self, x):
        """Logits ``x @ W``."""
        return np.dot(x, self.W)

    def loss(self, x, t):
        """Cross-entropy of ``softmax(predict(x))`` against ``t``."""
        return cross_entropy_error(softmax(self.predict(x)), t)

    def numerical_gradient(self, x, t):
        """Central-difference gradient of the loss with respect to ``W``."""
        return numerical_gradient(lambda W: self.loss(x, t), self.W)

    def gradient(self, x, t):
        """The same gradient, analytically: ``x.T @ (softmax(x @ W) - one_hot(t)) / batch``."""
        x2 = x.reshape(1, -1) if x.ndim == 1 else x
        y = softmax(self.predict(x2))
        return np.dot(x2.T, (y - _one_hot_like(y, t)) / y.shape[0])


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
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        self.params = {
            "W1": weight_init_std * rng.standard_normal((input_size, hidden_size)),
            "b1": np.zeros(hidden_size),
            "W2": weight_init_std * rng.standard_normal((hidden_size, output_size)),
            "b2": np.zeros(output_size),
        }

    def predict(self, x):
        """Softmax probabilities for the rows of ``x``."""
        W1, W2 = self.params["W1"], self.params["W2"]
        b1, b2 = self.params["b1"], self.params["b2"]
        a1 = np.dot(x, W1) + b1
        z1 = sigmoid(a1)
        a2 = np.dot(z1, W2) + b2
        return softmax(a2)

    def loss(self, x, t):
        """Mean cross-entropy of the predictions for ``x`` against ``t`` (one-hot or labels)."""
        return cross_entropy_error(self.predict(x), t)

    def accuracy(self, x, t):
        """Fraction of the rows of ``x`` whose most probable class is ``t``'s."""
        y = np.argmax(self.predict(x), axis=1)
        return np.sum(y == labels_of(t)) / float(x.shape[0])

    def numerical_gradient(self, x, t):
        """Central-difference gradient of the loss for every parameter, as a dict like ``params``."""
        loss_W = lambda W: self.loss(x, t)  # noqa: E731 - the textbook's closure
        return {key: numerical_gradient(loss_W, self.params[key]) for key in ("W1", "b1", "W2", "b2")}

    def gradient(self, x, t):
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
