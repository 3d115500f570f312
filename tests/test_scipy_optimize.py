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
def test_bfgs_with_the_central_gradient_takes_the_iterations_of_the_analytic_gradient(x0):
    """method='central' is accurate far below BFGS's gtol: BFGS succeeds as with rosen_der, on every BLAS."""
    analytic = minimize(rosen, x0, method="BFGS", jac=rosen_der)
    grad = fastgd.gradient_of(rosen, method="central")
    ours = minimize(grad.fun, x0, method="BFGS", jac=grad)
    assert ours.success and np.allclose(ours.x, analytic.x, atol=1e-4)  # n=10 from there: a local minimum
    assert abs(ours.nit - analytic.nit) <= max(2, 0.05 * analytic.nit)
    assert ours.njev <= 1.05 * analytic.njev + 3


@pytest.mark.parametrize("x0", ROSEN_STARTS, ids=["scipy docs", "n=10", "n=30"])
def test_bfgs_with_the_default_gradient_is_bfgs_with_scipys_two_point(x0):
    """The default (forward, scipy's steps, n calls) is scipy's '2-point' bit for bit along the whole run: the same
    iterates, the same ending (where a forward difference's error reaches gtol, the same "precision loss")."""
    from scipy.optimize._numdiff import approx_derivative

    theirs = minimize(rosen, x0, method="BFGS", jac=lambda x: approx_derivative(rosen, x, method="2-point"))
    grad = fastgd.gradient_of(rosen)
    ours = minimize(grad.fun, x0, method="BFGS", jac=grad)
    assert np.array_equal(ours.x, theirs.x) and (ours.nit, ours.status) == (theirs.nit, theirs.status)


def test_the_central_gradient_is_accurate_far_below_bfgs_gtol_at_the_minimum():
    """BFGS stops when max|g| < gtol = 1e-5: the textbook's h = 1e-4 was 4e-6 off at rosen's minimum
    (h**2 / 6 * 2400), forward differences are 7.5e-6 off (h f'' / 2): BFGS can end in "precision loss"
    with either, depending on the BLAS build. Central differences at 'auto' steps are 1e-8 off."""
    x = np.ones(30)
    assert np.abs(fastgd.gradient_of(rosen, method="central")(x) - rosen_der(x)).max() < 1e-7


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


# --- issue 19: the optimizer's bounds, its last f(x), scipy's steps ------------------------------------------

import optimize_problems as problems  # noqa: E402

from fastgd.reference import within_bounds  # noqa: E402


class Recorder:
    """f keeping (the array it was given, a copy of it) at every call."""

    def __init__(self, f):
        self.f, self.kept = f, []

    def __call__(self, x, *args):
        self.kept.append((x, np.array(x)))
        return self.f(x, *args)


@pytest.mark.parametrize("x", [np.array([-3.0, -0.5, 0.0, 0.25, 2.0]), np.array([1e-12, -1e12, 7.0, -1.0, 0.5])])
def test_the_default_gradient_is_scipys_two_point_bit_for_bit(x):
    from scipy.optimize._numdiff import approx_derivative

    gradient = fastgd.gradient_of(rosen)
    f0 = gradient.fun(x)
    assert np.array_equal(gradient(x), approx_derivative(rosen, x, method="2-point", f0=f0))
    assert np.array_equal(gradient(x), within_bounds.two_point(rosen, x)[0])


def test_within_bounds_the_gradient_is_the_twins_and_stays_inside():
    lb, ub = np.array([0.0, -1.0, 0.0, 2.0]), np.array([1.0, 1.0, np.inf, 2.5])
    x = np.array([1.0, -1.0, 0.5, 2.5])  # on bounds, and one element with room below only
    f = Recorder(lambda v: float(np.sum(np.sqrt(v - lb + 1.0) * np.cos(v))))
    gradient = fastgd.gradient_of(f, bounds=optimize.Bounds(lb, ub))
    g = gradient(x)
    assert all(np.all(kept >= lb) and np.all(kept <= ub) for _, kept in f.kept)
    assert np.array_equal(g, within_bounds.two_point(f.f, x, lb, ub)[0])


def test_sharing_f_x_through_fun_makes_a_gradient_n_calls():
    f = Recorder(rosen)
    gradient = fastgd.gradient_of(f)
    x = np.array([1.3, 0.7, 0.8, 1.9, 1.2])
    gradient.fun(x)
    f.kept.clear()
    gradient(x)
    assert len(f.kept) == 5  # f(x) from gradient.fun
    gradient(x + 1.0)
    assert len(f.kept) == 5 + 6  # not shared: n + 1
    assert gradient.fun.known(x + 1.0, ()) is not None  # and now remembered for scipy's call


