"""Drop-in derivatives for ``scipy.optimize``: callables for ``minimize(jac=, hess=, hessp=)``,
``least_squares(jac=)`` and ``root(jac=)``.

scipy calls them with its own ``x`` -- sometimes read-only, sometimes an array it keeps -- and the
extra ``args`` it passes to the objective. Each callable copies ``x`` into a buffer of its own,
kept between calls, and perturbs that copy in place, so scipy's array is never touched; a sparse
Jacobian's plan (the column groups) is made once, when the callable is. Results are new arrays
at every call: scipy keeps gradients and Jacobians between iterations.
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.diff._core.objectives import c_objective
from fastgd.diff.gradient import numerical_gradient
from fastgd.diff.hessian import hessian, hessp
from fastgd.diff.jacobian import jacobian
from fastgd.diff.sparse import SparseJacobian


class _DropIn:
    """A derivative of ``f`` at scipy's ``x`` (copied into a private float64 buffer) with the given options."""

    def __init__(self, f: Any, options: dict[str, Any]) -> None:
        self.f, self.options = f, options
        self.c_level = f is not None and c_objective(f) is not None
        self.x = np.empty(0)
        self.busy = threading.Lock()

    @contextlib.contextmanager
    def _point(self, x: npt.ArrayLike) -> Iterator[npt.NDArray[np.float64]]:
        """``x`` copied into the private buffer (made anew only when the shape changes), held for one
        derivative; while another thread holds it, into a new array."""
        values = np.asarray(x)
        if values.dtype.kind not in "biuf":
            raise TypeError(f"x must be real numbers, got {values.dtype}")
        if not self.busy.acquire(blocking=False):
            yield np.array(values, dtype=np.float64)
            return
        try:
            if self.x.shape != values.shape:
                self.x = np.empty(values.shape)
            self.x[...] = values
            yield self.x
        finally:
            self.busy.release()

    def _bound(self, f: Any, args: tuple[Any, ...]) -> Any:
        """``f`` with scipy's extra ``args`` after the point (a C function takes none; None stays None)."""
        if not args or f is None:
            return f
        if self.c_level:
            raise TypeError("a C-level function takes no extra args (pass its data through user_data)")
        return lambda v: f(v, *args)

    def _options(self, args: tuple[Any, ...]) -> dict[str, Any]:
        """The options, a ``gradient`` among them bound to scipy's ``args``."""
        options = dict(self.options)
        if options.get("gradient") is not None:
            options["gradient"] = self._bound(options["gradient"], args)
        return options


class Gradient(_DropIn):
    """``x -> gradient of f at x``: ``minimize(f, x0, jac=Gradient(f))`` (see :func:`gradient_of`)."""

    def __call__(self, x: npt.ArrayLike, *args: Any) -> npt.NDArray[np.float64]:
        with self._point(x) as point:
            gradient: npt.NDArray[np.float64] = numerical_gradient(self._bound(self.f, args), point, **self.options)
            return gradient


class Jacobian(_DropIn):
    """``x -> Jacobian of F at x``, dense or (with ``sparsity``) a ``csr_array`` (see :func:`jacobian_of`)."""

    def __init__(self, F: Any, options: dict[str, Any]) -> None:
        sparsity = options.get("sparsity")
        if sparsity is not None and not isinstance(sparsity, SparseJacobian):
            options = {**options, "sparsity": SparseJacobian(sparsity)}  # the groups, made once
        super().__init__(F, options)

    def __call__(self, x: npt.ArrayLike, *args: Any) -> Any:
        with self._point(x) as point:
            return jacobian(self._bound(self.f, args), point, **self.options)


class Hessian(_DropIn):
    """``x -> Hessian of f at x`` (see :func:`hessian_of`)."""

    def __call__(self, x: npt.ArrayLike, *args: Any) -> npt.NDArray[np.float64]:
        with self._point(x) as point:
            result: npt.NDArray[np.float64] = hessian(self._bound(self.f, args), point, **self._options(args))
            return result


class HessianVectorProduct(_DropIn):
    """``(x, p) -> Hessian of f at x times p`` (see :func:`hessp_of`)."""

    def __call__(self, x: npt.ArrayLike, p: npt.ArrayLike, *args: Any) -> npt.NDArray[np.float64]:
        with self._point(x) as point:
            return hessp(self._bound(self.f, args), point, p, **self._options(args))


