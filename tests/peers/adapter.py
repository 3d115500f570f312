"""How a peer's call is put to fastgd: the peer's options translated to fastgd's, nothing computed here.

Each function takes a peer's arguments (its names and defaults) and calls fastgd's public API; the
cases' checks (:func:`close`, :func:`err_below`, ...) are the peers' assertions, their tolerances
untouched. The choices, stated once:

- **scipy.optimize** ``approx_derivative``: ``'2-point'`` is fastgd's ``'forward'``, ``'3-point'``
  ``'central'``, ``'cs'`` ``'complex'``; no step given is ``h='auto'`` (scipy's own rule, see
  :mod:`fastgd.reference.steps`); ``abs_step``/``rel_step`` become per-element steps (as scipy forms
  them: ``rel_step * |x|``, its default rule where that does not move ``x``); a function with one value
  goes to :func:`fastgd.numerical_gradient` (which takes ``bounds=``), a vector function to
  :func:`fastgd.jacobian`; ``sparsity=(pattern, groups)`` to a :class:`fastgd.SparseJacobian`.
  A negative step (scipy's direction) has no fastgd counterpart: its cases are marked as a feature.
- **scipy.differentiate** (adaptive, high order): fastgd's most accurate real-step methods,
  ``jacobian(..., 'auto', method='central4')`` and ``hessian(..., method='richardson')``, at each point
  of the batch (scipy's trailing axes).
- **numdifftools** (Richardson-extrapolated by default): ``'central'`` is ``'richardson'``, ``'forward'``
  and ``'backward'`` the one-sided Richardson rows (``'richardson'`` with ``bounds`` at ``x``: ``f``
  only looks above, or below, ``x``), ``'complex'`` ``'complex'``; a Jacobian of a vector function
  ``jacobian(..., 'auto', method='central4' | 'forward' | 'backward' | 'complex')``; second derivatives
  ``hessian(..., method='richardson' | 'complex')``.
- **FiniteDiff.jl**: ``Val{:forward}``, ``Val{:central}``, ``Val{:complex}`` are the same-named methods
  with ``h='auto'`` (FiniteDiff's ``relstep``: ``sqrt(eps)``, ``cbrt(eps)``, ``eps`` times
  ``max(|x|, 1)``), ``dir=-1`` is ``'backward'``; a Hessian is ``fastgd.hessian``'s default.

Results are never cast: a float32 point's result shows in the dtype fastgd gives it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

import fastgd

EPS = float(np.finfo(np.float64).eps)


# --- the peers' assertions ------------------------------------------------------------------------

def raises(error, call):
    """``assert_raises(error, call)`` (pytest's ``raises``; Julia's ``@test_throws`` with ``Exception``)."""
    try:
        call()
    except error:
        return
    raise AssertionError(f"no {error!r} raised")


def close(actual, desired, rtol=1e-7, atol=0.0):
    """numpy's ``assert_allclose`` (scipy's and numdifftools' tests)."""
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=atol)


def xp_close(actual, desired, rtol=None, atol=0.0):
    """scipy's ``xp_assert_close``: the same dtype and shape, then ``assert_allclose`` with the default
    ``rtol = 4 sqrt(eps)`` of the actual dtype."""
    actual, desired = np.asarray(actual), np.asarray(desired)
    assert actual.dtype == desired.dtype, f"dtypes {actual.dtype} and {desired.dtype}"
    assert actual.shape == desired.shape, f"shapes {actual.shape} and {desired.shape}"
    if rtol is None:
        rtol = float(np.finfo(actual.dtype).eps) ** 0.5 * 4
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=atol)


def almost_equal(actual, desired, decimal=7):
    """numpy's ``assert_array_almost_equal``: ``|actual - desired| < 1.5 * 10**-decimal``."""
    np.testing.assert_array_almost_equal(actual, desired, decimal=decimal)


def err_below(actual, desired, tolerance):
    """FiniteDiff.jl's ``err_func(a, b) < tolerance``: the largest absolute difference."""
    error = float(np.max(np.abs(np.asarray(actual) - np.asarray(desired))))
    assert error < tolerance, f"err_func = {error:.3g}, not < {tolerance:g}"


