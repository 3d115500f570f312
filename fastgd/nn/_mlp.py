"""The compiled numerical gradient of a fully connected stack: the forward pass, the models, the kernel calls.

:func:`numerical_gradient` takes a :class:`Stack` (hidden layers of affine, optional batch
norm, ReLU or sigmoid, optional dropout; an output affine layer; a softmax cross-entropy loss
with L2 weight decay) and returns the book's central differences, parameter by parameter,
in the order of ``Stack.keys``. The unperturbed forward pass is computed here with the
layers' own operations (:mod:`fastgd.nn.layers`, the book's numpy code); ``src/nn.pyx``
evaluates every perturbed loss from it.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from fastgd import _threads
from fastgd.nn import _kernels
from fastgd.nn._draws import Rng, uniform
from fastgd.nn._running import running_averages, statistics_rows
from fastgd.nn._series import moments, sigmoid_taylor
from fastgd.nn._targets import Targets
from fastgd.nn.functions import sigmoid
from fastgd.nn.layers import BatchNormalization, affine, normalize, rectify

_F = npt.NDArray[np.float64]
H: float = 1e-4  # the book's step
RELU: int = _kernels.RELU
SIGMOID: int = _kernels.SIGMOID
WEIGHT, BIAS, GAMMA, BETA = _kernels.WEIGHT, _kernels.BIAS, _kernels.GAMMA, _kernels.BETA
#: Below this many (parameter, sample) pairs (about 2 ms on one thread) a gradient runs on the calling thread
#: without asking how busy the machine is; above, on fastgd's pool, which wakes a helper only for chunks
#: that pay and only while a core is free (docs/architecture-threads.md has the measurements).
THREADED_WORK: int = 100_000
#: Uniform draws per chunk of dropout evaluations.
DRAWS_PER_CHUNK: int = 2_000_000


class Hidden(NamedTuple):
    """One hidden layer: ``W``, ``b`` (the ``params`` arrays themselves), its activation and optional layers."""

    W: _F
    b: _F
    activation: int  # RELU or SIGMOID
    batch_norm: BatchNormalization | None
    dropout: float | None  # the drop ratio


class Stack(NamedTuple):
    """A fully connected net as the kernels take it."""

    hidden: list[Hidden]
    W_out: _F
    b_out: _F
    decay: float  # weight_decay_lambda: the loss adds 0.5 * decay * sum(W**2) over every W
    keys: list[tuple[str, int, int]]  # (params key, layer (len(hidden) for the output), kind), in gradient order
    rng: Rng  # the dropout masks' generator


class Pass(NamedTuple):
    """One hidden layer's unperturbed forward pass."""

    a: _F  # affine output
    o: _F  # activation input (batch-normalized a, or a)
    z: _F  # activation output
    xn: _F | None  # normalized a
    mean: _F | None
    var: _F | None


def param(stack: Stack, layer: int, kind: int) -> _F:
    """The parameter array of ``kind`` in ``layer``."""
    if layer == len(stack.hidden):
        return stack.W_out if kind == WEIGHT else stack.b_out
    hidden = stack.hidden[layer]
    if kind in (WEIGHT, BIAS):
        return hidden.W if kind == WEIGHT else hidden.b
    assert hidden.batch_norm is not None
    return hidden.batch_norm.gamma if kind == GAMMA else hidden.batch_norm.beta


def forward(stack: Stack, x: _F) -> tuple[list[Pass], _F]:
    """The unperturbed pass in training mode without dropout, by the layers' operations; and the logits."""
    passes = []
    z = x
    for layer in stack.hidden:
        a = affine(z, layer.W, layer.b)
        bn = None if layer.batch_norm is None else normalize(a, layer.batch_norm.gamma, layer.batch_norm.beta)
        o = a if bn is None else bn.out
        z = rectify(o)[0] if layer.activation == RELU else sigmoid(o)
        passes.append(Pass(a, o, z, *((None, None, None) if bn is None else (bn.xn, bn.mean, bn.var))))
    return passes, affine(z, stack.W_out, stack.b_out)


def softmax_parts(logits: _F) -> tuple[_F, _F, _F]:
    """``Z = logits - rowmax``, ``E = exp(Z)`` and its row sums ``S``: the unperturbed softmax the kernels take."""
    Z = logits - logits.max(axis=1, keepdims=True)
    E = np.exp(Z)
    return Z, E, E.sum(axis=1)