def gradient_of(f: Any, **options: Any) -> Gradient:
    """``x -> numerical_gradient(f, x, **options)`` on a private copy of ``x``: ``minimize(f, x0, jac=gradient_of(f))``.

    Parameters
    ----------
    f : callable or C-level objective
        ``f(x, *args) -> real scalar`` (``args``: what scipy passes, ``minimize(args=...)``), or a C
        function as :func:`fastgd.numerical_gradient` takes it.
    **options
        :func:`fastgd.numerical_gradient`'s keyword arguments: ``h``, ``threads``, ``vectorized``,
        ``chunk_size``, ``workers``. ``h`` defaults to ``'auto'`` here, not to the textbook's 1e-4:
        an optimizer stops on the gradient's size (BFGS at ``gtol=1e-5``), and the fixed step's
        truncation error (``h**2 / 6`` times the third derivative: 4e-6 for ``rosen`` at its
        minimum) is of that size; ``'auto'``'s is about 1e-8 there.

    Returns
    -------
    Gradient
        ``gradient(x, *args)``: a new float64 array shaped like ``x`` at every call.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.optimize import minimize, rosen, rosen_der
    >>> import fastgd
    >>> x0 = np.array([1.3, 0.7, 0.8, 1.9, 1.2])
    >>> result = minimize(rosen, x0, method="BFGS", jac=fastgd.gradient_of(rosen))
    >>> bool(result.success), bool(np.allclose(result.x, 1, atol=1e-4))
    (True, True)
    >>> result.nit == minimize(rosen, x0, method="BFGS", jac=rosen_der).nit
    True
    """
    return Gradient(f, {"h": "auto", **options})


def jacobian_of(F: Any, **options: Any) -> Jacobian:
    """``x -> jacobian(F, x, **options)`` on a private copy of ``x``: ``least_squares(F, x0, jac=jacobian_of(F))``,
    ``root(F, x0, jac=jacobian_of(F))``.

    With ``sparsity=`` the column groups are made once, here, and every call returns a
    ``scipy.sparse.csr_array`` (which ``least_squares`` takes with ``tr_solver='lsmr'``).

    Parameters
    ----------
    F : callable or C-level vector function
        ``F(x, *args) -> array`` of m values, or a C function as :func:`fastgd.jacobian` takes it.
    **options
        :func:`fastgd.jacobian`'s keyword arguments (``h``, ``method``, ``m``, ``sparsity``,
        ``threads``, ``vectorized``, ``chunk_size``, ``workers``).

    Returns
    -------
    Jacobian
        ``jac(x, *args)``: a new ``(m, n)`` array (or ``csr_array``) at every call.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from scipy.optimize import least_squares
    >>> import fastgd
    >>> def broyden(x):  # a tridiagonal Jacobian
    ...     f = (3 - 2 * x) * x + 1
    ...     f[1:] -= x[:-1]
    ...     f[:-1] -= 2 * x[1:]
    ...     return f
    >>> n = 1000
    >>> pattern = sp.diags_array([1.0, 1.0, 1.0], offsets=[-1, 0, 1], shape=(n, n))
    >>> result = least_squares(broyden, -np.ones(n), jac=fastgd.jacobian_of(broyden, sparsity=pattern),
    ...                        tr_solver="lsmr")
    >>> bool(result.cost < 1e-15), result.njev  # as with scipy's own jac_sparsity=pattern
    (True, 5)
    """
    return Jacobian(F, options)


def hessian_of(f: Any, **options: Any) -> Hessian:
    """``x -> hessian(f, x, **options)`` on a private copy of ``x``: ``minimize(f, x0, jac=..., hess=hessian_of(f))``.

    Parameters
    ----------
    f : callable or C-level objective, or None
        As :func:`fastgd.hessian` takes it (None with ``gradient=``); ``f(x, *args)``.
    **options
        :func:`fastgd.hessian`'s keyword arguments (``h``, ``method``, ``gradient``, ``threads``, ...);
        a ``gradient`` is called with scipy's ``args`` too.

    Returns
    -------
    Hessian
        ``hess(x, *args)``: a new ``(n, n)`` array at every call.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.optimize import minimize, rosen, rosen_der
    >>> import fastgd
    >>> result = minimize(rosen, np.array([1.3, 0.7, 0.8, 1.9, 1.2]), method="trust-exact", jac=rosen_der,
    ...                   hess=fastgd.hessian_of(rosen))
    >>> bool(result.success), bool(np.allclose(result.x, 1))
    (True, True)
    """
    return Hessian(f, options)


def hessp_of(f: Any, **options: Any) -> HessianVectorProduct:
    """``(x, p) -> hessp(f, x, p, **options)`` on a private copy of ``x``: ``minimize(..., hessp=hessp_of(f))``.

    Parameters
    ----------
    f : callable or C-level objective, or None
        As :func:`fastgd.hessp` takes it (None with ``gradient=``); ``f(x, *args)``.
    **options
        :func:`fastgd.hessp`'s keyword arguments (``h``, ``gradient``, ``threads``, ...).

    Returns
    -------
    HessianVectorProduct
        ``hessp(x, p, *args)``: a new array shaped like ``x`` at every call.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.optimize import minimize, rosen, rosen_der
    >>> import fastgd
    >>> x0 = np.array([1.3, 0.7, 0.8, 1.9, 1.2])
    >>> result = minimize(rosen, x0, method="Newton-CG", jac=rosen_der, hessp=fastgd.hessp_of(None, gradient=rosen_der))
    >>> bool(result.success), bool(np.allclose(result.x, 1, atol=1e-3)), result.nit  # rosen_hess_prod: 21 too
    (True, True, 21)
    """
    return HessianVectorProduct(f, options)
