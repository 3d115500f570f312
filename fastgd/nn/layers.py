"""The book's layers (its ``common/layers.py``), with the attributes the book gives them.

Each layer's forward pass is built from the few operations below (:func:`affine`,
:func:`rectify`, :func:`normalize`, :func:`~fastgd.nn.functions.sigmoid`), the same ones the
compiled gradient's unperturbed pass is computed with (:mod:`fastgd.nn._mlp`): the numpy
operations of the book, in its order, so the same numbers bit for bit. Weighted layers keep
*references* to their parameter arrays (``Affine(params["W1"], params["b1"])``): an optimizer
updating ``params`` in place updates the layers too.

Examples
--------
>>> import numpy as np
>>> from fastgd.nn.layers import Affine, Relu, SoftmaxWithLoss
>>> affine, relu, last = Affine(np.array([[1.0, -1.0], [0.5, 2.0]]), np.zeros(2)), Relu(), SoftmaxWithLoss()
>>> x, t = np.array([[1.0, 2.0]]), np.array([1])
>>> round(float(last.forward(relu.forward(affine.forward(x)), t)), 6)
0.313262
>>> dx = affine.backward(relu.backward(last.backward()))
>>> affine.dW.shape, dx.shape
((2, 2), (1, 2))
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from fastgd.nn._draws import Rng, checked, uniform
from fastgd.nn._patches import col2im, im2col, out_size
from fastgd.nn.functions import cross_entropy_error, sigmoid, softmax

_Array = npt.NDArray[Any]
BN_EPS: float = 10e-7  # the book's variance offset


def affine(x: _Array, W: _Array, b: _Array) -> _Array:
    """``x @ W + b``: an affine layer's output for rows ``x``."""
    out: _Array = np.dot(x, W) + b  # annotated: numpy's stubs type it Any here
    return out


def affine_backward(x: _Array, W: _Array, dout: _Array) -> tuple[_Array, _Array, _Array]:
    """``(dx, dW, db)`` of :func:`affine` for the gradient ``dout`` of its output."""
    return np.dot(dout, W.T), np.dot(x.T, dout), np.sum(dout, axis=0)


def rectify(x: _Array) -> tuple[_Array, _Array]:
    """The book's ReLU: ``(out, mask)``, ``out`` a copy of ``x`` zeroed where ``mask = x <= 0``."""
    mask = x <= 0
    out = x.copy()
    out[mask] = 0
    return out, mask


class Normalized(NamedTuple):
    """A batch normalized in training mode, and what its backward pass and running averages need."""

    out: _Array   # gamma * xn + beta
    mean: _Array  # per column
    var: _Array   # per column
    xc: _Array    # x - mean
    std: _Array   # sqrt(var + BN_EPS)
    xn: _Array    # xc / std


def normalize(x: _Array, gamma: _Array, beta: _Array) -> Normalized:
    """The book's batch normalization of each column of ``x`` over the rows (training mode)."""
    mean = x.mean(axis=0)
    xc = x - mean
    var = np.mean(xc**2, axis=0)
    std = np.sqrt(var + BN_EPS)
    xn = xc / std
    return Normalized(gamma * xn + beta, mean, var, xc, std, xn)


class Relu:
    """``max(0, x)``; backward zeroes the gradient (in place, as the book) where ``x <= 0``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn.layers import Relu
    >>> relu = Relu()
    >>> relu.forward(np.array([-1.0, 2.0])), relu.backward(np.array([5.0, 5.0]))
    (array([0., 2.]), array([0., 5.]))
    """

    def __init__(self) -> None:
        self.mask: _Array | None = None  #: where the last input was <= 0

    def forward(self, x: _Array) -> _Array:
        out, self.mask = rectify(x)
        return out

    def backward(self, dout: _Array) -> _Array:
        dout[self.mask] = 0
        return dout


class Sigmoid:
    """``1 / (1 + exp(-x))``; backward multiplies by ``(1 - out) * out``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn.layers import Sigmoid
    >>> layer = Sigmoid()
    >>> layer.forward(np.array([0.0])), layer.backward(np.array([1.0]))
    (array([0.5]), array([0.25]))
    """

    def __init__(self) -> None:
        self.out: _Array | None = None  #: the last output

    def forward(self, x: _Array) -> _Array:
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout: _Array) -> _Array:
        assert self.out is not None, "forward first"
        dx: _Array = dout * (1.0 - self.out) * self.out  # annotated: see affine
        return dx


