"""Sparse Jacobians by column groups: the coloring (never more groups than scipy's), the plan's numbers (the
dense Jacobian's and the numpy twin's, bit for bit), every evaluator, memory at a million columns, bad input."""
import threading
import tracemalloc

import numpy as np
import pytest
from arrays import same_bits

import fastgd
from fastgd import reference
from fastgd.reference.analytic import BROYDEN_OFFSETS, broyden, broyden_diagonals

sp = pytest.importorskip("scipy.sparse")
numdiff = pytest.importorskip("scipy.optimize._numdiff")  # group_columns is not re-exported


def tridiagonal(n):
    return sp.diags_array([1.0, 1.0, 1.0], offsets=[-1, 0, 1], shape=(n, n), format="csr")


def broyden_jacobian(x):
    return sp.diags_array(broyden_diagonals(x), offsets=BROYDEN_OFFSETS, format="csr")


def patterns():
    """Sparsity patterns of several structures (name -> scipy.sparse array)."""
    rng = np.random.default_rng(0)
    grid = 20
    laplacian_1d = sp.diags_array([1.0, 1.0, 1.0], offsets=[-1, 0, 1], shape=(grid, grid))
    eye = sp.eye_array(grid)
    cube = 8
    line = sp.diags_array([1.0, 1.0, 1.0], offsets=[-1, 0, 1], shape=(cube, cube))
    i3 = sp.eye_array(cube)
    arrow = sp.lil_array((300, 300))
    arrow[0, :] = 1
    arrow[:, 0] = 1
    arrow.setdiag(1)
    return {
        "tridiagonal": tridiagonal(1000),
        "pentadiagonal": sp.diags_array([1.0] * 5, offsets=[-2, -1, 0, 1, 2], shape=(500, 500)),
        "band of 11": sp.diags_array([1.0] * 11, offsets=list(range(-5, 6)), shape=(400, 400)),
        "random 2%": sp.random_array((200, 300), density=0.02, rng=rng),
        "random 5%": sp.random_array((300, 300), density=0.05, rng=rng),
        "random tall 1%": sp.random_array((1000, 200), density=0.01, rng=rng),
        "block diagonal": sp.block_diag([np.ones((4, 4))] * 100),
        "arrow": arrow,
        "2-D Laplacian": sp.kron(laplacian_1d, eye) + sp.kron(eye, laplacian_1d),
        "3-D Laplacian": (sp.kron(sp.kron(line, i3), i3) + sp.kron(sp.kron(i3, line), i3)
                          + sp.kron(sp.kron(i3, i3), line)),
        "random rows": sp.csr_array((np.ones(3000), (rng.integers(0, 500, 3000), rng.zipf(1.5, 3000) % 400)),
                                    shape=(500, 400)),
    }


@pytest.mark.parametrize("name", patterns())
def test_coloring_is_valid_and_never_has_more_groups_than_scipy(name):
    pattern = patterns()[name]
    groups = fastgd.color_columns(pattern)
    dense = pattern.toarray() != 0
    for row in dense:  # no two columns of a row in one group
        assert len(set(groups[row].tolist())) == row.sum()
    ours = groups.max() + 1
    assert ours <= numdiff.group_columns(pattern).max() + 1  # scipy's default: a random order
    assert ours <= numdiff.group_columns(pattern, order=np.arange(pattern.shape[1])).max() + 1
    assert ours >= dense.sum(axis=1).max()  # the lower bound: the most nonzeros in a row


def test_tridiagonal_takes_three_groups():
    assert fastgd.SparseJacobian(tridiagonal(10_000)).colors == 3


