"""The textbook nets with a compiled, incremental central-difference gradient.

``SimpleNet`` and ``TwoLayerNet`` are their numpy twins in :mod:`fastgd.reference.nn` with
``numerical_gradient`` replaced: still every parameter perturbed by ±h (h = 1e-4) and the
loss evaluated at both points, but each perturbed loss is computed from the unperturbed
forward pass, touching only what the parameter changes (``src/_nn.pyx``), on
:func:`fastgd.get_num_threads` threads. It agrees with the twin within 1e-9 absolute (the
twin's own rounding is about 1e-12 here). Params that are not float64 arrays of the
expected shapes take :func:`fastgd.numerical_gradient` over the twin's loss instead.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol, TypeAlias, TypeGuard, overload

import numpy as np
import numpy.typing as npt

from fastgd import _threads
from fastgd._docs import twin_doc
from fastgd._typing import PythonObjective
from fastgd.diff.api import Method, numerical_gradient
from fastgd.diff.methods import GradientInfo
from fastgd.diff.steps import StepsArg
from fastgd.nn import _kernels as _nn
from fastgd.reference import nn as reference
from fastgd.reference.nn import cross_entropy_error, sigmoid, softmax

H: float = 1e-4
SERIES: int = _nn.SERIES  # terms of the kernels' series


def _batch(x: npt.ArrayLike, t: npt.ArrayLike, n_out: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]]:
    """``x`` as a C-contiguous float64 batch and ``t`` as labels, the way the loss reads them."""
    x = np.asarray(x)
    if x.dtype.kind not in "fiub":
        raise TypeError(f"x must be a real array, got dtype {x.dtype}")
    x = np.ascontiguousarray(x.reshape(1, -1) if x.ndim == 1 else x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"x must be 1-D (one sample) or 2-D (a batch), got {x.ndim}-D")
    t = np.asarray(t)
    batch = x.shape[0]
    if t.size == batch * n_out:  # one-hot, as cross_entropy_error decides
        labels = t.reshape(batch, n_out).argmax(axis=1)
    elif t.size == batch:
        labels = t.reshape(batch)
        if labels.dtype.kind not in "iu":
            raise TypeError(f"t must be one-hot rows or integer labels, got dtype {t.dtype}")
    else:
        raise ValueError(f"t must hold {batch} labels or {batch}×{n_out} one-hot rows, got shape {t.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_out):
        raise ValueError(f"labels must be in [0, {n_out}), got {labels.min()}..{labels.max()}")
    return x, np.ascontiguousarray(labels, dtype=np.intp)


def _softmax_parts(a2: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``E = exp(a2 - rowmax)`` and its row sums ``S``: the unperturbed softmax."""
    E = np.exp(a2 - a2.max(axis=1, keepdims=True))
    return E, E.sum(axis=1)


def _sigmoid_derivative_terms(orders: int) -> list[dict[tuple[int, int], float]]:
    """``sigmoid^(n) / n!`` for n = 1..orders as ``{(p, q): coefficient}`` of ``u**p * d**q``.

    With ``u = s (1 - s)`` and ``d = (1 - s) - s``: ``du/da = u d`` and ``dd/da = -2 u``.
    """
    terms: dict[tuple[int, int], float] = {(1, 0): 1.0}
    out: list[dict[tuple[int, int], float]] = []
    for n in range(1, orders + 1):
        out.append({key: c / math.factorial(n) for key, c in terms.items()})
        derivative: dict[tuple[int, int], float] = {}
        for (p, q), c in terms.items():
            derivative[p, q + 1] = derivative.get((p, q + 1), 0.0) + p * c
            if q:
                derivative[p + 1, q - 1] = derivative.get((p + 1, q - 1), 0.0) - 2 * q * c
        terms = derivative
    return out


_SIGMOID_TERMS: list[dict[tuple[int, int], float]] = _sigmoid_derivative_terms(SERIES)


