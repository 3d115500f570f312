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


def _against_scipy_3_point(name, scale, n):
    numdiff = pytest.importorskip("scipy.optimize._numdiff")
    x, exact, grad = run(name, scale, n, "central")
    peer = numdiff.approx_derivative(SUITE[name], x, method="3-point")
    with np.errstate(invalid="ignore"):
        return relative_error(grad, exact).max(), relative_error(peer, exact).max()


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("name, scale", CASES)
def test_auto_central_within_a_few_times_scipy_3_point(name, scale, n):
    """'auto' is scipy's rule rounded to a power of two (up to sqrt(2) off): where rounding dominates, the last
    bits of an element's error differ by luck, and the largest over 10 or 100 elements moves with them."""
    ours, theirs = _against_scipy_3_point(name, scale, n)
    assert ours <= 8 * theirs or ours <= 1e-12 or np.isnan(theirs), (ours, theirs)


def test_auto_central_is_scipy_3_point_over_the_suite():
    """Over the whole suite, the typical case: the median of (ours / scipy's) largest error is about 1."""
    ratios = [ours / theirs for name, scale in CASES for n in SIZES
              for ours, theirs in [_against_scipy_3_point(name, scale, n)] if theirs > 0 and np.isfinite(theirs)]
    assert 0.5 <= np.median(ratios) <= 1.5


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
        # power-of-two steps leave some results exact, or a few units in the last place off, where no bound on the
        # values' rounding is "tight": the real error is taken as at least 1e-12 of the derivative, and a case whose
        # results are mostly exact (sqrt(1 + x**2) at 1e8: every value exact) has nothing to overstate
        wrong = np.abs(grad - exact)
        if np.count_nonzero(wrong) * 2 < wrong.size:
            continue
        real = np.maximum(wrong, 1e-12 * np.abs(exact))
        ratios.append(np.median(info.error[real > 0] / real[real > 0]))
    assert np.max(ratios) <= 100, np.round(ratios)