def test_the_first_greedy_pass_is_the_reference_coloring():
    from fastgd.diff import _sparse
    from fastgd.diff.sparse import pattern_structure as _structure

    for name, pattern in patterns().items():
        if pattern.shape[0] > 500:
            continue
        shape, indptr, indices = _structure(pattern)
        col_ptr, rows = _sparse.transpose(shape[1], indptr, indices)
        colors = np.empty(shape[1], dtype=np.intp)
        _sparse.greedy(indptr, indices, col_ptr, rows, np.arange(shape[1], dtype=np.intp), colors)
        assert np.array_equal(colors, reference.jacobians.greedy_coloring(pattern)[0]), name


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layout", ["C", "stepped", "reversed"])
def test_the_plan_gives_the_dense_jacobian_and_the_reference_bit_for_bit(dtype, layout):
    n = 60
    base = np.linspace(-1.0, 1.0, 2 * n, dtype=dtype)
    x = {"C": base[:n], "stepped": base[::2], "reversed": base[::-1][::2]}[layout]
    before = base.copy()
    plan = fastgd.SparseJacobian(tridiagonal(n))
    J = plan.jacobian(broyden, x)
    assert same_bits(base, before)
    assert isinstance(J, sp.csr_array) and J.shape == (n, n) and J.nnz == tridiagonal(n).nnz
    assert J.has_canonical_format
    assert same_bits(J.toarray(), fastgd.jacobian(broyden, x))
    contiguous = np.ascontiguousarray(x)
    assert same_bits(J.toarray(), reference.sparse_jacobian(broyden, contiguous, tridiagonal(n)))
    exact = broyden_jacobian(x.astype(np.float64)).toarray()
    assert np.abs(J.toarray() - exact).max() < (1e-8 if dtype == np.float64 else 1e-1)


def test_a_plan_is_reused_and_f_is_called_twice_per_group():
    calls = []
    F = lambda v: calls.append(1) or broyden(v)  # noqa: E731
    plan = fastgd.SparseJacobian(tridiagonal(100))
    x = np.linspace(-1.0, 1.0, 100)
    first = plan(F, x)
    assert len(calls) == 6
    second = plan.jacobian(F, x)
    assert len(calls) == 12
    assert same_bits(first.toarray(), second.toarray())
    assert first.data is not second.data and first.indices is not second.indices  # new arrays every call
    second.data[:] = 0.0
    second.eliminate_zeros()  # changing a result leaves the plan alone
    assert same_bits(plan(F, x).toarray(), first.toarray())


@pytest.mark.parametrize("mode", ["in place", "vectorized", "workers"])
def test_a_scheme_with_f_at_x_gives_the_dense_numbers(monkeypatch, mode):
    from fastgd.diff._core.schemes import SCHEMES, Scheme

    forward = Scheme("forward", offsets=(1.0,), weights=(1,), denominator=1, centre_weight=-1)
    monkeypatch.setitem(SCHEMES, "forward", forward)  # the one-sided rows come with the schemes of issue 12
    for F, pattern, batches in ((broyden, tridiagonal(30), 1), (arrow, arrow_pattern(300), 2)):
        x = np.linspace(-1.0, 1.0, pattern.shape[1])
        expected = fastgd.jacobian(F, x, method="forward")
        plan = fastgd.SparseJacobian(pattern)
        assert len(plan._batches) == batches
        stacked = lambda X, F=F: np.stack([F(p) for p in X])  # noqa: E731
        options = {"in place": {}, "vectorized": {"vectorized": True}, "workers": {"workers": map}}[mode]
        got = plan.jacobian(stacked if mode == "vectorized" else F, x, method="forward", **options)
        assert same_bits(got.toarray(), expected)
    assert np.abs(fastgd.jacobian(broyden, x[:30], method="forward") - broyden_jacobian(x[:30]).toarray()).max() < 1e-3


def test_jacobian_takes_a_pattern_a_plan_or_a_dense_boolean():
    n = 30
    x = np.linspace(-1.0, 1.0, n)
    expected = fastgd.jacobian(broyden, x)
    for sparsity in (tridiagonal(n), fastgd.SparseJacobian(tridiagonal(n)), tridiagonal(n).toarray() != 0,
                     tridiagonal(n).tocoo(), sp.csc_matrix(tridiagonal(n)), tridiagonal(n).tolil()):
        assert same_bits(fastgd.jacobian(broyden, x, sparsity=sparsity).toarray(), expected)