def julia_approx(actual, desired):
    """Julia's ``a ≈ b``: ``norm(a - b) <= sqrt(eps) * max(norm(a), norm(b))``."""
    a, b = np.asarray(actual, dtype=float), np.asarray(desired, dtype=float)
    assert np.linalg.norm(a - b) <= np.sqrt(EPS) * max(np.linalg.norm(a), np.linalg.norm(b)), (a, b)


def exact(actual, desired):
    """Julia's ``==``."""
    assert np.array_equal(actual, desired), (actual, desired)


# --- scipy.optimize._numdiff.approx_derivative ------------------------------------------------------

SCIPY_METHODS = {"2-point": "forward", "3-point": "central", "cs": "complex"}
SCIPY_RELATIVE = {"2-point": EPS**0.5, "3-point": EPS ** (1 / 3), "cs": EPS**0.5}


class Function:
    """``fun(x, *args, **kwargs)``, as scipy calls it; ``first``: its one value; ``flat``: its values flattened (a
    picklable wrapper)."""

    def __init__(self, fun, args=(), kwargs=None, first=False, flat=False):
        self.fun, self.args, self.kwargs, self.first, self.flat = fun, tuple(args), dict(kwargs or {}), first, flat

    def __call__(self, x):
        value = self.fun(x, *self.args, **self.kwargs)
        if self.first:
            return np.asarray(value).reshape(-1)[0]
        return np.ravel(value) if self.flat else value


def _scipy_steps(x, method, rel_step, abs_step):
    """scipy's steps as fastgd takes them: ``'auto'``, or per-element steps (positive)."""
    if abs_step is None and rel_step is None:
        return "auto"
    if abs_step is not None:
        h = np.broadcast_to(np.asarray(abs_step, dtype=np.float64), x.shape).copy()
    else:
        h = np.broadcast_to(np.asarray(rel_step, dtype=np.float64), x.shape) * np.abs(x.astype(np.float64))
    if np.any(h < 0) and method == "2-point":
        raise NotImplementedError("a negative step: scipy's backward direction")
    h = np.abs(h)
    unmoved = ((x + h.astype(x.dtype)) - x) == 0  # scipy: the default rule where the step does not move x
    h[unmoved] = (SCIPY_RELATIVE[method] * np.maximum(1.0, np.abs(x.astype(np.float64))))[unmoved]
    return h


def approx_derivative(fun, x0, method="3-point", rel_step=None, abs_step=None, f0=None,
                      bounds=(-np.inf, np.inf), sparsity=None, args=(), kwargs=None, workers=None,
                      full_output=False):
    """scipy's ``approx_derivative`` by fastgd: ``(m, n)``, ``(n,)`` for one value (scipy's shapes)."""
    if f0 is not None:
        raise NotImplementedError("f0=: f at x0 supplied")
    x = np.atleast_1d(np.asarray(x0))
    x = x if x.dtype.kind == "f" else x.astype(np.float64)
    lb, ub = (np.broadcast_to(np.asarray(b, dtype=np.float64), x.shape) for b in bounds)
    bounded = not (np.all(lb == -np.inf) and np.all(ub == np.inf))
    h = _scipy_steps(x, method, rel_step, abs_step)
    name = SCIPY_METHODS[method]
    options: dict[str, Any] = {} if workers is None else {"workers": workers}
    if sparsity is not None:
        pattern, groups = sparsity if isinstance(sparsity, tuple) else (sparsity, None)
        if bounded:
            options["bounds"] = (lb, ub)
        return fastgd.jacobian(Function(fun, args, kwargs), x, h, method=name,
                               sparsity=fastgd.SparseJacobian(pattern, groups=groups), **options)
    values = np.atleast_1d(np.asarray(fun(x.copy(), *args, **(kwargs or {}))))
    if values.size == 1 and values.ndim == 1:
        grad = fastgd.numerical_gradient(Function(fun, args, kwargs, first=True), x, h, method=name,
                                         bounds=(lb, ub) if bounded else None, full_output=full_output, **options)
        if full_output:
            grad, info = grad
            return grad, {"nfev": info.calls + 1}  # scipy counts f(x0) too: the value above
        return grad
    if bounded:
        options["bounds"] = (lb, ub)
    return fastgd.jacobian(Function(fun, args, kwargs), x, h, method=name, **options)


