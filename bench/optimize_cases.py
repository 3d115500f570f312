"""The workflows of issue 19: scipy's own test problems and docs' examples, run through scipy.optimize with
scipy's finite differences, with analytic derivatives and with fastgd's (``fastgd.optimize``), every call of
``f`` counted and checked against the bounds.

Each workflow is a :class:`Workflow`: a problem (``f``, ``x0``, bounds, the exact solution) and how to run it
through scipy (``run(f, derivatives)``, ``derivatives`` one of ``"scipy"`` -- scipy's finite differences --,
``"analytic"``, ``"fastgd"``). :func:`measure` runs one and reports the calls of ``f`` (and of an analytic
gradient), the evaluations outside the bounds, the final error and the time. ``bench_optimize.py`` times
them and prints the table.
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
from optimize_problems import (  # noqa: E402, F401  # the problems (beside the tests), re-exported for the bench
    broyden_bounds,
    broyden_dense_jacobian,
    broyden_tridiagonal,
    broyden_tridiagonal_jac,
    entropy,
    entropy_der,
    fun_bvp,
    fun_bvp_jacobian,
    himmelblau,
    himmelblau_der,
    pressure_network,
    pressure_network_jacobian,
    rosen_hess_sparse,
    rosen_terms,
    rosen_terms_pattern,
    tnc_f1,
    tnc_f4,
    tnc_f5,
    tnc_f38,
    tnc_f45,
    tnc_g1,
    tnc_g4,
    tnc_g5,
    tnc_g38,
    tnc_g45,
    tridiagonal,
)

# --- counting ---------------------------------------------------------------------------------------------


class Counted:
    """``f`` counting its calls and the points outside ``[lb, ub]`` (flat)."""

    def __init__(self, f: Callable[..., Any], lb: Any = None, ub: Any = None) -> None:
        self.f, self.lb, self.ub = f, lb, ub
        self.calls = 0
        self.outside = 0

    def __call__(self, x: Any, *args: Any) -> Any:
        self.calls += 1
        if self.lb is not None:
            flat = np.asarray(x).reshape(-1)
            if np.any(flat < self.lb) or np.any(flat > self.ub):
                self.outside += 1
        return self.f(x, *args)


@dataclass
class Workflow:
    """A problem and how scipy runs it: ``run(f, derivatives)`` -> scipy's result, ``f`` a :class:`Counted`."""

    name: str
    kind: str  # "minimize", "least_squares" or "root"
    f: Callable[..., Any]
    run: Callable[[Counted, str], Any]
    error: Callable[[Any], float]  # the final error of scipy's result
    lb: Any = None
    ub: Any = None
    gradient: Callable[..., Any] | None = None  # the analytic derivative, counted apart
    baseline: str = "scipy"  # what fastgd's calls are held to
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Measured:
    name: str
    derivatives: str
    calls: int
    gradient_calls: int
    outside: int
    error: float
    seconds: float
    success: bool
    message: str