def nonzero_columns(x: _F) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], _F]:
    """CSR listing, for each column ``i`` of ``x``, the rows with ``x[b, i] != 0`` and their values."""
    xt = x.T
    nonzero = xt != 0
    ptr = np.zeros(x.shape[1] + 1, dtype=np.intp)
    np.cumsum(nonzero.sum(axis=1), out=ptr[1:])
    return ptr, np.nonzero(nonzero)[1].astype(np.intp), np.ascontiguousarray(xt[nonzero])


def every_sample(batch: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], _F]:
    """The CSR listing of one input of ones in every sample (what a bias multiplies)."""
    return np.array([0, batch], dtype=np.intp), np.arange(batch, dtype=np.intp), np.ones(batch)


def linear_model(stack: Stack, passes: list[Pass], layer: int, E: _F) -> tuple[_F, _F, _F, _F | None] | None:
    """``(V, v_max, moments, radius)``: the logits' change per unit change of hidden layer ``layer``'s outputs.

    Exact while no downstream ReLU changes sign: ``radius[b, j]`` is the smallest
    ``|o_m[b, k]| / |d o_m[b, k] / d z_l[b, j]|`` over the downstream hidden units (None for the
    last hidden layer: nothing downstream). None when a downstream layer is not a plain ReLU
    layer (sigmoid, batch norm): then the kernels propagate each change instead.
    """
    L = len(stack.hidden)
    downstream = stack.hidden[layer + 1:]
    if any(layer.activation != RELU or layer.batch_norm is not None for layer in downstream):
        return None
    if layer == L - 1:
        V = stack.W_out[None]
        radius = None
    else:
        masks = [passes[m].o > 0 for m in range(L)]
        G = stack.W_out[None]  # d logits / d z_m, per sample
        for m in range(L - 1, layer, -1):
            G = np.matmul(stack.hidden[m].W, masks[m][:, :, None] * G)
        V = G
        radius = np.full((E.shape[0], stack.hidden[layer].W.shape[1]), np.inf)
        U = np.broadcast_to(stack.hidden[layer + 1].W, (E.shape[0], *stack.hidden[layer + 1].W.shape))  # d o_m / d z_l
        for m in range(layer + 1, L):
            if m > layer + 1:
                U = np.matmul(U * masks[m - 1][:, None, :], stack.hidden[m].W)
            ratio = np.divide(np.abs(passes[m].o)[:, None, :], np.abs(U), out=np.full(U.shape, np.inf),
                              where=U != 0)
            np.minimum(radius, ratio.min(axis=2, initial=np.inf), out=radius)
    V = np.ascontiguousarray(V)
    v_max = np.abs(V).max(axis=2, initial=0.0)
    return V, v_max, moments(E, V), radius


def _net(stack: Stack, passes: list[Pass], x: _F, Z: _F, E: _F, S: _F, tgt: Targets,
         statistics: Sequence[tuple[_F, _F] | None]) -> _kernels.Net:
    hidden = []
    for layer, p, stats in zip(stack.hidden, passes, statistics, strict=True):
        spec: dict[str, Any] = {"W": layer.W, "b": layer.b, "o": p.o, "z": p.z, "act": layer.activation,
                                "drop": -1.0 if layer.dropout is None else float(layer.dropout)}
        if layer.activation == SIGMOID:
            spec["s_bar"] = sigmoid(-p.o)
        if layer.batch_norm is not None:
            spec.update(a=p.a, xn=p.xn, gamma=layer.batch_norm.gamma, beta=layer.batch_norm.beta)
        if stats is not None:
            spec.update(st_mean=stats[0], st_var=stats[1])
        hidden.append(spec)
    return _kernels.Net(hidden, x, stack.W_out, stack.b_out, (Z, E, S), tgt)


def thread_count(pairs: int) -> int:
    """Threads for a gradient over ``pairs`` (parameter, sample) pairs: one below :data:`THREADED_WORK`, else
    :func:`fastgd.get_num_threads` capped by the CPUs other processes leave free."""
    return _threads.team_size(_threads.get_num_threads()) if pairs >= THREADED_WORK else 1