def test_f_receives_new_arrays_it_may_keep():
    f = Recorder(rosen)
    fastgd.gradient_of(f)(np.array([1.3, 0.7, 0.8]))
    fastgd.jacobian_of(f, method="central")(np.array([1.3, 0.7, 0.8]))
    fastgd.hessian_of(f)(np.array([1.3, 0.7]))
    fastgd.hessp_of(f)(np.array([1.3, 0.7]), np.array([1.0, 0.0]))
    assert len({id(x) for x, _ in f.kept}) == len(f.kept)
    assert all(np.array_equal(x, kept) for x, kept in f.kept)


@pytest.mark.parametrize("bounds, pairs", [([(0, None), (-1, 1)], True), (optimize.Bounds([0, -1], [np.inf, 1]), True),
                                           ((np.array([0, -1]), np.array([np.inf, 1])), False)])
def test_bounds_in_the_forms_scipy_takes(bounds, pairs):
    from fastgd.diff.scipy_adapters import scipy_bounds

    lb, ub = scipy_bounds(bounds, np.zeros(2), pairs)
    assert lb.tolist() == [0.0, -1.0] and ub.tolist() == [np.inf, 1.0]


@pytest.mark.parametrize("bounds, error, match", [
    ((np.zeros(3), np.ones(3)), ValueError, "one \\(min, max\\) pair per element"),
    ([(0, 1), (2, 1), (0, 1)], ValueError, "above its upper bound"),
    ([(0, 1), (np.nan, 1), (0, 1)], ValueError, "NaN"),
    (5.0, TypeError, "Bounds"),
])
def test_bad_bounds_are_named(bounds, error, match):
    with pytest.raises(error, match=match):
        fastgd.gradient_of(rosen, bounds=bounds)(np.full(3, 0.5))


def test_unbounded_bounds_change_nothing():
    x = np.array([1.3, 0.7, 0.8])
    assert np.array_equal(fastgd.gradient_of(rosen, bounds=[(None, None)] * 3)(x), fastgd.gradient_of(rosen)(x))


def test_x_outside_the_bounds_is_taken_inside():
    f = Recorder(rosen)
    g = fastgd.gradient_of(f, bounds=[(0, 1)] * 3)(np.array([1.5, -0.5, 0.5]))
    assert all(np.all((kept >= 0) & (kept <= 1)) for _, kept in f.kept)
    assert np.allclose(g, rosen_der(np.array([1.0, 0.0, 0.5])), rtol=1e-5, atol=1e-4)


def test_a_fixed_element_has_derivative_zero_and_is_never_moved():
    f = Recorder(rosen)
    g = fastgd.gradient_of(f, bounds=[(None, None), (0.5, 0.5), (None, None)])(np.array([0.2, 0.5, 0.9]))
    assert g[1] == 0.0 and all(kept[1] == 0.5 for _, kept in f.kept)
    assert np.allclose(g[[0, 2]], rosen_der(np.array([0.2, 0.5, 0.9]))[[0, 2]], rtol=1e-6)


def test_what_f_returns_at_the_optimizers_point_is_named_as_f():
    """The adapters check f(x) as f's value (it is not the caller's f0=): a shape, a vector for a gradient, a
    non-finite value at the point, each named."""
    x = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match=r"F returned an array of shape \(2, 1\)"):
        fastgd.jacobian_of(lambda v: (v**2)[:, None])(x)
    with pytest.raises(TypeError, match=r"f must return a real scalar, got an array of shape \(2,\)"):
        fastgd.gradient_of(lambda v: v**2)(x)
    with pytest.raises(ValueError, match="where 1 were expected"):
        fastgd.gradient_of(lambda v: v**2, method="central")(x)
    with pytest.raises(ValueError, match="non-finite value .* at the optimizer's point"):
        fastgd.gradient_of(lambda v: np.sum(v - np.log(v)), bounds=[(0, None)] * 2)(np.array([0.0, 3.0]))


def test_options_are_checked_when_the_adapter_is_made():
    with pytest.raises(TypeError, match="unexpected options \\['nonsense'\\]"):
        fastgd.gradient_of(rosen, nonsense=1)
    with pytest.raises(TypeError, match="out= is not taken"):
        fastgd.jacobian_of(rosen, out=np.empty((1, 3)))
    with pytest.raises(ValueError, match="method must be one of"):
        fastgd.gradient_of(rosen, method="sideways")
    with pytest.raises(TypeError, match="one of h=, rel_step= and abs_step="):
        fastgd.gradient_of(rosen, h=1e-6, rel_step=1e-6)(np.ones(3))


def test_the_jacobian_learns_m_once_and_repeats_itself_at_the_same_x():
    F = Recorder(problems.broyden_tridiagonal)
    jac = fastgd.jacobian_of(F, method="central")
    x = np.linspace(-1.0, 0.0, 6)
    J = jac(x)
    assert len(F.kept) == 1 + 12  # F(x) once to learn m
    F.kept.clear()
    assert np.array_equal(jac(x), J) and jac(x) is not J and not F.kept  # the same x: the last result, copied
    jac(x + 0.1)
    assert len(F.kept) == 12  # m known


