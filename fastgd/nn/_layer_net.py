"""What the book's layer-based nets share, and their compiled numerical gradient.

A :class:`LayerNet` keeps its parameters in ``params`` and its layers in ``layers`` (an
``OrderedDict`` whose weighted layers hold the ``params`` arrays themselves), ends in a
:class:`~fastgd.nn.layers.SoftmaxWithLoss`, and says in :meth:`LayerNet.gradient_sources`
which layer attribute each parameter's backpropagated gradient is left in.

Its ``numerical_gradient`` reads the layers as the kernels take them (:func:`mlp_stack`):
when it recognises them — float64 C-contiguous parameters that the layers hold themselves, a
finite real batch, the expected layer types — it returns the kernels' gradient, sets the
batch-norm running averages the book's evaluations leave, and evaluates the last parameter
element with the net's own loss, as the book does (which leaves the layers' caches, the last
running-average updates and the dropout generator as the book leaves them). Anything else
takes :func:`fastgd.numerical_gradient` over the net's own loss: the book's evaluations, one
by one.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from itertools import combinations
from numbers import Real
from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.diff import numerical_gradient
from fastgd.nn import _mlp
from fastgd.nn._batch import as_batch, is_float64
from fastgd.nn._draws import Rng, normal
from fastgd.nn._targets import targets
from fastgd.nn.layers import Affine, BatchNormalization, Dropout, Relu, Sigmoid, SoftmaxWithLoss

_F = npt.NDArray[np.float64]
_ACTIVATIONS: dict[type, int] = {Relu: _mlp.RELU, Sigmoid: _mlp.SIGMOID}


def _real(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and np.isfinite(float(value))


def _statistics_ok(bn: BatchNormalization, n: int) -> bool:
    return _real(bn.momentum) and all(
        r is None or (isinstance(r, np.ndarray) and r.dtype == np.float64 and r.shape == (n,))
        for r in (bn.running_mean, bn.running_var))


def distinct(arrays: list[_F]) -> bool:
    """No two of ``arrays`` share memory (the kernels read each parameter as itself alone)."""
    return not any(np.may_share_memory(a, b) for a, b in combinations(arrays, 2))


def keys_of(net: LayerNet, arrays: dict[tuple[int, int], _F], names: list[str]) -> list[tuple[str, int, int]] | None:
    """``(key, layer, kind)`` for each of the ``names``, found by identity among ``arrays``; None if one is not."""
    where = {id(array): place for place, array in arrays.items()}
    keys = []
    for key in names:
        place = where.get(id(net.params.get(key)))
        if place is None:
            return None
        keys.append((key, *place))
    return keys


def mlp_stack(net: LayerNet, layers: list[Any], names: list[str], decay: float = 0.0) -> _mlp.Stack | None:
    """``layers`` (``Affine`` [``BatchNormalization``] ``Relu``/``Sigmoid`` [``Dropout``] ..., ``Affine``) as a Stack.

    ``names``: the ``params`` keys to differentiate, in order. None when the layers are not
    that, or their parameters are not finite float64 C-contiguous arrays of chained shapes, or
    a key is not one of the layers' own arrays.
    """
    if not layers or type(layers[-1]) is not Affine or type(net.last()) is not SoftmaxWithLoss:
        return None
    hidden: list[_mlp.Hidden] = []
    dropouts: list[Dropout] = []
    i, end = 0, len(layers) - 1
    while i < end:
        affine = layers[i]
        bn = layers[i + 1] if i + 1 < end and type(layers[i + 1]) is BatchNormalization else None
        i += 2 if bn is not None else 1
        if type(affine) is not Affine or i >= end or type(layers[i]) not in _ACTIVATIONS:
            return None
        activation = _ACTIVATIONS[type(layers[i])]
        drop = layers[i + 1] if i + 1 < end and type(layers[i + 1]) is Dropout else None
        i += 2 if drop is not None else 1
        if drop is not None:
            if not _real(drop.dropout_ratio):
                return None
            dropouts.append(drop)
        hidden.append(_mlp.Hidden(affine.W, affine.b, activation, bn, None if drop is None else drop.dropout_ratio))
    if len({id(getattr(drop, "rng", None)) for drop in dropouts}) > 1:
        return None  # masks from several generators: the kernels draw from one
    stack = _mlp.Stack(hidden, layers[-1].W, layers[-1].b, decay, [],
                       getattr(dropouts[0], "rng", None) if dropouts else None)
    arrays: dict[tuple[int, int], _F] = {}
    n_in = None
    for layer, (W, b, bn) in enumerate([(h.W, h.b, h.batch_norm) for h in hidden] + [(stack.W_out, stack.b_out, None)]):
        if not (is_float64(W, True) and is_float64(b, True) and W.ndim == 2 and b.shape == W.shape[1:]
                and W.shape[0] == (n_in or W.shape[0])):
            return None
        n_in = W.shape[1]
        arrays[layer, _mlp.WEIGHT], arrays[layer, _mlp.BIAS] = W, b
        if bn is not None:
            if not (is_float64(bn.gamma, True) and is_float64(bn.beta, True)
                    and bn.gamma.shape == bn.beta.shape == b.shape and _statistics_ok(bn, b.size)):
                return None
            arrays[layer, _mlp.GAMMA], arrays[layer, _mlp.BETA] = bn.gamma, bn.beta
    keys = keys_of(net, arrays, names)
    if keys is None or not distinct(list(arrays.values())):
        return None
    return stack._replace(keys=keys)


def finish_last(net: LayerNet, grads: dict[str, _F], x: npt.NDArray[Any], t: npt.NDArray[Any]) -> None:
    """The last gradient element, evaluated with the net's own loss as the book evaluates it."""
    key = net.gradient_keys()[-1]
    P = net.params[key]
    f = net.gradient_loss(x, t)
    idx = np.unravel_index(P.size - 1, P.shape)
    tmp_val = P[idx]
    try:
        P[idx] = tmp_val + _mlp.H
        fxh1 = f(P)
        P[idx] = tmp_val - _mlp.H
        fxh2 = f(P)
    finally:
        P[idx] = tmp_val
    grads[key][idx] = (fxh1 - fxh2) / (2 * _mlp.H)


