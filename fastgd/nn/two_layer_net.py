"""Chapter 4's nets with a compiled, incremental numerical gradient: ``SimpleNet`` and the sigmoid ``TwoLayerNet``.

Each is its numpy twin in :mod:`fastgd.reference.nn` with ``numerical_gradient`` replaced:
still every parameter perturbed by ±h (h = 1e-4) and the loss evaluated at both points, but
each perturbed loss is computed from the unperturbed forward pass, touching only what the
parameter changes (``src/nn.pyx``), on :func:`fastgd.get_num_threads` threads. It agrees with
the twin within 1e-9 absolute (the twin's own rounding is about 1e-12 here). Params that are
not float64 arrays of the expected shapes take :func:`fastgd.numerical_gradient` over the
twin's loss instead.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd._docs import twin_doc
from fastgd.diff import numerical_gradient
from fastgd.nn import _kernels, _mlp
from fastgd.nn._batch import as_batch, is_float64
from fastgd.nn._targets import targets
from fastgd.reference import nn as reference


class SimpleNet(reference.SimpleNet):
    __doc__ = twin_doc(reference.SimpleNet, """
        >>> import numpy as np
        >>> from fastgd.nn import SimpleNet
        >>> from fastgd.reference.nn import SimpleNet as Twin
        >>> np.random.seed(0)
        >>> net = SimpleNet()
        >>> np.random.seed(0)
        >>> twin = Twin()  # the same np.random.randn draws: the same weights
        >>> x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
        >>> bool(np.array_equal(net.W, twin.W)), bool(net.loss(x, t) == twin.loss(x, t))
        (True, True)
        >>> grad = net.numerical_gradient(x, t)  # incrementally, within 1e-9 of the twin's
        >>> grad.shape, bool(np.allclose(grad, twin.numerical_gradient(x, t), rtol=0, atol=1e-9))
        ((2, 3), True)
    """)
    def generic_gradient(self, f: Callable[[Any], Any], x: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """``numerical_gradient(f, x)`` of the generic path: fastgd's (the Korean edition's mirror takes its own)."""
        return numerical_gradient(f, x)

    def numerical_gradient(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> npt.NDArray[np.floating[Any]]:
        """Central-difference gradient of the loss with respect to ``W``, evaluated incrementally."""
        batch = as_batch(x, 2)
        if batch is None or not (is_float64(self.W) and self.W.ndim == 2 and self.W.shape[0] == batch.shape[1]):
            return self.generic_gradient(lambda W: self.loss(x, t), self.W)
        tgt = targets(t, batch.shape[0], self.W.shape[1], one_sample=np.ndim(x) == 1)
        W = np.ascontiguousarray(self.W)
        softmax = _mlp.softmax_parts(batch @ W)
        out = np.empty(W.shape)
        _kernels.OutputJob(batch, W, softmax, tgt, _mlp.H, out).run(0, W.size)
        return out


class TwoLayerNet(reference.TwoLayerNet):
    __doc__ = twin_doc(reference.TwoLayerNet, """
        >>> import numpy as np
        >>> import fastgd
        >>> from fastgd.nn import TwoLayerNet
        >>> from fastgd.reference.nn import TwoLayerNet as Twin
        >>> np.random.seed(0)
        >>> net = TwoLayerNet(64, 20, 10)  # the book's np.random.randn draws
        >>> np.random.seed(0)
        >>> twin = Twin(64, 20, 10)
        >>> rng = np.random.default_rng(1)
        >>> x, t = rng.random((8, 64)), rng.integers(0, 10, size=8)
        >>> grads, twin_grads = net.numerical_gradient(x, t), twin.numerical_gradient(x, t)
        >>> all(np.allclose(grads[key], twin_grads[key], rtol=0, atol=1e-9) for key in twin_grads)
        True
        >>> before = net.loss(x, t)
        >>> fastgd.SGD(lr=1.0).update(net.params, grads)  # one step down the gradient
        >>> bool(net.loss(x, t) < before)
        True
    """)
    def generic_gradient(self, f: Callable[[Any], Any], x: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """``numerical_gradient(f, x)`` of the generic path: fastgd's (the Korean edition's mirror takes its own)."""
        return numerical_gradient(f, x)

    def numerical_gradient(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> dict[str, npt.NDArray[np.floating[Any]]]:
        """Central-difference gradient of the loss for every parameter, evaluated incrementally."""
        p = self.params
        W1, b1, W2, b2 = (p[key] for key in ("W1", "b1", "W2", "b2"))
        batch = as_batch(x, 2)
        shapes_ok = (is_float64(W1) and is_float64(W2) and W1.ndim == W2.ndim == 2 and W1.shape[1] == W2.shape[0]
                     and is_float64(b1) and is_float64(b2) and b1.shape == W1.shape[1:] and b2.shape == W2.shape[1:])
        if batch is None or not shapes_ok or batch.shape[1] != W1.shape[0]:
            return {key: self.generic_gradient(lambda W: self.loss(x, t), p[key]) for key in ("W1", "b1", "W2", "b2")}
        tgt = targets(t, batch.shape[0], W2.shape[1], one_sample=np.ndim(x) == 1)
        W1, b1, W2, b2 = (np.ascontiguousarray(a, dtype=np.float64) for a in (W1, b1, W2, b2))
        stack = _mlp.Stack([_mlp.Hidden(W1, b1, _mlp.SIGMOID, None, None)], W2, b2, 0.0,
                           [("W1", 0, _mlp.WEIGHT), ("b1", 0, _mlp.BIAS), ("W2", 1, _mlp.WEIGHT), ("b2", 1, _mlp.BIAS)],
                           None)
        result = _mlp.numerical_gradient(stack, batch, tgt)
        assert result is not None  # no batch norm: no statistics to keep
        grads: dict[str, npt.NDArray[np.floating[Any]]] = dict(result[0])
        return grads


__all__ = ["SimpleNet", "TwoLayerNet"]
