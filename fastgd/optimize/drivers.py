"""``minimize``, ``least_squares`` and ``root``: scipy's, with fastgd's derivatives where scipy would take its own
finite differences (see :mod:`fastgd.optimize`)."""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

from fastgd.diff.scipy_adapters import (
    Gradient,
    Hessian,
    Jacobian,
    Objective,
    gradient_of,
    hessian_of,
    hessp_of,
    jacobian_of,
    scipy_bounds,
)
from fastgd.diff.sparse_hessian import SparseHessian

EPS: float = float(np.finfo(np.float64).eps)
#: scipy's names for its finite-difference schemes, and fastgd's method for each (``None``: scipy's default).
SCHEME_OF: dict[object, str] = {None: "forward", False: "forward", "2-point": "forward", "3-point": "central",
                                "cs": "complex"}
#: scipy's absolute step for its ``'2-point'`` gradient when ``jac`` is not given (the method's ``eps`` option).
ABSOLUTE_STEP: dict[str, float] = {"bfgs": EPS ** 0.5, "cg": EPS ** 0.5, "slsqp": EPS ** 0.5, "l-bfgs-b": 1e-8,
                                   "tnc": 1e-8}
#: The methods of ``minimize`` that take no derivative.
DERIVATIVE_FREE = frozenset({"nelder-mead", "powell", "cobyla", "cobyqa"})
#: ... that take ``hess``/``hessp``, and those among them that need one (scipy refuses to run them without).
SECOND_ORDER = frozenset({"newton-cg", "dogleg", "trust-ncg", "trust-krylov", "trust-exact", "trust-constr"})
NEEDS_PRODUCTS = frozenset({"trust-ncg", "trust-krylov"})
NEEDS_MATRIX = frozenset({"dogleg", "trust-exact"})


def _scipy_optimize() -> Any:
    try:
        import scipy.optimize  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        raise ImportError("fastgd.optimize runs scipy.optimize: install scipy (pip install scipy)") from None
    return scipy.optimize


def _method_name(method: Any, bounds: object, constraints: object) -> str | None:
    """scipy's method, lower-case, as it picks one when none is given; None for a callable (a custom method)."""
    if callable(method):
        return None
    if method is None:
        if constraints:
            return "slsqp"
        return "l-bfgs-b" if bounds is not None else "bfgs"
    if not isinstance(method, str):
        raise TypeError(f"method must be a string or a callable, got {type(method).__name__}")
    return method.lower()


def _scheme(jac: object, name: str) -> str:
    try:
        return SCHEME_OF[jac]
    except (KeyError, TypeError):
        raise ValueError(f"{name} must be a callable, True, or one of '2-point', '3-point', 'cs' (or None), "
                         f"got {jac!r}") from None


