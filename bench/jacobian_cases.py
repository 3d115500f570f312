"""The functions, points and peers of the Jacobian, Hessian and sparse-Jacobian benchmarks
(``bench_jacobian.py`` times them with pytest-benchmark; ``jacobian_targets.py`` measures the issue's
ratios interleaved). Each case maps an implementation's name to a no-argument call.
"""
from collections import deque
from itertools import repeat

import numpy as np

import fastgd
from fastgd import reference
from fastgd.reference.analytic import broyden

N = 100  # the dense Jacobian's and the Hessian's size


def x_sum(x):
    """F = x * sum(x), n = m = 100: the issue's dense Jacobian."""
    return x * np.sum(x)


def x_sum_rows(X):
    """``x_sum`` on stacked points (rows)."""
    return X * np.sum(X, axis=-1, keepdims=True)


def x_sum_exact(x):
    return np.sum(x) * np.eye(x.size) + x[:, None]


def sum_squares(x):
    """sum(x**2): the issue's Hessian."""
    return np.sum(x**2)


def tridiagonal(n):
    import scipy.sparse as sp

    return sp.diags_array([1.0, 1.0, 1.0], offsets=[-1, 0, 1], shape=(n, n), format="csr")


def calls_only(f, x, count):
    """The floor: ``count`` calls of ``f`` at ``x``, from a C-level loop, results dropped."""
    return lambda: deque(map(f, repeat(x, count)), maxlen=0)


def dense_point():
    return np.random.default_rng(0).uniform(0.5, 1.5, N)


def dense_jacobian_cases():
    """name -> call, for the Jacobian of ``x_sum`` at n = m = 100."""
    from scipy.optimize._numdiff import approx_derivative

    x = dense_point()
    cases = {
        "fastgd": lambda: fastgd.jacobian(x_sum, x),
        "fastgd vectorized": lambda: fastgd.jacobian(x_sum_rows, x, vectorized=True),
        "F calls only (2n)": calls_only(x_sum, x, 2 * N),
        "reference": lambda: reference.jacobian(x_sum, x),
        "scipy approx_derivative 3-point": lambda: approx_derivative(x_sum, x, method="3-point"),
    }
    differentiate, numdifftools = _peers()
    if differentiate is not None:
        cases["scipy.differentiate.jacobian"] = lambda: differentiate.jacobian(lambda X: X * np.sum(X, axis=0), x).df
    if numdifftools is not None:
        cases["numdifftools Jacobian"] = lambda: numdifftools.Jacobian(x_sum)(x)
    return cases


def _peers():
    """``scipy.differentiate`` (scipy >= 1.15) and numdifftools, or None for each one not installed."""
    try:
        from scipy import differentiate
    except ImportError:
        differentiate = None
    try:
        import numdifftools
    except ImportError:
        numdifftools = None
    return differentiate, numdifftools


def hessian_cases():
    """name -> call, for the Hessian of ``sum_squares`` at n = 100."""
    from scipy.optimize._numdiff import approx_derivative

    x = dense_point()
    cases = {
        "fastgd": lambda: fastgd.hessian(sum_squares, x),
        "fastgd richardson": lambda: fastgd.hessian(sum_squares, x, method="richardson"),
        "f calls only (2n(n+1))": calls_only(sum_squares, x, 2 * N * (N + 1)),
        "f calls only (fastgd's 2n**2 + 1)": calls_only(sum_squares, x, 2 * N * N + 1),
        "reference": lambda: reference.hessian(sum_squares, x),
        "scipy 3-point of 3-point": lambda: approx_derivative(
            lambda y: approx_derivative(sum_squares, y, method="3-point"), x, method="3-point"),
    }
    differentiate, numdifftools = _peers()
    if differentiate is not None:
        cases["scipy.differentiate.hessian"] = lambda: differentiate.hessian(lambda X: np.sum(X**2, axis=0), x).ddf
    if numdifftools is not None:
        cases["numdifftools Hessian"] = lambda: numdifftools.Hessian(sum_squares)(x)
    return cases


def c_hessian_cases():
    """name -> call: the C-level Hessian of sum(x**2) at n = 100, and numdifftools on the same function in Python."""
    from bench_objectives import c_sum_squares as f  # sum(x**2), a numba @cfunc

    x = dense_point()
    cases = {"fastgd, numba cfunc, 1 thread": lambda: fastgd.hessian(f, x, threads=1),
             "fastgd, numba cfunc, 2 threads": lambda: fastgd.hessian(f, x, threads=2)}
    numdifftools = _peers()[1]
    if numdifftools is not None:
        cases["numdifftools Hessian, Python f"] = lambda: numdifftools.Hessian(sum_squares)(x)
    return cases


def sparse_cases(n):
    """name -> call: the tridiagonal Broyden Jacobian at n, a plan reused, scipy with (pattern, groups)."""
    from scipy.optimize._numdiff import approx_derivative, group_columns

    x = np.full(n, -1.0)
    pattern = tridiagonal(n)
    plan = fastgd.SparseJacobian(pattern)
    groups = group_columns(pattern)

    def six_calls():  # the plan's 2 * colors evaluations of F, results dropped one by one
        for _ in range(2 * plan.colors):
            broyden(x)
    return {
        "fastgd, plan reused": lambda: plan.jacobian(broyden, x),
        "F calls only (2 colors)": six_calls,
        "scipy approx_derivative(sparsity=(pattern, groups))":
            lambda: approx_derivative(broyden, x, sparsity=(pattern, groups)),
    }


def coloring_cases(n):
    """name -> call: grouping the columns of a tridiagonal pattern at n."""
    from scipy.optimize._numdiff import group_columns

    pattern = tridiagonal(n)
    return {"fastgd color_columns": lambda: fastgd.color_columns(pattern),
            "fastgd SparseJacobian (coloring and plan)": lambda: fastgd.SparseJacobian(pattern),
            "scipy group_columns (default order)": lambda: group_columns(pattern)}


def minimize_cases(n):
    """name -> call: BFGS on the Rosenbrock function from scipy's documented start (n = 5) or a longer one."""
    from scipy.optimize import minimize, rosen, rosen_der

    x0 = np.array([1.3, 0.7, 0.8, 1.9, 1.2]) if n == 5 else np.tile([1.3, 0.7], n // 2)
    gradient = fastgd.gradient_of(rosen)
    return {"jac=fastgd.gradient_of(rosen)": lambda: minimize(rosen, x0, method="BFGS", jac=gradient),
            "jac=rosen_der (analytic)": lambda: minimize(rosen, x0, method="BFGS", jac=rosen_der),
            "scipy's finite differences (jac=None, 2-point)": lambda: minimize(rosen, x0, method="BFGS"),
            "scipy's finite differences (jac='3-point')": lambda: minimize(rosen, x0, method="BFGS", jac="3-point")}


def least_squares_cases(n):
    """name -> call: least_squares on the tridiagonal Broyden function, its Jacobian sparse."""
    from scipy.optimize import least_squares

    x0, pattern = -np.ones(n), tridiagonal(n)
    jac = fastgd.jacobian_of(broyden, sparsity=pattern)
    options = {"method": "trf", "tr_solver": "lsmr"}
    return {"jac=fastgd.jacobian_of(broyden, sparsity=pattern)":
            lambda: least_squares(broyden, x0, jac=jac, **options),
            "scipy, jac_sparsity=pattern (2-point)":
            lambda: least_squares(broyden, x0, jac_sparsity=pattern, **options),
            "scipy, jac_sparsity=pattern, jac='3-point'":
            lambda: least_squares(broyden, x0, jac="3-point", jac_sparsity=pattern, **options)}
