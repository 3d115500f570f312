"""Sparse Hessians: the star coloring against GMP's algorithm written plainly and the definition, the Hessians
from a gradient, from f alone and from a sum of terms against their twins bit for bit and against exact
Hessians, the calls each costs, and the errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from optimize_problems import rosen_hess_sparse, rosen_terms, rosen_terms_pattern

import fastgd
from fastgd.diff import _sparse
from fastgd.reference import sparse_hessian as twins

sp = pytest.importorskip("scipy.sparse")
from scipy.optimize import rosen, rosen_der, rosen_hess  # noqa: E402


def banded(n, width=1):
    return sp.diags_array([np.ones(n - abs(k)) for k in range(-width, width + 1)], offsets=range(-width, width + 1),
                          format="csr")


def arrowhead(n):
    P = np.eye(n, dtype=bool)
    P[-1, :] = P[:, -1] = True
    return P


def random_pattern(n, density, seed):
    rng = np.random.default_rng(seed)
    P = rng.random((n, n)) < density
    return P | P.T | np.eye(n, dtype=bool)


class Counted:
    def __init__(self, f):
        self.f, self.calls = f, 0

    def __call__(self, x):
        self.calls += 1
        return self.f(x)


# --- the coloring -------------------------------------------------------------------------------------------


def _adjacency(P):
    n = P.shape[0]
    neighbours = twins.neighbours(P)
    indptr = np.zeros(n + 1, dtype=np.intp)
    np.cumsum([len(near) for near in neighbours], out=indptr[1:])
    return indptr, np.array([j for near in neighbours for j in near], dtype=np.intp)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 25), st.floats(0.0, 0.4), st.integers(0, 2**32 - 1))
def test_the_star_kernel_is_gmps_algorithm_and_a_star_coloring(n, density, seed):
    P = random_pattern(n, density, seed)
    indptr, indices = _adjacency(P)
    order = np.random.default_rng(seed).permutation(n).astype(np.intp)
    colors = np.empty(n, dtype=np.intp)
    used = _sparse.star(indptr, indices, order, colors)
    assert colors.tolist() == twins.star_coloring(P, order.tolist())
    assert used == colors.max() + 1
    assert twins.is_star_coloring(P, colors.tolist())
    chosen = fastgd.color_symmetric(P)
    assert twins.is_star_coloring(P, chosen.tolist()) or len(set(chosen)) == n


def test_star_coloring_takes_few_colors_where_a_column_coloring_takes_many():
    assert len(set(fastgd.color_symmetric(banded(1000)))) == 3  # a path: the least a star coloring can take
    assert len(set(fastgd.color_symmetric(banded(50, 2)))) <= 5
    assert len(set(fastgd.color_symmetric(arrowhead(100)))) == 2
    assert len(set(fastgd.color_columns(arrowhead(100)))) == 100


def test_the_definition_check_catches_a_bicolored_path():
    path = banded(4).toarray() != 0
    assert not twins.is_star_coloring(path, [0, 1, 0, 1])
    assert twins.is_star_coloring(path, [0, 1, 0, 2])


# --- from a gradient ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["central", "forward"])
@pytest.mark.parametrize("pattern", [banded(30), banded(30, 2), arrowhead(12), random_pattern(20, 0.15, 7)],
                         ids=["tridiagonal", "pentadiagonal", "arrowhead", "random"])
def test_from_a_gradient_is_the_twin_bit_for_bit(pattern, method):
    n = pattern.shape[0]
    P = pattern.toarray() != 0 if sp.issparse(pattern) else pattern
    A = np.where(P, np.random.default_rng(1).standard_normal((n, n)), 0.0)
    A = A + A.T

    def g(x):  # the gradient of x.A.x/2 + sum(sin(x)) * 0.1 (Hessian on the pattern)
        return A @ x + 0.1 * np.cos(x)
    x = np.linspace(-1.0, 1.0, n)
    plan = fastgd.SparseHessian(pattern)
    counted = Counted(g)
    H = plan.hessian(None, x.copy(), 1e-6, gradient=counted, method=method)
    assert counted.calls == plan.calls(gradient=True, method=method)
    twin = twins.from_gradient(g, x, P, plan.groups.tolist(), 1e-6, method)
    assert np.array_equal(H.toarray(), twin)
    assert (H != H.T).nnz == 0
    assert np.allclose(H.toarray(), A - 0.1 * np.diag(np.sin(x)), atol=1e-6)


def test_rosenbrock_chain_at_1e5_from_its_gradient_in_six_calls():
    n = 100_000
    x = np.linspace(-1.0, 2.0, n)
    plan = fastgd.SparseHessian(banded(n))
    gradient = Counted(rosen_der)
    H = plan.hessian(None, x, gradient=gradient)
    exact = rosen_hess_sparse(x)
    assert gradient.calls == 6
    assert sp.linalg.norm(H - exact) / sp.linalg.norm(exact) < 1e-6


def test_quadratic_from_its_gradient_is_exact_to_rounding():
    n = 40
    A = banded(n).toarray() * np.arange(1.0, n * n + 1).reshape(n, n) / n
    A = A + A.T
    H = fastgd.SparseHessian(banded(n)).hessian(None, np.ones(n), 2.0**-10, gradient=lambda x: A @ x)
    assert np.allclose(H.toarray(), A, rtol=1e-12, atol=0)


# --- from f alone -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", [banded(15), arrowhead(8), random_pattern(12, 0.2, 3)],
                         ids=["tridiagonal", "arrowhead", "random"])
def test_from_f_alone_is_the_twin_bit_for_bit(pattern):
    n = pattern.shape[0]
    P = pattern.toarray() != 0 if sp.issparse(pattern) else pattern
    i, j = np.nonzero(np.triu(P, 1))

    def f(x):
        return float(np.sum(np.sin(x) * x) + np.sum(x[i] * x[j] ** 2))
    x = np.linspace(0.2, 1.4, n)
    saved = x.copy()
    plan = fastgd.SparseHessian(pattern)
    counted = Counted(f)
    H = plan.hessian(counted, x, 1e-3)
    assert np.array_equal(x, saved)
    assert counted.calls == plan.calls() == 1 + 2 * n + 2 * i.size
    assert np.array_equal(H.toarray(), twins.from_values(f, saved, P, 1e-3))


def test_from_f_alone_a_quadratic_is_exact_to_rounding_and_far_cheaper_than_dense():
    n = 60
    A = banded(n).toarray() * np.cos(np.arange(n * n)).reshape(n, n)
    A = A + A.T
    plan = fastgd.SparseHessian(banded(n))
    f = Counted(lambda x: 0.5 * x @ A @ x)
    H = plan.hessian(f, np.linspace(-1, 1, n), 2.0**-8)
    assert np.allclose(H.toarray(), A, atol=1e-9)
    assert f.calls == 4 * n - 1 < 2 * n * n + 1


def test_from_f_alone_the_rosenbrock_chain():
    n = 2000
    x = np.linspace(-1.0, 2.0, n)
    H = fastgd.SparseHessian(banded(n)).hessian(rosen, x)
    exact = rosen_hess_sparse(x)
    assert sp.linalg.norm(H - exact) / sp.linalg.norm(exact) < 1e-6


@pytest.mark.parametrize("mode", [{"vectorized": True}, {"workers": map}])
def test_from_f_alone_on_copies_gives_the_in_place_numbers(mode):
    n = 12
    x = np.linspace(-1.0, 2.0, n)
    plan = fastgd.SparseHessian(banded(n))
    expected = plan.hessian(rosen, x.copy())
    f = (lambda X: rosen(X.T)) if "vectorized" in mode else rosen
    assert np.array_equal(plan.hessian(f, x.copy(), **mode).toarray(), expected.toarray())


def test_f0_saves_the_call_at_x():
    n = 10
    x = np.linspace(-1.0, 2.0, n)
    plan = fastgd.SparseHessian(banded(n))
    f = Counted(rosen)
    H = plan.hessian(f, x.copy(), f0=rosen(x))
    assert f.calls == plan.calls() - 1
    assert np.array_equal(H.toarray(), plan.hessian(rosen, x.copy()).toarray())


def test_f_raising_restores_x():
    x = np.linspace(0.0, 1.0, 6)
    saved = x.copy()
    calls = []

    def f(v):
        calls.append(1)
        if len(calls) == 9:
            raise RuntimeError("boom")
        return float(np.sum(v**3))
    with pytest.raises(RuntimeError, match="boom"):
        fastgd.SparseHessian(banded(6)).hessian(f, x)
    assert np.array_equal(x, saved)


# --- sums of terms ------------------------------------------------------------------------------------------


def test_sum_of_terms_is_the_twin_bit_for_bit():
    n = 12
    rng = np.random.default_rng(5)
    P = (rng.random((9, n)) < 0.25) | np.eye(9, n, dtype=bool)

    def F(x):
        return np.array([np.prod(np.sin(x[row] + 1.5)) for row in P])
    x = np.linspace(-0.5, 0.5, n)
    plan = fastgd.SumHessian(P)
    counted = Counted(F)
    H = plan.hessian(counted, x.copy(), 1e-3)
    assert counted.calls == plan.calls() == plan.colors**2 + plan.colors + 1
    assert np.array_equal(H.toarray(), twins.from_terms(F, x, P, plan.groups.tolist(), 1e-3))


def test_rosenbrock_chain_at_1e5_from_its_terms_in_seven_calls():
    n = 100_000
    x = np.linspace(-1.0, 2.0, n)
    assert np.isclose(rosen_terms(x).sum(), rosen(x))
    plan = fastgd.SumHessian(rosen_terms_pattern(n))
    terms = Counted(rosen_terms)
    H = plan.hessian(terms, x)
    exact = rosen_hess_sparse(x)
    assert terms.calls == 7
    assert sp.linalg.norm(H - exact) / sp.linalg.norm(exact) < 1e-4
    terms.calls = 0
    g = plan.gradient(terms, x)
    assert terms.calls == 4
    assert np.allclose(g, rosen_der(x), rtol=1e-7, atol=1e-6)


def test_sum_of_terms_hessian_of_a_small_chain_is_rosen_hess():
    x = np.array([1.3, 0.7, 0.8, 1.9, 1.2])
    H = fastgd.SumHessian(rosen_terms_pattern(5)).hessian(rosen_terms, x)
    assert np.allclose(H.toarray(), rosen_hess(x), rtol=1e-6, atol=1e-4)


# --- patterns without pairs ---------------------------------------------------------------------------------


NO_PAIRS = [np.eye(3, dtype=bool), np.zeros((3, 3), dtype=bool), np.eye(1, dtype=bool), np.zeros((1, 1), dtype=bool),
            np.zeros((0, 0), dtype=bool)]
NO_PAIRS_IDS = ["diagonal", "all-false", "1x1", "1x1-false", "0x0"]


def cubes(v):
    return float(np.sum(v**3))


@pytest.mark.parametrize("P", NO_PAIRS, ids=NO_PAIRS_IDS)
def test_a_pattern_without_pairs_on_every_road(P):
    """A separable f (only the diagonal; the pattern's diagonal is always used) crashed with an IndexError: no
    off-diagonal pairs left nothing to index. Each road against its twin and the dense Hessian, diag(6 x)."""
    n = P.shape[0]
    x = np.linspace(0.5, 1.5, n)
    plan = fastgd.SparseHessian(P)
    dense = fastgd.hessian(cubes, x.copy())
    counted = Counted(cubes)
    H = plan.hessian(counted, x.copy(), 1e-3)
    assert counted.calls == plan.calls() == (1 + 2 * n if n else 0)
    assert H.dtype == np.float64 and H.shape == (n, n)
    assert np.array_equal(H.toarray(), twins.from_values(cubes, x.copy(), P, 1e-3))
    assert np.allclose(H.toarray(), dense, rtol=1e-6) and np.allclose(dense, np.diag(6 * x))
    for method in ("central", "forward"):
        G = plan.hessian(None, x.copy(), 1e-6, gradient=lambda v: 3 * v**2, method=method)
        twin = twins.from_gradient(lambda v: 3 * v**2, x.copy(), P, plan.groups.tolist(), 1e-6, method)
        assert np.array_equal(G.toarray(), twin) and np.allclose(G.toarray(), dense, rtol=1e-4)
    for hess in (fastgd.hessian_of(cubes, sparsity=P), fastgd.hessian_of(None, gradient=lambda v: 3 * v**2,
                                                                         sparsity=P)):
        assert np.allclose(hess(x.copy()).toarray(), dense, rtol=1e-6)
    # as terms: term i of x_i alone (the diagonal pattern), or terms of nothing (the all-false one)
    terms = fastgd.SumHessian(P)
    S = terms.hessian(lambda v: np.diagonal(P) * v**3, x.copy(), 1e-3)
    assert S.dtype == np.float64 and S.shape == (n, n)
    assert np.array_equal(S.toarray(), twins.from_terms(lambda v: np.diagonal(P) * v**3, x.copy(), P,
                                                        terms.groups.tolist(), 1e-3))


@pytest.mark.parametrize("method", ["trust-constr", "Newton-CG"])
def test_the_optimizers_take_a_diagonal_hess_sparsity(method):
    def f(v):  # separable: each element's minimum where 4 (v - 2)**3 + 2 v = 0
        return float(np.sum((v - 2.0) ** 4 + v**2))
    roots = np.roots([4.0, -24.0, 50.0, -32.0])
    exact = float(roots[np.abs(roots.imag) < 1e-12].real[0])
    for n in (1, 3):
        result = fastgd.optimize.minimize(f, np.ones(n), method=method, hess_sparsity=np.eye(n),
                                          options={"gtol": 1e-10} if method == "trust-constr" else {"xtol": 1e-10})
        assert result.success and np.allclose(result.x, exact, rtol=0, atol=1e-6)


# --- errors -------------------------------------------------------------------------------------------------


def test_errors_are_named():
    with pytest.raises(ValueError, match="square"):
        fastgd.SparseHessian(np.ones((3, 4)))
    plan = fastgd.SparseHessian(banded(4))
    with pytest.raises(ValueError, match="x has 5 elements"):
        plan.hessian(rosen, np.ones(5))
    with pytest.raises(ValueError, match="'central' or 'forward'"):
        plan.hessian(None, np.ones(4), gradient=rosen_der, method="richardson")
    with pytest.raises(ValueError, match="non-finite"):
        plan.hessian(lambda x: np.inf if x[0] > 1 else 0.0, np.ones(4))
    with pytest.raises(ValueError, match="terms"):
        fastgd.SumHessian(rosen_terms_pattern(5)).hessian(lambda x: x, np.ones(5))
    assert "colors=3" in repr(plan) and "SumHessian" in repr(fastgd.SumHessian(rosen_terms_pattern(5)))


def test_the_hessian_adapter_takes_the_plans():
    from scipy.optimize import minimize

    n = 200
    x0 = np.resize([1.3, 0.7, 0.8, 1.9, 1.2], n)
    hess = fastgd.hessian_of(None, gradient=rosen_der, sparsity=banded(n))
    assert isinstance(hess(x0), sp.csr_array)
    result = minimize(rosen, x0, method="trust-constr", jac=rosen_der, hess=hess, options={"gtol": 1e-10})
    assert np.allclose(result.x, 1.0, atol=1e-6)
    terms = fastgd.hessian_of(rosen_terms, sparsity=fastgd.SumHessian(rosen_terms_pattern(n)))
    assert np.allclose(terms(x0).toarray(), hess(x0).toarray(), rtol=1e-5, atol=1e-3)
