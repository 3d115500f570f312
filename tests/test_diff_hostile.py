"""Derivatives under hostile input: misbehaving f, NULL and slow C objectives, odd arrays, dying workers.

Each test is a reproducer of a defect found by trying fastgd as a hostile user would; it failed
before the fix. The promise: a clear exception naming the problem, or the reference's numbers —
never a crash, a hang, a write to freed memory or a silently different number — and ``x``
bitwise intact whenever an exception propagates.
"""
import _thread
import ctypes
import fractions
import threading
import time

import numpy as np
import pytest
from arrays import FLOAT_DTYPES, float_views, same_bits, same_values
from hypothesis import given
from hypothesis import strategies as st

import fastgd
from fastgd import reference

# --- f that resizes or reallocates x ---------------------------------------------------------


def resizing(at_call):
    """An f that resizes its argument in place on its ``at_call``-th call (freeing x's memory)."""
    calls = {"n": 0}

    def f(v):
        calls["n"] += 1
        if calls["n"] == at_call:
            v.resize(v.size * 1000 + 7, refcheck=False)
        return float(np.sum(v))
    return f


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16, np.longdouble])
@pytest.mark.parametrize("at_call", [1, 2, 5])
def test_f_resizing_x_is_a_runtime_error(dtype, at_call):
    for call in (fastgd.numerical_gradient, fastgd.gradient_descent):
        x = np.linspace(-1, 1, 6, dtype=dtype).copy()  # owns its data: resizable
        with pytest.raises(RuntimeError, match="resized or reallocated x"):
            call(resizing(at_call), x)
    X = np.linspace(-1, 1, 6, dtype=dtype).reshape(3, 2).copy()
    with pytest.raises(RuntimeError, match="resized or reallocated x"):
        fastgd.numerical_gradient_2d(lambda row: X.resize(100, refcheck=False), X)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize("at_call", [1, 3, 9])  # the gradient at x + e p (its first, a later call), at x - e p
def test_hessp_from_f_resizing_its_point_is_the_runtime_error(dtype, at_call):
    """hessp copied x back after an f that resized it: a broadcast ValueError hid the guard's RuntimeError."""
    x = np.array([1.0, 2.0, 3.0], dtype=dtype)
    with pytest.raises(RuntimeError, match="resized or reallocated x"):
        fastgd.hessp(resizing(at_call), x, np.ones(3))


def test_hessp_moves_x_itself_for_an_f_that_reads_it_elsewhere():
    """The book's closures ignore their argument and read the weights (``lambda W: net.loss(x, t)``): hessp
    moves x in place, as the twin and every derivative do, and restores it bitwise."""
    w = np.array([0.5, -1.0, 2.0])
    closure = lambda _: float(np.sum(w**3))  # noqa: E731
    p = np.array([1.0, 0.5, -2.0])
    product = fastgd.hessp(closure, w, p)
    assert same_bits(w, np.array([0.5, -1.0, 2.0]))
    assert same_bits(product, reference.hessp(closure, w, p))
    assert np.allclose(product, 6 * w * p, rtol=1e-6)


def test_hessp_from_f_names_a_step_that_vanishes():
    """"the gradient is not finite at x +- e p" before; jacobian's and hessian's message now, at that point."""
    x = np.array([1.0, 1e20])
    with pytest.raises(ValueError, match=r"the step h = 0.0001 vanishes next to x at element 0 .* x \+- e p"):
        fastgd.hessp(lambda v: float(np.sum(v**2)), x, np.ones(2), h=1e-4)
    assert np.array_equal(x, [1.0, 1e20])


def test_f_reshaping_x_is_a_runtime_error():
    x = np.zeros(6)

    def f(v):
        v.shape = (2, 3)
        return 0.0
    with pytest.raises(RuntimeError, match="resized or reallocated x"):
        fastgd.numerical_gradient(f, x)


