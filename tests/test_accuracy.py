"""Accuracy against analytic gradients at scales 1e-8 ... 1e12, and the honesty of the error estimates."""
import numpy as np
import pytest

import fastgd
from fastgd.diff._core.schemes import SCHEMES
from fastgd.reference.analytic import SUITE, point, relative_error

pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered in log")  # x log x, tried below 0

CASES = [(name, scale) for name, function in SUITE.items() for scale in function.scales()]
SIZES = [10, 100]


def run(name, scale, n, method, **kwargs):
    function = SUITE[name]
    x = point(function, scale, n)
    return x, function.gradient(x), fastgd.numerical_gradient(function, x, "auto", method=method, **kwargs)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("name, scale", CASES)
def test_auto_central_within_twice_scipy_3_point(name, scale, n):
    numdiff = pytest.importorskip("scipy.optimize._numdiff")
    x, exact, grad = run(name, scale, n, "central")
    peer = numdiff.approx_derivative(SUITE[name], x, method="3-point")
    with np.errstate(invalid="ignore"):
        ours, theirs = relative_error(grad, exact).max(), relative_error(peer, exact).max()
    assert ours <= 2 * theirs or ours <= 1e-12 or np.isnan(theirs), (ours, theirs)


@pytest.mark.parametrize("n", [1, 10, 100, 1000])
def test_auto_central_on_cubes_at_1e_minus_8(n):
    x, exact, grad = run("cubes", 1e-8, n, "central")
    assert relative_error(grad, exact).max() <= 1e-8
    textbook = fastgd.numerical_gradient(SUITE["cubes"], x)
    assert relative_error(textbook, exact).max() > 1e6  # the fixed step this replaces


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("name, scale", CASES)
def test_complex_step_is_exact_to_rounding(name, scale, n):
    x, exact, grad = run(name, scale, n, "complex")
    assert relative_error(grad, exact).max() <= 1e-14


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("name, scale", [case for case in CASES if SUITE[case[0]].well_conditioned(case[1])])
def test_richardson_reaches_2e_minus_9(name, scale, n):
    x, exact, grad = run(name, scale, n, "richardson")
    assert relative_error(grad, exact).max() <= 2e-9


@pytest.mark.parametrize("method", list(SCHEMES))
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("name, scale", CASES)
def test_error_estimates_bound_the_real_error(method, name, scale, n):
    x, exact, (grad, info) = run(name, scale, n, method, full_output=True)
    real = np.abs(grad - exact)
    matters = real > 1e-10 * np.abs(exact)
    assert np.all(real[matters] <= info.error[matters]), (real / info.error)[matters].max()


@pytest.mark.parametrize("n", SIZES)
def test_richardson_estimates_overstate_by_a_median_of_at_most_100(n):
    ratios = []
    for name, scale in CASES:
        x, exact, (grad, info) = run(name, scale, n, "richardson", full_output=True)
        real = np.abs(grad - exact)
        ratios.append(np.median(info.error[real > 0] / real[real > 0]))
    assert np.max(ratios) <= 100, dict(zip(CASES, np.round(ratios), strict=True))