def test_stored_zeros_and_duplicates_in_a_pattern():
    rows, columns = np.array([0, 0, 1, 1, 1]), np.array([0, 1, 1, 1, 0])
    pattern = sp.coo_array((np.array([1.0, 0.0, 1.0, 1.0, 1.0]), (rows, columns)), shape=(2, 2))
    plan = fastgd.SparseJacobian(pattern)  # (0, 1) is a stored zero: not a nonzero; (1, 1) twice: once
    assert plan.nnz == 3
    J = plan.jacobian(lambda v: np.array([v[0] ** 2, v[0] * v[1]]), np.array([1.0, 2.0]))
    assert np.allclose(J.toarray(), [[2.0, 0.0], [2.0, 1.0]])


def test_given_groups_are_used_and_checked():
    n = 12
    groups = np.arange(n) % 4  # valid for a tridiagonal pattern, one more group than needed
    plan = fastgd.SparseJacobian(tridiagonal(n), groups=groups)
    assert plan.colors == 4 and np.array_equal(plan.groups, groups)
    x = np.linspace(-1.0, 1.0, n)
    assert same_bits(plan.jacobian(broyden, x).toarray(), fastgd.jacobian(broyden, x))
    with pytest.raises(ValueError, match="same row"):
        fastgd.SparseJacobian(tridiagonal(n), groups=np.arange(n) % 2)
    with pytest.raises(ValueError, match="12 integers"):
        fastgd.SparseJacobian(tridiagonal(n), groups=np.zeros(5, dtype=int))


def test_vectorized_workers_and_c_functions_agree():
    n = 40
    x = np.linspace(-1.0, 1.0, n)
    plan = fastgd.SparseJacobian(tridiagonal(n))
    expected = plan.jacobian(broyden, x).toarray()
    stacked = lambda X: np.stack([broyden(p) for p in X])  # noqa: E731
    assert same_bits(plan.jacobian(stacked, x, vectorized=True).toarray(), expected)
    assert same_bits(plan.jacobian(stacked, x, vectorized=True, chunk_size=2).toarray(), expected)
    assert same_bits(plan.jacobian(broyden, x, workers=map).toarray(), expected)
    numba = pytest.importorskip("numba")

    @numba.cfunc(numba.types.void(numba.types.intc, numba.types.CPointer(numba.types.float64), numba.types.intc,
                                  numba.types.CPointer(numba.types.float64), numba.types.voidptr))
    def c_broyden(n, x, m, out, user_data):
        a, o = numba.carray(x, n), numba.carray(out, m)
        for i in range(n):
            o[i] = (3 - 2 * a[i]) * a[i] + 1
            if i > 0:
                o[i] -= a[i - 1]
            if i < n - 1:
                o[i] -= 2 * a[i + 1]
    assert same_bits(plan.jacobian(c_broyden, x).toarray(), expected)
    assert np.array_equal(x, np.linspace(-1.0, 1.0, n))


def test_the_plan_is_safe_from_two_threads():
    n = 3000
    plan = fastgd.SparseJacobian(tridiagonal(n))
    expected = plan.jacobian(broyden, np.linspace(-1.0, 1.0, n)).data
    results = []

    def work():
        x = np.linspace(-1.0, 1.0, n)
        results.extend(plan.jacobian(broyden, x).data for _ in range(20))
    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 40 and all(same_bits(result, expected) for result in results)


def test_a_million_columns_fit_well_under_a_gigabyte():
    n = 10**6
    tracemalloc.start()
    try:
        pattern = tridiagonal(n)
        plan = fastgd.SparseJacobian(pattern)
        x = np.full(n, -1.0)
        J = plan.jacobian(broyden, x)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert plan.colors == 3 and J.nnz == 3 * n - 2
    assert peak < 400 * 2**20  # numpy reports its buffers to tracemalloc
    assert J[5, 5] == pytest.approx(7.0) and J[5, 6] == pytest.approx(-2.0)


def arrow_pattern(n):
    """A dense first row and column and the diagonal: every column is its own group."""
    rows = np.concatenate([np.zeros(n, dtype=int), np.arange(1, n), np.arange(1, n)])
    columns = np.concatenate([np.arange(n), np.zeros(n - 1, dtype=int), np.arange(1, n)])
    return sp.csr_array((np.ones(rows.size), (rows, columns)), shape=(n, n))


