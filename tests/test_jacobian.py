"""fastgd.jacobian: the numpy twin's numbers, analytic Jacobians, every evaluator, and every bad input."""
import importlib.util
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from arrays import same_bits
from test_diff_hostile import interrupted_after

import fastgd
from fastgd import reference

try:
    import numba
except ImportError:
    numba = None
needs_numba = pytest.mark.skipif(numba is None, reason="needs numba")
needs_tqdm = pytest.mark.skipif(importlib.util.find_spec("tqdm") is None, reason="needs tqdm")


def x_sum(x):
    """F = x * sum(x): J = sum(x) I + x 1^T (the issue's dense case)."""
    return x * np.sum(x)


def mixed_outputs(x):
    """Four outputs of any-shaped x."""
    flat = x.ravel()
    return np.array([np.sum(flat**3), flat[0] * flat[-1], np.sin(flat).sum(), np.exp(flat[1])])


def mixed_outputs_jacobian(x):
    flat = x.ravel().astype(np.float64)
    J = np.zeros((4, flat.size))
    J[0] = 3 * flat**2
    J[1, 0] += flat[-1]
    J[1, -1] += flat[0]
    J[2] = np.cos(flat)
    J[3, 1] = np.exp(flat[1])
    return J


LAYOUTS = {"C": lambda b: b, "Fortran": np.asfortranarray, "transposed": lambda b: b.T,
           "stepped": lambda b: b[:, ::2]}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_jacobian_is_the_reference_bit_for_bit_and_x_is_restored(dtype, layout):
    base = np.linspace(-1.0, 2.0, 12, dtype=dtype).reshape(3, 4)
    x = LAYOUTS[layout](base)
    before = base.copy()
    got = fastgd.jacobian(mixed_outputs, x)
    assert same_bits(base, before)
    assert got.dtype == dtype and got.shape == (4, x.size)  # float32 for float32 x: computed in double
    assert same_bits(got, reference.jacobian(mixed_outputs, x))
    assert same_bits(base, before)


def test_jacobian_of_a_scalar_function_is_one_row():
    x = np.linspace(-1.0, 1.0, 7)
    J = fastgd.jacobian(lambda v: np.sum(v**3), x)
    assert J.shape == (1, 7)
    np.testing.assert_allclose(J[0], 3 * x**2, rtol=1e-7, atol=2e-8)  # truncation: h**2 f''' / 6 = 1e-8


def test_dense_case_of_the_issue_is_accurate_to_1e_10():
    x = np.linspace(0.5, 1.5, 100)
    J = fastgd.jacobian(x_sum, x)
    exact = np.sum(x) * np.eye(100) + x[:, None]
    assert np.abs(J - exact).max() / np.abs(exact).max() <= 1e-10
    assert np.abs(J - exact).max() <= 1e-10 * np.abs(exact).max()


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3])
def test_accuracy_against_analytic_jacobians(scale):
    x = np.linspace(-1.0, 1.2, 9) * scale
    h = 1e-5 * np.maximum(1.0, np.abs(x))  # a per-element step
    J = fastgd.jacobian(mixed_outputs, x, h)
    exact = mixed_outputs_jacobian(x)
    assert np.abs(J - exact).max() <= 1e-6 * np.abs(exact).max()


def test_steps_are_the_representable_ones():
    x = np.array([0.1, 1e8])  # 1e8 + 1e-4 is not 1e8 + 1e-4 exactly
    J = fastgd.jacobian(lambda v: v.copy(), x)
    assert np.array_equal(J, np.eye(2))  # F = x: exact with exact steps, whatever the rounding of x + h


def test_vectorized_workers_and_in_place_agree():
    x = np.linspace(-1.0, 2.0, 6)
    rows = lambda X: np.stack([mixed_outputs(p).ravel() for p in X])  # noqa: E731
    expected = fastgd.jacobian(mixed_outputs, x)
    assert same_bits(fastgd.jacobian(rows, x, vectorized=True), expected)
    assert same_bits(fastgd.jacobian(rows, x, vectorized=True, chunk_size=3), expected)
    assert same_bits(fastgd.jacobian(mixed_outputs, x, workers=map), expected)
    with ThreadPoolExecutor(2) as pool:
        assert same_bits(fastgd.jacobian(mixed_outputs, x, workers=pool), expected)