# --- scipy.differentiate: jacobian and hessian over a batch of points ------------------------------

def differentiate_jacobian(f, x):
    """``scipy.differentiate.jacobian(f, x).df``: ``(m, n, *batch)``, or ``(n, *batch)`` for a scalar ``f``
    (each point of the batch is ``x[:, i, j, ...]``)."""
    x = np.asarray(x)
    df = None
    for index in np.ndindex(*x.shape[1:]):
        point = x[(slice(None), *index)].copy()
        J = fastgd.jacobian(f, point, "auto", method="central4")
        J = J[0] if np.ndim(f(point.copy())) == 0 else J
        if df is None:
            df = np.empty(J.shape + x.shape[1:], dtype=J.dtype)
        df[(Ellipsis, *index)] = J
    return df


def differentiate_hessian(f, x):
    """``scipy.differentiate.hessian(f, x).ddf``: ``(n, n, *batch)``."""
    x = np.asarray(x)
    ddf = None
    for index in np.ndindex(*x.shape[1:]):
        H = fastgd.hessian(f, x[(slice(None), *index)].copy(), method="richardson")
        if ddf is None:
            ddf = np.empty(H.shape + x.shape[1:], dtype=H.dtype)
        ddf[(Ellipsis, *index)] = H
    return ddf


# --- numdifftools ------------------------------------------------------------------------------------

@dataclass
class Estimate:
    """numdifftools' ``EstimateResult``: the estimate, its error estimate and its step."""

    estimate: Any
    error_estimate: Any
    final_step: Any


def _point(x):
    """A peer's point as an array: numbers as float64, any other dtype (complex too) as it is."""
    x = np.atleast_1d(np.asarray(x))
    return x.astype(np.float64) if x.dtype.kind in "biu" else x


def _gradient_options(method, x):
    """fastgd's method and bounds for a numdifftools first-derivative ``method`` at ``x``."""
    if method == "complex":
        return "complex", None
    if method in ("central", "central2"):
        return "richardson", None
    if method == "forward":
        return "richardson", (x.copy(), None)
    if method == "backward":
        return "richardson", (None, x.copy())
    raise NotImplementedError(f"method={method!r}")


def nd_gradient(f, x, *args, method="central", full_output=False, **kwargs):
    """``nd.Gradient(f, method=method)(x, *args, **kwargs)``."""
    x = _point(x)
    name, bounds = _gradient_options(method, x)
    g = fastgd.numerical_gradient(Function(f, args, kwargs, first=True), x, "auto", method=name, bounds=bounds,
                                  full_output=full_output)
    if full_output:
        g, info = g
        return Estimate(g, info.error, info.step)
    return g


def nd_derivative(f, x, method="central", n=1, full_output=False):
    """``nd.Derivative(f, method=method, n=n)(x)`` for an elementwise ``f``: each element on its own."""
    x = np.asarray(x, dtype=np.float64)
    estimate, error, step = np.empty(x.shape), np.empty(x.shape), np.empty(x.shape)
    for index in np.ndindex(*x.shape):
        point = np.array([x[index]])
        if n == 1:
            name, bounds = _gradient_options(method, point)
            g, info = fastgd.numerical_gradient(Function(f, first=True), point, "auto", method=name, bounds=bounds,
                                                full_output=True)
            estimate[index], error[index], step[index] = g[0], info.error[0], info.step[0]
        elif n == 2:
            H, info = nd_second(Function(f, first=True), point, method)
            estimate[index], error[index], step[index] = H[0, 0], info.error[0, 0], info.step[0]
        else:
            raise NotImplementedError(f"derivatives of order {n}")
    if full_output:
        return Estimate(estimate, error, step)
    return estimate


def nd_second(f, x, method):
    """A Hessian with its error estimate, as numdifftools' ``method`` asks."""
    if method in ("central", "central2"):
        return fastgd.hessian(f, x, method="richardson", full_output=True)
    if method == "complex":
        return fastgd.hessian(f, x, method="complex", full_output=True)
    raise NotImplementedError(f"second derivatives by method={method!r}")


JACOBIAN_METHODS = {"central": "central4", "central2": "central4", "forward": "forward", "backward": "backward",
                    "complex": "complex"}