def _sigmoid_taylor(a: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Taylor coefficients ``sigmoid^(n)(a) / n!``, n = 1..SERIES, stacked on a last axis.

    Polynomials in ``u`` and ``d`` (see :func:`_sigmoid_derivative_terms`), with ``1 - s``
    computed as ``sigmoid(-a)``: no cancellation where the unit saturates.
    """
    s, s_bar = sigmoid(a), sigmoid(-a)
    u_powers, d_powers = [np.ones_like(a), s * s_bar], [np.ones_like(a), s_bar - s]
    for _ in range(SERIES):
        u_powers.append(u_powers[-1] * u_powers[1])
        d_powers.append(d_powers[-1] * d_powers[1])
    out = np.zeros((*a.shape, SERIES))
    for n, terms in enumerate(_SIGMOID_TERMS):
        for (p, q), c in terms.items():
            out[..., n] += c * u_powers[p] * d_powers[q]
    return out


def _is_f64(array: object, shape: tuple[int, ...]) -> TypeGuard[npt.NDArray[np.float64]]:
    return isinstance(array, np.ndarray) and array.dtype == np.float64 and array.shape == shape


def _output_gradient(H_: npt.NDArray[np.float64], W: npt.NDArray[np.float64], E: npt.NDArray[np.float64],
                     S: npt.NDArray[np.float64], labels: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
    """Gradient of the mean loss with respect to ``W`` (logits ``H_ @ W``) and, with ``H_`` of ones, a bias."""
    out = np.empty(W.shape)
    _nn.output_layer(H_, np.ascontiguousarray(W), E, S, labels, H, out, _threads.get_num_threads())
    return out


def _nonzero_columns(x: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp],
                                                          npt.NDArray[np.float64]]:
    """CSR listing, for each column ``i`` of ``x``, the rows with ``x[b, i] != 0`` and their values."""
    xt = x.T
    nonzero = xt != 0
    ptr = np.zeros(x.shape[1] + 1, dtype=np.intp)
    np.cumsum(nonzero.sum(axis=1), out=ptr[1:])
    return ptr, np.nonzero(nonzero)[1].astype(np.intp), np.ascontiguousarray(xt[nonzero])


class SimpleNet(reference.SimpleNet):
    __doc__ = twin_doc(reference.SimpleNet, """
        >>> import numpy as np
        >>> from fastgd.nn import SimpleNet
        >>> from fastgd.reference.nn import SimpleNet as Twin
        >>> net, twin = SimpleNet(rng=np.random.default_rng(0)), Twin(rng=np.random.default_rng(0))
        >>> x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
        >>> bool(np.array_equal(net.W, twin.W)), bool(net.loss(x, t) == twin.loss(x, t))
        (True, True)
        >>> grad = net.numerical_gradient(x, t)  # incrementally, within 1e-9 of the twin's
        >>> grad.shape, bool(np.allclose(grad, twin.numerical_gradient(x, t), rtol=0, atol=1e-9))
        ((2, 3), True)
    """)

    def numerical_gradient(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> npt.NDArray[np.floating[Any]]:
        """Central-difference gradient of the loss with respect to ``W``, evaluated incrementally."""
        if not (_is_f64(self.W, self.W.shape) and self.W.ndim == 2):
            return numerical_gradient(lambda W: self.loss(x, t), self.W)
        x, labels = _batch(x, t, self.W.shape[1])
        E, S = _softmax_parts(x @ self.W)
        return _output_gradient(x, self.W, E, S, labels)


class TwoLayerNet(reference.TwoLayerNet):
    __doc__ = twin_doc(reference.TwoLayerNet, """
        >>> import numpy as np
        >>> import fastgd
        >>> from fastgd.nn import TwoLayerNet
        >>> from fastgd.reference.nn import TwoLayerNet as Twin
        >>> net = TwoLayerNet(64, 20, 10, rng=np.random.default_rng(0))
        >>> twin = Twin(64, 20, 10, rng=np.random.default_rng(0))
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

    def numerical_gradient(self, x: npt.NDArray[Any], t: npt.NDArray[Any]) -> dict[str, npt.NDArray[np.floating[Any]]]:
        """Central-difference gradient of the loss for every parameter, evaluated incrementally."""
        p = self.params
        n_in, n_hidden = np.shape(p["W1"])
        n_out = np.shape(p["W2"])[1]
        shapes = {"W1": (n_in, n_hidden), "b1": (n_hidden,), "W2": (n_hidden, n_out), "b2": (n_out,)}
        if not all(_is_f64(p[key], shape) for key, shape in shapes.items()):
            return {key: numerical_gradient(lambda W: self.loss(x, t), p[key]) for key in shapes}
        x, labels = _batch(x, t, n_out)
        W1, b1, W2, b2 = (np.ascontiguousarray(p[key]) for key in shapes)
        a1 = x @ W1 + b1
        z1 = sigmoid(a1)
        E, S = _softmax_parts(z1 @ W2 + b2)
        batch = x.shape[0]
        # moments[b, j, n] = sum_k E[b, k] * W2[j, k]**(n+1) / (n+1)!, one matrix product
        powers = np.stack([W2.T ** (n + 1) / math.factorial(n + 1) for n in range(SERIES)], axis=-1)
        moments = (E @ powers.reshape(n_out, -1)).reshape(batch, n_hidden, SERIES)
        w2_max = np.abs(W2).max(axis=1) if n_out else np.zeros(n_hidden)
        sig_coeffs = _sigmoid_taylor(a1)
        threads = _threads.get_num_threads()

        def hidden(Wp: npt.NDArray[np.float64], ptr: npt.NDArray[np.intp], rows: npt.NDArray[np.intp],
                   vals: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            out = np.empty(Wp.shape)
            _nn.hidden_layer(Wp, ptr, rows, vals, a1, z1, sig_coeffs, W2, w2_max, E, S, moments, labels, H,
                             out, threads)
            return out

        ones = np.ones((batch, 1))
        all_rows = (np.array([0, batch], dtype=np.intp), np.arange(batch, dtype=np.intp), np.ones(batch))
        return {
            "W1": hidden(W1, *_nonzero_columns(x)),
            "b1": hidden(b1.reshape(1, -1), *all_rows).reshape(n_hidden),
            "W2": _output_gradient(z1, W2, E, S, labels),
            "b2": _output_gradient(ones, b2.reshape(1, -1), E, S, labels).reshape(n_out),
        }


class GradientCheck(NamedTuple):
    """How a numerical gradient and an analytic one compare, for one parameter.

    Attributes
    ----------
    mean_abs_diff : float
        Mean of ``|analytic - numerical|``: what the textbook prints.
    max_rel_error : float
        Largest ``|a - n| / max(|a|, |n|)`` (0 where both are 0).
    worst_index : tuple of int
        Where that largest relative error is.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn import GradientCheck, gradient_check
    >>> check = gradient_check(lambda x: np.sum(x**3), np.array([[1.0, -2.0], [0.5, 3.0]]),
    ...                        gradient=lambda x: 3 * x**2)["x"]
    >>> isinstance(check, GradientCheck), check.mean_abs_diff < 1e-6, len(check.worst_index)
    (True, True, 2)
    >>> GradientCheck(0.0, 0.0, ())  # a parameter with no elements
    GradientCheck(mean_abs_diff=0.0, max_rel_error=0.0, worst_index=(), numerical_error=nan)
    """

    mean_abs_diff: float  #: mean of |analytic - numerical|: what the textbook prints
    max_rel_error: float  #: max of |a - n| / max(|a|, |n|) (0 where both are 0)
    worst_index: tuple[int, ...]  #: where that maximum is
    numerical_error: float = math.nan  #: with method= or h=: the largest error estimate of the numerical gradient


_Gradients: TypeAlias = npt.NDArray[Any] | dict[str, npt.NDArray[Any]]  # one array, or one per parameter


class _GradientNet(Protocol):
    """A net as :func:`gradient_check` takes it: ``SimpleNet``, ``TwoLayerNet`` or any with their interface."""

    def numerical_gradient(self, x: npt.NDArray[Any], t: npt.NDArray[Any], /) -> _Gradients: ...

    def gradient(self, x: npt.NDArray[Any], t: npt.NDArray[Any], /) -> _Gradients: ...


def _compare(analytic: npt.ArrayLike, numerical: npt.ArrayLike) -> GradientCheck:
    analytic, numerical = np.asarray(analytic, dtype=np.float64), np.asarray(numerical, dtype=np.float64)
    if analytic.shape != numerical.shape:
        raise ValueError(f"the analytic gradient has shape {analytic.shape}, the numerical one {numerical.shape}")
    diff = np.abs(analytic - numerical)
    scale = np.maximum(np.abs(analytic), np.abs(numerical))
    rel = np.divide(diff, scale, out=np.zeros_like(diff), where=scale > 0)
    worst = np.unravel_index(np.argmax(rel), rel.shape) if rel.size else ()
    return GradientCheck(float(diff.mean()) if diff.size else 0.0, float(rel.max(initial=0.0)),
                         tuple(int(i) for i in worst))


@overload
def gradient_check(model: _GradientNet, x: npt.NDArray[Any], t: npt.NDArray[Any], *,
                   gradient: None = None, method: Method | None = None,
                   h: StepsArg = None) -> dict[str, GradientCheck]: ...
@overload
def gradient_check(model: PythonObjective, x: npt.NDArray[np.floating[Any]], t: None = None, *,
                   gradient: Callable[[npt.NDArray[np.floating[Any]]], npt.ArrayLike], method: Method | None = None,
                   h: StepsArg = None) -> dict[str, GradientCheck]: ...
def gradient_check(model: _GradientNet | PythonObjective, x: npt.NDArray[Any], t: npt.NDArray[Any] | None = None, *,
                   gradient: Callable[[npt.NDArray[np.floating[Any]]], npt.ArrayLike] | None = None,
                   method: Method | None = None, h: StepsArg = None) -> dict[str, GradientCheck]:
    """Compare numerical and analytic (backprop) gradients, parameter by parameter.

    Parameters
    ----------
    model : net or callable
        A net with ``numerical_gradient(x, t)`` and ``gradient(x, t)`` (``SimpleNet``,
        ``TwoLayerNet`` or any with that interface), or an objective ``f(x) -> scalar``.
    x : numpy.ndarray
        The batch for a net; the point for an objective (perturbed in place and restored).
    t : numpy.ndarray, optional
        The targets, for a net.
    gradient : callable, optional
        For an objective: ``gradient(x)``, its analytic gradient.
    method, h : optional
        Take the numerical gradient from :func:`fastgd.numerical_gradient` with this method and
        step (``'richardson'``; ``'complex'`` if the loss takes complex arrays), with its error
        estimate: each check's ``numerical_error`` is the largest, so that a backprop gradient
        is judged against a numerical one whose own error is known. For a net, each of its
        parameter arrays is perturbed in place with the loss at ``(x, t)``. Default: the net's
        own ``numerical_gradient`` (the textbook's central difference).

    Returns
    -------
    dict of str to GradientCheck
        Per parameter (a single ``"x"`` for an objective): the mean absolute difference
        and the largest relative error with its index.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn import gradient_check
    >>> check = gradient_check(lambda x: np.sum(x**3), np.array([1.0, -2.0]),
    ...                        gradient=lambda x: 3 * x**2)
    >>> check["x"].max_rel_error < 1e-7
    True

    A net, parameter by parameter:

    >>> from fastgd.nn import TwoLayerNet
    >>> net = TwoLayerNet(4, 5, 3, rng=np.random.default_rng(0))
    >>> x, t = np.random.default_rng(1).standard_normal((2, 4)), np.array([0, 2])
    >>> checks = gradient_check(net, x, t)
    >>> list(checks), all(check.mean_abs_diff < 1e-6 for check in checks.values())
    (['W1', 'b1', 'W2', 'b2'], True)

    Against a numerical gradient whose own error is known: here the backprop gradient differs by
    far more than that error, because the loss adds 1e-7 inside its log and backprop does not:

    >>> checks = gradient_check(net, x, t, method="richardson")
    >>> all(check.numerical_error < 1e-11 < check.mean_abs_diff for check in checks.values())
    True
    """
    if gradient is None:
        if t is None or not (hasattr(model, "numerical_gradient") and hasattr(model, "gradient")):
            raise TypeError("pass a net with numerical_gradient and gradient methods and targets t, "
                            "or an objective f with gradient=")
        analytic = model.gradient(x, t)
        numerical = model.numerical_gradient(x, t) if method is None and h is None else \
            _net_gradients(model, x, t, method or "central", h)
        if not isinstance(analytic, dict):
            numerical, analytic = {"W": numerical["W"] if isinstance(numerical, dict) else numerical}, {"W": analytic}
    else:
        if not callable(gradient):
            raise TypeError(f"gradient must be callable, got {type(gradient).__name__}")
        analytic = {"x": gradient(x)}
        numerical = {"x": numerical_gradient(model, x) if method is None and h is None else
                     numerical_gradient(model, x, h, method=method or "central", full_output=True)}
    return {key: _checked(analytic[key], numerical[key]) for key in numerical}


def _net_gradients(net: Any, x: npt.NDArray[Any], t: npt.NDArray[Any], method: Method, h: StepsArg
                   ) -> dict[str, tuple[npt.NDArray[Any], GradientInfo]]:
    """:func:`fastgd.numerical_gradient` of the loss over each parameter array of ``net`` (``SimpleNet``
    keeps only ``W``), perturbed in place, with error estimates."""
    params = getattr(net, "params", None) or {"W": net.W}
    return {key: numerical_gradient(lambda _: net.loss(x, t), params[key], h, method=method, full_output=True)
            for key in params}


def _checked(analytic: npt.ArrayLike, numerical: npt.NDArray[Any] | tuple[npt.NDArray[Any], GradientInfo]
             ) -> GradientCheck:
    """The comparison, with the numerical gradient's largest error estimate where it has one."""
    if isinstance(numerical, tuple):
        grad, info = numerical
        return _compare(analytic, grad)._replace(numerical_error=float(info.error.max(initial=0.0)))
    return _compare(analytic, numerical)


__all__ = ["sigmoid", "softmax", "cross_entropy_error", "SimpleNet", "TwoLayerNet", "GradientCheck",
           "gradient_check"]
