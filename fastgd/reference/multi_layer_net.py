"""The textbook's fully connected nets (its ``common/multi_layer_net.py`` and ``multi_layer_net_extend.py``)."""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.reference.layer_net import LayerNet, init_weights
from fastgd.reference.layers import Affine, BatchNormalization, Dropout, Relu, Sigmoid, SoftmaxWithLoss
from fastgd.reference.random import Rng

_Array = npt.NDArray[Any]
#: The hidden layers' activation, by the name the constructors take.
ACTIVATIONS: dict[str, type[Relu] | type[Sigmoid]] = {"sigmoid": Sigmoid, "relu": Relu}


class MultiLayerNet(LayerNet):
    """``Affine → activation`` for each hidden layer, a last ``Affine``, then SoftmaxWithLoss; L2 weight decay.

    The book's code; :class:`fastgd.nn.MultiLayerNet` documents its parameters.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.multi_layer_net import MultiLayerNet
    >>> net = MultiLayerNet(4, [5, 3], 2, weight_decay_lambda=0.1, rng=np.random.default_rng(0))
    >>> list(net.layers)
    ['Affine1', 'Activation_function1', 'Affine2', 'Activation_function2', 'Affine3']
    >>> x, t = np.random.default_rng(1).standard_normal((3, 4)), np.array([0, 1, 1])
    >>> numerical, backprop = net.numerical_gradient(x, t), net.gradient(x, t)
    >>> all(np.allclose(numerical[key], backprop[key], rtol=0, atol=1e-6) for key in net.params)
    True
    """

    def __init__(self, input_size: int, hidden_size_list: Sequence[int], output_size: int, activation: str = "relu",
                 weight_init_std: float | str = "relu", weight_decay_lambda: float = 0, rng: Rng = None) -> None:
        self.input_size = input_size
        self.output_size = output_size
        self.hidden_size_list = hidden_size_list
        self.hidden_layer_num = len(hidden_size_list)
        self.weight_decay_lambda = weight_decay_lambda
        self.params = init_weights([input_size, *hidden_size_list, output_size], weight_init_std, rng)
        self.layers = OrderedDict()
        for idx in range(1, self.hidden_layer_num + 1):
            self.layers[f"Affine{idx}"] = Affine(self.params[f"W{idx}"], self.params[f"b{idx}"])
            for name, layer in self._after_affine(idx, activation, rng):
                self.layers[f"{name}{idx}"] = layer
        idx = self.hidden_layer_num + 1
        self.layers[f"Affine{idx}"] = Affine(self.params[f"W{idx}"], self.params[f"b{idx}"])
        self.last_layer = SoftmaxWithLoss()

    def _after_affine(self, idx: int, activation: str, rng: Rng) -> list[tuple[str, Any]]:
        """The layers after hidden affine layer ``idx``, with their names (``idx`` appended)."""
        return [("Activation_function", ACTIVATIONS[activation]())]

    def last(self) -> SoftmaxWithLoss:
        return self.last_layer

    def gradient_keys(self) -> list[str]:
        return [f"{name}{idx}" for idx in range(1, self.hidden_layer_num + 2) for name in ("W", "b")]

    def weight_decay(self) -> Any:
        """``0.5 * weight_decay_lambda * sum(W**2)`` summed over the weight matrices, as the loss adds it."""
        weight_decay: Any = 0
        for idx in range(1, self.hidden_layer_num + 2):
            W = self.params[f"W{idx}"]
            weight_decay += 0.5 * self.weight_decay_lambda * np.sum(W**2)
        return weight_decay

    def loss(self, x: _Array, t: _Array) -> Any:
        """Cross-entropy of the softmax of :meth:`predict` against ``t``, plus :meth:`weight_decay`."""
        y = self.predict(x)
        return self.last_layer.forward(y, t) + self.weight_decay()

    def gradient(self, x: _Array, t: _Array) -> dict[str, _Array]:
        """The gradient of :meth:`loss` by backpropagation (``weight_decay_lambda * W`` added to each ``W``'s)."""
        self.loss(x, t)
        self.backpropagate()
        grads = {}
        for idx in range(1, self.hidden_layer_num + 2):
            affine = self.layers[f"Affine{idx}"]
            grads[f"W{idx}"] = affine.dW + self.weight_decay_lambda * affine.W
            grads[f"b{idx}"] = affine.db
        return grads


