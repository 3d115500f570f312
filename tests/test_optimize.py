"""fastgd.optimize: scipy's minimize, least_squares and root with fastgd's derivatives. On scipy's own test
problems: never an evaluation outside the bounds, no more calls of f than scipy's finite differences (the same
path where the scheme is scipy's), MINPACK's count in root; what scipy refuses from f alone; its arguments
passed through."""
import numpy as np
import optimize_problems as problems
import pytest

import fastgd

optimize = pytest.importorskip("scipy.optimize")
sp = pytest.importorskip("scipy.sparse")
import fastgd.optimize as fo  # noqa: E402


class Counted:
    """f counting its calls, the points outside [lb, ub], and keeping every array it is given."""

    def __init__(self, f, lb=None, ub=None):
        self.f, self.lb, self.ub = f, lb, ub
        self.calls, self.outside, self.kept = 0, 0, []

    def __call__(self, x, *args, **kwargs):
        self.calls += 1
        self.kept.append((x, np.array(x)))
        if self.lb is not None and (np.any(x < self.lb) or np.any(x > self.ub)):
            self.outside += 1
        return self.f(x, *args, **kwargs)


def box(bounds):
    lb = np.array([-np.inf if lo is None else lo for lo, _ in bounds], dtype=float)
    ub = np.array([np.inf if hi is None else hi for _, hi in bounds], dtype=float)
    return lb, ub


TNC = [  # scipy/optimize/tests/test_tnc.py: f, x0, bounds, solution
    ("f1", problems.tnc_f1, [-2.0, 1.0], [(-np.inf, None), (-1.5, None)], [1.0, 1.0]),
    ("f4", problems.tnc_f4, [1.125, 0.125], [(1, None), (0, None)], [1.0, 0.0]),
    ("f5", problems.tnc_f5, [0.0, 0.0], [(-1.5, 4), (-3, 3)], [-0.54719755119659763, -1.5471975511965976]),
    ("f38", problems.tnc_f38, [-3.0, -1.0, -3.0, -1.0], [(-10, 10)] * 4, [1.0] * 4),
    ("f45", problems.tnc_f45, [2.0] * 5, [(0, 1), (0, 2), (0, 3), (0, 4), (0, 5)], [1.0, 2.0, 3.0, 4.0, 5.0]),
]


@pytest.mark.parametrize("method", ["TNC", "L-BFGS-B", "SLSQP"])
@pytest.mark.parametrize("name, f, x0, bounds, solution", TNC, ids=[case[0] for case in TNC])
def test_test_tnc_problems_never_leave_the_bounds(name, f, x0, bounds, solution, method):
    counted = Counted(f, *box(bounds))
    options = {"maxfun": 200} if method == "TNC" else None
    result = fo.minimize(counted, x0, method=method, bounds=bounds, options=options)
    assert counted.outside == 0
    if name != "f38":  # f38 (scaled by 1e-5) stops short with forward differences, as with scipy's own
        assert np.allclose(f(result.x), f(np.array(solution)), atol=1e-6)


@pytest.mark.parametrize("jac", [None, "2-point"])  # scipy's default: the method's absolute eps; '2-point': relative
@pytest.mark.parametrize("method", ["TNC", "L-BFGS-B", "SLSQP"])
@pytest.mark.parametrize("name, f, x0, bounds, solution", TNC[:4], ids=[case[0] for case in TNC[:4]])
def test_the_path_and_the_calls_are_scipys_two_point(name, f, x0, bounds, solution, method, jac):
    ours, theirs = Counted(f), Counted(f)
    options = {"maxfun": 200} if method == "TNC" else None
    mine = fo.minimize(ours, x0, method=method, bounds=bounds, jac=jac, options=options)
    scipy = optimize.minimize(theirs, x0, method=method, bounds=bounds, jac=jac, options=options)
    assert np.array_equal(mine.x, scipy.x)  # scipy's numbers, bit for bit
    assert ours.calls == theirs.calls


@pytest.mark.parametrize("jac", [None, "2-point"])
@pytest.mark.parametrize("f, x0", [(optimize.rosen, [1.3, 0.7, 0.8, 1.9, 1.2]), (problems.himmelblau, [0.0, 0.0])])
@pytest.mark.parametrize("method", ["BFGS", "CG", "L-BFGS-B"])
def test_unbounded_minimize_is_scipys_two_point_at_its_calls(f, x0, method, jac):
    ours, theirs = Counted(f), Counted(f)
    mine = fo.minimize(ours, x0, method=method, jac=jac)
    scipy = optimize.minimize(theirs, x0, method=method, jac=jac)
    assert np.array_equal(mine.x, scipy.x) and ours.calls == theirs.calls


