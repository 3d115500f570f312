"""numerical_gradient and gradient_descent: fastgd vs the numpy reference vs scipy.

Run: ``pytest bench/bench_gradient.py --benchmark-json=bench/results.json``, then
``python bench/report.py bench/results.json`` for the table in RESULTS.md.
"""
from collections import deque
from itertools import repeat

import numpy as np
import pytest

import fastgd
from fastgd import reference
from fastgd.reference.examples import function_2, nothing, sum_squares

optimize = pytest.importorskip("scipy.optimize")
numdiff = pytest.importorskip("scipy.optimize._numdiff")  # approx_derivative is not re-exported

H = 1e-4


def call_2n_times(f, x):
    """The floor: the 2n calls of ``f`` alone, from a C-level loop."""
    deque(map(f, repeat(x, 2 * x.size)), maxlen=0)


def scipy_approx_fprime(f, x):
    return optimize.approx_fprime(x, f, H)


def scipy_approx_derivative(f, x):
    return numdiff.approx_derivative(f, x, method="3-point", abs_step=H)


GRADIENTS = {
    "fastgd": fastgd.numerical_gradient,
    "reference": reference.numerical_gradient,
    "scipy approx_fprime": scipy_approx_fprime,
    "scipy approx_derivative 3-point": scipy_approx_derivative,
}


@pytest.mark.parametrize("name", [*GRADIENTS, "f calls only"])
def test_do_nothing_f(benchmark, name):
    benchmark.group = "numerical_gradient, do-nothing f, n=100"
    x = np.linspace(-1, 1, 100)
    benchmark(call_2n_times if name == "f calls only" else GRADIENTS[name], nothing, x)


@pytest.mark.parametrize("name", GRADIENTS)
def test_function_2(benchmark, name):
    benchmark.group = "numerical_gradient, x0**2 + x1**2, n=2"
    benchmark(GRADIENTS[name], function_2, np.array([3.0, 4.0]))


@pytest.mark.parametrize("n", [2, 100, 1000, 10000])
@pytest.mark.parametrize("name", GRADIENTS)
def test_np_sum_squares(benchmark, name, n):
    benchmark.group = f"numerical_gradient, np.sum(x**2), n={n}"
    benchmark(GRADIENTS[name], sum_squares, np.linspace(-1, 1, n))


@pytest.mark.parametrize("name", ["fastgd", "reference"])
def test_simple_net(benchmark, name, simple_net_loss):
    benchmark.group = "numerical_gradient, 2x3 softmax/cross-entropy net"
    f, W = simple_net_loss
    benchmark(GRADIENTS[name], f, W)


@pytest.mark.parametrize("name", ["fastgd", "reference", "f calls only"])
def test_gradient_descent(benchmark, name):
    """100 steps call f 400 times: "f calls only" is the ceiling any Python-f loop can reach."""
    benchmark.group = "gradient_descent, x0**2 + x1**2, lr=0.1, 100 steps"
    if name == "f calls only":
        benchmark(lambda: call_2n_times(function_2, np.zeros(200)))  # 400 calls
        return
    descend = {"fastgd": fastgd.gradient_descent, "reference": reference.gradient_descent}[name]
    benchmark(lambda: descend(function_2, np.array([-3.0, 4.0]), lr=0.1, step_num=100))


# --- the small calls beside their floors (the ratios of bench/gradient_targets.py) ------------------

import gradient_targets as targets  # noqa: E402


@pytest.mark.parametrize("name", ["fastgd", "floor"])
@pytest.mark.parametrize("case", list(targets.cases()))
def test_small_call_beside_its_floor(benchmark, case, name):
    """Each small call of the derivatives and its floor in one group: a microsecond more shows as a ratio
    (``python bench/gradient_targets.py`` prints the ratios, timed interleaved)."""
    fast, floor, _, unit = targets.cases()[case]
    benchmark.group = f"{case}: fastgd and its floor ({unit.split('(')[0].strip()})"
    benchmark(fast if name == "fastgd" else floor)