def test_vectorized_F_is_called_on_few_large_batches():
    calls = []
    x = np.linspace(0.5, 1.5, 100)

    def F(X):
        calls.append(len(X))
        return X * np.sum(X, axis=-1, keepdims=True)
    fastgd.jacobian(F, x, vectorized=True)
    assert sum(calls) == 201 and len(calls) <= 3  # F(x), then 200 points in batches of 512 KB


def test_m_saves_the_call_at_x_and_is_checked():
    calls = []

    def F(v):
        calls.append(1)
        return v * 2.0
    x = np.ones(5)
    fastgd.jacobian(F, x, m=5)
    assert len(calls) == 10  # 2n: central differences do not need F(x)
    calls.clear()
    fastgd.jacobian(F, x)
    assert len(calls) == 11  # F(x) tells m
    with pytest.raises(ValueError, match="F returned 5 values"):
        fastgd.jacobian(F, x, m=4)


def test_out_is_filled_and_returned():
    x = np.linspace(-1.0, 2.0, 6)
    out = np.full((4, 6), np.nan)
    assert fastgd.jacobian(mixed_outputs, x, out=out) is out
    assert same_bits(out, fastgd.jacobian(mixed_outputs, x))


@pytest.mark.parametrize("out, error, match", [
    (np.empty((4, 5)), ValueError, "shape"), (np.empty((4, 6), dtype=np.float32), TypeError, "float64"),
    (np.empty((6, 4)).T, ValueError, "C-contiguous"), ([[0.0] * 6] * 4, TypeError, "ndarray"),
])
def test_bad_out_is_named(out, error, match):
    x = np.linspace(-1.0, 2.0, 6)
    with pytest.raises(error, match=match):
        fastgd.jacobian(mixed_outputs, x, out=out)
    assert np.array_equal(x, np.linspace(-1.0, 2.0, 6))


def test_out_sharing_memory_with_x_is_refused():
    buffer = np.zeros(4 * 6 + 6)
    x, out = buffer[:6], buffer[6:].reshape(4, 6)
    x[:] = 1.0
    with pytest.raises(ValueError, match="share memory"):
        fastgd.jacobian(mixed_outputs, x, out=buffer[:24].reshape(4, 6))
    assert fastgd.jacobian(mixed_outputs, x, out=out) is out


# --- bad input: a clear error, x intact ------------------------------------------------------------

def changing_size(v):
    return np.zeros(3 if v[0] == 1.0 else 4)


BAD_F = {
    "a different size at a perturbed point": (changing_size, ValueError, "where 3 were expected"),
    "strings": (lambda v: np.array(["a", "b"]), TypeError, "real numbers"),
    "None": (lambda v: None, TypeError, "real numbers"),
    "non-finite at x": (lambda v: np.array([np.inf, 1.0]), ValueError, "non-finite values at x"),
    "non-finite near x": (lambda v: np.array([np.nan if v[1] < 2.0 else 1.0, 1.0]), ValueError, "around element 1"),
    "complex": (lambda v: v + 1j, TypeError, "real numbers"),
}


@pytest.mark.parametrize("case", BAD_F)
def test_bad_values_of_F_are_a_clear_error_with_x_intact(case):
    F, error, match = BAD_F[case]
    x = np.array([1.0, 2.0, 3.0])
    with pytest.raises(error, match=match):
        fastgd.jacobian(F, x)
    assert np.array_equal(x, [1.0, 2.0, 3.0])


@pytest.mark.parametrize("kwargs, error, match", [
    ({"h": 0.0}, ValueError, "h"), ({"h": -1e-3}, ValueError, "h"), ({"h": float("nan")}, ValueError, "h"),
    ({"h": "small"}, TypeError, "h"), ({"h": np.ones(2)}, ValueError, "broadcast"),
    ({"h": np.array([1e-3, 0.0, 1e-3])}, ValueError, "finite and > 0"), ({"method": "sideways"}, ValueError, "method"),
    ({"m": -1}, ValueError, "m"), ({"m": 2.5}, TypeError, "m"), ({"threads": 2}, ValueError, "threads"),
    ({"vectorized": True, "workers": map}, ValueError, "one of"),
    ({"method": "richardson"}, ValueError, "is for gradients"),
])
def test_bad_arguments_are_named(kwargs, error, match):
    x = np.array([1.0, 2.0, 3.0])
    with pytest.raises(error, match=match):
        fastgd.jacobian(lambda v: v * 2.0, x, **kwargs)
    assert np.array_equal(x, [1.0, 2.0, 3.0])