def test_the_methods_eps_option_is_the_step():
    x0 = [1.3, 0.7, 0.8]
    ours, theirs = Counted(optimize.rosen), Counted(optimize.rosen)
    mine = fo.minimize(ours, x0, method="BFGS", options={"eps": 1e-6})
    scipy = optimize.minimize(theirs, x0, method="BFGS", options={"eps": 1e-6})
    assert np.array_equal(mine.x, scipy.x) and ours.calls == theirs.calls


def test_three_point_costs_scipys_three_point_calls_at_least_its_accuracy():
    x0 = np.array([1.3, 0.7, 0.8, 1.9, 1.2])
    ours, theirs = Counted(optimize.rosen), Counted(optimize.rosen)
    mine = fo.minimize(ours, x0, method="BFGS", jac="3-point")
    scipy = optimize.minimize(theirs, x0, method="BFGS", jac="3-point")
    assert ours.calls <= theirs.calls
    assert np.max(np.abs(mine.x - 1)) <= 1.5 * np.max(np.abs(scipy.x - 1))


def test_the_entropy_problem_converges_inside_its_bounds():
    f = Counted(problems.entropy, 0.0, np.inf)
    result = fo.minimize(f, [1e-5, 3], method="L-BFGS-B", bounds=[(0, None)] * 2)
    assert result.success and "ABNORMAL" not in result.message
    assert np.allclose(result.x, 1.0, atol=1e-6) and f.outside == 0
    assert np.all([np.all(kept >= 0) for _, kept in f.kept])


def test_x0_outside_the_bounds_is_taken_inside_first():
    f = Counted(problems.tnc_f45, *box(TNC[4][3]))
    result = fo.minimize(f, [2.0] * 5, method="TNC", bounds=TNC[4][3])
    assert f.outside == 0 and np.allclose(result.x, [1, 2, 3, 4, 5])


def test_bounds_as_a_scipy_bounds_object():
    bounds = optimize.Bounds([0.0, 0.0], [np.inf, np.inf])
    f = Counted(problems.entropy, 0.0, np.inf)
    result = fo.minimize(f, [1e-5, 3], method="L-BFGS-B", bounds=bounds)
    assert f.outside == 0 and np.allclose(result.x, 1.0, atol=1e-6)


def test_a_fixed_variable_is_left_alone():
    f = Counted(optimize.rosen)
    bounds = [(None, None), (0.5, 0.5), (None, None)]
    result = fo.minimize(f, [0.0, 0.5, 0.0], method="L-BFGS-B", bounds=bounds)
    assert result.x[1] == 0.5 and result.success
    assert all(kept[1] == 0.5 for _, kept in f.kept)


def test_f_receives_a_new_array_it_may_keep():
    f = Counted(optimize.rosen)
    fo.minimize(f, [1.3, 0.7, 0.8], method="BFGS")
    assert len({id(x) for x, _ in f.kept}) == f.calls  # no array given twice
    assert all(np.array_equal(x, kept) for x, kept in f.kept)  # none changed after the call


def test_args_reach_f_and_a_callable_jac_is_passed_through():
    def f(x, a, b):
        return a * np.sum((x - b) ** 2)

    def g(x, a, b):
        return 2 * a * (x - b)
    result = fo.minimize(f, np.zeros(3), args=(2.0, 1.5), method="BFGS")
    assert np.allclose(result.x, 1.5, atol=1e-6)
    grad = Counted(g)
    result = fo.minimize(f, np.zeros(3), args=(2.0, 1.5), method="BFGS", jac=grad)
    assert grad.calls == result.njev and np.allclose(result.x, 1.5)


def test_jac_true_and_derivative_free_methods_are_passed_through():
    def fg(x):
        return optimize.rosen(x), optimize.rosen_der(x)
    x0 = [1.3, 0.7, 0.8]
    assert np.allclose(fo.minimize(fg, x0, jac=True).x, 1.0, atol=1e-5)
    f = Counted(optimize.rosen)
    result = fo.minimize(f, x0, method="Nelder-Mead")
    assert f.calls == result.nfev


def convex(x):
    """A convex function (dogleg needs a positive definite Hessian), minimum at x = 0."""
    return float(np.sum(np.exp(x) - x) + np.sum(x[1:] * x[:-1]) * 0.1 + np.sum(x**2))