# --- nothing to evaluate ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_empty_arrays_with_a_huge_dimension_answer_at_once(dtype):
    x = np.empty((10**9, 0), dtype=dtype)  # no memory, but a billion rows
    assert fastgd.numerical_gradient(np.sum, x).shape == (10**9, 0)
    assert fastgd.numerical_gradient_2d(np.sum, x).shape == (10**9, 0)
    assert fastgd.gradient_descent(np.sum, x, step_num=10**12) is x
    assert fastgd.numerical_gradient(np.sum, x, vectorized=True).shape == (10**9, 0)


def test_nothing_to_evaluate_answers_at_once():
    x = np.empty(0)
    result, path = fastgd.gradient_descent(np.sum, x, step_num=10**12, history=True)
    assert result is x and path.shape == (10**12, 0)
    assert fastgd.numerical_gradient_2d(np.sum, np.empty((10**12, 0))).shape == (10**12, 0)


@pytest.mark.parametrize("kwargs", [{"threads": -1}, {"threads": 0}, {"vectorized": True, "chunk_size": -1},
                                    {"vectorized": True, "chunk_size": 0}])
def test_counts_from_one_say_so_for_any_value_below(kwargs):
    with pytest.raises(ValueError, match=">= 1, got"):
        fastgd.numerical_gradient(np.sum, np.ones(3), **kwargs)


def test_nan_in_x_with_the_complex_step_is_the_twins_nan_not_a_complex_valued_f():
    f = lambda v: v[0] ** 2 + np.sum(v**2)  # noqa: E731
    x = np.array([1.0, np.nan])
    grad = fastgd.numerical_gradient(f, x.copy(), method="complex")
    assert same_bits(grad, reference.schemes.numerical_gradient(f, x.copy(), method="complex"))
    assert np.isnan(grad).all()


#: (method, full_output, from a gradient): every combination hessian takes
HESSIAN_ROADS = [("central", False, False), ("richardson", False, False), ("richardson", True, False),
                 ("complex", False, False), ("complex", True, False), ("central", False, True),
                 ("richardson", False, True), ("richardson", True, True)]


@pytest.mark.parametrize("shape", [(0,), (3, 0)])
@pytest.mark.parametrize("method, full_output, from_gradient", HESSIAN_ROADS)
def test_empty_hessians_are_answered_at_once(method, full_output, from_gradient, shape):
    """``hessian(..., method='richardson', full_output=True)`` of an empty x raised "need at least one array to
    concatenate"; the complex step and the gradient's error estimate called f or the gradient for nothing."""
    calls = []

    def f(v):
        calls.append(v.shape)
        return 0.0

    def gradient(v):
        calls.append(v.shape)
        return np.zeros(v.size)
    x = np.ones(shape)
    options = {"gradient": gradient} if from_gradient else {}
    result = fastgd.hessian(None if from_gradient else f, x, method=method, full_output=full_output, **options)
    if full_output:
        H, info = result
        assert info.error.shape == info.status.shape == (0, 0) and info.step.shape == (0,) and info.calls == 0
        assert info.success.all()
    else:
        H = result
    assert H.shape == (0, 0) and H.dtype == np.float64 and not calls
    assert fastgd.hessp(f, x, np.ones(shape)).shape == shape
    assert fastgd.hessp(None, x, np.ones(shape), gradient=gradient).shape == shape
    assert not calls


@pytest.mark.parametrize("shape", [(0,), (3, 0)])
@pytest.mark.parametrize("method", ["central", "forward", "backward", "central4", "complex"])
def test_empty_jacobians_are_answered_at_once(method, shape):
    calls = []

    def F(v):
        calls.append(v.shape)
        return np.zeros(2)
    assert fastgd.jacobian(F, np.ones(shape), method=method).shape == (2, 0)
    assert len(calls) <= 1  # F(x), for its number of values
    assert fastgd.jacobian(F, np.ones(shape), method=method, m=2).shape == (2, 0)


def test_counts_beyond_a_c_size_are_a_value_error():
    """``step_num`` counts steps in C: beyond sys.maxsize a ValueError naming it, on every road."""
    from objectives import sum_cubes  # a C objective (needs numba)
    for f in (lambda v: float(np.sum(v**2)), sum_cubes):
        x = np.array([1.0, 2.0])
        with pytest.raises(ValueError, match="step_num must be at most"):
            fastgd.gradient_descent(f, x, step_num=2**70)
        assert np.array_equal(x, [1.0, 2.0])
    with pytest.raises(ValueError, match="chunk_size must be at most"):
        fastgd.numerical_gradient(np.sum, np.ones(3), vectorized=True, chunk_size=2**64)