def set_running(stack: _mlp.Stack, running: list[tuple[_F, _F] | None]) -> None:
    """Store the replayed running averages in the batch-norm layers."""
    for layer, averages in zip(stack.hidden, running, strict=True):
        if layer.batch_norm is not None and averages is not None:
            layer.batch_norm.running_mean, layer.batch_norm.running_var = averages


_SCALES = {"relu": 2.0, "he": 2.0, "sigmoid": 1.0, "xavier": 1.0}  # variance times fan-in, by weight_init_std


def init_weights(sizes: Sequence[int], weight_init_std: float | str, rng: Rng) -> dict[str, _F]:
    """The book's initial ``W1, b1, W2, b2, ...`` for layers of widths ``sizes``, drawn in layer order.

    ``W{i}`` is ``scale * randn(sizes[i-1], sizes[i])``, ``b{i}`` zeros; the scale is
    ``weight_init_std``, He's ``sqrt(2 / fan_in)`` for ``'relu'``/``'he'`` or Xavier's
    ``sqrt(1 / fan_in)`` for ``'sigmoid'``/``'xavier'`` (any case).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn._layer_net import init_weights
    >>> np.random.seed(0)
    >>> params = init_weights([4, 3, 2], "he", None)
    >>> np.random.seed(0)
    >>> bool(np.array_equal(params["W1"], np.sqrt(2.0 / 4) * np.random.randn(4, 3))), list(params)
    (True, ['W1', 'b1', 'W2', 'b2'])
    """
    named = str(weight_init_std).lower()
    if isinstance(weight_init_std, str) and named not in _SCALES:
        raise ValueError(f"weight_init_std must be a number or one of {sorted(_SCALES)}, got {weight_init_std!r}")
    params: dict[str, _F] = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), 1):
        if named in _SCALES and fan_in == 0:
            raise ValueError(f"weight_init_std {weight_init_std!r} scales W{i} by its fan-in, which is 0")
        scale: Any = np.sqrt(_SCALES[named] / fan_in) if named in _SCALES else weight_init_std
        params[f"W{i}"], params[f"b{i}"] = scale * normal(rng, fan_in, fan_out), np.zeros(fan_out)
    return params