def arrow(x):
    """F_0 = sum(x * x), F_i = x_0 * x_i + x_i * x_i: an arrow-shaped Jacobian."""
    f = (x[0] + x) * x
    f[0] = np.dot(x, x)
    return f


def test_many_groups_are_evaluated_in_batches_with_the_dense_numbers():
    n = 300
    x = np.linspace(-1.0, 1.0, n)
    plan = fastgd.SparseJacobian(arrow_pattern(n))
    assert plan.colors == n and len(plan._batches) > 1  # the sums of a batch: O(nnz + m) values
    expected = fastgd.jacobian(arrow, x)
    assert same_bits(plan.jacobian(arrow, x).toarray(), expected)
    stacked = lambda X: np.stack([arrow(p) for p in X])  # noqa: E731
    assert same_bits(plan.jacobian(stacked, x, vectorized=True).toarray(), expected)
    assert same_bits(plan.jacobian(arrow, x, workers=map).toarray(), expected)


def test_many_groups_take_memory_of_the_nonzeros_not_of_colors_times_rows():
    n = 5000
    pattern = arrow_pattern(n)
    tracemalloc.start()
    try:
        J = fastgd.jacobian(arrow, np.linspace(-1.0, 1.0, n), sparsity=pattern)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert J.nnz == 3 * n - 2
    assert peak < 32 * 2**20  # colors x rows sums would take 200 MB


# --- bad input -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("sparsity, error, match", [
    (np.ones((5, 4)), ValueError, "4 columns"), (np.ones((3, 5)), ValueError, "3 rows"),
    (np.ones((5, 5, 1)), ValueError, "2-D"), (np.array([["a"] * 5] * 5), TypeError, "booleans or numbers"),
    (object(), TypeError, "booleans or numbers"),
])
def test_bad_patterns_are_named(sparsity, error, match):
    x = np.linspace(-1.0, 1.0, 5)
    with pytest.raises(error, match=match):
        fastgd.jacobian(broyden, x, sparsity=sparsity)
    assert np.array_equal(x, np.linspace(-1.0, 1.0, 5))


def test_bad_values_and_failures_keep_x_intact():
    n = 10
    plan = fastgd.SparseJacobian(tridiagonal(n))
    x = np.linspace(-1.0, 1.0, n)
    calls = iter(range(100))

    def raising(v):
        if next(calls) == 3:
            raise ArithmeticError("boom")
        return broyden(v)
    cases = [(raising, ArithmeticError, "boom"), (lambda v: np.zeros(n + 1), ValueError, "10 rows"),
             (lambda v: np.full(n, np.nan), ValueError, "non-finite"), (lambda v: "x", TypeError, "real numbers"),
             (lambda v: v.resize(10**5, refcheck=False), RuntimeError, "resized")]
    for F, error, match in cases:
        x = np.linspace(-1.0, 1.0, n).copy()
        with pytest.raises(error, match=match):
            plan.jacobian(F, x)
        if error is not RuntimeError:
            assert np.array_equal(x, np.linspace(-1.0, 1.0, n))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"out": np.empty((5, 5))}, ValueError, "out="), ({"h": 0.0}, ValueError, "h"), ({"m": 4}, ValueError, "m=4"),
    ({"method": "upwards"}, ValueError, "method"),
])
def test_bad_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        fastgd.jacobian(broyden, np.ones(5), sparsity=tridiagonal(5), **kwargs)


def test_a_step_that_vanishes_next_to_x_is_named():
    with pytest.raises(ValueError, match="vanishes"):
        fastgd.jacobian(broyden, np.array([1.0, 1e30, 1.0]), sparsity=tridiagonal(3))


def test_exotic_dtypes_are_refused_clearly():
    with pytest.raises(TypeError, match="float32 or float64"):
        fastgd.jacobian(broyden, np.ones(5, dtype=np.float16), sparsity=tridiagonal(5))
