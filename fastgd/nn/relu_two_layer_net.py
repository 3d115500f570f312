"""Chapter 5's two-layer net (its ``ch05/two_layer_net.py``): Affine, ReLU, Affine, SoftmaxWithLoss layers."""
from __future__ import annotations

from collections import OrderedDict

from fastgd.nn._draws import Rng, checked
from fastgd.nn._layer_net import LayerNet, init_weights, widths
from fastgd.nn.layers import Affine, Relu, SoftmaxWithLoss


class ReluTwoLayerNet(LayerNet):
    """Chapter 5's ``TwoLayerNet``: ``Affine1 → Relu1 → Affine2``, then ``lastLayer`` (SoftmaxWithLoss).

    Not chapter 4's net (:class:`fastgd.nn.TwoLayerNet`, sigmoid, no layers): the same
    constructor, another model. Its ``numerical_gradient`` is compiled (:mod:`fastgd.nn`).

    Parameters
    ----------
    input_size, hidden_size, output_size, weight_init_std, rng
        As :class:`fastgd.nn.TwoLayerNet`'s.

    Attributes
    ----------
    params : dict
        ``W1`` (input × hidden), ``b1``, ``W2`` (hidden × output), ``b2``, as chapter 4's net.
    layers : collections.OrderedDict
        ``Affine1``, ``Relu1``, ``Affine2``, holding the ``params`` arrays themselves.
    lastLayer : SoftmaxWithLoss
        The loss layer.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn import ReluTwoLayerNet
    >>> np.random.seed(0)
    >>> net = ReluTwoLayerNet(784, 50, 10)  # ch05/gradient_check.py's net, the book's weights
    >>> x, t = np.random.default_rng(1).random((3, 784)), np.eye(10)[[3, 1, 4]]
    >>> numerical, backprop = net.numerical_gradient(x, t), net.gradient(x, t)  # compiled; by the layers
    >>> all(np.abs(numerical[key] - backprop[key]).mean() < 1e-6 for key in net.params)  # the book's check
    True
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, weight_init_std: float = 0.01,
                 rng: Rng = None) -> None:
        widths(input_size=input_size, hidden_size=hidden_size, output_size=output_size)
        self.params = init_weights([input_size, hidden_size, output_size], weight_init_std, checked(rng))
        self.layers = OrderedDict(Affine1=Affine(self.params["W1"], self.params["b1"]), Relu1=Relu(),
                                  Affine2=Affine(self.params["W2"], self.params["b2"]))
        self.lastLayer = SoftmaxWithLoss()

    def last(self) -> SoftmaxWithLoss:
        return self.lastLayer

    def gradient_sources(self) -> dict[str, tuple[str, str]]:
        return {"W1": ("Affine1", "dW"), "b1": ("Affine1", "db"), "W2": ("Affine2", "dW"), "b2": ("Affine2", "db")}


__all__ = ["ReluTwoLayerNet"]