class Affine:
    """``x @ W + b`` for ``x`` flattened to one row per sample; ``W`` and ``b`` kept by reference.

    Attributes
    ----------
    x, original_x_shape
        The last input, flattened, and its shape.
    dW, db
        The gradients from the last backward pass.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn.layers import Affine
    >>> Affine(np.eye(2), np.array([0.5, 0.0])).forward(np.array([[1.0, 2.0]]))
    array([[1.5, 2. ]])
    """

    x: _Array | None
    original_x_shape: tuple[int, ...] | None
    dW: _Array | None
    db: _Array | None

    def __init__(self, W: _Array, b: _Array) -> None:
        self.W, self.b = W, b
        self.x = self.original_x_shape = self.dW = self.db = None

    def forward(self, x: _Array) -> _Array:
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return affine(self.x, self.W, self.b)

    def backward(self, dout: _Array) -> _Array:
        assert self.x is not None and self.original_x_shape is not None, "forward first"
        dx, self.dW, self.db = affine_backward(self.x, self.W, dout)
        return dx.reshape(*self.original_x_shape)


class SoftmaxWithLoss:
    """The softmax of the scores and its :func:`~fastgd.nn.functions.cross_entropy_error` against ``t``.

    Attributes
    ----------
    loss, y, t
        The last loss, probabilities and targets.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn.layers import SoftmaxWithLoss
    >>> layer = SoftmaxWithLoss()
    >>> round(float(layer.forward(np.array([[0.0, 0.0]]), np.array([0]))), 6)
    0.693147
    >>> layer.backward()  # (y - one_hot(t)) / batch
    array([[-0.5,  0.5]])
    """

    def __init__(self) -> None:
        self.loss: Any = None
        self.y: _Array | None = None
        self.t: _Array | None = None

    def forward(self, x: _Array, t: _Array) -> Any:
        self.t, self.y = t, softmax(x)
        self.loss = cross_entropy_error(self.y, t)
        return self.loss

    def backward(self, dout: Any = 1) -> _Array:
        assert self.y is not None and self.t is not None, "forward first"
        n = self.t.shape[0]
        if self.t.size == self.y.size:  # one-hot rows
            dx: _Array = (self.y - self.t) / n  # annotated: see affine
            return dx
        dx = self.y.copy()
        dx[np.arange(n), self.t] -= 1
        dx = dx / n
        return dx


class Dropout:
    """While training, zeroes each unit with probability ``dropout_ratio`` (a new mask each pass); else scales.

    The mask is ``rand(*x.shape) > dropout_ratio``, drawn from ``np.random`` (the book) or ``rng``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn.layers import Dropout
    >>> layer = Dropout(0.5, rng=np.random.default_rng(0))
    >>> 400 < int(layer.forward(np.ones(1000)).sum()) < 600, layer.forward(np.ones(2), train_flg=False)
    (True, array([0.5, 0.5]))
    """

    def __init__(self, dropout_ratio: float = 0.5, rng: Rng = None) -> None:
        self.dropout_ratio = dropout_ratio
        self.rng = checked(rng)
        self.mask: _Array | None = None

    def forward(self, x: _Array, train_flg: bool = True) -> _Array:
        if not train_flg:
            scaled: _Array = x * (1.0 - self.dropout_ratio)  # annotated: see affine
            return scaled
        self.mask = uniform(self.rng, *x.shape) > self.dropout_ratio
        kept: _Array = x * self.mask
        return kept

    def backward(self, dout: _Array) -> _Array:
        out: _Array = dout * self.mask
        return out


class BatchNormalization:
    """Normalizes each unit over the batch while training (by the running averages otherwise), then scales.

    Parameters
    ----------
    gamma, beta : numpy.ndarray
        Scale and shift, kept by reference.
    momentum : float, optional
        Of the running mean and variance, which every training pass updates.
    running_mean, running_var : numpy.ndarray, optional
        Start values (zeros at the first forward pass otherwise).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn.layers import BatchNormalization
    >>> layer = BatchNormalization(np.ones(2), np.zeros(2))
    >>> np.round(layer.forward(np.array([[1.0, 10.0], [3.0, 30.0]])), 4)
    array([[-1., -1.],
           [ 1.,  1.]])
    >>> layer.running_mean  # 0.9 * 0 + 0.1 * mean
    array([0.2, 2. ])
    """

    input_shape: tuple[int, ...] | None  # of the last input: 4-D after a convolution, 2-D after an affine layer
    batch_size: int | None
    xc: _Array | None  # the last batch, centred: what backward needs, with xn and std
    xn: _Array | None
    std: _Array | None
    dgamma: _Array | None
    dbeta: _Array | None

    def __init__(self, gamma: _Array, beta: _Array, momentum: float = 0.9, running_mean: _Array | None = None,
                 running_var: _Array | None = None) -> None:
        self.gamma, self.beta, self.momentum = gamma, beta, momentum
        self.running_mean, self.running_var = running_mean, running_var
        self.input_shape = self.batch_size = self.xc = self.xn = self.std = self.dgamma = self.dbeta = None

    def forward(self, x: _Array, train_flg: bool = True) -> _Array:
        self.input_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        if self.running_mean is None or self.running_var is None:
            self.running_mean, self.running_var = np.zeros(x.shape[1]), np.zeros(x.shape[1])
        if train_flg:
            batch = normalize(x, self.gamma, self.beta)
            self.batch_size, self.xc, self.xn, self.std = x.shape[0], batch.xc, batch.xn, batch.std
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * batch.mean
            self.running_var = m * self.running_var + (1 - m) * batch.var
            out = batch.out
        else:
            out = self.gamma * ((x - self.running_mean) / np.sqrt(self.running_var + BN_EPS)) + self.beta
        return out.reshape(*self.input_shape)

    def backward(self, dout: _Array) -> _Array:
        assert self.xc is not None and self.xn is not None and self.std is not None and self.batch_size, "forward first"
        assert self.input_shape is not None
        dout = dout.reshape(dout.shape[0], -1)
        n, std, xc = self.batch_size, self.std, self.xc
        self.dbeta, self.dgamma = dout.sum(axis=0), np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        dvar = 0.5 * -np.sum((dxn * xc) / (std * std), axis=0) / std
        dxc = dxn / std + (2.0 / n) * xc * dvar
        dx: _Array = dxc - np.sum(dxc, axis=0) / n
        return dx.reshape(*self.input_shape)


