"""Chapter 7's convolutional net (its ``ch07/simple_convnet.py``): conv - relu - pool - affine - relu - affine."""
from __future__ import annotations

import os
import pickle
from collections import OrderedDict
from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.reference.layer_net import LayerNet
from fastgd.reference.layers import Affine, Convolution, Pooling, Relu, SoftmaxWithLoss
from fastgd.reference.random import Rng, normal

_Array = npt.NDArray[Any]


class SimpleConvNet(LayerNet):
    """``Conv1 → Relu1 → Pool1 → Affine1 → Relu2 → Affine2``, then ``last_layer`` (SoftmaxWithLoss).

    The book's code; :class:`fastgd.nn.SimpleConvNet` documents its parameters.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.simple_convnet import SimpleConvNet
    >>> net = SimpleConvNet(input_dim=(1, 6, 6), conv_param={"filter_num": 2, "filter_size": 3, "pad": 0, "stride": 1},
    ...                     hidden_size=4, output_size=3, weight_init_std=0.5, rng=np.random.default_rng(0))
    >>> {key: value.shape for key, value in net.params.items()}
    {'W1': (2, 1, 3, 3), 'b1': (2,), 'W2': (8, 4), 'b2': (4,), 'W3': (4, 3), 'b3': (3,)}
    >>> x, t = np.random.default_rng(1).random((2, 1, 6, 6)), np.array([0, 2])
    >>> numerical, backprop = net.numerical_gradient(x, t), net.gradient(x, t)
    >>> all(np.allclose(numerical[key], backprop[key], rtol=0, atol=1e-6) for key in net.params)
    True
    """

    def __init__(self, input_dim: tuple[int, int, int] = (1, 28, 28),
                 conv_param: dict[str, int] | None = None, hidden_size: int = 100, output_size: int = 10,
                 weight_init_std: float = 0.01, rng: Rng = None) -> None:
        if conv_param is None:
            conv_param = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}
        filter_num = conv_param["filter_num"]
        filter_size = conv_param["filter_size"]
        filter_pad = conv_param["pad"]
        filter_stride = conv_param["stride"]
        input_size = input_dim[1]
        conv_output_size = (input_size - filter_size + 2 * filter_pad) / filter_stride + 1
        pool_output_size = int(filter_num * (conv_output_size / 2) * (conv_output_size / 2))

        self.params = {}
        self.params["W1"] = weight_init_std * normal(rng, (filter_num, input_dim[0], filter_size, filter_size))
        self.params["b1"] = np.zeros(filter_num)
        self.params["W2"] = weight_init_std * normal(rng, (pool_output_size, hidden_size))
        self.params["b2"] = np.zeros(hidden_size)
        self.params["W3"] = weight_init_std * normal(rng, (hidden_size, output_size))
        self.params["b3"] = np.zeros(output_size)

        self.layers = OrderedDict()
        self.layers["Conv1"] = Convolution(self.params["W1"], self.params["b1"], conv_param["stride"],
                                           conv_param["pad"])
        self.layers["Relu1"] = Relu()
        self.layers["Pool1"] = Pooling(pool_h=2, pool_w=2, stride=2)
        self.layers["Affine1"] = Affine(self.params["W2"], self.params["b2"])
        self.layers["Relu2"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W3"], self.params["b3"])
        self.last_layer = SoftmaxWithLoss()

    def last(self) -> SoftmaxWithLoss:
        return self.last_layer

    def gradient_keys(self) -> list[str]:
        return ["W1", "b1", "W2", "b2", "W3", "b3"]

    def loss(self, x: _Array, t: _Array) -> Any:
        """Cross-entropy of the softmax of :meth:`predict` against ``t`` (one-hot rows or labels)."""
        return self.last_layer.forward(self.predict(x), t)

    def accuracy(self, x: _Array, t: _Array, batch_size: int = 100) -> float:
        """Accuracy over whole batches of ``batch_size`` (the book drops the remainder but divides by all of ``x``)."""
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        acc = 0.0
        for i in range(int(x.shape[0] / batch_size)):
            tx = x[i * batch_size:(i + 1) * batch_size]
            tt = t[i * batch_size:(i + 1) * batch_size]
            y = np.argmax(self.predict(tx), axis=1)
            acc += np.sum(y == tt)
        accuracy: float = acc / x.shape[0]
        return accuracy

    def gradient(self, x: _Array, t: _Array) -> dict[str, _Array]:
        """The same gradient as :meth:`numerical_gradient`, by backpropagation."""
        self.loss(x, t)
        self.backpropagate()
        grads = {}
        for idx, name in ((1, "Conv1"), (2, "Affine1"), (3, "Affine2")):
            grads[f"W{idx}"], grads[f"b{idx}"] = self.layers[name].dW, self.layers[name].db
        return grads

    def save_params(self, file_name: str | os.PathLike[str] = "params.pkl") -> None:
        """Pickle ``params`` (a dict of arrays) to ``file_name``."""
        with open(file_name, "wb") as f:
            pickle.dump(dict(self.params), f)

    def load_params(self, file_name: str | os.PathLike[str] = "params.pkl") -> None:
        """Load pickled params and point the weighted layers at them."""
        with open(file_name, "rb") as f:
            params = pickle.load(f)
        for key, val in params.items():
            self.params[key] = val
        for i, key in enumerate(["Conv1", "Affine1", "Affine2"]):
            self.layers[key].W = self.params[f"W{i + 1}"]
            self.layers[key].b = self.params[f"b{i + 1}"]


__all__ = ["SimpleConvNet"]