class MultiLayerNetExtend(MultiLayerNet):
    """:class:`MultiLayerNet` with optional batch normalization and dropout after each hidden affine layer.

    The book's code; :class:`fastgd.nn.MultiLayerNetExtend` documents its parameters.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.multi_layer_net import MultiLayerNetExtend
    >>> net = MultiLayerNetExtend(4, [5], 2, use_batchnorm=True, use_dropout=True, rng=np.random.default_rng(0))
    >>> list(net.layers)
    ['Affine1', 'BatchNorm1', 'Activation_function1', 'Dropout1', 'Affine2']
    >>> list(net.params)
    ['W1', 'b1', 'W2', 'b2', 'gamma1', 'beta1']
    >>> x = np.random.default_rng(1).standard_normal((3, 4))
    >>> bool(np.array_equal(net.predict(x), net.predict(x)))  # train_flg=False: deterministic
    True
    """

    def __init__(self, input_size: int, hidden_size_list: Sequence[int], output_size: int, activation: str = "relu",
                 weight_init_std: float | str = "relu", weight_decay_lambda: float = 0, use_dropout: bool = False,
                 dropout_ration: float = 0.5, use_batchnorm: bool = False, rng: Rng = None) -> None:
        self.use_dropout = use_dropout
        self.dropout_ration = dropout_ration
        self.use_batchnorm = use_batchnorm
        super().__init__(input_size, hidden_size_list, output_size, activation, weight_init_std, weight_decay_lambda,
                         rng)

    def _after_affine(self, idx: int, activation: str, rng: Rng) -> list[tuple[str, Any]]:
        named: list[tuple[str, Any]] = []
        if self.use_batchnorm:
            self.params[f"gamma{idx}"] = np.ones(self.hidden_size_list[idx - 1])
            self.params[f"beta{idx}"] = np.zeros(self.hidden_size_list[idx - 1])
            named.append(("BatchNorm", BatchNormalization(self.params[f"gamma{idx}"], self.params[f"beta{idx}"])))
        named += super()._after_affine(idx, activation, rng)
        if self.use_dropout:
            named.append(("Dropout", Dropout(self.dropout_ration, rng=rng)))
        return named

    def predict(self, x: _Array, train_flg: bool = False) -> _Array:
        """The scores for ``x``; ``train_flg`` goes to the Dropout and BatchNorm layers."""
        for key, layer in self.layers.items():
            x = layer.forward(x, train_flg) if "Dropout" in key or "BatchNorm" in key else layer.forward(x)
        return x

    def loss(self, x: _Array, t: _Array, train_flg: bool = False) -> Any:
        """Cross-entropy of the softmax of :meth:`predict` against ``t``, plus the weight decay."""
        y = self.predict(x, train_flg)
        return self.last_layer.forward(y, t) + self.weight_decay()

    def gradient_loss(self, x: _Array, t: _Array) -> Callable[[Any], Any]:
        return lambda W: self.loss(x, t, train_flg=True)

    def gradient_keys(self) -> list[str]:
        keys = []
        for idx in range(1, self.hidden_layer_num + 2):
            keys += [f"W{idx}", f"b{idx}"]
            if self.use_batchnorm and idx != self.hidden_layer_num + 1:
                keys += [f"gamma{idx}", f"beta{idx}"]
        return keys

    def gradient(self, x: _Array, t: _Array) -> dict[str, _Array]:
        """The gradient of the training loss (``train_flg=True``) by backpropagation."""
        self.loss(x, t, train_flg=True)
        self.backpropagate()
        grads = {}
        for idx in range(1, self.hidden_layer_num + 2):
            grads[f"W{idx}"] = self.layers[f"Affine{idx}"].dW + self.weight_decay_lambda * self.params[f"W{idx}"]
            grads[f"b{idx}"] = self.layers[f"Affine{idx}"].db
            if self.use_batchnorm and idx != self.hidden_layer_num + 1:
                grads[f"gamma{idx}"] = self.layers[f"BatchNorm{idx}"].dgamma
                grads[f"beta{idx}"] = self.layers[f"BatchNorm{idx}"].dbeta
        return grads


__all__ = ["MultiLayerNet", "MultiLayerNetExtend", "ACTIVATIONS"]