def test_minpack_steps_are_the_twins():
    from fastgd.optimize.drivers import MinpackJacobian

    x = np.array([0.0, 2.0, -3.0, 1e-9])
    F = problems.broyden_tridiagonal
    jac = MinpackJacobian(F, {"method": "forward"})
    assert np.array_equal(jac(x), within_bounds.minpack_forward(F, x))


def test_a_sum_of_terms_in_a_newton_method():
    n = 1000
    x0 = np.resize([1.3, 0.7, 0.8, 1.9, 1.2], n)
    plan = fastgd.SumHessian(problems.rosen_terms_pattern(n))
    terms = Recorder(problems.rosen_terms)
    hess = fastgd.hessian_of(terms, sparsity=plan)
    result = minimize(rosen, x0, method="Newton-CG", jac=rosen_der, hess=hess, options={"xtol": 1e-10})
    assert result.success and np.allclose(result.x, 1.0, atol=1e-8)
    assert len(terms.kept) == 7 * result.nhev


EPS = np.finfo(float).eps


# the default steps' fractions (docs/accuracy.md): (256 eps)**(1/4) from f, (16 eps)**(1/6) extrapolated, eps**(1/3)
# from a gradient, each times max(1, |x|) rounded to a power of two
@pytest.mark.parametrize("options, fraction, reach", [
    ({}, (256 * EPS) ** 0.25, 1), ({"method": "richardson"}, (16 * EPS) ** (1 / 6), 2),
    ({"gradient": rosen_der}, EPS ** (1 / 3), 1), ({"sparsity": "band"}, (256 * EPS) ** 0.25, 1),
    ({"sparsity": "band", "gradient": rosen_der}, EPS ** (1 / 3), 1)])
def test_hessians_within_bounds_are_taken_a_step_inside(options, fraction, reach):
    n = 6
    if options.get("sparsity") == "band":
        options = {**options, "sparsity": problems.tridiagonal(n)}
    lb, ub = np.zeros(n), np.full(n, 2.0)
    f, g = Recorder(rosen), Recorder(rosen_der)
    if "gradient" in options:
        options = {**options, "gradient": g}
    hess = fastgd.hessian_of(None if "gradient" in options else f, bounds=list(zip(lb, ub, strict=True)), **options)
    x = np.array([0.0, 1e-9, 1.0, 2.0, 1.5, 0.3])
    H = hess(x)
    points = [kept for _, kept in f.kept + g.kept]
    assert points and all(np.all(p >= lb) and np.all(p <= ub) for p in points)
    steps = 2.0 ** np.round(np.log2(fraction * np.maximum(1.0, np.abs(x))))
    margin = steps * reach * 1.001
    inside = np.clip(x, lb + margin, ub - margin)
    unbounded = fastgd.hessian_of(None if "gradient" in options else rosen, h=steps,
                                  **{**options, **({"gradient": rosen_der} if "gradient" in options else {})})
    expected = unbounded(inside)
    H, expected = (H.toarray(), expected.toarray()) if sp.issparse(H) else (H, expected)
    assert np.array_equal(H, expected)


def test_hessian_vector_products_within_bounds_never_leave_them():
    lb, ub = np.zeros(4), np.full(4, 2.0)
    for options in ({}, {"gradient": rosen_der}):
        f = Recorder(rosen if not options else rosen_der)
        gradient = {"gradient": f} if options else {}
        hessp = fastgd.hessp_of(None if options else f, bounds=list(zip(lb, ub, strict=True)), **gradient)
        x, p = np.array([0.0, 2.0, 1.0, 0.5]), np.array([1.0, -1.0, 0.5, 2.0])
        product = hessp(x, p)
        assert all(np.all(kept >= lb) and np.all(kept <= ub) for _, kept in f.kept)
        assert np.allclose(product, rosen_hess(np.clip(x, 0.01, 1.99)) @ p, rtol=0.05, atol=5.0)


def test_a_box_narrower_than_the_hessians_points_is_named():
    with pytest.raises(ValueError, match="narrower than the Hessian's points"):
        fastgd.hessian_of(rosen, bounds=[(0, 1e-6), (0, 1)])(np.array([0.0, 0.5]))


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 8), st.integers(0, 2**32 - 1))
def test_any_box_the_default_gradient_stays_inside_and_is_the_twins(n, seed):
    rng = np.random.default_rng(seed)
    lb = rng.uniform(-3, 1, n)
    ub = lb + rng.choice([1e-12, 1e-8, 1e-4, 1.0, np.inf], n)
    x = np.where(rng.random(n) < 0.3, lb, np.where((rng.random(n) < 0.3) & np.isfinite(ub), ub,
                                                   lb + rng.uniform(0, 1, n) * np.minimum(ub - lb, 1.0)))
    f = Recorder(lambda v: float(np.sum(np.sin(v) * v)))
    g = fastgd.gradient_of(f, bounds=optimize.Bounds(lb, ub))(x)
    assert all(np.all(kept >= lb) and np.all(kept <= ub) for _, kept in f.kept)
    assert np.array_equal(g, within_bounds.two_point(f.f, x, lb, ub)[0])
