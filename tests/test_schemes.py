"""method=, h=, bounds= and full_output=: fast against the plain-loop twins, every evaluator, error paths."""
import typing
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from arrays import FLOAT_DTYPES, float_views, same_bits, same_values
from hypothesis import given
from hypothesis import strategies as st

import fastgd
import fastgd.nn
from fastgd import reference
from fastgd.diff._core import estimates
from fastgd.diff._core.schemes import SCHEMES, Method
from fastgd.reference import schemes as twins

METHODS = list(SCHEMES)
REAL_METHODS = [m for m in METHODS if m != "complex"]
STEPS = {"default": None, "auto": "auto", "float": 1e-3, "array": "array"}


def steps(kind, x):
    """The h= a test passes: None, 'auto', a float, or an array of per-element steps."""
    if kind == "array":  # steps that move x in its dtype (float16's spacing at 4 is 0.004)
        return np.linspace(1e-3, 3e-3, x.size).reshape(x.shape) * (100 if x.dtype == np.float16 else 1)
    if kind == "float" and x.dtype == np.float16:
        return 0.1
    return STEPS.get(kind, kind)


def smooth(x):
    return np.sum(np.sin(x) * x**2)


def smooth_rows(X):
    return np.sum(np.sin(X) * X**2, axis=-1)


# --- the textbook's defaults ---------------------------------------------------------------

def test_defaults_are_the_textbooks_bitwise():
    x = np.linspace(-2, 3, 12).reshape(3, 4).T
    textbook = reference.numerical_gradient(smooth, x)
    assert np.array_equal(fastgd.numerical_gradient(smooth, x), textbook)
    assert np.array_equal(fastgd.numerical_gradient(smooth, x, None, method="central"), textbook)
    assert np.array_equal(twins.numerical_gradient(smooth, x), textbook)
    # a given h divides by the distance its points take: the textbook's points, not its divisor
    given = fastgd.numerical_gradient(smooth, x, 1e-4)
    assert np.array_equal(given, twins.numerical_gradient(smooth, x, 1e-4))
    np.testing.assert_allclose(given, textbook, rtol=1e-11)
    assert not np.array_equal(given, textbook)  # (x + h) - (x - h) is not 2 h for some of these x
    assert np.array_equal(fastgd.numerical_gradient_2d(smooth, x, method="central"),
                          reference.numerical_gradient_2d(smooth, x))


def test_method_names_are_the_schemes():
    names = {typing.get_args(alias)[0] for alias in typing.get_args(Method)}
    assert names == set(SCHEMES)
    assert {name for name, row in SCHEMES.items() if row.sides is not None} == set(SCHEMES) - {"complex"}


# --- fast against the plain loops ------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
@given(data=st.data())
def test_every_method_matches_its_twin(method, data):
    base, view, _ = data.draw(float_views(max_dims=3, max_side=3))
    kind = data.draw(st.sampled_from(list(STEPS)))
    h = steps(kind, view)
    before = base.copy()
    fast = fastgd.numerical_gradient(smooth, view, h, method=method)
    assert same_bits(base, before)
    assert fast.dtype == view.dtype and fast.shape == view.shape
    assert same_values(fast, twins.numerical_gradient(smooth, view, h, method=method))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("kind", ["default", "auto", "array"])
def test_full_output_matches_its_twin_and_keeps_the_gradient(method, kind):
    x = np.array([2e-6, -0.3, 2.0, 5.0, -7.0])
    h = steps(kind, x)
    grad, info = fastgd.numerical_gradient(smooth, x, h, method=method, full_output=True)
    twin, twin_info = twins.numerical_gradient(smooth, x, h, method=method, full_output=True)
    assert np.array_equal(grad, twin)
    assert np.array_equal(grad, fastgd.numerical_gradient(smooth, x, h, method=method))
    for field in ("error", "status", "nfev", "step"):
        assert np.array_equal(getattr(info, field), getattr(twin_info, field), equal_nan=True), field
    calls = []
    fastgd.numerical_gradient(lambda v: calls.append(0) or smooth(v), x, h, method=method, full_output=True)
    assert info.calls == twin_info.calls == len(calls) >= int(info.nfev.sum())  # and f(x), where a pass needs it
    assert info.error.shape == info.status.shape == info.nfev.shape == x.shape
    exact = 2 * x * np.sin(x) + x**2 * np.cos(x)
    assert np.all(np.abs(grad - exact) <= info.error)


