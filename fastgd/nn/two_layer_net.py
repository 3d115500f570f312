"""Chapter 4's nets (its ``ch04/gradient_simplenet.py`` and ``ch04/two_layer_net.py``), without layers.

``numerical_gradient`` still perturbs every parameter by ±h (h = 1e-4) and evaluates the loss
at both points, as the book does, but each perturbed loss is computed from the unperturbed
forward pass, touching only what the parameter changes (``src/nn.pyx``), on
:func:`fastgd.get_num_threads` threads: within 1e-9 absolute of the book's numbers (its own
rounding is about 1e-12 here). Parameters that are not finite float64 arrays of the expected
shapes take :func:`fastgd.numerical_gradient` over the net's loss instead.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.diff import numerical_gradient
from fastgd.nn import _kernels, _mlp
from fastgd.nn._batch import as_batch, is_float64
from fastgd.nn._draws import Rng, checked, normal
from fastgd.nn._layer_net import widths
from fastgd.nn._targets import one_hot, targets
from fastgd.nn.functions import cross_entropy_error, sigmoid, softmax

_Array = npt.NDArray[Any]
_KEYS = ("W1", "b1", "W2", "b2")


class SimpleNet:
    """Chapter 4's ``simpleNet``: one weight matrix ``W``, softmax and cross-entropy.

    Parameters
    ----------
    input_size, output_size : int, optional
        Shape of ``W``; the book's net is 2 × 3.
    rng : numpy.random.Generator, optional
        Source of ``W``'s standard normal draws; by default ``np.random.randn``, as the book.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn import SimpleNet
    >>> np.random.seed(0)
    >>> net = SimpleNet()  # the book's np.random.randn(2, 3)
    >>> x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
    >>> numerical, backprop = net.numerical_gradient(x, t), net.gradient(x, t)  # incrementally; analytically
    >>> numerical.shape, bool(np.allclose(numerical, backprop, rtol=0, atol=1e-5))  # but for the log's 1e-7
    ((2, 3), True)
    """

    def __init__(self, input_size: int = 2, output_size: int = 3, rng: Rng = None) -> None:
        widths(input_size=input_size, output_size=output_size)
        self.W = normal(checked(rng), input_size, output_size)

    def predict(self, x: _Array) -> _Array:
        """Logits ``x @ W``."""
        logits: _Array = np.dot(x, self.W)  # annotated: numpy's stubs type it Any here
        return logits

    def loss(self, x: _Array, t: _Array) -> np.floating[Any]:
        """Cross-entropy of ``softmax(predict(x))`` against ``t``."""
        return cross_entropy_error(softmax(self.predict(x)), t)

    def gradient(self, x: _Array, t: _Array) -> _Array:
        """The loss's gradient with respect to ``W``, analytically: ``x.T @ (softmax(x @ W) - one_hot(t)) / batch``."""
        rows = x.reshape(1, -1) if x.ndim == 1 else x
        y = softmax(self.predict(rows))
        grad: _Array = np.dot(rows.T, (y - one_hot(t, y)) / y.shape[0])  # annotated: see predict
        return grad

    def generic_gradient(self, f: Callable[[Any], Any], x: _Array) -> _Array:
        """``numerical_gradient(f, x)`` of the generic path: fastgd's (the Korean edition's mirror takes its own)."""
        return numerical_gradient(f, x)

    def numerical_gradient(self, x: _Array, t: _Array) -> _Array:
        """Central-difference gradient of the loss with respect to ``W``, evaluated incrementally."""
        batch = as_batch(x, 2)
        if batch is None or not (is_float64(self.W) and self.W.ndim == 2 and self.W.shape[0] == batch.shape[1]):
            return self.generic_gradient(lambda W: self.loss(x, t), self.W)
        tgt = targets(t, batch.shape[0], self.W.shape[1], one_sample=np.ndim(x) == 1)
        W = np.ascontiguousarray(self.W)
        out = np.empty(W.shape)
        _kernels.OutputJob(batch, W, _mlp.softmax_parts(batch @ W), tgt, _mlp.H, out).run_all(1)
        return out


