"""Chapter 7's convolutional net (its ``ch07/simple_convnet.py``): conv - relu - pool - affine - relu - affine.

The filters' numerical gradient comes from ``src/nn_conv.pyx`` (one channel of the convolution
moves, its pooled maxima are recomputed, the hidden layer moves by their changes); the affine
layers after the pooling take the fully connected kernels with the pooled features as their
input.
"""
from __future__ import annotations

import os
import pickle
from collections import OrderedDict
from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.nn import _conv_kernels, _mlp
from fastgd.nn._batch import as_batch, is_float64
from fastgd.nn._draws import Rng, checked, normal
from fastgd.nn._layer_net import LayerNet, distinct, mlp_stack, set_running, widths
from fastgd.nn._patches import im2col, out_size
from fastgd.nn._targets import targets
from fastgd.nn.layers import Affine, Convolution, Pooling, Relu, SoftmaxWithLoss, affine, rectify

_F = npt.NDArray[np.float64]
_CONV_PARAM = ("filter_num", "filter_size", "pad", "stride")
#: The weighted layers, in the order of their parameters' numbers (W1/b1 are Conv1's).
_WEIGHTED = ("Conv1", "Affine1", "Affine2")


class SimpleConvNet(LayerNet):
    """``Conv1 → Relu1 → Pool1 → Affine1 → Relu2 → Affine2``, then ``last_layer`` (SoftmaxWithLoss).

    Parameters
    ----------
    input_dim : tuple of int, optional
        (channels, height, width) of one input image.
    conv_param : dict, optional
        ``filter_num``, ``filter_size``, ``pad``, ``stride`` of the convolution.
    hidden_size : int, optional
        Width of the hidden affine layer.
    output_size : int, optional
        Number of classes.
    weight_init_std : float, optional
        Standard deviation of the initial weights.
    rng : numpy.random.Generator, optional
        Source of the initial weights; by default ``np.random.randn``, as the book.

    Attributes
    ----------
    params : dict
        ``W1`` (filters, FN × C × FS × FS), ``b1``, ``W2``, ``b2``, ``W3``, ``b3``.
    layers : collections.OrderedDict
        The six layers, holding the ``params`` arrays themselves.
    last_layer : SoftmaxWithLoss

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn import SimpleConvNet
    >>> conv_param = {"filter_num": 10, "filter_size": 3, "pad": 0, "stride": 1}
    >>> np.random.seed(0)
    >>> net = SimpleConvNet((1, 10, 10), conv_param, hidden_size=10, output_size=10)  # ch07/gradient_check.py's
    >>> {key: value.shape for key, value in net.params.items()}["W2"]
    (160, 10)
    >>> X, T = np.random.default_rng(1).random((1, 1, 10, 10)), np.array([1]).reshape((1, 1))
    >>> numerical, backprop = net.numerical_gradient(X, T), net.gradient(X, T)  # compiled; by the layers
    >>> all(np.abs(numerical[key] - backprop[key]).mean() < 1e-5 for key in net.params)  # the book's check
    True
    """

    def __init__(self, input_dim: tuple[int, int, int] = (1, 28, 28), conv_param: dict[str, int] | None = None,
                 hidden_size: int = 100, output_size: int = 10, weight_init_std: float = 0.01,
                 rng: Rng = None) -> None:
        conv_param = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1} if conv_param is None else conv_param
        if not isinstance(conv_param, dict) or any(key not in conv_param for key in _CONV_PARAM):
            raise TypeError(f"conv_param must be a dict with the keys {list(_CONV_PARAM)}, got {conv_param!r}")
        filter_num, filter_size, pad, stride = (conv_param[key] for key in _CONV_PARAM)
        widths(input_dim=input_dim, hidden_size=hidden_size, output_size=output_size, filter_num=filter_num,
               filter_size=filter_size, pad=pad, stride=stride)
        if stride < 1 or len(input_dim) != 3:
            raise ValueError(f"need a stride >= 1 and input_dim (channels, height, width), got {stride}, {input_dim}")
        rng = checked(rng)
        conv_out = (input_dim[1] - filter_size + 2 * pad) / stride + 1  # the book's size, from the height
        pooled = int(filter_num * (conv_out / 2) * (conv_out / 2))
        weighted = [((filter_num, input_dim[0], filter_size, filter_size), filter_num),  # (W's shape, b's size)
                    ((pooled, hidden_size), hidden_size), ((hidden_size, output_size), output_size)]
        self.params = {}
        for i, (shape, size) in enumerate(weighted, 1):
            self.params[f"W{i}"], self.params[f"b{i}"] = weight_init_std * normal(rng, *shape), np.zeros(size)
        self.layers = OrderedDict(Conv1=Convolution(self.params["W1"], self.params["b1"], stride, pad), Relu1=Relu(),
                                  Pool1=Pooling(pool_h=2, pool_w=2, stride=2),
                                  Affine1=Affine(self.params["W2"], self.params["b2"]), Relu2=Relu(),
                                  Affine2=Affine(self.params["W3"], self.params["b3"]))
        self.last_layer = SoftmaxWithLoss()

    def last(self) -> SoftmaxWithLoss:
        return self.last_layer

    def gradient_sources(self) -> dict[str, tuple[str, str]]:
        return {f"{kind}{i}": (name, f"d{kind}") for i, name in enumerate(_WEIGHTED, 1) for kind in "Wb"}

    def accuracy(self, x: npt.NDArray[Any], t: npt.NDArray[Any], batch_size: int = 100) -> float:
        """Accuracy over whole batches of ``batch_size`` (the book drops the remainder but divides by all of ``x``)."""
        labels = t if t.ndim == 1 else np.argmax(t, axis=1)
        hits = 0.0
        for start in range(0, int(x.shape[0] / batch_size) * batch_size, batch_size):
            y = np.argmax(self.predict(x[start:start + batch_size]), axis=1)
            hits += np.sum(y == labels[start:start + batch_size])
        accuracy: float = hits / x.shape[0]  # annotated: numpy's stubs type it Any here
        return accuracy

    def save_params(self, file_name: str | os.PathLike[str] = "params.pkl") -> None:
        """Pickle ``params`` (a dict of arrays) to ``file_name``."""
        with open(file_name, "wb") as f:
            pickle.dump(dict(self.params), f)

    def load_params(self, file_name: str | os.PathLike[str] = "params.pkl") -> None:
        """Load pickled params (as :meth:`save_params` writes them; pickle runs code: trusted files only).

        The weighted layers then hold the loaded arrays.
        """
        with open(file_name, "rb") as f:
            params = pickle.load(f)  # noqa: S301 - the book's format
        if not isinstance(params, dict) or not all(isinstance(value, np.ndarray) for value in params.values()):
            raise TypeError(f"{os.fspath(file_name)!r} does not hold a dict of arrays")
        self.params.update(params)
        for i, name in enumerate(_WEIGHTED, 1):
            self.layers[name].W, self.layers[name].b = self.params[f"W{i}"], self.params[f"b{i}"]

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
        out_h, out_w = out_size(x.shape[2], FH, conv.stride, conv.pad), out_size(x.shape[3], FW, conv.stride, conv.pad)
        if out_h < pool.pool_h or out_w < pool.pool_w:
            return None
        conv_out = np.ascontiguousarray(affine(im2col(x64, FH, FW, conv.stride, conv.pad), W1.reshape(FN, -1).T, b1)
                                        .reshape(N, out_h, out_w, -1).transpose(0, 3, 1, 2))
        relu_out = rectify(conv_out)[0]
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
            _conv_kernels.FilterJob(bias, P.reshape(-1), FH, FW, xpad, conv_out, conv.stride, pool.pool_h, pool.stride,
                                    pooled, stack.hidden[0].W, passes[0].a, stack.W_out, Z, E, S, *tgt, _mlp.H,
                                    grad.reshape(-1)).run_all(threads)
            grads[key] = grad
        return grads | mlp_grads


__all__ = ["SimpleConvNet"]