def test_named_twins_are_the_formulas():
    x = np.array([0.3, -1.2, 2.5])
    h = 1e-2
    f = smooth
    e = np.eye(3) * h
    rows = [(f(x + e[i]), f(x - e[i]), f(x + 2 * e[i]), f(x - 2 * e[i]), f(x + e[i] / 2), f(x - e[i] / 2))
            for i in range(3)]
    fx = f(x)
    np.testing.assert_allclose(twins.forward_difference(f, x, h), [(p - fx) / h for p, *_ in rows], rtol=1e-12)
    np.testing.assert_allclose(twins.backward_difference(f, x, h), [(fx - m) / h for _, m, *_ in rows], rtol=1e-12)
    np.testing.assert_allclose(twins.central4_difference(f, x, h),
                               [(-p2 + 8 * p - 8 * m + m2) / (12 * h) for p, m, p2, m2, *_ in rows], rtol=1e-12)
    np.testing.assert_allclose(twins.richardson(f, x, h),
                               [(8 * (ph - mh) - (p - m)) / (6 * h) for p, m, _, _, ph, mh in rows], rtol=1e-12)
    np.testing.assert_allclose(twins.complex_step(f, x, 1e-20), np.sin(x) * 2 * x + np.cos(x) * x**2, rtol=1e-15)


# --- evaluators ---------------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("kind", ["default", "auto", "float"])
@pytest.mark.parametrize("extras", [{}, {"full_output": True, "bounds": (-1.5, 2.0)}])
def test_vectorized_and_workers_match_in_place(method, kind, extras):
    x = np.linspace(-1.5, 2.0, 7)
    h = steps(kind, x)
    in_place = fastgd.numerical_gradient(smooth, x, h, method=method, **extras)
    vectorized = fastgd.numerical_gradient(smooth_rows, x, h, method=method, vectorized=True, chunk_size=5, **extras)
    with ThreadPoolExecutor(2) as pool:
        mapped = fastgd.numerical_gradient(smooth, x, h, method=method, workers=pool, **extras)
    for other in (vectorized, mapped):
        if extras:
            assert np.array_equal(in_place[0], other[0])
            assert np.array_equal(in_place[1].error, other[1].error)
            assert in_place[1].calls == other[1].calls
        else:
            assert np.array_equal(in_place, other)


def test_c_objectives_take_every_real_method():
    objectives = pytest.importorskip("objectives")
    x = np.linspace(-1.5, 2.0, 9)
    through_python = objectives.through_python(objectives.sum_cubes)
    for method in REAL_METHODS:
        for h in (None, "auto", 1e-3):
            for threads in (1, 2):
                fast = fastgd.numerical_gradient(objectives.sum_cubes, x, h, method=method, threads=threads,
                                                 full_output=True, bounds=(-1.5, 2.0))
                slow = fastgd.numerical_gradient(through_python, x, h, method=method, full_output=True,
                                                 bounds=(-1.5, 2.0))
                assert np.array_equal(fast[0], slow[0]) and np.array_equal(fast[1].error, slow[1].error)


def test_complex_step_is_refused_for_a_c_objective():
    objectives = pytest.importorskip("objectives")
    with pytest.raises(TypeError, match="C-level objective takes double"):
        fastgd.numerical_gradient(objectives.sum_cubes, np.ones(3), method="complex")


@pytest.mark.parametrize("method", METHODS)
def test_gradient_2d_rows_are_single_points(method):
    X = np.linspace(-1, 2, 12).reshape(4, 3)
    grad = fastgd.numerical_gradient_2d(smooth, X, "auto", method=method)
    for row, g in zip(X, grad, strict=True):
        assert np.array_equal(g, fastgd.numerical_gradient(smooth, row.copy(), "auto", method=method))


@pytest.mark.parametrize("method", ["forward", "backward", "central4"])
@pytest.mark.parametrize("h", [1e-3, "array"])
def test_compiled_descent_takes_fixed_steps_of_any_scheme(method, h):
    x0 = np.linspace(-1, 1, 5)
    h = steps(h, x0)
    x, path = fastgd.gradient_descent(smooth, x0.copy(), lr=0.1, step_num=4, history=True, h=h, method=method)
    twin = x0.copy()
    for k in range(4):
        assert np.array_equal(path[k], twin)
        twin -= 0.1 * twins.numerical_gradient(smooth, twin, h, method=method)
    assert np.array_equal(x, twin)


