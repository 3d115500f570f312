"""The textbook's layers (its ``common/layers.py``), in numpy: forward and backward passes.

The book's code, statement for statement: each layer keeps what its backward pass needs, and
the weighted layers keep *references* to their parameter arrays. :mod:`fastgd.nn.layers`
documents the same classes; these are the twins its tests compare with.

Examples
--------
>>> import numpy as np
>>> from fastgd.reference.layers import Convolution, Pooling
>>> conv, pool = Convolution(np.ones((2, 1, 2, 2)), np.array([0.0, 1.0])), Pooling(2, 2)
>>> out = pool.forward(conv.forward(np.arange(25.0).reshape(1, 1, 5, 5)))
>>> out[0, :, 0, 0], conv.backward(pool.backward(np.ones_like(out))).shape
(array([36., 37.]), (1, 1, 5, 5))
"""
from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.reference.functions import cross_entropy_error, sigmoid, softmax
from fastgd.reference.random import Rng, uniform
from fastgd.reference.util import col2im, im2col

_Array = npt.NDArray[Any]


class Relu:
    """``max(0, x)``; the backward pass zeroes the gradient where ``x <= 0``."""

    def __init__(self) -> None:
        self.mask: _Array | None = None

    def forward(self, x: _Array) -> _Array:
        self.mask = x <= 0
        out: _Array = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout: _Array) -> _Array:
        dout[self.mask] = 0  # in place, as the book
        return dout


class Sigmoid:
    """``1 / (1 + exp(-x))``; the backward pass multiplies by ``(1 - out) * out``."""

    def __init__(self) -> None:
        self.out: _Array | None = None

    def forward(self, x: _Array) -> _Array:
        out = sigmoid(x)
        self.out = out
        return out

    def backward(self, dout: _Array) -> _Array:
        assert self.out is not None, "forward first"
        dx: _Array = dout * (1.0 - self.out) * self.out
        return dx


class Affine:
    """``x @ W + b``, with ``x`` flattened to one row per sample (``x.reshape(len(x), -1)``)."""

    def __init__(self, W: _Array, b: _Array) -> None:
        self.W = W
        self.b = b
        self.x: _Array | None = None
        self.original_x_shape: tuple[int, ...] | None = None
        self.dW: _Array | None = None
        self.db: _Array | None = None

    def forward(self, x: _Array) -> _Array:
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x
        out: _Array = np.dot(self.x, self.W) + self.b
        return out

    def backward(self, dout: _Array) -> _Array:
        assert self.x is not None and self.original_x_shape is not None, "forward first"
        dx: _Array = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx.reshape(*self.original_x_shape)


class SoftmaxWithLoss:
    """Softmax of the scores, then :func:`~fastgd.reference.functions.cross_entropy_error` against ``t``."""

    def __init__(self) -> None:
        self.loss: Any = None
        self.y: _Array | None = None
        self.t: _Array | None = None

    def forward(self, x: _Array, t: _Array) -> Any:
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout: Any = 1) -> _Array:
        assert self.y is not None and self.t is not None, "forward first"
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:  # one-hot targets
            dx: _Array = (self.y - self.t) / batch_size
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
            dx = dx / batch_size
        return dx


class Dropout:
    """Drops each unit with probability ``dropout_ratio`` while training; scales by ``1 - ratio`` otherwise."""

    def __init__(self, dropout_ratio: float = 0.5, rng: Rng = None) -> None:
        self.dropout_ratio = dropout_ratio
        self.rng = rng
        self.mask: _Array | None = None

    def forward(self, x: _Array, train_flg: bool = True) -> _Array:
        if train_flg:
            self.mask = uniform(self.rng, x.shape) > self.dropout_ratio
            out: _Array = x * self.mask
            return out
        scaled: _Array = x * (1.0 - self.dropout_ratio)
        return scaled

    def backward(self, dout: _Array) -> _Array:
        out: _Array = dout * self.mask
        return out