@pytest.mark.parametrize("x, error, match", [
    (np.array([1, 2, 3]), TypeError, "floating"), (np.array([1.0, np.nan]), ValueError, "finite"),
    ([1.0, 2.0], TypeError, "ndarray"), (np.array([1.0 + 0j]), TypeError, "floating"),
])
def test_bad_points_are_named(x, error, match):
    with pytest.raises(error, match=match):
        fastgd.jacobian(lambda v: v * 2.0, x)


def test_read_only_x_is_refused():
    x = np.ones(3)
    x.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        fastgd.jacobian(lambda v: v * 2.0, x)


def test_F_raising_restores_x():
    x = np.linspace(0.0, 1.0, 5)
    calls = iter(range(100))

    def F(v):
        if next(calls) == 6:
            raise ArithmeticError("boom")
        return v * 2.0
    with pytest.raises(ArithmeticError):
        fastgd.jacobian(F, x)
    assert np.array_equal(x, np.linspace(0.0, 1.0, 5))


def test_empty_x_gives_an_empty_jacobian():
    assert fastgd.jacobian(lambda v: np.ones(2), np.empty(0)).shape == (2, 0)


# --- progress and Ctrl-C ---------------------------------------------------------------------------

@needs_tqdm
def test_progress_shows_a_bar_for_a_long_computation(capsys):
    x = np.linspace(0.0, 1.0, 40)

    def slow(v):
        time.sleep(0.01)
        return v * 2.0
    J = fastgd.jacobian(slow, x, progress=True)
    assert np.allclose(J, 2 * np.eye(40))
    assert "jacobian" in capsys.readouterr().err  # 0.8 s and more: the bar appears after 0.5 s


@needs_tqdm
@pytest.mark.parametrize("mode", ["in place", "vectorized", "workers", "sparse"])
def test_progress_counts_every_evaluation(bars, mode):
    if mode == "sparse":
        pytest.importorskip("scipy")
    x = np.linspace(0.0, 1.0, 30)
    F = {"vectorized": lambda X: X * 2.0}.get(mode, lambda v: v * 2.0)
    options = {"in place": {}, "vectorized": {"vectorized": True}, "workers": {"workers": map},
               "sparse": {"sparsity": np.eye(30)}}[mode]
    fastgd.jacobian(F, x, progress=True, **options)
    total = {"sparse": 2}.get(mode, 60)  # the 2n points (F(x), for m, before the bar); one group: 2 points
    assert len(bars) == 1 and bars[0].total == total and bars[0].n == total


@needs_tqdm
def test_progress_is_silent_for_a_quick_computation(capsys):
    fastgd.jacobian(lambda v: v * 2.0, np.ones(5), progress=True)
    assert capsys.readouterr().err == ""


@pytest.mark.sends_sigint
@needs_tqdm
def test_ctrl_c_stops_with_x_intact():
    x = np.linspace(0.0, 1.0, 1000)
    before = x.copy()

    def slow(v):
        time.sleep(0.001)
        return v[:3] * 2.0
    interrupted_after(0.2, lambda: fastgd.jacobian(slow, x, progress=True))
    assert same_bits(x, before)


# --- C vector functions --------------------------------------------------------------------------------

if numba is not None:
    from numba import carray, cfunc, types

    DOUBLE_P = types.CPointer(types.float64)

    @cfunc(types.void(types.intc, DOUBLE_P, types.intc, DOUBLE_P, types.voidptr))
    def c_x_sum(n, x, m, out, user_data):
        """F = x * sum(x), m = n."""
        a, o = carray(x, n), carray(out, m)
        total = 0.0
        for i in range(n):
            total += a[i]
        for i in range(m):
            o[i] = a[i] * total

    @cfunc(types.intc(types.intp, DOUBLE_P, types.intp, DOUBLE_P, types.voidptr))
    def c_status_when_negative(n, x, m, out, user_data):
        """F = x**2 with status 5 once x[0] < 0."""
        a, o = carray(x, n), carray(out, m)
        if a[0] < 0:
            return 5
        for i in range(m):
            o[i] = a[i] * a[i]
        return 0


