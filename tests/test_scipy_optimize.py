"""fastgd's drop-in derivatives in scipy.optimize: as many iterations as analytic derivatives, the same
solutions, and scipy's arrays left alone (read-only ones too)."""
import numpy as np
import pytest

import fastgd
from fastgd.reference.analytic import broyden

optimize = pytest.importorskip("scipy.optimize")
sp = pytest.importorskip("scipy.sparse")
from scipy.optimize import least_squares, minimize, root, rosen, rosen_der, rosen_hess  # noqa: E402

ROSEN_STARTS = [np.array([1.3, 0.7, 0.8, 1.9, 1.2]), np.tile([-1.2, 1.0], 5), np.linspace(-2.0, 2.0, 30)]


@pytest.mark.parametrize("x0", ROSEN_STARTS, ids=["scipy docs", "n=10", "n=30"])
def test_bfgs_with_gradient_of_takes_the_iterations_of_the_analytic_gradient(x0):
    analytic = minimize(rosen, x0, method="BFGS", jac=rosen_der)
    ours = minimize(rosen, x0, method="BFGS", jac=fastgd.gradient_of(rosen))
    assert ours.success and np.allclose(ours.x, analytic.x, atol=1e-4)  # n=10 from there: a local minimum
    assert abs(ours.nit - analytic.nit) <= max(2, 0.05 * analytic.nit)
    assert ours.njev <= 1.05 * analytic.njev + 3


def test_gradient_of_is_accurate_far_below_bfgs_gtol_at_the_minimum():
    """BFGS stops when max|g| < gtol = 1e-5: the fixed step h = 1e-4 was 4e-6 off at rosen's minimum
    (h**2 / 6 * 2400), so BFGS ended in "precision loss" on some BLAS builds (n=30 above)."""
    x = np.ones(30)
    assert np.abs(fastgd.gradient_of(rosen)(x) - rosen_der(x)).max() < 1e-7


def test_scipy_x_is_never_perturbed_even_read_only():
    gradient = fastgd.gradient_of(rosen)
    x = np.array([1.3, 0.7, 0.8, 1.9, 1.2])
    x.flags.writeable = False
    g = gradient(x)
    assert np.allclose(g, rosen_der(x), rtol=1e-6)
    assert gradient(x) is not g  # a new array every call: scipy keeps the previous one
    seen = []
    gradient = fastgd.gradient_of(lambda v: seen.append(v) or rosen(v))
    x = np.array([1.3, 0.7])
    gradient(x)
    assert all(v is not x for v in seen)


def test_extra_args_reach_f():
    def f(x, a, b):
        return a * np.sum((x - b) ** 2)
    result = minimize(f, np.zeros(3), args=(2.0, 1.5), method="BFGS", jac=fastgd.gradient_of(f))
    assert result.success and np.allclose(result.x, 1.5, atol=1e-6)
    hess = fastgd.hessian_of(f)
    assert np.allclose(hess(np.zeros(3), 2.0, 1.5), 4 * np.eye(3), atol=1e-6)
    hessp = fastgd.hessp_of(None, gradient=lambda x, a, b: 2 * a * (x - b))
    assert np.allclose(hessp(np.zeros(3), np.ones(3), 2.0, 1.5), 4 * np.ones(3))


@pytest.mark.parametrize("method, option", [("trust-exact", "hess"), ("Newton-CG", "hessp"), ("trust-krylov", "hessp"),
                                            ("trust-ncg", "hess")])
def test_second_order_methods_with_our_hessians(method, option):
    x0 = np.array([1.3, 0.7, 0.8, 1.9, 1.2])
    exact = {"hess": rosen_hess, "hessp": optimize.rosen_hess_prod}[option]
    ours = {"hess": fastgd.hessian_of(rosen), "hessp": fastgd.hessp_of(None, gradient=rosen_der)}[option]
    analytic = minimize(rosen, x0, method=method, jac=rosen_der, **{option: exact})
    result = minimize(rosen, x0, method=method, jac=rosen_der, **{option: ours})
    assert result.success and np.allclose(result.x, 1.0, atol=1e-3)
    assert abs(result.nit - analytic.nit) <= 2


@pytest.mark.parametrize("n", [100, 5000])
def test_least_squares_with_a_sparse_jacobian(n):
    pattern = sp.diags_array([1.0, 1.0, 1.0], offsets=[-1, 0, 1], shape=(n, n))
    x0 = -np.ones(n)
    scipy_own = least_squares(broyden, x0, jac_sparsity=pattern, method="trf", tr_solver="lsmr")
    ours = least_squares(broyden, x0, jac=fastgd.jacobian_of(broyden, sparsity=pattern), method="trf",
                         tr_solver="lsmr")
    assert ours.success and ours.cost < 1e-15
    assert ours.njev == scipy_own.njev and ours.nfev == scipy_own.nfev
    assert np.allclose(ours.x, scipy_own.x, atol=1e-10)
    assert isinstance(ours.jac, sp.csr_array)


def test_least_squares_and_root_with_a_dense_jacobian():
    def residuals(x):
        return np.array([x[0] + 0.5 * (x[0] - x[1]) ** 3 - 1.0, 0.5 * (x[1] - x[0]) ** 3 + x[1]])

    def exact(x):
        d = 1.5 * (x[0] - x[1]) ** 2
        return np.array([[1 + d, -d], [-d, 1 + d]])
    for method in ("hybr", "lm"):
        analytic = root(residuals, [0.0, 0.0], jac=exact, method=method)
        ours = root(residuals, [0.0, 0.0], jac=fastgd.jacobian_of(residuals), method=method)
        assert ours.success and np.allclose(ours.x, analytic.x, atol=1e-10)
    ours = least_squares(residuals, [0.0, 0.0], jac=fastgd.jacobian_of(residuals))
    assert ours.cost < 1e-18


def test_c_level_functions_take_no_extra_args():
    objectives = pytest.importorskip("objectives")
    gradient = fastgd.gradient_of(objectives.sum_cubes)
    x = np.linspace(-1.0, 1.0, 5)
    assert np.allclose(gradient(x), 3 * x**2 - 0.5, atol=1e-7)
    with pytest.raises(TypeError, match="no extra args"):
        gradient(x, 1.0)


def test_one_callable_from_two_threads():
    import threading

    gradient = fastgd.gradient_of(lambda v: float(np.sum(v**3)))
    points = [np.linspace(-1.0, 1.0, 50) * (k + 1) for k in range(8)]
    expected = [gradient(p) for p in points]
    results = {}

    def work(k):
        for _ in range(20):
            results[k] = gradient(points[k])
    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(np.array_equal(results[k], expected[k]) for k in range(8))


def test_non_real_x_is_refused():
    with pytest.raises(TypeError, match="real numbers"):
        fastgd.gradient_of(rosen)(np.array([1 + 1j, 2.0]))