def widths(**sizes: Any) -> None:
    """Check that each keyword is a layer width (an int >= 0) or a sequence of them: TypeError/ValueError naming it."""
    for name, value in sizes.items():
        for width in value if isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, str) else [value]:
            if not isinstance(width, (int, np.integer)) or isinstance(width, bool):
                raise TypeError(f"{name} must hold whole numbers (layer widths), got {width!r}")
            if width < 0:
                raise ValueError(f"{name} must hold widths >= 0, got {width}")


class LayerNet:
    """Base of the layer-based nets: ``params``, ``layers``, backpropagation and the compiled numerical gradient.

    Subclasses build ``params`` and ``layers`` and name their loss layer (:meth:`last`) and
    where backpropagation leaves each gradient (:meth:`gradient_sources`).
    """

    params: dict[str, npt.NDArray[Any]]
    layers: OrderedDict[str, Any]

    def last(self) -> SoftmaxWithLoss:
        """The loss layer (``last_layer``, or ``lastLayer`` in chapter 5's net)."""
        raise NotImplementedError

    def gradient_sources(self) -> dict[str, tuple[str, str]]:
        """Per ``params`` key, in the order the book differentiates them: the layer and attribute backprop fills."""
        raise NotImplementedError

    def gradient_keys(self) -> list[str]:
        """The ``params`` keys, in the order the book's ``numerical_gradient`` perturbs them."""
        return list(self.gradient_sources())

    def predict(self, x: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """The scores (logits) for ``x``: every layer's forward pass in order."""
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> Any:
        """Cross-entropy of the softmax of :meth:`predict` against ``t`` (one-hot rows or labels)."""
        return self.last().forward(self.predict(x), t)

    def gradient_loss(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> Callable[[Any], Any]:
        """The book's ``loss_W``: what its ``numerical_gradient`` differentiates (it ignores its argument)."""
        return lambda W: self.loss(x, t)

    def accuracy(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> float:
        """Fraction of the rows of ``x`` whose highest score is the class of ``t`` (one-hot rows or labels)."""
        y = np.argmax(self.predict(x), axis=1)
        labels = t if t.ndim == 1 else np.argmax(t, axis=1)
        accuracy: float = np.sum(y == labels) / float(x.shape[0])  # annotated: numpy's stubs type it Any here
        return accuracy

    def gradient(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> dict[str, npt.NDArray[Any]]:
        """The gradient of the loss :meth:`numerical_gradient` differentiates, by backpropagation."""
        self.gradient_loss(x, t)(None)
        dout = self.last().backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        return {key: getattr(self.layers[name], attribute)
                for key, (name, attribute) in self.gradient_sources().items()}

    def generic_gradient(self, f: Callable[[Any], Any], x: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """``numerical_gradient(f, x)`` of the generic path: fastgd's (the Korean edition's mirror takes its own)."""
        return numerical_gradient(f, x)

    def compiled_gradient(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> dict[str, _F] | None:
        """The kernels' gradient of a fully connected net, running averages set; None where they do not apply."""
        decay = getattr(self, "weight_decay_lambda", 0)
        if not _real(decay):
            return None
        stack = mlp_stack(self, list(self.layers.values()), self.gradient_keys(), float(decay))
        batch = as_batch(x, min_ndim=2)
        if stack is None or batch is None:
            return None
        weights = [layer.W for layer in stack.hidden] + [stack.W_out]
        if batch.shape[1] != weights[0].shape[0] or (
                decay and any(self.params.get(f"W{i}") is not W for i, W in enumerate(weights, 1))):
            return None  # the book raises on a batch of the wrong width; decay over other arrays than the layers'
        result = _mlp.numerical_gradient(stack, batch, targets(t, batch.shape[0], stack.W_out.shape[1]))
        if result is None:
            return None
        grads, running = result
        set_running(stack, running)
        return grads

    def numerical_gradient(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> dict[str, npt.NDArray[Any]]:
        """Central-difference gradient of the loss for every parameter: the book's, evaluated incrementally."""
        grads = self.compiled_gradient(x, t)
        if grads is None:
            loss = self.gradient_loss(x, t)
            return {key: self.generic_gradient(loss, self.params[key]) for key in self.gradient_keys()}
        finish_last(self, grads, x, t)
        return dict(grads)


__all__ = ["LayerNet", "init_weights", "widths", "mlp_stack", "finish_last", "set_running", "keys_of", "distinct"]
