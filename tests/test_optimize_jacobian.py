"""jacobian(bounds=, f0=) and signed steps, dense and sparse: every point inside the box, the numbers of the
plain-loop twin (fastgd.reference.within_bounds) bit for bit, the calls the rows say."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastgd
from fastgd.reference import within_bounds
from fastgd.reference.analytic import BROYDEN_OFFSETS, broyden, broyden_diagonals

sp = pytest.importorskip("scipy.sparse")

METHODS = ["central", "forward", "backward", "central4"]


class Recorder:
    """F recording its points (copies) and checking them against the box."""

    def __init__(self, F, lb=-np.inf, ub=np.inf):
        self.F, self.lb, self.ub = F, lb, ub
        self.points = []

    def __call__(self, x):
        self.points.append(np.array(x))
        return self.F(x)

    @property
    def outside(self):
        return sum(bool(np.any(p < self.lb) or np.any(p > self.ub)) for p in self.points)


def tridiagonal(n):
    return sp.diags_array([np.ones(n - 1), np.ones(n), np.ones(n - 1)], offsets=[-1, 0, 1], format="csr")


def boxed_point(n, seed=0):
    """A point in [-1.2, -0.8] with some elements on a bound and some a step from one."""
    rng = np.random.default_rng(seed)
    lb, ub = np.full(n, -1.2), np.full(n, -0.8)
    x = rng.uniform(-1.2, -0.8, n)
    x[::7], x[3::7], x[5::7] = lb[::7], ub[3::7], ub[5::7] - 1e-7
    return x, lb, ub


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("method", METHODS)
def test_bounds_keep_every_point_inside_and_give_the_twins_numbers(method, sparse):
    n = 40
    x, lb, ub = boxed_point(n)
    F = Recorder(broyden, lb, ub)
    J = fastgd.jacobian(F, x.copy(), "auto", method=method, bounds=(lb, ub),
                        sparsity=tridiagonal(n) if sparse else None)
    J = J.toarray() if sparse else J
    assert F.outside == 0
    h = fastgd.diff._core.steps.auto_steps(x, fastgd.diff._core.schemes.SCHEMES[method], 1.0)
    twin = within_bounds.jacobian(broyden, x, h, method, lb, ub)
    if sparse:  # the groups give the pattern's entries (the twin's others are rounding, ~1e-13)
        mask = tridiagonal(n).toarray() != 0
        assert np.array_equal(J[mask], twin[mask]) and not J[~mask].any()
    else:
        assert np.array_equal(J, twin)
    assert np.allclose(J, sp.diags_array(broyden_diagonals(x), offsets=BROYDEN_OFFSETS).toarray(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("method", METHODS)
def test_without_binding_bounds_the_numbers_and_calls_are_the_unbounded_ones(method):
    n = 30
    x = np.linspace(-1.0, 1.0, n)
    free, boxed = Recorder(broyden), Recorder(broyden)
    J = fastgd.jacobian(free, x.copy(), "auto", method=method)
    assert np.array_equal(fastgd.jacobian(boxed, x.copy(), "auto", method=method, bounds=(-5, 5)), J)
    assert len(boxed.points) == len(free.points)


@pytest.mark.parametrize("method", ["forward", "backward", "central"])
def test_sparse_groups_beside_bounds_cost_what_they_cost_unbounded(method):
    n = 300
    x, lb, ub = boxed_point(n)
    plan = fastgd.SparseJacobian(tridiagonal(n))
    F = Recorder(broyden, lb, ub)
    plan.jacobian(F, x.copy(), "auto", method=method, bounds=(lb, ub))
    per_group = 1 if method != "central" else 2
    centre = 1  # the one-sided rows use F(x)
    assert len(F.points) == per_group * plan.colors + centre
    assert F.outside == 0


def test_f0_saves_the_call_at_x_and_gives_m():
    n = 25
    x = np.linspace(0.5, 1.5, n)
    f0 = broyden(x)
    for sparsity in (None, tridiagonal(n)):
        F = Recorder(broyden)
        J = fastgd.jacobian(F, x.copy(), "auto", method="forward", f0=f0, sparsity=sparsity)
        assert len(F.points) == (n if sparsity is None else 3)
        assert not any(np.array_equal(p, x) for p in F.points)
        J = J.toarray() if sparsity is not None else J
        assert np.array_equal(J, fastgd.jacobian(broyden, x.copy(), "auto", method="forward"))
    F = Recorder(broyden)
    fastgd.jacobian(F, x.copy(), "auto", method="central", f0=f0)  # f0 gives m: no call at x
    assert len(F.points) == 2 * n


@pytest.mark.parametrize("f0, match", [([1.0, np.nan], "non-finite"), ([1.0, 2.0, 3.0], "3 values, but m=2")])
def test_bad_f0_is_named(f0, match):
    with pytest.raises(ValueError, match=match):
        fastgd.jacobian(lambda v: v**2, np.array([1.0, 2.0]), method="forward", m=2, f0=f0)


def test_a_second_axis_is_refused_with_f0_too():
    """F of shape (m, 1) is refused as without f0 (it was flattened), and so is such an f0."""
    column = lambda v: (v**2)[:, None]  # noqa: E731
    x = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match=r"F returned an array of shape \(2, 1\)"):
        fastgd.jacobian(column, x, method="forward", f0=x**2)
    with pytest.raises(ValueError, match=r"f0 is an array of shape \(2, 1\)"):
        fastgd.jacobian(lambda v: v**2, x, method="forward", f0=(x**2)[:, None])


def test_signed_steps_are_scipys_two_point_bit_for_bit():
    from scipy.optimize._numdiff import approx_derivative

    x = np.array([-3.0, -0.5, 0.0, 0.25, 2.0])
    h = 1.49e-8 * np.where(x >= 0, 1.0, -1.0) * np.maximum(1.0, np.abs(x))
    J = fastgd.jacobian(broyden, x.copy(), h, method="forward")
    assert np.array_equal(J, approx_derivative(broyden, x, method="2-point", abs_step=h))
    sparse = fastgd.jacobian(broyden, x.copy(), h, method="forward", sparsity=tridiagonal(5))
    assert np.array_equal(sparse.toarray(), J)


@pytest.mark.parametrize("kwargs, match", [
    ({"method": "central"}, "h must be > 0 for method='central'"),
    ({"method": "forward", "bounds": (-10, 10)}, "without bounds="),
])
def test_signed_steps_are_for_one_sided_rows_without_bounds(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fastgd.jacobian(broyden, np.ones(3), np.array([1e-6, -1e-6, 1e-6]), **kwargs)


def test_zero_or_infinite_signed_steps_are_refused():
    with pytest.raises(ValueError, match="finite and nonzero"):
        fastgd.jacobian(broyden, np.ones(3), np.array([1e-6, -1e-6, 0.0]), method="forward")


def test_bounds_are_checked():
    x = np.array([0.0, 1.0])
    with pytest.raises(ValueError, match="within bounds"):
        fastgd.jacobian(broyden, x, bounds=(0.5, 2.0))
    with pytest.raises(ValueError, match="lb == ub"):
        fastgd.jacobian(broyden, x, bounds=(np.array([0.0, 0.0]), np.array([0.0, 2.0])))


def test_x_is_restored_when_F_raises_beside_a_bound():
    x = np.array([0.0, 0.5, 1.0])
    saved = x.copy()
    calls = []

    def F(v):
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("boom")
        return v**2
    with pytest.raises(RuntimeError, match="boom"):
        fastgd.jacobian(F, x, "auto", bounds=(0.0, 1.0))
    assert np.array_equal(x, saved)


@pytest.mark.parametrize("mode", [{"vectorized": True}, {"workers": map}])
def test_copies_give_the_in_place_numbers_beside_bounds(mode):
    n = 20
    x, lb, ub = boxed_point(n, 3)
    expected = fastgd.jacobian(broyden, x.copy(), "auto", bounds=(lb, ub))
    if "vectorized" in mode:
        def F(X):
            return np.stack([broyden(row) for row in X])
    else:
        F = broyden
    assert np.array_equal(fastgd.jacobian(F, x.copy(), "auto", bounds=(lb, ub), **mode), expected)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 12), st.integers(0, 2**32 - 1), st.sampled_from(METHODS), st.booleans())
def test_any_box_keeps_the_points_inside(n, seed, method, sparse):
    rng = np.random.default_rng(seed)
    lb = rng.uniform(-2, 0, n)
    ub = lb + rng.choice([1e-9, 1e-6, 1e-3, 1.0], n)
    x = np.where(rng.random(n) < 0.3, lb, np.where(rng.random(n) < 0.3, ub, rng.uniform(lb, ub)))
    F = Recorder(broyden, lb, ub)
    J = fastgd.jacobian(F, x.copy(), "auto", method=method, bounds=(lb, ub),
                        sparsity=tridiagonal(n) if sparse else None)
    assert F.outside == 0
    assert np.isfinite(J.toarray() if sparse else J).all()
