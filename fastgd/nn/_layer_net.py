"""The compiled numerical gradient of the layer-based nets, and the generic path when it does not apply.

:class:`CompiledGradient` goes before a net's numpy twin in its bases. Its
``numerical_gradient`` reads the net's layers as the kernels take them (:func:`mlp_stack`);
when it recognises them — float64 C-contiguous parameters that the layers hold themselves,
a finite real batch, the expected layer types — it returns the kernels' gradient, sets the
batch-norm running averages the reference's evaluations leave, and evaluates the last
parameter element with the net's own loss, as the reference does (which leaves the layers'
caches, the last running-average updates and the dropout generator as the reference leaves
them). Anything else takes :func:`fastgd.numerical_gradient` over the twin's loss: the
reference's numbers.
"""
from __future__ import annotations

from collections.abc import Callable
from itertools import combinations
from numbers import Real
from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.diff import numerical_gradient
from fastgd.nn import _mlp
from fastgd.nn._batch import as_batch, is_float64
from fastgd.nn._targets import targets
from fastgd.reference.layer_net import LayerNet
from fastgd.reference.layers import Affine, BatchNormalization, Dropout, Relu, Sigmoid, SoftmaxWithLoss

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
    """The last gradient element, evaluated with the net's own loss as the reference evaluates it."""
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


class CompiledGradient(LayerNet):
    """Mixin for a layer-based net: ``numerical_gradient`` by the kernels (see the module)."""

    def generic_gradient(self, f: Callable[[Any], Any], x: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """``numerical_gradient(f, x)`` of the generic path: fastgd's (the Korean edition's mirror takes its own)."""
        return numerical_gradient(f, x)

    def compiled_gradient(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> dict[str, _F] | None:
        """The kernels' gradient with the running averages set, or None where they do not apply."""
        raise NotImplementedError

    def numerical_gradient(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> dict[str, npt.NDArray[Any]]:
        """Central-difference gradient of the loss for every parameter: the reference's, evaluated incrementally."""
        grads = self.compiled_gradient(x, t)
        if grads is None:
            return self.numerical_gradient_with(self.generic_gradient, x, t)
        finish_last(self, grads, x, t)
        return dict(grads)


class CompiledMLP(CompiledGradient):
    """Mixin for the fully connected nets (chapter 5's two-layer net, ``MultiLayerNet``, ``MultiLayerNetExtend``)."""

    def compiled_gradient(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> dict[str, _F] | None:
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
            return None  # the twin raises on a batch of the wrong width; decay over other arrays than the layers'
        result = _mlp.numerical_gradient(stack, batch, targets(t, batch.shape[0], stack.W_out.shape[1]))
        if result is None:
            return None
        grads, running = result
        set_running(stack, running)
        return grads


__all__ = ["CompiledGradient", "CompiledMLP", "mlp_stack", "finish_last", "set_running", "keys_of", "distinct"]
