"""The textbook's softmax / cross-entropy building blocks and its single-layer ``SimpleNet``."""
import numpy as np


def softmax(x):
    """Softmax over the last axis, with the row maximum subtracted first."""
    x = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(x)
    return e / np.sum(e, axis=-1, keepdims=True)


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
