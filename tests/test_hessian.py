"""fastgd.hessian and fastgd.hessp: the numpy twin's numbers, symmetry, accuracy against analytic Hessians,
honest error estimates, C objectives on threads, and bad input."""
import importlib.util
import time

import numpy as np
import pytest
from arrays import same_bits
from test_diff_hostile import interrupted_after

import fastgd
from fastgd import reference

try:
    from objectives import nan_above_one, sum_cubes, through_python  # numba @cfunc functions
except pytest.skip.Exception:
    sum_cubes = None
needs_numba = pytest.mark.skipif(sum_cubes is None, reason="needs numba")
needs_tqdm = pytest.mark.skipif(importlib.util.find_spec("tqdm") is None, reason="needs tqdm")

rng = np.random.default_rng(7)
A = rng.standard_normal((8, 8))
A = A @ A.T


def lse(x):
    return np.log(np.sum(np.exp(x)))


def lse_hessian(x):
    p = np.exp(x) / np.sum(np.exp(x))
    return np.diag(p) - np.outer(p, p)


def chain(x):
    """sum(cos(x_i x_{i+1})): every neighbouring pair coupled."""
    return np.sum(np.cos(x[:-1] * x[1:]))


def chain_hessian(x):
    H = np.zeros((x.size, x.size))
    for i in range(x.size - 1):
        a, b = x[i], x[i + 1]
        c, s = np.cos(a * b), np.sin(a * b)
        H[i, i] -= c * b * b
        H[i + 1, i + 1] -= c * a * a
        H[i, i + 1] = H[i + 1, i] = -s - c * a * b
    return H


def rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def rosen_hessian(x):
    H = np.zeros((x.size, x.size))
    for i in range(x.size - 1):
        H[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        H[i + 1, i + 1] += 200
        H[i, i + 1] = H[i + 1, i] = -400 * x[i]
    return H


SMOOTH = {
    "rosenbrock": (rosen, rosen_hessian),
    "sum of x sin x": (lambda x: np.sum(np.sin(x) * x), lambda x: np.diag(2 * np.cos(x) - x * np.sin(x))),
    "quadratic form": (lambda x: 0.5 * x @ A @ x, lambda x: A),
    "log-sum-exp": (lse, lse_hessian),
    "cosine chain": (chain, chain_hessian),
    "exponential": (lambda x: np.exp(np.sum(x) / 3), lambda x: np.exp(np.sum(x) / 3) / 9 * np.ones((x.size, x.size))),
}


def relative_error(H, exact):
    return np.linalg.norm(H - exact) / np.linalg.norm(exact)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layout", ["C", "transposed", "stepped"])
@pytest.mark.parametrize("method", ["central", "richardson"])
def test_hessian_is_the_reference_bit_for_bit_and_x_is_restored(dtype, layout, method):
    base = np.linspace(-1.0, 2.0, 12, dtype=dtype).reshape(3, 4)
    x = {"C": base, "transposed": base.T, "stepped": base[:, ::2]}[layout]
    before = base.copy()
    f = lambda v: np.sum(np.sin(v) * v) + v.ravel()[0] * v.ravel()[-1] ** 2  # noqa: E731
    got = fastgd.hessian(f, x, method=method)
    assert same_bits(base, before)
    assert same_bits(got, reference.hessian(f, x, method=method))
    assert same_bits(got, got.T)  # symmetric by construction
    assert same_bits(fastgd.hessian(f, x, 1e-3), reference.hessian(f, x, 1e-3))


@pytest.mark.parametrize("name", SMOOTH)
def test_central_is_within_1e_7_and_richardson_within_1e_9_on_smooth_functions(name):
    f, exact_of = SMOOTH[name]
    x = np.random.default_rng(1).uniform(-1, 1, 8)
    exact = exact_of(x)
    assert relative_error(fastgd.hessian(f, x), exact) <= 1e-7
    assert relative_error(fastgd.hessian(f, x, method="richardson"), exact) <= 1e-9


@pytest.mark.parametrize("name", SMOOTH)
def test_richardson_error_estimates_bound_the_real_error(name):
    f, exact_of = SMOOTH[name]
    violations = 0
    for seed in range(10):
        x = np.random.default_rng(seed).uniform(-1, 1, 8)
        exact = exact_of(x)
        H, info = fastgd.hessian(f, x, method="richardson", full_output=True)
        error = np.abs(H - exact)
        matters = error > 1e-12 * np.linalg.norm(exact)
        assert np.all(error[matters] <= 3 * info.error[matters])
        violations += int(np.sum(matters & (error > info.error)))
        assert info.error.shape == (8, 8)
        assert np.array_equal(info.step, 2.0 ** np.round(np.log2(info.step)))  # powers of two, x +- h exact
    assert violations <= 4  # of 640 entries


def test_evaluations_are_2n2_plus_1_and_4n2_plus_2_and_the_measuring_of_the_steps():
    calls = []
    f = lambda v: calls.append(1) or float(np.sum(v**2))  # noqa: E731
    fastgd.hessian(f, np.ones(7), 1e-3)
    assert len(calls) == 2 * 49 + 1
    calls.clear()
    fastgd.hessian(f, np.ones(7), 1e-3, method="richardson")
    assert len(calls) == 4 * 49 + 2
    calls.clear()
    _, info = fastgd.hessian(f, np.ones(7), 1e-3, method="richardson", full_output=True)
    assert len(calls) == info.calls == 6 * 49 + 3  # at h / 2 too, for the estimate
    calls.clear()
    fastgd.hessian(f, np.ones(7))  # second differences at the rule's step and half of it: both reused here
    assert len(calls) == 2 * 49 + 1 + 2 * 7 + 1
    calls.clear()
    _, info = fastgd.hessian(f, np.ones(7), method="richardson", full_output=True)
    assert len(calls) == info.calls == 6 * 49 + 3 + 2 * (2 * 7 + 1)  # and the measuring of the steps


@pytest.mark.parametrize("method", ["central", "richardson"])
def test_from_a_gradient_function(method):
    x = np.random.default_rng(2).uniform(-1, 1, 6)
    gradient = lambda v: A[:6, :6] @ v + np.cos(v)  # noqa: E731
    exact = A[:6, :6] - np.diag(np.sin(x))
    H = fastgd.hessian(None, x, gradient=gradient, method=method)
    assert same_bits(H, H.T)
    assert relative_error(H, exact) <= (1e-9 if method == "central" else 1e-11)
    J = reference.jacobian(gradient, x, 1e-4)
    assert same_bits(fastgd.hessian(None, x, 1e-4, gradient=gradient), 0.5 * (J + J.T))


def test_gradient_function_on_stacked_points_and_workers():
    x = np.linspace(-1.0, 1.0, 5)
    gradient = lambda v: 3 * v**2  # noqa: E731
    expected = fastgd.hessian(None, x, gradient=gradient)
    assert same_bits(fastgd.hessian(None, x, gradient=lambda X: 3 * X**2, vectorized=True), expected)
    assert same_bits(fastgd.hessian(None, x, gradient=gradient, workers=map), expected)
    _, info = fastgd.hessian(None, x, gradient=gradient, method="richardson", full_output=True)
    assert np.all(np.abs(_ - np.diag(6 * x)) <= info.error)


@pytest.mark.parametrize("method", ["central", "richardson"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_f_on_stacked_points_and_workers_gives_the_in_place_numbers(method, dtype):
    x = np.linspace(-1.0, 2.0, 7, dtype=dtype)
    f = lambda v: np.sum(np.sin(v) * v, axis=-1) + v[..., 0] * v[..., -1] ** 2  # noqa: E731
    expected = fastgd.hessian(f, x, method=method)
    assert same_bits(fastgd.hessian(f, x, method=method, vectorized=True), expected)
    assert same_bits(fastgd.hessian(f, x, method=method, vectorized=True, chunk_size=5), expected)
    assert same_bits(fastgd.hessian(f, x, method=method, workers=map), expected)
    _, info = fastgd.hessian(f, x, method="richardson", workers=map, full_output=True)
    assert info.calls == fastgd.hessian(f, x, method="richardson", full_output=True)[1].calls


def test_out_is_filled_and_returned():
    x = np.linspace(-1.0, 1.0, 4)
    out = np.full((4, 4), np.nan)
    f = lambda v: float(np.sum(v**4))  # noqa: E731
    assert fastgd.hessian(f, x, out=out) is out
    assert same_bits(out, fastgd.hessian(f, x))
    with pytest.raises(ValueError, match="shape"):
        fastgd.hessian(f, x, out=np.empty((4, 5)))


def test_hessp_is_the_hessian_times_p_and_x_is_restored():
    x = np.random.default_rng(4).uniform(-1, 1, 8)
    p = np.random.default_rng(5).standard_normal(8)
    before = x.copy()
    for f, exact_of in SMOOTH.values():
        exact = exact_of(x) @ p
        assert np.linalg.norm(fastgd.hessp(f, x, p) - exact) <= 1e-5 * np.linalg.norm(exact)
        assert same_bits(x, before)
    gradient = lambda v: A @ v  # noqa: E731
    assert np.allclose(fastgd.hessp(None, x, p, gradient=gradient), A @ p, rtol=1e-8)
    assert same_bits(x, before)
    assert np.array_equal(fastgd.hessp(rosen, x, np.zeros(8)), np.zeros(8))


def test_hessp_keeps_x_intact_when_f_raises():
    x = np.linspace(0.0, 1.0, 5)
    calls = iter(range(100))

    def f(v):
        if next(calls) == 13:  # in the gradient at x - e p
            raise ArithmeticError("boom")
        return float(np.sum(v**3))
    with pytest.raises(ArithmeticError):
        fastgd.hessp(f, x, np.ones(5))
    assert np.array_equal(x, np.linspace(0.0, 1.0, 5))


# --- bad input --------------------------------------------------------------------------------------

@pytest.mark.parametrize("at_call", [0, 3, 30])  # f(x) of the diagonal, the diagonal, the mixed loop
@pytest.mark.parametrize("bad", ["array", "string", "nan", "raises"])
def test_bad_values_of_f_are_a_clear_error_with_x_intact(at_call, bad):
    x = np.linspace(0.5, 1.5, 6)
    calls = iter(range(10**6))

    def f(v):
        if next(calls) != at_call:
            return float(np.sum(v**2))
        if bad == "raises":
            raise ArithmeticError("boom")
        return {"array": np.ones(2), "string": "loss", "nan": float("nan")}[bad]
    error = {"array": TypeError, "string": TypeError, "nan": ValueError, "raises": ArithmeticError}[bad]
    with pytest.raises(error):
        fastgd.hessian(f, x)
    assert np.array_equal(x, np.linspace(0.5, 1.5, 6))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"method": "forward"}, ValueError, "method"), ({"full_output": True}, ValueError, "richardson"),
    ({"h": 0.0}, ValueError, "h"), ({"h": np.ones(3)}, ValueError, "broadcast"),
    ({"threads": 2}, ValueError, "threads"),
])
def test_bad_arguments_are_named(kwargs, error, match):
    x = np.ones(4)
    with pytest.raises(error, match=match):
        fastgd.hessian(lambda v: float(np.sum(v**2)), x, **kwargs)
    assert np.array_equal(x, np.ones(4))