def python_x_sum(v):
    """c_x_sum's arithmetic in Python, in the same order."""
    total = 0.0
    for value in v:
        total += value
    return v * total


@needs_numba
@pytest.mark.parametrize("threads", [1, 2])
def test_c_vector_function_is_the_python_one_bit_for_bit(threads):
    x = np.linspace(0.5, 1.5, 300)
    got = fastgd.jacobian(c_x_sum, x, m=300, threads=threads)
    assert same_bits(got, fastgd.jacobian(python_x_sum, x))
    assert np.array_equal(x, np.linspace(0.5, 1.5, 300))


@needs_numba
def test_c_vector_function_needs_m():
    x = np.ones(3)
    with pytest.raises(TypeError, match="m= is required"):
        fastgd.jacobian(c_x_sum, x)
    with pytest.raises(ValueError, match="m"):
        fastgd.jacobian(c_x_sum, x, m=-2)


@needs_numba
def test_c_status_is_an_objective_error_with_x_intact():
    x = np.array([0.0, 1.0])
    with pytest.raises(fastgd.ObjectiveError, match="status 5"):
        fastgd.jacobian(c_status_when_negative, x, m=2)
    assert np.array_equal(x, [0.0, 1.0])


@needs_numba
def test_a_scalar_c_objective_gives_its_gradient_as_one_row():
    objectives = pytest.importorskip("objectives")
    x = np.linspace(-1.0, 1.0, 9)
    J = fastgd.jacobian(objectives.sum_cubes, x)
    assert J.shape == (1, 9)
    assert same_bits(J, fastgd.jacobian(objectives.through_python(objectives.sum_cubes), x))
    with pytest.raises(ValueError, match="scalar objective"):
        fastgd.jacobian(objectives.sum_cubes, x, m=3)


@pytest.mark.parametrize("method", ["central", "forward", "backward", "central4"])
def test_methods_and_steps_are_numerical_gradients(method):
    """jacobian takes numerical_gradient's method= and h=: with per-element steps (both then divide by
    the representable step) row j of the Jacobian of (f_0, f_1) is the gradient of f_j, bit for bit."""
    x = np.array([0.5, -1.25, 2.0, 1e-3, 3.0])
    parts = (lambda v: float(np.sum(v**3)), lambda v: float(np.sin(v).prod()))
    F = lambda v: np.array([part(v) for part in parts])  # noqa: E731
    h = np.geomspace(1e-4, 1e-3, x.size)
    got = fastgd.jacobian(F, x, h, method=method)
    for j, part in enumerate(parts):
        assert same_bits(got[j], fastgd.numerical_gradient(part, x, h, method=method))


@pytest.mark.parametrize("method", ["central", "central4"])
def test_automatic_steps_follow_the_scale_of_x(method):
    """h='auto' scales the step with |x| >= 1 (a fixed 1e-4 fails at 1e8: rounding swamps the difference)."""
    with np.errstate(all="ignore"):
        assert not np.allclose(np.diag(fastgd.jacobian(lambda v: v**3, 1e8 * np.array([0.5, 2.0]))),
                               3 * (1e8 * np.array([0.5, 2.0]))**2, rtol=1e-7)
    for scale in (1.0, 1e8):
        x = scale * np.array([0.5, -1.25, 2.0])
        got = fastgd.jacobian(lambda v: v**3, x, "auto", method=method)
        np.testing.assert_allclose(np.diag(got), 3 * x**2, rtol=1e-7)


def test_hessian_reads_auto_as_its_default_rule():
    x = np.array([0.3, -1.5, 2.0])
    f = lambda v: float(np.sum(np.cos(v)) * v[0])  # noqa: E731
    assert same_bits(fastgd.hessian(f, x, "auto"), fastgd.hessian(f, x))