def minimize(fun: Any, x0: Any, args: tuple[Any, ...] = (), method: Any = None, jac: Any = None, hess: Any = None,
             hessp: Any = None, bounds: Any = None, constraints: Any = (), tol: float | None = None,
             callback: Any = None, options: dict[str, Any] | None = None, *, hess_sparsity: Any = None,
             diff_options: dict[str, Any] | None = None) -> Any:
    """``scipy.optimize.minimize`` with fastgd's derivatives where scipy would take finite differences.

    The arguments are scipy's, passed through. ``jac`` None, ``'2-point'``, ``'3-point'`` or ``'cs'`` becomes
    fastgd's gradient by the same scheme (forward differences by default, taking ``f(x)`` from the
    optimizer's last call: ``n`` calls of ``fun`` per gradient), within ``bounds``; an ``x`` scipy passes
    outside them is taken to the nearest point inside. ``hess``/``hessp``: a callable or a
    ``HessianUpdateStrategy`` is passed through; ``'2-point'``/``'3-point'``/``'cs'``, or nothing where the
    method needs second derivatives (``trust-ncg``, ``trust-krylov``: products; ``dogleg``, ``trust-exact``:
    the matrix), become fastgd's -- from ``jac`` if it is a callable, else from ``fun`` alone.

    Parameters
    ----------
    fun, x0, args, method, jac, hess, hessp, bounds, constraints, tol, callback, options
        As ``scipy.optimize.minimize`` takes them.
    hess_sparsity : scipy.sparse matrix, array_like or SparseHessian, optional
        The Hessian's pattern: ``hess`` becomes a sparse Hessian (``csr_array``; ``Newton-CG`` and
        ``trust-constr`` take it), from a callable ``jac`` by a star coloring (a few gradient calls), or from
        ``fun`` alone by second differences over the pattern (:class:`fastgd.SparseHessian`).
    diff_options : dict, optional
        fastgd's options for the derivatives: ``h``, ``rel_step``, ``threads``, ``vectorized``,
        ``chunk_size``, ``workers``.

    Returns
    -------
    scipy.optimize.OptimizeResult
        scipy's result.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.optimize import rosen
    >>> from fastgd import optimize
    >>> x0 = np.array([1.3, 0.7, 0.8, 1.9, 1.2])
    >>> seen = []
    >>> def f(x):
    ...     seen.append(x)  # a new array at every call: f may keep it
    ...     return rosen(x)
    >>> result = optimize.minimize(f, x0, method="BFGS")
    >>> bool(result.success), result.nit, len(seen)  # scipy's '2-point' path and count: n calls per gradient
    (True, 25, 180)
    >>> len({id(x) for x in seen})
    180

    fastgd's derivatives never evaluate ``f`` outside the bounds, and L-BFGS-B's own iterates stay inside (those
    of ``trust-constr`` may not):

    >>> def entropy(x):
    ...     return np.sum(x - np.log(x))  # not defined below 0
    >>> result = optimize.minimize(entropy, [1e-5, 3], method="L-BFGS-B", bounds=[(0, None)] * 2)
    >>> bool(result.success), np.round(result.x, 6)
    (True, array([1., 1.]))

    A Newton method from ``f`` alone, which scipy refuses (``trust-exact`` needs a Hessian):

    >>> result = optimize.minimize(rosen, x0, method="trust-exact")
    >>> bool(result.success), bool(np.allclose(result.x, 1, atol=1e-6))
    (True, True)
    """
    optimize = _scipy_optimize()
    name = _method_name(method, bounds, constraints)
    extra = dict(diff_options or {})
    if bounds is not None:  # scipy's L-BFGS-B clips x0 into the bounds; TNC would evaluate f outside them first
        x0 = np.array(x0, dtype=np.float64)
        limits = scipy_bounds(bounds, x0, pairs=True)
        if limits is not None:
            x0 = np.clip(x0.reshape(-1), *limits).reshape(x0.shape)
    objective: Any = fun
    if name is not None and name not in DERIVATIVE_FREE and jac is not True and not callable(jac):
        if not {"h", "rel_step", "abs_step"} & set(extra):
            extra.update(_scipy_step(name, jac, options or {}))
        gradient = gradient_of(fun, method=_scheme(jac, "jac"), bounds=bounds, **extra)
        objective, jac = gradient.fun, gradient
    elif jac is not True:
        objective = Objective(fun)  # f with a new array at every call, its last value remembered
    if name in SECOND_ORDER:
        hess, hessp = _second_order(name, objective, jac, hess, hessp, hess_sparsity, bounds, extra)
    elif hess_sparsity is not None:
        raise ValueError(f"hess_sparsity is for the methods that take a Hessian, not {method!r}")
    return optimize.minimize(objective, x0, args=args, method=method, jac=jac, hess=hess, hessp=hessp,
                             bounds=bounds, constraints=constraints, tol=tol, callback=callback, options=options)


def _scipy_step(name: str, jac: object, options: dict[str, Any]) -> dict[str, Any]:
    """The step scipy's own gradient takes: without ``jac``, the method's absolute ``eps``; with a named scheme
    (or a method without ``eps``), relative steps (``finite_diff_rel_step`` if given)."""
    if jac is None and name in ABSOLUTE_STEP:
        return {"abs_step": options.get("eps", ABSOLUTE_STEP[name])}
    rel_step = options.get("finite_diff_rel_step")
    return {} if rel_step is None else {"rel_step": rel_step}


