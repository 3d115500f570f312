"""Chapter 5's two-layer net (its ``ch05/two_layer_net.py``): Affine, ReLU, Affine, SoftmaxWithLoss layers."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy.typing as npt

from fastgd.reference.layer_net import LayerNet, init_weights
from fastgd.reference.layers import Affine, Relu, SoftmaxWithLoss
from fastgd.reference.random import Rng

_Array = npt.NDArray[Any]


class ReluTwoLayerNet(LayerNet):
    """Chapter 5's ``TwoLayerNet``: ``Affine1 → Relu1 → Affine2``, then ``lastLayer`` (SoftmaxWithLoss).

    The book's code; :class:`fastgd.nn.ReluTwoLayerNet` documents its parameters.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.relu_two_layer_net import ReluTwoLayerNet
    >>> net = ReluTwoLayerNet(4, 5, 3, weight_init_std=0.5, rng=np.random.default_rng(0))
    >>> list(net.layers), net.layers["Affine1"].W is net.params["W1"]
    (['Affine1', 'Relu1', 'Affine2'], True)
    >>> x, t = np.random.default_rng(1).standard_normal((2, 4)), np.array([0, 2])
    >>> numerical, backprop = net.numerical_gradient(x, t), net.gradient(x, t)
    >>> all(np.allclose(numerical[key], backprop[key], rtol=0, atol=1e-6) for key in net.params)
    True
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, weight_init_std: float = 0.01,
                 rng: Rng = None) -> None:
        self.params = init_weights([input_size, hidden_size, output_size], weight_init_std, rng)
        self.layers = OrderedDict()
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.lastLayer = SoftmaxWithLoss()

    def last(self) -> SoftmaxWithLoss:
        return self.lastLayer

    def gradient_keys(self) -> list[str]:
        return ["W1", "b1", "W2", "b2"]

    def loss(self, x: _Array, t: _Array) -> Any:
        """Cross-entropy of the softmax of :meth:`predict` against ``t`` (one-hot rows or labels)."""
        return self.lastLayer.forward(self.predict(x), t)

    def gradient(self, x: _Array, t: _Array) -> dict[str, _Array]:
        """The same gradient as :meth:`numerical_gradient`, by backpropagation."""
        self.loss(x, t)
        self.backpropagate()
        return {"W1": self.layers["Affine1"].dW, "b1": self.layers["Affine1"].db,
                "W2": self.layers["Affine2"].dW, "b2": self.layers["Affine2"].db}


__all__ = ["ReluTwoLayerNet"]
