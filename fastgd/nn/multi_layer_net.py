"""The book's fully connected nets (its ``common/multi_layer_net.py`` and ``multi_layer_net_extend.py``).

Their ``numerical_gradient`` is compiled. With batch normalization it also leaves the running
averages where the book's evaluations leave them (within a few units in the last place); with
dropout every evaluation draws its masks from the net's generator in the book's order, so the
numbers are the book's too.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.nn._draws import Rng, checked
from fastgd.nn._layer_net import LayerNet, init_weights, widths
from fastgd.nn.layers import Affine, BatchNormalization, Dropout, Relu, Sigmoid, SoftmaxWithLoss

_Array = npt.NDArray[Any]
#: The hidden layers' activation, by the name the constructors take.
ACTIVATIONS: dict[str, type[Relu] | type[Sigmoid]] = {"sigmoid": Sigmoid, "relu": Relu}
#: Layers whose name holds one of these take ``train_flg`` in ``MultiLayerNetExtend.predict``, as in the book.
TRAINING_MODE_LAYERS = ("Dropout", "BatchNorm")


class MultiLayerNet(LayerNet):
    """``Affine → activation`` for each hidden layer, a last ``Affine``, then SoftmaxWithLoss; L2 weight decay.

    Parameters
    ----------
    input_size : int
        Input width (784 for MNIST).
    hidden_size_list : sequence of int
        Width of each hidden layer, e.g. ``[100, 100, 100]``.
    output_size : int
        Number of classes.
    activation : {'relu', 'sigmoid'}, optional
        The hidden layers' activation.
    weight_init_std : float or str, optional
        Standard deviation of the initial weights, or ``'relu'``/``'he'`` (He's) or
        ``'sigmoid'``/``'xavier'`` (Xavier's).
    weight_decay_lambda : float, optional
        The loss adds ``0.5 * weight_decay_lambda * sum(W**2)`` for every weight matrix.
    rng : numpy.random.Generator, optional
        Source of the initial weights; by default ``np.random.randn``, as the book.

    Attributes
    ----------
    params : dict
        ``W1, b1, ..., W{n+1}, b{n+1}`` for ``n`` hidden layers.
    layers : collections.OrderedDict
        ``Affine1, Activation_function1, ..., Affine{n+1}``.
    last_layer : SoftmaxWithLoss
        The loss layer.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn import MultiLayerNet
    >>> np.random.seed(0)
    >>> net = MultiLayerNet(20, [10, 10], 3, weight_decay_lambda=0.1)  # the book's weights
    >>> list(net.layers)
    ['Affine1', 'Activation_function1', 'Affine2', 'Activation_function2', 'Affine3']
    >>> x, t = np.random.default_rng(1).random((4, 20)), np.array([0, 2, 1, 1])
    >>> numerical, backprop = net.numerical_gradient(x, t), net.gradient(x, t)  # compiled; by the layers
    >>> all(np.allclose(numerical[key], backprop[key], rtol=0, atol=1e-5) for key in net.params)  # but for 1e-7
    True
    """

    def __init__(self, input_size: int, hidden_size_list: Sequence[int], output_size: int, activation: str = "relu",
                 weight_init_std: float | str = "relu", weight_decay_lambda: float = 0, rng: Rng = None) -> None:
        widths(input_size=input_size, hidden_size_list=hidden_size_list, output_size=output_size)
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        self.input_size, self.output_size = input_size, output_size
        self.hidden_size_list, self.hidden_layer_num = hidden_size_list, len(hidden_size_list)
        self.weight_decay_lambda = weight_decay_lambda
        rng = checked(rng)
        self.params = init_weights([input_size, *hidden_size_list, output_size], weight_init_std, rng)
        self.layers = OrderedDict()
        for i in range(1, self.hidden_layer_num + 2):
            self.layers[f"Affine{i}"] = Affine(self.params[f"W{i}"], self.params[f"b{i}"])
            if i <= self.hidden_layer_num:
                self._add_hidden(i, ACTIVATIONS[activation], rng)
        self.last_layer = SoftmaxWithLoss()

    def _add_hidden(self, i: int, activation: type[Relu] | type[Sigmoid], rng: Rng) -> None:
        """The layers after hidden affine layer ``i``: its activation."""
        self.layers[f"Activation_function{i}"] = activation()

    def last(self) -> SoftmaxWithLoss:
        return self.last_layer

    def gradient_sources(self) -> dict[str, tuple[str, str]]:
        return {f"{kind}{i}": (f"Affine{i}", f"d{kind}") for i in range(1, self.hidden_layer_num + 2) for kind in "Wb"}

    def weight_decay(self) -> Any:
        """``0.5 * weight_decay_lambda * sum(W**2)`` summed over the weight matrices, as the book's loss adds it."""
        return sum(0.5 * self.weight_decay_lambda * np.sum(self.params[f"W{i}"] ** 2)
                   for i in range(1, self.hidden_layer_num + 2))

    def loss(self, x: _Array, t: _Array) -> Any:
        """Cross-entropy of the softmax of :meth:`predict` against ``t``, plus :meth:`weight_decay`."""
        return self.last_layer.forward(self.predict(x), t) + self.weight_decay()

    def gradient(self, x: _Array, t: _Array) -> dict[str, _Array]:
        """The gradient of the loss by backpropagation, ``weight_decay_lambda * W`` added to each ``W``'s."""
        grads = super().gradient(x, t)
        for i in range(1, self.hidden_layer_num + 2):
            grads[f"W{i}"] = grads[f"W{i}"] + self.weight_decay_lambda * self.params[f"W{i}"]
        return grads


class MultiLayerNetExtend(MultiLayerNet):
    """:class:`MultiLayerNet` with optional batch normalization and dropout around each hidden activation.

    Each hidden layer is ``Affine → [BatchNorm] → activation → [Dropout]``. ``predict`` and
    ``loss`` take ``train_flg`` (batch statistics and new dropout masks when True, running
    statistics and scaling when False); ``numerical_gradient`` and ``gradient`` use
    ``train_flg=True``, as the book.

    Parameters
    ----------
    input_size, hidden_size_list, output_size, activation, weight_init_std, weight_decay_lambda
        As :class:`MultiLayerNet`.
    use_dropout : bool, optional
        A Dropout layer after each hidden activation.
    dropout_ration : float, optional
        Its drop probability (the book's spelling).
    use_batchnorm : bool, optional
        A BatchNormalization layer (``gamma{i}``, ``beta{i}`` in ``params``) after each hidden affine layer.
    rng : numpy.random.Generator, optional
        Source of the initial weights and of the dropout masks; by default ``np.random``, as the book.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn import MultiLayerNetExtend
    >>> np.random.seed(0)
    >>> net = MultiLayerNetExtend(20, [10, 10], 3, use_batchnorm=True, use_dropout=True)
    >>> list(net.layers)[:4], list(net.params)[-2:]
    (['Affine1', 'BatchNorm1', 'Activation_function1', 'Dropout1'], ['gamma2', 'beta2'])
    >>> x, t = np.random.default_rng(1).random((4, 20)), np.array([0, 2, 1, 1])
    >>> grads = net.numerical_gradient(x, t)  # compiled; the masks drawn from np.random as the book draws them
    >>> bool(np.array_equal(net.predict(x), net.predict(x)))  # train_flg=False: no dropout, running averages
    True
    """

    def __init__(self, input_size: int, hidden_size_list: Sequence[int], output_size: int, activation: str = "relu",
                 weight_init_std: float | str = "relu", weight_decay_lambda: float = 0, use_dropout: bool = False,
                 dropout_ration: float = 0.5, use_batchnorm: bool = False, rng: Rng = None) -> None:
        self.use_dropout, self.dropout_ration, self.use_batchnorm = use_dropout, dropout_ration, use_batchnorm
        super().__init__(input_size, hidden_size_list, output_size, activation, weight_init_std, weight_decay_lambda,
                         rng)

    def _add_hidden(self, i: int, activation: type[Relu] | type[Sigmoid], rng: Rng) -> None:
        """After hidden affine layer ``i``: [batch norm, with ``gamma{i}`` and ``beta{i}``], activation, [dropout]."""
        if self.use_batchnorm:
            width = self.hidden_size_list[i - 1]
            gamma, beta = self.params[f"gamma{i}"], self.params[f"beta{i}"] = np.ones(width), np.zeros(width)
            self.layers[f"BatchNorm{i}"] = BatchNormalization(gamma, beta)
        super()._add_hidden(i, activation, rng)
        if self.use_dropout:
            self.layers[f"Dropout{i}"] = Dropout(self.dropout_ration, rng=rng)

    def predict(self, x: _Array, train_flg: bool = False) -> _Array:
        """The scores for ``x``; ``train_flg`` goes to the Dropout and BatchNorm layers (by their names)."""
        for name, layer in self.layers.items():
            modes = [train_flg] if any(kind in name for kind in TRAINING_MODE_LAYERS) else []
            x = layer.forward(x, *modes)
        return x

    def loss(self, x: _Array, t: _Array, train_flg: bool = False) -> Any:
        """Cross-entropy of the softmax of :meth:`predict` against ``t``, plus the weight decay."""
        return self.last_layer.forward(self.predict(x, train_flg), t) + self.weight_decay()

    def gradient_loss(self, x: _Array, t: _Array) -> Callable[[Any], Any]:
        return lambda W: self.loss(x, t, train_flg=True)

    def gradient_sources(self) -> dict[str, tuple[str, str]]:
        sources: dict[str, tuple[str, str]] = {}
        for i in range(1, self.hidden_layer_num + 2):
            sources |= {f"W{i}": (f"Affine{i}", "dW"), f"b{i}": (f"Affine{i}", "db")}
            if self.use_batchnorm and i <= self.hidden_layer_num:
                sources |= {f"gamma{i}": (f"BatchNorm{i}", "dgamma"), f"beta{i}": (f"BatchNorm{i}", "dbeta")}
        return sources


__all__ = ["MultiLayerNet", "MultiLayerNetExtend", "ACTIVATIONS", "TRAINING_MODE_LAYERS"]