@pytest.mark.parametrize("x, error, match", [
    (np.ones(3, dtype=np.float16), TypeError, "float32 or float64"), (np.array([1.0, np.inf]), ValueError, "finite"),
    (np.array([1, 2]), TypeError, "floating"),
])
def test_bad_points_are_named(x, error, match):
    with pytest.raises(error, match=match):
        fastgd.hessian(lambda v: float(np.sum(v**2)), x)


def test_bad_p_is_named():
    x = np.ones(3)
    with pytest.raises(ValueError, match="x.size"):
        fastgd.hessp(lambda v: float(np.sum(v**2)), x, np.ones(2))
    with pytest.raises(ValueError, match="finite"):
        fastgd.hessp(lambda v: float(np.sum(v**2)), x, np.array([1.0, np.nan, 0.0]))


@pytest.mark.sends_sigint
@needs_tqdm
def test_ctrl_c_stops_with_x_intact():
    x = np.linspace(0.0, 1.0, 60)
    before = x.copy()

    def slow(v):
        time.sleep(0.0002)
        return float(np.sum(v**2))
    interrupted_after(0.2, lambda: fastgd.hessian(slow, x, progress=True))
    assert same_bits(x, before)


# --- C-level objectives -------------------------------------------------------------------------------

@needs_numba
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("method", ["central", "richardson"])
def test_c_objective_is_the_python_one_bit_for_bit(threads, method):
    x = np.linspace(-1.5, 2.0, 150)
    got = fastgd.hessian(sum_cubes, x, threads=threads, method=method)
    assert same_bits(got, fastgd.hessian(through_python(sum_cubes), x, method=method))
    assert np.abs(got - np.diag(6 * x)).max() <= 1e-6
    _, info = fastgd.hessian(sum_cubes, x, threads=threads, method="richardson", full_output=True)
    assert np.all(np.abs(_ - np.diag(6 * x)) <= info.error)


@needs_tqdm
@pytest.mark.parametrize("mode", ["vectorized", "workers"])
def test_progress_counts_evaluations_on_copies(bars, mode):
    x = np.linspace(-1.0, 1.0, 12)
    options = {"vectorized": {"vectorized": True}, "workers": {"workers": map}}[mode]
    fastgd.hessian(lambda v: np.sum(v**3, axis=-1), x, progress=True, **options)
    calls = []
    fastgd.hessian(lambda v: calls.append(0) or np.sum(v**3), x)
    assert bars[-1].total == bars[-1].n == len(calls)  # 2 n**2 + 1 and the measuring of the steps


@needs_numba
def test_c_objective_errors_keep_x_intact():
    x = np.array([1.0 - 1e-6, 0.5])  # NaN once x0 > 1: at x0 + h
    with pytest.raises(fastgd.ObjectiveError, match="NaN"):
        fastgd.hessian(nan_above_one, x)
    assert np.array_equal(x, [1.0 - 1e-6, 0.5])


@needs_numba
@needs_tqdm
@pytest.mark.parametrize("method", ["central", "richardson"])
def test_progress_counts_every_evaluation(bars, method):
    x = np.linspace(-1.0, 1.0, 200)
    calls = []
    python_f = through_python(sum_cubes)
    fastgd.hessian(lambda v: calls.append(0) or python_f(v), x, method=method)
    for f in (sum_cubes, python_f):  # C: counted by rows of the mixed loop
        H = fastgd.hessian(f, x, method=method, progress=True)
        assert np.abs(H - np.diag(6 * x)).max() < 1e-5
        assert bars[-1].total == bars[-1].n == len(calls)  # the pairs, the diagonal, the measuring of the steps