@pytest.mark.parametrize("method", ["central", "complex", "richardson"])
def test_descent_with_automatic_steps_is_a_loop_of_gradients(method):
    x0 = np.array([0.5, -2e-6, 3.0])
    x = fastgd.gradient_descent(smooth, x0.copy(), lr=0.05, step_num=3, h="auto", method=method)
    twin = x0.copy()
    for _ in range(3):
        twin -= 0.05 * fastgd.numerical_gradient(smooth, twin, "auto", method=method)
    assert np.array_equal(x, twin)


# --- evaluations ---------------------------------------------------------------------------

def counting(f):
    def counted(x):
        counted.calls += 1
        return f(x)
    counted.calls = 0
    return counted


@pytest.mark.parametrize("method, per_element, once", [("central", 2, 0), ("forward", 1, 1), ("backward", 1, 1),
                                                       ("central4", 4, 0), ("complex", 1, 1), ("richardson", 4, 0)])
def test_evaluations_per_element(method, per_element, once):
    f = counting(smooth)
    x = np.linspace(0.5, 3.0, 10)  # no |x| small enough for a second step, no retry
    fastgd.numerical_gradient(f, x, "auto", method=method)
    assert f.calls == per_element * x.size + once


def test_auto_tries_a_relative_step_only_for_small_elements():
    f = counting(smooth)
    x = np.array([1e-9, 0.0, 0.5, -2e-7, 4.0])
    _, info = fastgd.numerical_gradient(f, x, "auto", full_output=True)
    assert info.nfev.tolist() == [8, 4, 4, 8, 4]  # two steps, each at h and h/2 for the estimate
    assert info.calls == f.calls
    _, info = fastgd.numerical_gradient(f, x, "auto", typical_x=1e-10, full_output=True)
    assert info.nfev.tolist() == [4] * 5


# --- x intact ------------------------------------------------------------------------------

class Boom(Exception):
    pass


def failing_after(calls):
    count = {"n": 0}

    def f(v):
        count["n"] += 1
        if count["n"] == calls:
            raise Boom
        return np.sum(v**3)
    return f


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES[:4])
@pytest.mark.parametrize("calls", [1, 3, 6])
def test_x_is_intact_when_f_raises(method, dtype, calls):
    base = np.linspace(-2, 2, 12).astype(dtype).reshape(3, 4)
    for x in (base, base.T, base[:, ::2]):
        before = base.copy()
        with pytest.raises(Boom):
            fastgd.numerical_gradient(failing_after(calls), x, "auto", method=method, full_output=True)
        assert same_bits(base, before)
        with pytest.raises(Boom):
            fastgd.gradient_descent(failing_after(calls), x, h="auto", method=method)


def test_complex_step_leaves_x_bitwise_intact_and_sees_a_copy():
    x = np.array([1.5, -0.25, 3.0])
    before = x.copy()
    seen = []

    def f(v):
        seen.append((v.dtype, np.shares_memory(v, x)))
        return np.sum(v**2)
    fastgd.numerical_gradient(f, x, method="complex")
    assert same_bits(x, before)
    assert seen == [(np.complex128, False)] * 4  # f(x), checked real-valued, then a point per element


# --- bounds --------------------------------------------------------------------------------

def inside(lb, ub):
    def f(v):
        assert np.all(v.real >= lb) and np.all(v.real <= ub), v
        return np.sum(np.log(v - lb + 1) * np.log(ub - v + 1))
    return f


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("h", [None, "auto", 0.3])
def test_bounds_keep_every_point_inside(method, h):
    lb, ub = 0.0, 1.0
    x = np.array([0.0, 1e-12, 0.3, 0.999999, 1.0])
    grad, info = fastgd.numerical_gradient(inside(lb, ub), x, h, method=method, bounds=(lb, ub), full_output=True)
    exact = 1 / (x - lb + 1) * np.log(ub - x + 1) - np.log(x - lb + 1) / (ub - x + 1)
    if h != 0.3:  # a step 0.3 shrinks to fit the box, and errs by its truncation
        tolerance = 1e-5 if method in ("forward", "backward") else 1e-7
        np.testing.assert_allclose(grad, exact, rtol=tolerance, atol=tolerance)
    assert np.all(np.abs(grad - exact) <= info.error)
    assert np.array_equal(grad, twins.numerical_gradient(inside(lb, ub), x, h, method=method, bounds=(lb, ub)))


