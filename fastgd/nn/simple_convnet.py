"""Chapter 7's convolutional net with the compiled numerical gradient.

The filters' gradient comes from ``src/nn_conv.pyx`` (one channel of the convolution moves,
its pooled maxima are recomputed, the hidden layer moves by their changes); the affine layers
after the pooling take the fully connected kernels with the pooled features as their input.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd._docs import twin_doc
from fastgd.nn import _conv_kernels, _mlp
from fastgd.nn._batch import as_batch, is_float64
from fastgd.nn._layer_net import CompiledGradient, distinct, mlp_stack, set_running
from fastgd.nn._parallel import run
from fastgd.nn._targets import targets
from fastgd.reference import simple_convnet as reference
from fastgd.reference.layers import Convolution, Pooling, Relu
from fastgd.reference.util import im2col

_F = npt.NDArray[np.float64]


def _relu(x: _F) -> _F:
    out: _F = x.copy()
    out[x <= 0] = 0
    return out


class SimpleConvNet(CompiledGradient, reference.SimpleConvNet):
    __doc__ = twin_doc(reference.SimpleConvNet, """
        >>> import numpy as np
        >>> from fastgd.nn import SimpleConvNet
        >>> from fastgd.reference.simple_convnet import SimpleConvNet as Twin
        >>> conv_param = {"filter_num": 10, "filter_size": 3, "pad": 0, "stride": 1}
        >>> settings = dict(input_dim=(1, 10, 10), conv_param=conv_param, hidden_size=10, output_size=10,
        ...                 weight_init_std=0.01)  # ch07/gradient_check.py's net
        >>> np.random.seed(0)
        >>> net = SimpleConvNet(**settings)
        >>> np.random.seed(0)
        >>> twin = Twin(**settings)
        >>> X, T = np.random.default_rng(1).random((1, 1, 10, 10)), np.array([1]).reshape((1, 1))
        >>> grads, twin_grads = net.numerical_gradient(X, T), twin.numerical_gradient(X, T)
        >>> all(np.allclose(grads[key], twin_grads[key], rtol=0, atol=1e-9) for key in twin_grads)
        True
    """)

    def compiled_gradient(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> dict[str, _F] | None:
        layers = list(self.layers.values())
        if [type(layer) for layer in layers[:3]] != [Convolution, Relu, Pooling] or not isinstance(x, np.ndarray):
            return None
        conv, pool = layers[0], layers[2]
        W1, b1 = conv.W, conv.b
        settings = (conv.stride, conv.pad, pool.pool_h, pool.pool_w, pool.stride, pool.pad)
        if not (is_float64(W1, True) and is_float64(b1, True) and W1.ndim == 4 and b1.shape == W1.shape[:1]
                and all(isinstance(v, int) for v in settings) and conv.stride >= 1 and conv.pad >= 0
                and pool.pool_h == pool.pool_w >= 1 and pool.stride >= 1 and pool.pad == 0
                and x.ndim == 4 and x.shape[1] == W1.shape[1] and as_batch(x) is not None):
            return None
        names = self.gradient_keys()
        if [self.params.get(key) is array for key, array in zip(names[:2], (W1, b1), strict=True)] != [True, True]:
            return None
        stack = mlp_stack(self, layers[3:], names[2:])
        if stack is None or not distinct([W1, b1, stack.hidden[0].W if stack.hidden else W1]):
            return None
        FN, C, FH, FW = W1.shape
        N = x.shape[0]
        x64 = np.asarray(x, dtype=np.float64)
        out_h = 1 + int((x.shape[2] + 2 * conv.pad - FH) / conv.stride)
        out_w = 1 + int((x.shape[3] + 2 * conv.pad - FW) / conv.stride)
        if out_h < pool.pool_h or out_w < pool.pool_w:
            return None
        col = im2col(x64, FH, FW, conv.stride, conv.pad)
        conv_out = np.ascontiguousarray((np.dot(col, W1.reshape(FN, -1).T) + b1).reshape(N, out_h, out_w, -1)
                                        .transpose(0, 3, 1, 2))
        relu_out = _relu(conv_out)
        ph = (out_h - pool.pool_h) // pool.stride + 1
        pw = (out_w - pool.pool_w) // pool.stride + 1
        pooled_col = im2col(relu_out, pool.pool_h, pool.pool_w, pool.stride, 0).reshape(-1, pool.pool_h * pool.pool_w)
        pooled = np.ascontiguousarray(np.max(pooled_col, axis=1).reshape(N, ph, pw, FN).transpose(0, 3, 1, 2)
                                      .reshape(N, -1))
        if len(stack.hidden) != 1 or pooled.shape[1] != stack.hidden[0].W.shape[0]:
            return None
        tgt = targets(t, N, stack.W_out.shape[1])
        result = _mlp.numerical_gradient(stack, pooled, tgt)
        if result is None:
            return None
        mlp_grads, running = result
        set_running(stack, running)
        passes, logits = _mlp.forward(stack, pooled)
        Z, E, S = _mlp.softmax_parts(logits)
        xpad = np.ascontiguousarray(np.pad(x64, [(0, 0), (0, 0), (conv.pad, conv.pad), (conv.pad, conv.pad)]))
        threads = _mlp.thread_count(W1.size * N * ph * pw)
        grads = {}
        for key, bias, P in ((names[0], False, W1), (names[1], True, b1)):
            grad = np.empty(P.shape)
            run(_conv_kernels.FilterJob(bias, P.reshape(-1), FH, FW, xpad, conv_out, conv.stride, pool.pool_h,
                                        pool.stride, pooled, stack.hidden[0].W, passes[0].a, stack.W_out, Z, E, S, *tgt,
                                        _mlp.H, grad.reshape(-1)), threads)
            grads[key] = grad
        return grads | mlp_grads


__all__ = ["SimpleConvNet"]
