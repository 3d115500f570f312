"""Objectives for the C-level and parallel tests: numba @cfunc functions, picklable Python ones."""
import ctypes
import math
import os
import time

import numpy as np
import pytest

numba = pytest.importorskip("numba")
from numba import carray, cfunc, njit, types  # noqa: E402

DOUBLE_P = types.CPointer(types.float64)


@njit
def _sum_cubes(a):
    s = 0.0
    for i in range(a.size):
        s += a[i] * a[i] * a[i] - 0.5 * a[i]
    return s


@cfunc(types.float64(types.intc, DOUBLE_P, types.voidptr))
def sum_cubes(n, x, user_data):
    return _sum_cubes(carray(x, n))


@cfunc(types.float64(types.intp, DOUBLE_P, types.voidptr))
def sum_cubes_wide(n, x, user_data):
    return _sum_cubes(carray(x, n))


@cfunc(types.float64(types.intp, DOUBLE_P, types.voidptr))
def nan_above_one(n, x, user_data):
    """x0² + x1², or NaN (an error) once x0 > 1."""
    a = carray(x, n)
    return np.nan if a[0] > 1.0 else a[0] * a[0] + a[1] * a[1]


@cfunc(types.intc(types.intp, DOUBLE_P, DOUBLE_P, types.voidptr))
def status_above_one(n, x, value, user_data):
    """Writes x0² + x1² and returns 0, or returns status 7 once x0 > 1."""
    a = carray(x, n)
    if a[0] > 1.0:
        return 7
    value[0] = a[0] * a[0] + a[1] * a[1]
    return 0


@cfunc(types.intc(types.intp, DOUBLE_P, DOUBLE_P, types.voidptr))
def status_anywhere_above_one(n, x, value, user_data):
    """Writes sum(x**3 - x / 2) and returns 0, or returns status 5 once any element is above 1."""
    a = carray(x, n)
    for i in range(n):
        if a[i] > 1.0:
            return 5
    value[0] = _sum_cubes(a)
    return 0


@cfunc(types.float64(types.intp, DOUBLE_P, types.voidptr))
def scaled_by_user_data(n, x, user_data):
    """sum(x**2) times the double that user_data points to."""
    a = carray(x, n)
    scale = carray(user_data, 1, np.float64)[0]
    s = 0.0
    for i in range(n):
        s += a[i] * a[i]
    return s * scale


def through_python(cf):
    """The same C function called from Python: the reference for bitwise parity."""
    fn = cf.ctypes
    return lambda x: fn(x.size, x.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), None)


def slow_sum_squares(x):
    """An expensive-looking objective: sleeps 2 ms. Module level, so process pools can pickle it."""
    time.sleep(0.002)
    return float(np.sum(x**2))


def sum_squares(x):
    return np.sum(x**2)


@cfunc(types.float64(types.intp, DOUBLE_P, types.voidptr))
def spin_then_sum(n, x, user_data):
    """sum(x), after as many iterations of arithmetic as the double user_data points to (no Python,
    no sleep: a slow simulation's stand-in)."""
    iterations = carray(user_data, 1, np.float64)[0]
    a = carray(x, n)
    s, i = 0.0, 0.0
    while i < iterations:
        s += math.sqrt(i + 1.0)
        i += 1.0
    return a.sum() + s * 0.0


def taking(seconds):
    """:func:`spin_then_sum` as a LowLevelCallable whose calls take about ``seconds`` here."""
    scipy = pytest.importorskip("scipy")
    iterations = ctypes.c_double(10**6)
    x = np.zeros(2)
    start = time.perf_counter()
    spin_then_sum.ctypes(2, x.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), ctypes.addressof(iterations))
    iterations.value = max(1.0, 10**6 * seconds / (time.perf_counter() - start))
    taking.keep = getattr(taking, "keep", []) + [iterations]  # user_data must outlive the callable
    return scipy.LowLevelCallable(spin_then_sum.ctypes, ctypes.cast(ctypes.pointer(iterations), ctypes.c_void_p))


def dies_in_a_worker(x):
    """Ends the worker process that evaluates it (a crashed simulation's stand-in)."""
    os._exit(3)
