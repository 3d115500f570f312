"""Jacobians, Hessians and sparse Jacobians: fastgd vs the numpy reference, scipy and numdifftools.

Run: ``pytest bench/bench_jacobian.py --benchmark-json=results.json`` (needs
``pip install ".[bench,peers,parallel]"``), then ``python bench/report.py results.json``. The issue's
ratios, measured interleaved, come from ``python bench/jacobian_targets.py``.
"""
import pytest

pytest.importorskip("scipy")
import jacobian_cases as cases  # noqa: E402

SLOW = ("numdifftools", "scipy.differentiate.hessian", "reference", "scipy 3-point of 3-point")


def run(benchmark, call, name):
    """Time ``call``; the slow peers take seconds a call: a few rounds of one call."""
    if any(name.startswith(slow) for slow in SLOW):
        benchmark.pedantic(call, rounds=3, iterations=1)
    else:
        benchmark(call)


@pytest.mark.parametrize("name", list(cases.dense_jacobian_cases()))
def test_dense_jacobian(benchmark, name):
    benchmark.group = "jacobian, F = x * sum(x), n = m = 100"
    run(benchmark, cases.dense_jacobian_cases()[name], name)


@pytest.mark.parametrize("name", list(cases.hessian_cases()))
def test_hessian(benchmark, name):
    benchmark.group = "hessian, f = sum(x**2), n = 100"
    run(benchmark, cases.hessian_cases()[name], name)


@pytest.mark.parametrize("name", list(cases.c_hessian_cases()))
def test_c_hessian(benchmark, name):
    pytest.importorskip("numba")
    benchmark.group = "hessian, C-level sum(x**2), n = 100"
    run(benchmark, cases.c_hessian_cases()[name], name)


@pytest.mark.parametrize("n", [10**4, 10**5])
@pytest.mark.parametrize("name", list(cases.sparse_cases(10)))
def test_sparse_jacobian(benchmark, name, n):
    benchmark.group = f"sparse jacobian, tridiagonal Broyden, n={n}"
    run(benchmark, cases.sparse_cases(n)[name], name)


@pytest.mark.parametrize("n", [10**4, 10**5, 10**6])
@pytest.mark.parametrize("name", list(cases.coloring_cases(10)))
def test_coloring(benchmark, name, n):
    benchmark.group = f"column groups, tridiagonal, n={n}"
    run(benchmark, cases.coloring_cases(n)[name], name)


@pytest.mark.parametrize("n", [5, 30])
@pytest.mark.parametrize("name", list(cases.minimize_cases(5)))
def test_minimize(benchmark, name, n):
    benchmark.group = f"scipy.optimize.minimize(rosen, method='BFGS'), n={n}"
    run(benchmark, cases.minimize_cases(n)[name], name)


@pytest.mark.parametrize("n", [10**4])
@pytest.mark.parametrize("name", list(cases.least_squares_cases(10)))
def test_least_squares(benchmark, name, n):
    benchmark.group = f"scipy.optimize.least_squares(broyden), sparse Jacobian, n={n}"
    run(benchmark, cases.least_squares_cases(n)[name], name)