def _second_order(name: str, objective: Any, jac: Any, hess: Any, hessp: Any, sparsity: Any, bounds: Any,
                  extra: dict[str, Any]) -> tuple[Any, Any]:
    """``(hess, hessp)`` for a method that takes second derivatives: the caller's where they are callables (or
    an update strategy), else fastgd's from ``jac`` (a callable, or fastgd's gradient) or from ``f`` alone."""
    given_hess = hess is not None and hess not in SCHEME_OF
    if given_hess or callable(hessp):
        if sparsity is not None:
            raise ValueError("hess_sparsity makes fastgd's sparse Hessian: give it without a hess or hessp")
        return hess, hessp
    if hess is not None:
        _scheme(hess, "hess")
    f = getattr(objective, "f", objective)
    options = {key: value for key, value in extra.items() if key not in ("rel_step", "abs_step")}
    analytic = callable(jac) and not isinstance(jac, Gradient)
    if sparsity is not None:
        plan = sparsity if isinstance(sparsity, SparseHessian) else SparseHessian(sparsity)
        sparse = Hessian(None if analytic else f, {"sparsity": plan, "gradient": jac if analytic else None,
                                                   "bounds": bounds, **options})
        sparse.fun = objective if isinstance(objective, Objective) else sparse.fun  # f(x) from the optimizer's call
        if name in NEEDS_MATRIX:
            return _dense(sparse), None
        return sparse, None
    if name in NEEDS_PRODUCTS or (name == "newton-cg" and hess is not None):
        gradient = jac if callable(jac) else gradient_of(f, bounds=bounds, **extra)
        return None, hessp_of(None, gradient=gradient, bounds=bounds, **options)
    if name in NEEDS_MATRIX or (hess is not None and name == "trust-constr"):
        if analytic:
            return hessian_of(None, gradient=jac, bounds=bounds, **options), None
        return hessian_of(f, bounds=bounds, **options), None
    return hess, hessp  # Newton-CG: scipy's own products of the gradient; trust-constr: its quasi-Newton update


def _dense(hessian: Hessian) -> Any:
    """The sparse Hessian as a dense array, for the methods that factor the matrix."""
    @functools.wraps(hessian)
    def dense(x: Any, *args: Any) -> Any:
        return hessian(x, *args).toarray()
    return dense


def least_squares(fun: Any, x0: Any, jac: Any = "2-point", bounds: Any = (-np.inf, np.inf), method: str = "trf",
                  *, diff_step: Any = None, jac_sparsity: Any = None, args: tuple[Any, ...] = (),
                  kwargs: dict[str, Any] | None = None, diff_options: dict[str, Any] | None = None,
                  **options: Any) -> Any:
    """``scipy.optimize.least_squares`` with fastgd's Jacobian where scipy would take finite differences.

    ``jac`` ``'2-point'`` (scipy's default), ``'3-point'`` or ``'cs'`` becomes fastgd's Jacobian by the same
    scheme, within ``bounds`` (never evaluating ``fun`` outside them), with scipy's ``diff_step``, taking
    ``fun(x)`` from the optimizer's last call (so forward differences cost ``n`` calls, one per column group
    with ``jac_sparsity``, as scipy's do); ``jac_sparsity`` is grouped once (:class:`fastgd.SparseJacobian`). A
    callable ``jac`` is passed through. Every other argument is scipy's, passed through (``kwargs`` bound to
    ``fun`` here); ``diff_options`` takes fastgd's (``h``, ``threads``, ``vectorized``, ``chunk_size``,
    ``workers``).

    Returns
    -------
    scipy.optimize.OptimizeResult
        scipy's result.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from fastgd import optimize
    >>> def broyden(x):  # scipy's docs
    ...     f = (3 - x) * x + 1
    ...     f[1:] -= x[:-1]
    ...     f[:-1] -= 2 * x[1:]
    ...     return f
    >>> n = 10000
    >>> pattern = sp.diags_array([1.0, 1.0, 1.0], offsets=[-1, 0, 1], shape=(n, n))
    >>> seen = []
    >>> def F(x):
    ...     seen.append(x.min())
    ...     return broyden(x)
    >>> result = optimize.least_squares(F, -np.ones(n), jac_sparsity=pattern, bounds=(-2, -0.1))
    >>> bool(result.cost < 1e-20), result.njev, len(seen), bool(min(seen) >= -2)  # 3 groups, F(x) shared
    (True, 7, 28, True)
    """
    optimize = _scipy_optimize()
    if kwargs:
        fun = functools.partial(fun, **kwargs)
        if callable(jac):
            jac = functools.partial(jac, **kwargs)
    extra = dict(diff_options or {})
    if callable(jac):
        objective: Any = Objective(fun)
    else:
        if diff_step is not None:
            extra["rel_step"] = diff_step
        scheme = _scheme(jac, "jac")
        jacobian = jacobian_of(fun, method=scheme, sparsity=jac_sparsity,
                               bounds=bounds if _bounded(bounds) else None, **extra)
        objective, jac = jacobian.fun, jacobian
    if jac_sparsity is not None and "tr_solver" not in options and method != "lm":
        options["tr_solver"] = "lsmr"  # as scipy picks for a sparse Jacobian
    return optimize.least_squares(objective, x0, jac=jac, bounds=bounds, method=method, args=args, **options)