class BatchNormalization:
    """Normalises each unit over the batch while training (running averages otherwise), then ``gamma * xn + beta``."""

    def __init__(self, gamma: _Array, beta: _Array, momentum: float = 0.9, running_mean: _Array | None = None,
                 running_var: _Array | None = None) -> None:
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.input_shape: tuple[int, ...] | None = None  # 4-D after a convolution, 2-D after an affine layer
        self.running_mean = running_mean
        self.running_var = running_var
        self.batch_size: int | None = None
        self.xc: _Array | None = None
        self.xn: _Array | None = None
        self.std: _Array | None = None
        self.dgamma: _Array | None = None
        self.dbeta: _Array | None = None

    def forward(self, x: _Array, train_flg: bool = True) -> _Array:
        self.input_shape = x.shape
        if x.ndim != 2:
            x = x.reshape(x.shape[0], -1)
        return self._forward(x, train_flg).reshape(*self.input_shape)

    def _forward(self, x: _Array, train_flg: bool) -> _Array:
        if self.running_mean is None:
            self.running_mean = np.zeros(x.shape[1])
            self.running_var = np.zeros(x.shape[1])
        assert self.running_var is not None, "running_mean and running_var are set together"
        if train_flg:
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc**2, axis=0)
            std = np.sqrt(var + 10e-7)
            xn = xc / std
            self.batch_size = x.shape[0]
            self.xc = xc
            self.xn = xn
            self.std = std
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            xc = x - self.running_mean
            xn = xc / np.sqrt(self.running_var + 10e-7)
        out: _Array = self.gamma * xn + self.beta
        return out

    def backward(self, dout: _Array) -> _Array:
        if dout.ndim != 2:
            dout = dout.reshape(dout.shape[0], -1)
        assert self.input_shape is not None, "forward first"
        return self._backward(dout).reshape(*self.input_shape)

    def _backward(self, dout: _Array) -> _Array:
        assert self.xn is not None and self.xc is not None and self.std is not None and self.batch_size
        dbeta = dout.sum(axis=0)
        dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        dstd = -np.sum((dxn * self.xc) / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc += (2.0 / self.batch_size) * self.xc * dvar
        dmu = np.sum(dxc, axis=0)
        dx: _Array = dxc - dmu / self.batch_size
        self.dgamma = dgamma
        self.dbeta = dbeta
        return dx


class Convolution:
    """A convolution of (N, C, H, W) inputs with (FN, C, FH, FW) filters, by :func:`~fastgd.reference.util.im2col`."""

    def __init__(self, W: _Array, b: _Array, stride: int = 1, pad: int = 0) -> None:
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad
        self.x: _Array | None = None
        self.col: _Array | None = None
        self.col_W: _Array | None = None
        self.dW: _Array | None = None
        self.db: _Array | None = None

    def forward(self, x: _Array) -> _Array:
        FN, C, FH, FW = self.W.shape
        N, C, H, W = x.shape
        out_h = 1 + int((H + 2 * self.pad - FH) / self.stride)
        out_w = 1 + int((W + 2 * self.pad - FW) / self.stride)
        col = im2col(x, FH, FW, self.stride, self.pad)
        col_W = self.W.reshape(FN, -1).T
        out: _Array = np.dot(col, col_W) + self.b
        out = out.reshape(N, out_h, out_w, -1).transpose(0, 3, 1, 2)
        self.x = x
        self.col = col
        self.col_W = col_W
        return out

    def backward(self, dout: _Array) -> _Array:
        assert self.x is not None and self.col is not None and self.col_W is not None, "forward first"
        FN, C, FH, FW = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)
        self.db = np.sum(dout, axis=0)
        self.dW = np.dot(self.col.T, dout).transpose(1, 0).reshape(FN, C, FH, FW)
        dcol = np.dot(dout, self.col_W.T)
        return col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)


class Pooling:
    """Max pooling over ``pool_h`` × ``pool_w`` windows of (N, C, H, W) inputs."""

    def __init__(self, pool_h: int, pool_w: int, stride: int = 2, pad: int = 0) -> None:
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad
        self.x: _Array | None = None
        self.arg_max: _Array | None = None

    def forward(self, x: _Array) -> _Array:
        N, C, H, W = x.shape
        out_h = int(1 + (H - self.pool_h) / self.stride)
        out_w = int(1 + (W - self.pool_w) / self.stride)
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)
        arg_max = np.argmax(col, axis=1)
        out: _Array = np.max(col, axis=1)
        out = out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)
        self.x = x
        self.arg_max = arg_max
        return out

    def backward(self, dout: _Array) -> _Array:
        assert self.x is not None and self.arg_max is not None, "forward first"
        dout = dout.transpose(0, 2, 3, 1)
        pool_size = self.pool_h * self.pool_w
        flat: _Array = np.zeros((dout.size, pool_size))
        flat[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        dmax: _Array = flat.reshape(dout.shape + (pool_size,))
        dcol = dmax.reshape(dmax.shape[0] * dmax.shape[1] * dmax.shape[2], -1)
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)


__all__ = ["Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout", "BatchNormalization", "Convolution",
           "Pooling"]