class TwoLayerNet:
    """Chapter 4's two-layer net: affine, sigmoid, affine, softmax, cross-entropy (no layer objects).

    Parameters
    ----------
    input_size, hidden_size, output_size : int
        Layer widths.
    weight_init_std : float, optional
        Standard deviation of the initial weights (biases start at zero).
    rng : numpy.random.Generator, optional
        Source of the initial weights; by default ``np.random.randn``, as the book.

    Attributes
    ----------
    params : dict
        ``W1`` (input × hidden), ``b1``, ``W2`` (hidden × output), ``b2``.

    Examples
    --------
    >>> import numpy as np
    >>> import fastgd
    >>> from fastgd.nn import TwoLayerNet
    >>> np.random.seed(0)
    >>> net = TwoLayerNet(64, 20, 10)  # the book's np.random.randn draws
    >>> rng = np.random.default_rng(1)
    >>> x, t = rng.random((8, 64)), rng.integers(0, 10, size=8)
    >>> grads, backprop = net.numerical_gradient(x, t), net.gradient(x, t)  # incrementally; by backpropagation
    >>> all(np.allclose(grads[key], backprop[key], rtol=0, atol=1e-6) for key in grads)
    True
    >>> before = net.loss(x, t)
    >>> fastgd.SGD(lr=1.0).update(net.params, grads)  # one step down the gradient
    >>> bool(net.loss(x, t) < before)
    True
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, weight_init_std: float = 0.01,
                 rng: Rng = None) -> None:
        widths(input_size=input_size, hidden_size=hidden_size, output_size=output_size)
        rng = checked(rng)
        self.params: dict[str, _Array] = {}
        for i, (fan_in, fan_out) in enumerate([(input_size, hidden_size), (hidden_size, output_size)], 1):
            self.params[f"W{i}"] = weight_init_std * normal(rng, fan_in, fan_out)
            self.params[f"b{i}"] = np.zeros(fan_out)

    def _forward(self, x: _Array) -> tuple[_Array, _Array, _Array]:
        """``(a1, z1, y)``: the hidden layer before and after its sigmoid, and the softmax."""
        p = self.params
        a1 = np.dot(x, p["W1"]) + p["b1"]
        z1 = sigmoid(a1)
        return a1, z1, softmax(np.dot(z1, p["W2"]) + p["b2"])

    def predict(self, x: _Array) -> _Array:
        """Softmax probabilities for the rows of ``x``."""
        return self._forward(x)[2]

    def loss(self, x: _Array, t: _Array) -> np.floating[Any]:
        """Mean cross-entropy of the predictions for ``x`` against ``t`` (one-hot or labels)."""
        return cross_entropy_error(self.predict(x), t)

    def accuracy(self, x: _Array, t: _Array) -> np.float64:
        """Fraction of the rows of ``x`` whose most probable class is ``t``'s (one-hot rows or labels)."""
        labels = t if t.ndim == 1 else np.argmax(t, axis=1)
        accuracy: np.float64 = np.sum(np.argmax(self.predict(x), axis=1) == labels) / float(x.shape[0])  # see predict
        return accuracy

    def gradient(self, x: _Array, t: _Array) -> dict[str, _Array]:
        """The gradient of the loss by backpropagation."""
        a1, z1, y = self._forward(x)
        dy = (y - one_hot(t, y)) / x.shape[0]
        da1 = (1.0 - z1) * z1 * np.dot(dy, self.params["W2"].T)  # z1 is sigmoid(a1): the book's sigmoid_grad(a1)
        return {"W1": np.dot(x.T, da1), "b1": np.sum(da1, axis=0), "W2": np.dot(z1.T, dy), "b2": np.sum(dy, axis=0)}

    def generic_gradient(self, f: Callable[[Any], Any], x: _Array) -> _Array:
        """``numerical_gradient(f, x)`` of the generic path: fastgd's (the Korean edition's mirror takes its own)."""
        return numerical_gradient(f, x)

    def numerical_gradient(self, x: _Array, t: _Array) -> dict[str, _Array]:
        """Central-difference gradient of the loss for every parameter, evaluated incrementally."""
        W1, b1, W2, b2 = (self.params[key] for key in _KEYS)
        batch = as_batch(x, 2)
        shapes_ok = (is_float64(W1) and is_float64(W2) and W1.ndim == W2.ndim == 2 and W1.shape[1] == W2.shape[0]
                     and is_float64(b1) and is_float64(b2) and b1.shape == W1.shape[1:] and b2.shape == W2.shape[1:])
        if batch is None or not shapes_ok or batch.shape[1] != W1.shape[0]:
            return {key: self.generic_gradient(lambda W: self.loss(x, t), self.params[key]) for key in _KEYS}
        tgt = targets(t, batch.shape[0], W2.shape[1], one_sample=np.ndim(x) == 1)
        W1, b1, W2, b2 = (np.ascontiguousarray(a) for a in (W1, b1, W2, b2))
        stack = _mlp.Stack([_mlp.Hidden(W1, b1, _mlp.SIGMOID, None, None)], W2, b2, 0.0,
                           [("W1", 0, _mlp.WEIGHT), ("b1", 0, _mlp.BIAS), ("W2", 1, _mlp.WEIGHT), ("b2", 1, _mlp.BIAS)],
                           None)
        result = _mlp.numerical_gradient(stack, batch, tgt)
        assert result is not None  # no batch norm: no statistics to keep
        return dict(result[0])


__all__ = ["SimpleNet", "TwoLayerNet"]