def _incremental(stack: Stack, passes: list[Pass], x: _F, Z: _F, E: _F, S: _F, tgt: Targets, net: _kernels.Net,
                 bases: dict[tuple[int, int], int], n_evals: int) -> dict[tuple[int, int], _F]:
    batch = x.shape[0]
    L = len(stack.hidden)
    out: dict[tuple[int, int], _F] = {}
    threads = thread_count(sum(param(stack, layer, kind).size for _, layer, kind in stack.keys) * batch)
    models: dict[int, Any] = {}
    for _, layer, kind in stack.keys:
        P = param(stack, layer, kind)
        grad = np.empty(P.shape)
        job: _kernels.Job
        if layer == L:
            H_ = passes[L - 1].z if L else x
            H_ = np.ones((batch, 1)) if kind == BIAS else H_
            job = _kernels.OutputJob(H_, P.reshape(-1, stack.W_out.shape[1]), (Z, E, S), tgt, H, grad)
        else:
            if layer not in models:  # per layer: the linear model and the sigmoid's Taylor coefficients
                sigmoid_layer = stack.hidden[layer].activation == SIGMOID
                models[layer] = (linear_model(stack, passes, layer, E),
                                 sigmoid_taylor(passes[layer].o) if sigmoid_layer else None)
            inputs = passes[layer - 1].z if layer else x
            csr = nonzero_columns(inputs) if kind == WEIGHT else every_sample(batch)
            linear, sig = models[layer]
            job = _kernels.HiddenJob(net, layer, kind, P, P.shape[-1], *csr, linear, sig, H, grad,
                                     bases[layer, kind], n_evals)
        job.run_all(threads)
        out[layer, kind] = grad
    return out


def _with_dropout(stack: Stack, x: _F, net: _kernels.Net, bases: dict[tuple[int, int], int], n_evals: int,
                  last: tuple[int, int]) -> dict[tuple[int, int], _F]:
    """Every evaluation in full, with masks drawn in the book's order; the last parameter is left out."""
    batch = x.shape[0]
    draws = batch * sum(layer.W.shape[1] for layer in stack.hidden if layer.dropout is not None)
    threads = thread_count(n_evals // 2 * batch)
    out: dict[tuple[int, int], _F] = {}
    per_chunk = max(1, DRAWS_PER_CHUNK // max(2 * draws, 1))
    for _, layer, kind in stack.keys:
        P = param(stack, layer, kind)
        grad = np.empty(P.size)
        stop = P.size - 1 if (layer, kind) == last else P.size
        for q0 in range(0, stop, per_chunk):
            q1 = min(stop, q0 + per_chunk)
            uniforms = uniform(stack.rng, 2 * (q1 - q0), draws)
            _kernels.DropoutJob(net, layer, kind, P, P.shape[-1], q0, uniforms, H, grad[q0:q1], bases[layer, kind],
                                n_evals).run_all(threads)
        out[layer, kind] = grad.reshape(P.shape)
    return out


def numerical_gradient(stack: Stack, x: _F, tgt: Targets) -> tuple[dict[str, _F], list[tuple[_F, _F] | None]] | None:
    """The book's central differences for every parameter of ``stack.keys``.

    Returns the gradients by key and, per batch-norm layer, the running averages after all
    evaluations but the last two. With dropout the last element of the last key is not
    computed: the caller evaluates it as the book does (which draws its masks, and for a
    layer-based net leaves the layers' caches and the running averages' last two updates as
    the book leaves them). None when the running averages would need more than
    :data:`fastgd.nn._running.MAX_STATISTICS` doubles of statistics.
    """
    passes, logits = forward(stack, x)
    Z, E, S = softmax_parts(logits)
    sizes = {(layer, kind): param(stack, layer, kind).size for _, layer, kind in stack.keys}
    bases, offset = {}, 0
    for _, layer, kind in stack.keys:
        bases[layer, kind] = 2 * offset
        offset += sizes[layer, kind]
    n_evals = 2 * offset
    layers = [(hidden.batch_norm, p.mean, p.var) for hidden, p in zip(stack.hidden, passes, strict=True)]
    statistics = statistics_rows(layers, n_evals)
    if statistics is None:
        return None
    net = _net(stack, passes, x, Z, E, S, tgt, statistics)
    last = stack.keys[-1][1:]
    if any(layer.dropout is not None for layer in stack.hidden):
        grads = _with_dropout(stack, x, net, bases, n_evals, (last[0], last[1]))
    else:
        grads = _incremental(stack, passes, x, Z, E, S, tgt, net, bases, n_evals)
    for _, layer, kind in stack.keys:
        if kind == WEIGHT and stack.decay:
            W = param(stack, layer, kind)
            plus, minus = W + H, W - H
            grads[layer, kind] += 0.5 * stack.decay * (plus * plus - minus * minus) / (2 * H)
    # the last two evaluations are the caller's (with the net's own loss): evaluations 0..n_evals - 3 here
    remembered = [None if stats is None else (stats[0][2:], stats[1][2:]) for stats in statistics]
    running = running_averages(layers, remembered, n_evals - 2)
    return {key: grads[layer, kind] for key, layer, kind in stack.keys}, running