def _overlapping(values):
    """A writeable (3, 2) view whose rows overlap (strides 8, 8): elements share memory."""
    return np.lib.stride_tricks.as_strided(values, (3, 2), (8, 8), writeable=True)


@pytest.mark.parametrize("h, method", [(None, "central"), (1e-3, "central"), ("auto", "forward"),
                                       ("auto", "richardson")])
def test_descent_on_self_overlapping_x_is_numpys_update(h, method):
    """``x -= lr * grad`` on a view whose elements share memory is numpy's buffered update, as in the twins
    (the compiled update wrote element by element through the aliases)."""
    f = lambda v: float(np.sum(v**3))  # noqa: E731
    fast, slow = np.arange(1.0, 5.0), np.arange(1.0, 5.0)
    fastgd.gradient_descent(f, _overlapping(fast), lr=0.1, step_num=2, h=h, method=method)
    x = _overlapping(slow)
    for _ in range(2):
        x -= 0.1 * reference.schemes.numerical_gradient(f, x, h, method=method)
    assert same_bits(fast, slow)
    zero_stride = [np.lib.stride_tricks.as_strided(np.array([1.0]), (2,), (0,), writeable=True) for _ in "ab"]
    fastgd.gradient_descent(lambda v: float(np.sum(v**2)), zero_stride[0], lr=0.1, step_num=1)
    reference.gradient_descent(lambda v: float(np.sum(v**2)), zero_stride[1], lr=0.1, step_num=1)
    assert same_bits(zero_stride[0], zero_stride[1])


def test_hessian_of_self_overlapping_x_is_refused_by_name():
    x = _overlapping(np.arange(1.0, 5.0))
    before = x.copy()
    with pytest.raises(ValueError, match="share memory"):
        fastgd.hessian(lambda v: float(np.sum(v**2)), x)
    assert same_bits(x, before)


# --- C-level objectives: NULL pointers and Ctrl-C while a slow one runs -------------------------

C_SIGNATURE = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_int, ctypes.POINTER(ctypes.c_double), ctypes.c_void_p)


def test_null_function_pointers_are_a_clear_error():
    null_ctypes = C_SIGNATURE()  # a ctypes function pointer to address 0
    cffi = pytest.importorskip("cffi")
    null_cffi = cffi.FFI().cast("double(*)(int, double *, void *)", 0)
    for f in (null_ctypes, null_cffi):
        for call in (fastgd.numerical_gradient, fastgd.gradient_descent):
            x = np.ones(3)
            with pytest.raises(ValueError, match="NULL function pointer"):
                call(f, x)
            assert np.array_equal(x, np.ones(3))


def interrupted_after(seconds, call):
    """Run ``call()``, Ctrl-C it after ``seconds``; how long it took to raise KeyboardInterrupt."""
    timer = threading.Timer(seconds, _thread.interrupt_main)
    start = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            call()
    finally:
        timer.cancel()
    return time.perf_counter() - start - seconds


@pytest.mark.sends_sigint
@pytest.mark.parametrize("threads", [1, 2])
def test_ctrl_c_with_a_slow_c_objective_answers_within_a_bound(threads):
    """A 10 ms objective: the loop looks at Ctrl-C every ~20 ms of work, not every N evaluations
    (before the fix: 4.5 s for numerical_gradient at n = 5000, 5.2 s for gradient_descent at n = 300)."""
    objectives = pytest.importorskip("objectives")
    slow = objectives.taking(0.01)
    for call, n in ((fastgd.numerical_gradient, 5000), (fastgd.gradient_descent, 300)):
        x = np.linspace(-1, 1, n)
        before = x.copy()
        latency = interrupted_after(0.3, lambda call=call, x=x: call(slow, x, threads=threads))
        assert latency < 0.5  # <= 20 ms of work + one 10 ms evaluation, with room for a busy machine
        assert same_bits(x, before)  # gradient_descent was stopped inside its first step