def _bounded(bounds: Any) -> bool:
    """Whether least_squares' ``bounds`` bound anything."""
    if hasattr(bounds, "lb") and hasattr(bounds, "ub"):
        lower, upper = bounds.lb, bounds.ub
    else:
        lower, upper = bounds
    return bool(np.any(np.asarray(lower, dtype=float) > -np.inf) or np.any(np.asarray(upper, dtype=float) < np.inf))


def minpack_steps(x: Any, row: Any, rel_step: Any = None, abs_step: Any = None) -> Any:
    """MINPACK's forward steps (``fdjac1``/``fdjac2``): ``sqrt(eps) * |x|``, ``sqrt(eps)`` where ``x`` is 0
    (``rel_step``: another fraction, MINPACK's ``sqrt(max(epsfcn, eps))``)."""
    flat = np.asarray(x, dtype=np.float64).reshape(-1)
    fraction = EPS ** 0.5 if rel_step is None else rel_step
    steps = fraction * np.abs(flat)
    steps = np.where(steps == 0, fraction, steps)
    return steps if abs_step is None else np.broadcast_to(np.asarray(abs_step, dtype=np.float64), flat.shape)


class MinpackJacobian(Jacobian):
    """:class:`fastgd.diff.scipy_adapters.Jacobian` at MINPACK's steps (:func:`minpack_steps`), for ``root``."""

    def rule(self, x: Any, row: Any, rel_step: Any, abs_step: Any) -> Any:
        """MINPACK's steps (:func:`minpack_steps`)."""
        return minpack_steps(x, row, rel_step, abs_step)


def root(fun: Any, x0: Any, args: tuple[Any, ...] = (), method: str = "hybr", jac: Any = None,
         tol: float | None = None, callback: Any = None, options: dict[str, Any] | None = None, *,
         diff_options: dict[str, Any] | None = None) -> Any:
    """``scipy.optimize.root`` with fastgd's Jacobian where MINPACK would take its own finite differences.

    For ``method='hybr'`` and ``'lm'`` with ``jac`` None or False: forward differences at scipy's steps (or
    MINPACK's ``eps``/``epsfcn`` option, ``sqrt(eps)`` relative), taking ``fun(x)`` from the optimizer's last
    call -- ``n`` calls per Jacobian, MINPACK's count. A callable ``jac`` (or ``jac=True``) and the other
    methods (which take no Jacobian) are passed through.

    Returns
    -------
    scipy.optimize.OptimizeResult
        scipy's result.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import optimize
    >>> def fun(x):  # scipy's docs
    ...     return [x[0] + 0.5 * (x[0] - x[1]) ** 3 - 1.0, 0.5 * (x[1] - x[0]) ** 3 + x[1]]
    >>> np.round(optimize.root(fun, [0, 0]).x, 7)
    array([0.8411639, 0.1588361])
    """
    optimize = _scipy_optimize()
    extra = dict(diff_options or {})
    objective: Any = fun
    if method in ("hybr", "lm") and (jac is None or jac is False):
        step = (options or {}).get("eps" if method == "hybr" else "epsfcn")
        if step is not None and "h" not in extra and "rel_step" not in extra:
            extra["rel_step"] = float(np.sqrt(max(float(step), EPS)))
        jacobian = MinpackJacobian(fun, {"method": "forward", **extra})
        objective, jac = jacobian.fun, jacobian
    elif jac is not True:
        objective = Objective(fun)
    return optimize.root(objective, x0, args=args, method=method, jac=jac, tol=tol, callback=callback,
                         options=options)