class Convolution:
    """Filters ``W`` (FN, C, FH, FW) and biases ``b`` over (N, C, H, W) inputs: an affine layer over image patches.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn.layers import Convolution
    >>> Convolution(np.ones((1, 1, 2, 2)), np.zeros(1)).forward(np.arange(9.0).reshape(1, 1, 3, 3))
    array([[[[ 8., 12.],
             [20., 24.]]]])
    """

    x: _Array | None
    col: _Array | None  # the last input's patches, one per row
    col_W: _Array | None  # the filters, one per column
    dW: _Array | None
    db: _Array | None

    def __init__(self, W: _Array, b: _Array, stride: int = 1, pad: int = 0) -> None:
        self.W, self.b, self.stride, self.pad = W, b, stride, pad
        self.x = self.col = self.col_W = self.dW = self.db = None

    def forward(self, x: _Array) -> _Array:
        FN, _, FH, FW = self.W.shape
        N, _, H, W = x.shape
        self.x, self.col, self.col_W = x, im2col(x, FH, FW, self.stride, self.pad), self.W.reshape(FN, -1).T
        rows = affine(self.col, self.col_W, self.b)  # one per (n, y, x), one column per filter
        out: _Array = rows.reshape(N, out_size(H, FH, self.stride, self.pad), out_size(W, FW, self.stride, self.pad),
                                   -1).transpose(0, 3, 1, 2)  # annotated: see affine
        return out

    def backward(self, dout: _Array) -> _Array:
        assert self.x is not None and self.col is not None and self.col_W is not None, "forward first"
        FN, C, FH, FW = self.W.shape
        dcol, dW, self.db = affine_backward(self.col, self.col_W, dout.transpose(0, 2, 3, 1).reshape(-1, FN))
        self.dW = dW.transpose(1, 0).reshape(FN, C, FH, FW)
        return col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)


class Pooling:
    """The maximum of each ``pool_h`` × ``pool_w`` window, every ``stride`` pixels, of (N, C, H, W) inputs.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn.layers import Pooling
    >>> Pooling(2, 2).forward(np.arange(16.0).reshape(1, 1, 4, 4))
    array([[[[ 5.,  7.],
             [13., 15.]]]])
    """

    def __init__(self, pool_h: int, pool_w: int, stride: int = 2, pad: int = 0) -> None:
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad
        self.x: _Array | None = None
        self.arg_max: _Array | None = None  # per window, in (n, y, x, c) order: where its maximum is

    def forward(self, x: _Array) -> _Array:
        N, C, H, W = x.shape
        windows = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad).reshape(-1, self.pool_h * self.pool_w)
        self.x, self.arg_max = x, np.argmax(windows, axis=1)
        out_h, out_w = out_size(H, self.pool_h, self.stride, self.pad), out_size(W, self.pool_w, self.stride, self.pad)
        out: _Array = np.max(windows, axis=1).reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)  # see affine
        return out

    def backward(self, dout: _Array) -> _Array:
        assert self.x is not None and self.arg_max is not None, "forward first"
        windows = np.zeros((self.arg_max.size, self.pool_h * self.pool_w))
        windows[np.arange(self.arg_max.size), self.arg_max] = dout.transpose(0, 2, 3, 1).ravel()
        dcol = windows.reshape(-1, self.x.shape[1] * self.pool_h * self.pool_w)
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)


__all__ = ["Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout", "BatchNormalization", "Convolution",
           "Pooling", "affine", "affine_backward", "rectify", "normalize", "Normalized", "BN_EPS"]