# --- odd values of f ------------------------------------------------------------------------------

def test_f_returning_fractions_is_accepted_as_the_reference_accepts_it():
    f = lambda v: fractions.Fraction(3, 2) * fractions.Fraction(float(np.sum(v * v)))  # noqa: E731
    for dtype in (np.float64, np.float32, np.float16):
        x = np.array([0.5, -1.25, 2.0], dtype=dtype)
        assert same_values(fastgd.numerical_gradient(f, x), reference.numerical_gradient(f, x))


VALUES = {
    "python float": lambda r: float(r),
    "numpy float32": lambda r: np.float32(r),
    "0-d array": lambda r: np.asarray(r),
    "python int": lambda r: int(r * 1000),
    "fraction": lambda r: fractions.Fraction(float(r)),
}
BAD_VALUES = {"None": None, "string": "loss", "array": np.ones(2), "complex": 1 + 1j, "bool": True}


@given(float_views(max_dims=3), st.sampled_from(list(VALUES) + list(BAD_VALUES)), st.integers(1, 6),
       st.booleans())
def test_misbehaving_f_gives_the_reference_or_a_clear_error_with_x_intact(arrays, kind, at_call, raising):
    """f returns any kind of value, switches to a bad one or raises on some call: fastgd gives the
    reference's numbers, or raises f's own exception or a TypeError for a value that is not a real
    scalar (a bool too, which the reference would silently take as 0 or 1) — x bitwise intact."""
    base, view, _ = arrays
    before = base.copy()

    def make():
        calls = {"n": 0}

        def f(v):
            calls["n"] += 1
            if calls["n"] == at_call:
                if raising:
                    raise ArithmeticError("boom")
                if kind in BAD_VALUES:
                    return BAD_VALUES[kind]
            return VALUES.get(kind, float)(np.sum(v * v))
        return f

    fails = at_call <= 2 * view.size and (raising or kind in BAD_VALUES)
    if fails:
        with pytest.raises(ArithmeticError if raising else TypeError):
            fastgd.numerical_gradient(make(), view)
        assert same_bits(base, before)
        return
    got = fastgd.numerical_gradient(make(), view)
    assert same_bits(base, before)
    assert same_values(got, reference.numerical_gradient(make(), view))


# --- bad arguments name themselves ---------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, name", [
    ({"h": 10**400}, ValueError, "h"), ({"lr": 10**400}, ValueError, "lr"),
    ({"chunk_size": "a"}, TypeError, "chunk_size"), ({"chunk_size": -3}, ValueError, "chunk_size"),
    ({"chunk_size": 0}, ValueError, "chunk_size"), ({"chunk_size": 2.5}, TypeError, "chunk_size"),
    ({"chunk_size": float("nan")}, TypeError, "chunk_size"), ({"chunk_size": True}, TypeError, "chunk_size"),
    ({"threads": 2.5}, TypeError, "threads"), ({"threads": True}, TypeError, "threads"),
    ({"threads": 0}, ValueError, "threads"),
])
def test_bad_arguments_are_named(kwargs, error, name):
    x = np.ones(3)
    call = fastgd.gradient_descent if "lr" in kwargs else fastgd.numerical_gradient
    extra = {"vectorized": True} if "chunk_size" in kwargs else {}
    with pytest.raises(error, match=name):
        call(lambda X: np.sum(X, axis=-1), x, **kwargs, **extra)
    assert np.array_equal(x, np.ones(3))


# --- workers that die ---------------------------------------------------------------------------

def test_a_dead_worker_fails_its_call_and_the_next_call_gets_a_new_pool():
    objectives = pytest.importorskip("objectives")
    x = np.linspace(-1, 1, 4)
    with pytest.raises(RuntimeError, match="worker process died"):
        fastgd.numerical_gradient(objectives.dies_in_a_worker, x, workers=2)
    got = fastgd.numerical_gradient(objectives.sum_squares, x, workers=2)
    assert np.array_equal(got, fastgd.numerical_gradient(objectives.sum_squares, x))
