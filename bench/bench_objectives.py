"""Objectives outside the interpreter: C-level f, vectorized f, parallel workers, vs the numpy reference.

Run: ``pytest bench/bench_objectives.py --benchmark-json=results.json`` (needs
``pip install ".[parallel]"``), then ``python bench/report.py results.json``.
"""
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import fastgd
from fastgd import reference
from fastgd.reference.examples import function_2, sum_squares

numba = pytest.importorskip("numba")
DOUBLE_P = numba.types.CPointer(numba.types.float64)


def slow_sum_squares(x):
    """An expensive objective: sleeps 2 ms. Module level, so a process pool can pickle it."""
    time.sleep(0.002)
    return float(np.sum(x**2))


@numba.cfunc(numba.types.float64(numba.types.intc, DOUBLE_P, numba.types.voidptr))
def c_sum_squares(n, x, user_data):
    a = numba.carray(x, n)
    s = 0.0
    for i in range(n):
        s += a[i] * a[i]
    return s


@numba.cfunc(numba.types.float64(numba.types.intc, DOUBLE_P, numba.types.voidptr))
def c_function_2(n, x, user_data):
    return x[0] * x[0] + x[1] * x[1]


@pytest.mark.parametrize("n", [100, 1000])
@pytest.mark.parametrize("name, threads", [("reference", 1), ("fastgd, Python f", 1),
                                           ("fastgd, numba cfunc, 1 thread", 1), ("fastgd, numba cfunc, 2 threads", 2)])
def test_c_objective(benchmark, name, threads, n):
    benchmark.group = f"numerical_gradient, sum of squares, n={n}"
    x = np.linspace(-1, 1, n)
    if name == "reference":
        benchmark(reference.numerical_gradient, sum_squares, x)
    elif name == "fastgd, Python f":
        benchmark(fastgd.numerical_gradient, sum_squares, x)
    else:
        benchmark(fastgd.numerical_gradient, c_sum_squares, x, threads=threads)


@pytest.mark.parametrize("name", ["reference", "fastgd, Python f", "fastgd, numba cfunc"])
def test_c_descent(benchmark, name):
    benchmark.group = "gradient_descent, x0**2 + x1**2, lr=0.1, 100 steps"
    f = c_function_2 if name == "fastgd, numba cfunc" else function_2
    descend = reference.gradient_descent if name == "reference" else fastgd.gradient_descent
    benchmark(lambda: descend(f, np.array([-3.0, 4.0]), lr=0.1, step_num=100))


@pytest.mark.parametrize("name", ["reference", "fastgd", "fastgd, vectorized"])
def test_vectorized(benchmark, name):
    benchmark.group = "numerical_gradient, np.sum(x**2), n=1000, vectorized"
    x = np.linspace(-1, 1, 1000)
    if name == "fastgd, vectorized":
        benchmark(fastgd.numerical_gradient, lambda X: np.sum(X**2, axis=1), x, vectorized=True)
    else:
        benchmark((reference if name == "reference" else fastgd).numerical_gradient, sum_squares, x)


@pytest.mark.parametrize("name", ["fastgd, serial", "fastgd, workers=2 (process pool)",
                                  "fastgd, ThreadPoolExecutor(2)"])
def test_workers(benchmark, name):
    benchmark.group = "numerical_gradient, f sleeps 2 ms, n=64"
    x = np.linspace(-1, 1, 64)
    f = slow_sum_squares
    if name == "fastgd, serial":
        benchmark.pedantic(fastgd.numerical_gradient, (f, x), rounds=3)
    elif name.startswith("fastgd, workers"):
        fastgd.numerical_gradient(f, x, workers=2)  # start the pool outside the timing
        benchmark.pedantic(fastgd.numerical_gradient, (f, x), {"workers": 2}, rounds=3)
    else:
        with ThreadPoolExecutor(2) as pool:
            benchmark.pedantic(fastgd.numerical_gradient, (f, x), {"workers": pool}, rounds=3)