def test_bounds_per_element_and_unbounded_sides():
    x = np.array([0.0, 5.0, -3.0])
    lb, ub = np.array([0.0, -np.inf, -3.0]), np.array([np.inf, 5.0, np.inf])
    f = counting(lambda v: np.sum(v**2))
    grad = fastgd.numerical_gradient(f, x, "auto", bounds=(lb, ub))
    np.testing.assert_allclose(grad, 2 * x, atol=1e-8)
    unbounded = fastgd.numerical_gradient(smooth, x, "auto", bounds=(None, None))
    assert np.array_equal(unbounded, fastgd.numerical_gradient(smooth, x, "auto"))


@pytest.mark.parametrize("bounds, error, match", [
    ((0.0,), TypeError, "pair"), (5.0, TypeError, "pair"), ((2.0, 3.0), ValueError, "within bounds"),
    ((np.nan, 1.0), ValueError, "NaN"), ((np.zeros(2), 1.0), ValueError, "broadcast"),
    ((1.0, 1.0), ValueError, "within bounds"),
])
def test_bad_bounds(bounds, error, match):
    x = np.array([0.5, 1.0, 1.5])
    before = x.copy()
    with pytest.raises(error, match=match):
        fastgd.numerical_gradient(smooth, x, "auto", bounds=bounds)
    assert same_bits(x, before)


def test_no_room_between_equal_bounds():
    with pytest.raises(ValueError, match="no room"):
        fastgd.numerical_gradient(smooth, np.array([1.0, 2.0]), "auto", bounds=(np.array([0.0, 2.0]), 2.0))


@pytest.mark.parametrize("method", [m for m in METHODS if m != "complex"])
@pytest.mark.parametrize("dtype, room", [(np.float32, 1e-8), (np.float16, 5e-4)])
def test_room_below_the_spacing_of_x_is_named_not_a_nan(method, dtype, room):
    """Bounds that leave room in float64 but none in x's dtype: no point fits beside x (it was NaN, 0 or a
    ZeroDivisionError)."""
    x = np.array([1.0, 2.0], dtype=dtype)
    before = x.copy()
    with pytest.raises(ValueError, match=r"element 0 .* no room for a step \(no value of " + np.dtype(dtype).name):
        fastgd.numerical_gradient(smooth, x, "auto", method=method, bounds=([1.0, 0.0], [1.0 + room, 5.0]))
    assert same_bits(x, before)
    with pytest.raises(ValueError, match=r"no room for a step \(no value of float32"):
        fastgd.jacobian(np.square, x.astype(np.float32), bounds=([1.0, 0.0], [1.0 + 1e-8, 5.0]))


def test_a_few_units_of_room_are_room_for_every_pass():
    """Bounds a few units in the last place apart hold points: Richardson's smaller retry steps vanish there and
    are dropped (status -1), not turned into a bounds error for the whole gradient."""
    x = np.array([9.9e7, 4.2e7, 1.3e8])
    grad, info = fastgd.numerical_gradient(smooth, x.copy(), "auto", method="richardson", full_output=True,
                                           bounds=(x, x * (1 + 4 * np.finfo(float).eps)))
    assert np.isfinite(grad).all() and info.status.min() >= -1


# --- status --------------------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_non_finite_values_are_reported(method):
    def f(v):  # infinite wherever x[1] moves
        return np.sum(v**2) * (np.inf if v[1] != 2.0 else 1.0)
    x = np.array([1.0, 2.0, 3.0])
    with np.errstate(all="ignore"):
        _, info = fastgd.numerical_gradient(f, x, method=method, full_output=True)
    assert info.status.tolist() == [estimates.CONVERGED, estimates.NOT_FINITE, estimates.CONVERGED]
    assert info.success.tolist() == [True, False, True]


def test_steps_outside_the_asymptotic_range_are_not_reliable():
    # sin(1e6 x) varies far faster than the scale of x tells the step rule: the two steps disagree
    x = np.array([0.3, 0.7])
    for method in ("central", "central4", "richardson"):
        _, info = fastgd.numerical_gradient(lambda v: np.sum(np.sin(1e6 * v)), x, method=method, full_output=True)
        assert np.all(info.status == estimates.UNRELIABLE), method