def nd_jacobian(f, x, *args, method="central", **kwargs):
    """``nd.Jacobian(f, method=method)(x)``: ``value.shape + x.shape``; a function of one value is a gradient,
    shaped ``(1, n)``. numdifftools takes values of any shape (its Jacobian is ``value.shape + x.shape``), fastgd
    1-D ones or ``x``'s shape: the values are flattened here. ``'complex'`` goes to :func:`fastgd.jacobian`
    directly (one value or many: no extrapolation to choose), whose first call of ``f`` is at ``x``."""
    x = _point(x)
    F = Function(f, args, kwargs, flat=True)
    if method == "complex":
        J = fastgd.jacobian(F, x, method="complex")
        return J.reshape((J.shape[0], *x.shape))
    value = np.asarray(f(x.copy(), *args, **kwargs))
    if value.size == 1:
        return nd_gradient(f, x, *args, method=method, **kwargs).reshape((1, *x.shape))
    if method not in JACOBIAN_METHODS:
        raise NotImplementedError(f"method={method!r}")
    J = fastgd.jacobian(F, x, "auto", method=JACOBIAN_METHODS[method])
    return J.reshape(value.shape + x.shape)


def nd_hessian(f, x, method="central", full_output=False):
    """``nd.Hessian(f, method=method)(x)``."""
    H, info = nd_second(f, np.atleast_1d(np.asarray(x, dtype=np.float64)), method)
    return Estimate(H, info.error, info.step) if full_output else H


def nd_hessdiag(f, x, method="central", full_output=False):
    """``nd.Hessdiag(f, method=method)(x)``: the Hessian's diagonal."""
    H, info = nd_second(f, np.atleast_1d(np.asarray(x, dtype=np.float64)), method)
    return Estimate(np.diag(H), np.diag(info.error), info.step) if full_output else np.diag(H)


def nd_directionaldiff(f, x, v):
    """``nd.directionaldiff(f, x, v)``: the gradient along ``v / |v|``."""
    v = np.asarray(v, dtype=np.float64)
    return float(nd_gradient(f, x) @ (v / np.linalg.norm(v)))


# --- FiniteDiff.jl ----------------------------------------------------------------------------------

FINITEDIFF_METHODS = {"forward": "forward", "central": "central", "complex": "complex"}


def _finitediff_method(fdtype, direction):
    if fdtype == "forward" and direction < 0:
        return "backward"
    return FINITEDIFF_METHODS[fdtype]


def fd_derivative(f, x, fdtype="central", direction=1):
    """``finite_difference_derivative(f, x, Val{fdtype}; dir)``: of ``f: R -> R`` at a scalar, or at each
    element of an array (each element a point of its own)."""
    method = _finitediff_method(fdtype, direction)
    X = np.atleast_1d(np.asarray(x, dtype=np.float64))
    grad = fastgd.numerical_gradient_2d(lambda row: f(row[0]), X[:, None].copy(), "auto", method=method)[:, 0]
    return grad[0] if np.ndim(x) == 0 else grad


def fd_gradient(f, x, fdtype="central", direction=1):
    """``finite_difference_gradient(f, x, Val{fdtype}; dir)`` of ``f: R^n -> R``."""
    return fastgd.numerical_gradient(f, np.array(x, dtype=np.float64), "auto",
                                     method=_finitediff_method(fdtype, direction))


def fd_jacobian(f, x, fdtype="forward", direction=1, m=None):
    """``finite_difference_jacobian(f, x, Val{fdtype}; dir)``; ``m``: ``f`` is Julia's in-place ``f(fvec, x)``
    writing ``m`` values."""
    F = f if m is None else InPlace(f, m)
    return fastgd.jacobian(F, np.array(x, dtype=np.float64), "auto", method=_finitediff_method(fdtype, direction))


class InPlace:
    """``f(fvec, x)`` (Julia's in-place form) as a function returning a new vector of ``m`` values."""

    def __init__(self, f, m):
        self.f, self.m = f, m

    def __call__(self, x):
        out = np.zeros(self.m, dtype=np.result_type(x, np.float64))  # Julia's fvec has x's element type
        self.f(out, x)
        return out


def fd_hessian(f, x):
    """``finite_difference_hessian(f, x)``: fastgd's default Hessian."""
    return fastgd.hessian(f, np.array(x, dtype=np.float64))
