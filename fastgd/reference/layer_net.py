"""What the textbook's layer-based nets share: the weight initialisation, backpropagation, accuracy.

A layer-based net keeps its parameters in ``params`` and its layers in ``layers`` (an
``OrderedDict`` whose weighted layers hold references to the ``params`` arrays), ends in a
:class:`~fastgd.reference.layers.SoftmaxWithLoss`, and takes its numerical gradient by
perturbing each ``params`` array in turn, in the order of :meth:`LayerNet.gradient_keys`.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.reference.gradient import numerical_gradient
from fastgd.reference.random import Rng, normal

_Array = npt.NDArray[Any]
#: ``numerical_gradient(f, x)``: the function a net's numerical gradient runs on each of its params.
GradientFunction = Callable[[Callable[[Any], Any], _Array], _Array]


def init_weights(sizes: Sequence[int], weight_init_std: float | str, rng: Rng = None) -> dict[str, _Array]:
    """The book's initial weights ``W1, b1, W2, b2, ...`` for layers of the given widths.

    ``W{i}`` is ``scale * normal(rng, (sizes[i-1], sizes[i]))`` drawn in layer order, ``b{i}``
    zeros; the scale is ``weight_init_std``, or He's ``sqrt(2 / fan_in)`` for ``'relu'``/``'he'``,
    or Xavier's ``sqrt(1 / fan_in)`` for ``'sigmoid'``/``'xavier'`` (any case).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.layer_net import init_weights
    >>> np.random.seed(0)
    >>> params = init_weights([4, 3, 2], "he")
    >>> np.random.seed(0)
    >>> bool(np.array_equal(params["W1"], np.sqrt(2.0 / 4) * np.random.randn(4, 3)))
    True
    >>> list(params), params["b2"]
    (['W1', 'b1', 'W2', 'b2'], array([0., 0.]))
    """
    params: dict[str, _Array] = {}
    for idx in range(1, len(sizes)):
        scale: Any = weight_init_std
        if str(weight_init_std).lower() in ("relu", "he"):
            scale = np.sqrt(2.0 / sizes[idx - 1])
        elif str(weight_init_std).lower() in ("sigmoid", "xavier"):
            scale = np.sqrt(1.0 / sizes[idx - 1])
        params[f"W{idx}"] = scale * normal(rng, (sizes[idx - 1], sizes[idx]))
        params[f"b{idx}"] = np.zeros(sizes[idx])
    return params


class LayerNet:
    """Base of the layer-based nets: ``params``, ``layers`` and the methods they share.

    Subclasses build ``params`` and ``layers``, and define :meth:`loss`, :meth:`predict`,
    :meth:`gradient_keys` and :meth:`last` (their loss layer, under the book's attribute name).
    """

    params: dict[str, _Array]
    layers: OrderedDict[str, Any]

    def predict(self, x: _Array) -> _Array:
        """The scores (logits) for ``x``: every layer's forward pass in order."""
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x: _Array, t: _Array) -> Any:
        """The loss on the batch ``x`` against targets ``t`` (one-hot rows or labels)."""
        raise NotImplementedError

    def last(self) -> Any:
        """The loss layer (``last_layer``, or ``lastLayer`` in chapter 5's net)."""
        raise NotImplementedError

    def gradient_keys(self) -> list[str]:
        """The ``params`` keys, in the order the book's ``numerical_gradient`` perturbs them."""
        raise NotImplementedError

    def gradient_loss(self, x: _Array, t: _Array) -> Callable[[Any], Any]:
        """The book's ``loss_W``: the objective its ``numerical_gradient`` differentiates (it ignores its argument)."""
        return lambda W: self.loss(x, t)

    def accuracy(self, x: _Array, t: _Array) -> float:
        """Fraction of the rows of ``x`` whose highest score is the class of ``t`` (one-hot rows or labels)."""
        y = np.argmax(self.predict(x), axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        accuracy: float = np.sum(y == t) / float(x.shape[0])  # annotated: numpy's stubs type it Any here
        return accuracy

    def numerical_gradient(self, x: _Array, t: _Array) -> dict[str, _Array]:
        """Central-difference gradient of the loss for every parameter, as the book computes it."""
        return self.numerical_gradient_with(numerical_gradient, x, t)

    def numerical_gradient_with(self, gradient: GradientFunction, x: _Array, t: _Array) -> dict[str, _Array]:
        """The book's numerical gradient with ``gradient(f, x)`` applied to each parameter in turn."""
        loss_W = self.gradient_loss(x, t)
        return {key: gradient(loss_W, self.params[key]) for key in self.gradient_keys()}

    def backpropagate(self) -> None:
        """The backward pass after a forward one: each layer's ``backward``, last to first."""
        dout = self.last().backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)


__all__ = ["init_weights", "LayerNet", "GradientFunction"]