# --- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, match", [
    ({"method": "centre"}, ValueError, "method must be one of"), ({"method": None}, ValueError, "method"),
    ({"h": "automatic"}, TypeError, "'auto'"), ({"h": np.zeros(3)}, ValueError, "h must be finite and > 0"),
    ({"h": np.ones(2)}, ValueError, "broadcast"), ({"h": [1e-3, np.inf, 1e-3]}, ValueError, "finite"),
    ({"h": 1e-3, "typical_x": 1.0}, ValueError, "typical_x"), ({"h": "auto", "typical_x": 0.0}, ValueError,
                                                                "typical_x"),
    ({"h": np.array([1e-3, 1e-20, 1e-3])}, ValueError, "vanishes next to x at element 1"),
    ({"h": "auto", "typical_x": "big"}, TypeError, "typical_x"), ({"h": np.array([1e-60, 1.0, 1.0]),
                                                                   "method": "complex"}, ValueError, "float32"),
])
def test_bad_arguments(kwargs, error, match):
    x = np.array([0.5, 1.0, 1.5], dtype=np.float32 if kwargs.get("method") == "complex" else np.float64)
    before = x.copy()
    with pytest.raises(error, match=match):
        fastgd.numerical_gradient(smooth, x, **kwargs)
    assert same_bits(x, before)


@pytest.mark.parametrize("f, match", [
    (lambda v: float(np.sum(v.real)), "float"),
    (lambda v: np.sum(np.abs(v)), "float64"),
    (lambda v: np.float64(np.sum(v)), "ComplexWarning|imaginary"),
    (lambda v: __import__("math").exp(v[0]), "complex"),
])
def test_complex_step_needs_an_f_that_carries_complex_numbers(f, match):
    x = np.array([0.5, 1.0])
    with pytest.raises(TypeError, match="method='complex'"):
        fastgd.numerical_gradient(f, x, method="complex")
    with pytest.raises(TypeError, match="complex"):
        fastgd.numerical_gradient(lambda X: np.abs(X).sum(axis=-1), x, method="complex", vectorized=True)
    assert np.array_equal(x, [0.5, 1.0])


# --- gradient_check with the accurate methods ------------------------------------------------

@pytest.mark.parametrize("method", ["richardson", "complex", "central4"])
def test_gradient_check_reports_the_numerical_gradients_own_error(method):
    x = np.array([1e-7, -2e-7, 3e-7])
    check = fastgd.nn.gradient_check(lambda v: np.sum(v**3), x, gradient=lambda v: 3 * v**2, method=method)["x"]
    assert 0 <= check.numerical_error < 1e-9 * 3 * 1e-14
    assert check.max_rel_error < 1e-8  # the default central difference: 3e7 at 1e-7
    assert np.isnan(fastgd.nn.gradient_check(lambda v: np.sum(v**3), x, gradient=lambda v: 3 * v**2)["x"]
                    .numerical_error)
    wrong = fastgd.nn.gradient_check(lambda v: np.sum(v**3), x, gradient=lambda v: 3 * v**2 * (1 + 1e-6),
                                     method=method)["x"]
    assert wrong.mean_abs_diff > 100 * wrong.numerical_error  # a 1e-6 error in backprop stands out


def test_gradient_check_of_nets_with_an_accurate_method():
    rng = np.random.default_rng(3)
    net = fastgd.nn.TwoLayerNet(4, 5, 3, rng=rng)
    x, t = rng.standard_normal((3, 4)), np.array([0, 2, 1])
    params = {key: value.copy() for key, value in net.params.items()}
    checks = fastgd.nn.gradient_check(net, x, t, method="richardson")
    assert list(checks) == ["W1", "b1", "W2", "b2"]
    assert all(same_bits(net.params[key], params[key]) for key in params)
    # the textbook's loss adds 1e-7 inside the log; its backprop does not: visible above the numerical error (an
    # element of W2 whose derivative is 4e-9 has an estimate of 8e-11: its Richardson steps disagree by that much)
    assert all(check.numerical_error < 1e-10 and check.numerical_error < check.mean_abs_diff
               for check in checks.values())
    simple = fastgd.nn.gradient_check(fastgd.nn.SimpleNet(rng=rng), np.array([0.6, 0.9]), np.array([0, 0, 1]),
                                      method="richardson", h="auto")
    assert list(simple) == ["W"] and simple["W"].numerical_error < 1e-10


def test_gradient_2d_takes_steps_shaped_like_x_or_a_row():
    X = np.linspace(-1, 2, 12).reshape(4, 3)
    steps = np.linspace(1e-3, 4e-3, 12).reshape(4, 3)
    grad = fastgd.numerical_gradient_2d(smooth, X, steps, method="central4")
    for row, h, g in zip(X, steps, grad, strict=True):
        assert np.array_equal(g, twins.numerical_gradient(smooth, row.copy(), h, method="central4"))
    by_row = fastgd.numerical_gradient_2d(smooth, X, steps[0], method="central4")
    assert np.array_equal(by_row[2], twins.numerical_gradient(smooth, X[2].copy(), steps[0], method="central4"))