@pytest.mark.parametrize("method", ["trust-exact", "dogleg", "trust-ncg", "trust-krylov"])
def test_second_order_methods_scipy_refuses_from_f_alone(method):
    f, x0 = (convex, np.linspace(-1.0, 1.0, 5)) if method == "dogleg" else (optimize.rosen, [1.3, 0.7, 0.8, 1.9, 1.2])
    with pytest.raises((ValueError, TypeError)):
        optimize.minimize(f, x0, method=method, jac="2-point")  # scipy needs a Hessian
    result = fo.minimize(f, x0, method=method, jac="3-point", options={"gtol": 1e-7})
    assert result.success
    assert np.allclose(result.x, 0.0 if method == "dogleg" else 1.0, atol=1e-5)


def test_newton_cg_from_f_alone_takes_scipys_products_of_fastgds_gradient():
    """jac='3-point' is scipy's 3-point gradient bit for bit, and scipy differences it for the products: the run is
    scipy's with approx_derivative as jac, to the last bit and the same ending (here CG's "not positive definite"
    warning at the minimum, where the differenced gradient is noise)."""
    from scipy.optimize._numdiff import approx_derivative

    x0 = [1.3, 0.7, 0.8, 1.9, 1.2]
    result = fo.minimize(optimize.rosen, x0, method="Newton-CG", jac="3-point", options={"xtol": 1e-9})
    theirs = optimize.minimize(optimize.rosen, x0, method="Newton-CG", options={"xtol": 1e-9},
                               jac=lambda x: approx_derivative(optimize.rosen, x, method="3-point"))
    assert np.array_equal(result.x, theirs.x) and (result.nit, result.status) == (theirs.nit, theirs.status)
    assert np.allclose(result.x, 1.0, atol=1e-6)


@pytest.mark.parametrize("method", ["trust-constr", "Newton-CG"])
def test_hess_sparsity_gives_sparse_hessians(method):
    n = 50
    x0 = np.resize([1.3, 0.7, 0.8, 1.9, 1.2], n)
    pattern = problems.tridiagonal(n)
    hessians = []
    original = fastgd.SparseHessian.hessian

    def spy(self, *args, **kwargs):
        hessians.append(original(self, *args, **kwargs))
        return hessians[-1]
    fastgd.SparseHessian.hessian = spy
    try:
        result = fo.minimize(optimize.rosen, x0, method=method, jac=optimize.rosen_der, hess_sparsity=pattern,
                             options={"xtol": 1e-10} if method == "Newton-CG" else {"gtol": 1e-9})
    finally:
        fastgd.SparseHessian.hessian = original
    assert hessians and all(isinstance(H, sp.csr_array) for H in hessians)
    assert np.allclose(result.x, 1.0, atol=1e-5)


def test_newton_cg_on_rosenbrock_1000_from_f_alone_in_fewer_calls():
    """Calls of f counted as calls (a vectorized call at many points counts once), gradient calls likewise."""
    n = 1000
    x0 = np.resize([1.3, 0.7, 0.8, 1.9, 1.2], n)
    f, g = Counted(optimize.rosen), Counted(optimize.rosen_der)
    baseline = optimize.minimize(f, x0, method="Newton-CG", jac=g, hess="2-point", options={"xtol": 1e-10})
    vectorized = Counted(lambda X: optimize.rosen(X.T))
    ours = fo.minimize(vectorized, x0, method="Newton-CG", jac="3-point", hess_sparsity=problems.tridiagonal(n),
                       options={"xtol": 1e-10}, diff_options={"vectorized": True, "chunk_size": 4 * n})
    assert baseline.success and ours.success
    assert np.max(np.abs(ours.x - 1)) < 1e-6
    assert vectorized.calls <= 2 * (f.calls + g.calls)


def test_hess_sparsity_is_for_second_order_methods_and_not_with_a_hessian():
    with pytest.raises(ValueError, match="hess_sparsity"):
        fo.minimize(optimize.rosen, np.ones(3), method="BFGS", hess_sparsity=problems.tridiagonal(3))
    with pytest.raises(ValueError, match="hess_sparsity"):
        fo.minimize(optimize.rosen, np.ones(3), method="trust-constr", hess=optimize.rosen_hess,
                    hess_sparsity=problems.tridiagonal(3))


def test_bad_jac_is_named():
    with pytest.raises(ValueError, match="jac must be"):
        fo.minimize(optimize.rosen, np.ones(3), method="BFGS", jac="4-point")