def measure(workflow: Workflow, derivatives: str) -> Measured:
    """One run of ``workflow`` with ``derivatives``: the calls of ``f`` (and of an analytic derivative), the
    evaluations outside the bounds, the final error, the time."""
    f = Counted(workflow.f, workflow.lb, workflow.ub)
    counted_gradient = Counted(workflow.gradient) if workflow.gradient is not None else None
    workflow.extra["gradient"] = counted_gradient
    start = time.perf_counter()
    try:
        result = workflow.run(f, derivatives)
    except Exception as exc:  # scipy's own finite differences refuse some starts (x0 outside the bounds)
        return Measured(workflow.name, derivatives, f.calls, 0, f.outside, np.nan, time.perf_counter() - start,
                        False, f"{type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - start
    return Measured(workflow.name, derivatives, f.calls, 0 if counted_gradient is None else counted_gradient.calls,
                    f.outside, workflow.error(result), seconds, bool(getattr(result, "success", True)),
                    str(getattr(result, "message", "")))


# --- the workflows ------------------------------------------------------------------------------------------


def _minimize_workflow(name: str, f: Callable[..., Any], g: Callable[..., Any], x0: Any, solution: Any,
                       method: str, bounds: Any = None, options: dict[str, Any] | None = None) -> Workflow:
    from scipy.optimize import minimize

    import fastgd.optimize

    lb = ub = None
    if bounds is not None:
        lb = np.array([-np.inf if lo is None else lo for lo, _ in bounds], dtype=float)
        ub = np.array([np.inf if hi is None else hi for _, hi in bounds], dtype=float)
    solution = np.asarray(solution, dtype=float)
    scale = max(1.0, float(np.max(np.abs(solution))))

    def run(counted: Counted, derivatives: str) -> Any:
        kwargs = {"method": method, "bounds": bounds, "options": options}
        if derivatives == "scipy":  # scipy's own finite differences, as minimize takes them by default
            return minimize(counted, x0, **kwargs)
        if derivatives == "scipy 3-point":
            return minimize(counted, x0, jac="3-point", **kwargs)
        if derivatives == "analytic":
            return minimize(counted, x0, jac=workflow.extra["gradient"], **kwargs)
        return fastgd.optimize.minimize(counted, x0, **kwargs)

    workflow = Workflow(name, "minimize", f, run, lambda r: float(np.max(np.abs(r.x - solution))) / scale, lb, ub, g)
    return workflow


def minimize_workflows() -> list[Workflow]:
    from scipy.optimize import rosen, rosen_der

    return [
        _minimize_workflow("Rosenbrock n=5 BFGS", rosen, rosen_der, np.array([1.3, 0.7, 0.8, 1.9, 1.2]), np.ones(5),
                           "BFGS"),
        _minimize_workflow("Rosenbrock n=5 L-BFGS-B", rosen, rosen_der, np.array([1.3, 0.7, 0.8, 1.9, 1.2]),
                           np.ones(5), "L-BFGS-B"),
        _minimize_workflow("Himmelblau BFGS", himmelblau, himmelblau_der, np.array([0.0, 0.0]), [3.0, 2.0], "BFGS"),
        _minimize_workflow("entropy L-BFGS-B", entropy, entropy_der, np.array([1e-5, 3.0]), [1.0, 1.0], "L-BFGS-B",
                           [(0, None)] * 2),
        _minimize_workflow("test_tnc f1 TNC", tnc_f1, tnc_g1, np.array([-2.0, 1.0]), [1.0, 1.0], "TNC",
                           [(-np.inf, None), (-1.5, None)], {"maxfun": 200}),
        _minimize_workflow("test_tnc f4 TNC", tnc_f4, tnc_g4, np.array([1.125, 0.125]), [1.0, 0.0], "TNC",
                           [(1, None), (0, None)], {"maxfun": 200}),
        _minimize_workflow("test_tnc f4 L-BFGS-B", tnc_f4, tnc_g4, np.array([1.125, 0.125]), [1.0, 0.0], "L-BFGS-B",
                           [(1, None), (0, None)]),
        _minimize_workflow("test_tnc f5 TNC", tnc_f5, tnc_g5, np.array([0.0, 0.0]),
                           [-0.54719755119659763, -1.5471975511965976], "TNC", [(-1.5, 4), (-3, 3)], {"maxfun": 200}),
        _minimize_workflow("test_tnc f5 L-BFGS-B", tnc_f5, tnc_g5, np.array([0.0, 0.0]),
                           [-0.54719755119659763, -1.5471975511965976], "L-BFGS-B", [(-1.5, 4), (-3, 3)]),
        _minimize_workflow("test_tnc f38 TNC", tnc_f38, tnc_g38, np.array([-3.0, -1.0, -3.0, -1.0]), np.ones(4),
                           "TNC", [(-10, 10)] * 4, {"maxfun": 200}),
        _minimize_workflow("test_tnc f45 TNC", tnc_f45, tnc_g45, np.full(5, 2.0), [1.0, 2.0, 3.0, 4.0, 5.0], "TNC",
                           [(0, 1), (0, 2), (0, 3), (0, 4), (0, 5)], {"maxfun": 200}),
        _minimize_workflow("test_tnc f45 L-BFGS-B", tnc_f45, tnc_g45, np.full(5, 2.0), [1.0, 2.0, 3.0, 4.0, 5.0],
                           "L-BFGS-B", [(0, 1), (0, 2), (0, 3), (0, 4), (0, 5)]),
    ]


def _least_squares_workflow(name: str, n: int, bounded: bool) -> Workflow:
    from scipy.optimize import least_squares

    import fastgd.optimize

    pattern = tridiagonal(n)
    if bounded:
        x0, lb, ub = broyden_bounds(n)
        bounds: Any = (lb, ub)
    else:
        x0, lb, ub, bounds = -np.ones(n), None, None, (-np.inf, np.inf)

    def run(counted: Counted, derivatives: str) -> Any:
        kwargs = {"bounds": bounds, "tr_solver": "lsmr"}
        if derivatives == "scipy":
            return least_squares(counted, x0, jac_sparsity=pattern, **kwargs)
        if derivatives == "scipy 3-point":
            return least_squares(counted, x0, jac="3-point", jac_sparsity=pattern, **kwargs)
        if derivatives == "analytic":
            return least_squares(counted, x0, jac=workflow.extra["gradient"], **kwargs)
        return fastgd.optimize.least_squares(counted, x0, jac_sparsity=pattern, **kwargs)

    def error(result: Any) -> float:
        """scipy's first-order optimality, from the exact Jacobian: the gradient scaled by the distance to the
        bounds (Coleman-Li), 0 at a bounded minimum."""
        from scipy.optimize._lsq.common import CL_scaling_vector

        gradient = broyden_tridiagonal_jac(result.x).T @ broyden_tridiagonal(result.x)
        if lb is None:
            return float(np.max(np.abs(gradient)))
        v, _ = CL_scaling_vector(result.x, gradient, lb, ub)
        return float(np.max(np.abs(gradient * v)))

    workflow = Workflow(name, "least_squares", broyden_tridiagonal, run, error, lb, ub, broyden_tridiagonal_jac)
    return workflow


def least_squares_workflows(sizes: tuple[int, ...] = (10_000, 100_000)) -> list[Workflow]:
    flows = [_least_squares_workflow(f"Broyden docs n={sizes[-1]:.0e}", sizes[-1], False)]
    flows += [_least_squares_workflow(f"BroydenTridiagonal bounds n={n:.0e}", n, True) for n in sizes]
    return flows


def _root_workflow(name: str, f: Callable[..., Any], jac: Callable[..., Any], x0: Any, args: tuple[Any, ...],
                   solution: Any, method: str = "hybr") -> Workflow:
    from scipy.optimize import root

    import fastgd.optimize

    def run(counted: Counted, derivatives: str) -> Any:
        if derivatives == "scipy":
            return root(counted, x0, args=args, method=method)
        if derivatives == "analytic":
            return root(counted, x0, args=args, method=method, jac=workflow.extra["gradient"])
        return fastgd.optimize.root(counted, x0, args=args, method=method)

    def error(result: Any) -> float:
        if solution is not None:
            return float(np.max(np.abs(result.x - solution)))
        return float(np.max(np.abs(f(result.x, *args))))  # the residual

    workflow = Workflow(name, "root", f, run, error, gradient=jac)
    return workflow


def root_workflows() -> list[Workflow]:
    k = np.full(4, 0.5)
    return [
        _root_workflow("pressure_network hybr", pressure_network, pressure_network_jacobian,
                       np.array([2.0, 0.0, 2.0, 0.0]), (4, k), np.ones(4)),
        _root_workflow("pressure_network lm", pressure_network, pressure_network_jacobian,
                       np.array([2.0, 0.0, 2.0, 0.0]), (4, k), np.ones(4), "lm"),
        _root_workflow("Broyden n=100 hybr", broyden_tridiagonal, broyden_dense_jacobian, -np.ones(100), (), None),
        _root_workflow("fun_bvp n=100 hybr", fun_bvp, fun_bvp_jacobian, np.ones(100), (), None),
    ]


def all_workflows(sizes: tuple[int, ...] = (10_000, 100_000)) -> list[Workflow]:
    return minimize_workflows() + least_squares_workflows(sizes) + root_workflows()