# --- least_squares -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1000, 10_000])
def test_broyden_tridiagonal_with_bounds_never_leaves_them_in_fewer_calls(n):
    x0, lb, ub = problems.broyden_bounds(n)
    pattern = problems.tridiagonal(n)
    ours, theirs = Counted(problems.broyden_tridiagonal, lb, ub), Counted(problems.broyden_tridiagonal, lb, ub)
    mine = fo.least_squares(ours, x0, jac_sparsity=pattern, bounds=(lb, ub))
    scipy = optimize.least_squares(theirs, x0, jac_sparsity=pattern, bounds=(lb, ub), tr_solver="lsmr")
    assert ours.outside == 0
    assert ours.calls <= theirs.calls
    assert mine.cost <= scipy.cost * (1 + 1e-8)


def test_least_squares_docs_broyden_in_fewer_calls_to_the_same_cost():
    n = 10_000
    pattern = problems.tridiagonal(n)
    ours, theirs = Counted(problems.broyden_tridiagonal), Counted(problems.broyden_tridiagonal)
    mine = fo.least_squares(ours, -np.ones(n), jac_sparsity=pattern)
    scipy = optimize.least_squares(theirs, -np.ones(n), jac_sparsity=pattern)
    assert ours.calls <= theirs.calls and mine.cost < 1e-20 and scipy.cost < 1e-20


@pytest.mark.parametrize("jac", ["2-point", "3-point"])
def test_least_squares_dense_with_kwargs_and_diff_step(jac):
    def residuals(x, scale=1.0):
        return scale * np.array([x[0] + 0.5 * (x[0] - x[1]) ** 3 - 1.0, 0.5 * (x[1] - x[0]) ** 3 + x[1]])
    ours = Counted(residuals)
    result = fo.least_squares(ours, [0.5, 0.5], jac=jac, kwargs={"scale": 2.0}, diff_step=1e-7, bounds=(0, 0.9))
    assert result.cost < 1e-20 and np.allclose(result.x, [0.8411639, 0.1588361])


def test_least_squares_lm_and_a_callable_jac():
    x0 = np.array([2.0, 0.0, 2.0, 0.0])
    k = np.full(4, 0.5)
    result = fo.least_squares(problems.pressure_network, x0, method="lm", args=(4, k))
    assert np.allclose(result.x, 1.0)
    jac = Counted(problems.pressure_network_jacobian)
    result = fo.least_squares(problems.pressure_network, x0, jac=jac, args=(4, k))
    assert jac.calls == result.njev and np.allclose(result.x, 1.0)


# --- root ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["pressure_network", "broyden", "fun_bvp"])
@pytest.mark.parametrize("method", ["hybr", "lm"])
def test_root_at_minpacks_calls(case, method):
    if case == "pressure_network":
        f, x0, args = problems.pressure_network, np.array([2.0, 0.0, 2.0, 0.0]), (4, np.full(4, 0.5))
    elif case == "broyden":
        f, x0, args = problems.broyden_tridiagonal, -np.ones(100), ()
    else:
        f, x0, args = problems.fun_bvp, np.ones(100), ()
    ours, theirs = Counted(f), Counted(f)
    mine = fo.root(ours, x0, args=args, method=method)
    scipy = optimize.root(theirs, x0, args=args, method=method)
    assert ours.calls <= 1.1 * theirs.calls
    residual = np.max(np.abs(f(mine.x, *args)))
    assert residual <= max(1.5 * np.max(np.abs(f(scipy.x, *args))), 1e-8)
    if case == "pressure_network":
        assert np.allclose(mine.x, 1.0)  # the root the exact Jacobian finds


def test_root_takes_minpacks_eps_and_passes_other_methods_through():
    f = Counted(problems.broyden_tridiagonal)
    result = fo.root(f, -np.ones(20), options={"eps": 1e-10})
    assert result.success
    f = Counted(problems.broyden_tridiagonal)
    result = fo.root(f, -np.ones(20), method="krylov")
    assert result.success and f.calls == result.nfev


@pytest.mark.parametrize("hess, sparsity", [("2-point", None), (None, "band")])
def test_trust_constr_with_bounds_and_hessians_from_f_alone_stays_inside(hess, sparsity):
    n = 6
    bounds = [(0.5, 1.5)] * n
    f = Counted(optimize.rosen, *box(bounds))
    result = fo.minimize(f, np.full(n, 1.2), method="trust-constr", hess=hess, bounds=bounds,
                         hess_sparsity=problems.tridiagonal(n) if sparsity else None, options={"gtol": 1e-8})
    assert f.outside == 0
    assert np.allclose(result.x, 1.0, atol=1e-4)
