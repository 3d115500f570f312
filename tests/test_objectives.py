"""C-level objectives, vectorized f and parallel workers: parity with the plain loop, error paths."""
import _thread
import ctypes
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from arrays import same_bits

import fastgd
from fastgd import reference

objectives = pytest.importorskip("objectives")  # needs numba
from objectives import (  # noqa: E402
    nan_above_one,
    scaled_by_user_data,
    slow_sum_squares,
    status_above_one,
    status_anywhere_above_one,
    sum_cubes,
    sum_cubes_wide,
    sum_squares,
    through_python,
)


def llc(cf, user_data=None):
    return pytest.importorskip("scipy").LowLevelCallable(cf.ctypes, user_data)


def capsule(cf, signature):
    new = ctypes.pythonapi.PyCapsule_New
    new.restype, new.argtypes = ctypes.py_object, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
    capsule.names = getattr(capsule, "names", []) + [signature.encode()]  # the name must outlive the capsule
    return new(cf.address, capsule.names[-1], None)


def cffi_pointer(cf, signature):
    cffi = pytest.importorskip("cffi")
    return cffi.FFI().cast(signature, cf.address)


FORMS = {
    "numba cfunc": lambda cf: cf,
    "ctypes": lambda cf: cf.ctypes,
    "LowLevelCallable": llc,
    "PyCapsule": lambda cf: capsule(cf, "double (int, double *, void *)"),
    "cffi": lambda cf: cffi_pointer(cf, "double(*)(int, double *, void *)"),
}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("n", [0, 1, 7, 1000])
def test_c_objective_matches_calling_it_through_python(form, threads, n, whole_team):
    x = np.linspace(-1.5, 2.0, n)
    before = x.copy()
    got = fastgd.numerical_gradient(FORMS[form](sum_cubes), x, threads=threads)
    assert same_bits(x, before)
    assert np.array_equal(got, fastgd.numerical_gradient(through_python(sum_cubes), x))
    assert np.array_equal(got, reference.numerical_gradient(through_python(sum_cubes), x))


def test_wide_n_signature_and_other_shapes():
    x = np.linspace(-1, 1, 12).reshape(3, 4)
    got = fastgd.numerical_gradient(llc(sum_cubes_wide), x)
    assert got.shape == (3, 4) and np.array_equal(got, reference.numerical_gradient(through_python(sum_cubes), x))
    assert fastgd.numerical_gradient(sum_cubes, np.array(2.0)).shape == ()


def test_user_data_reaches_the_function():
    scale = ctypes.c_double(3.0)
    x = np.array([1.0, 2.0])
    got = fastgd.numerical_gradient(llc(scaled_by_user_data, ctypes.cast(ctypes.pointer(scale), ctypes.c_void_p)), x)
    np.testing.assert_allclose(got, 3.0 * 2 * x, rtol=1e-7)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("lr", [0.1, 10.0, 1e-10])
def test_c_descent_matches_the_python_loop(threads, lr, whole_team):
    x = np.array([-3.0, 4.0])
    path_x = x.copy()
    got, path = fastgd.gradient_descent(sum_cubes, x, lr=lr * 1e-3, step_num=100, history=True, threads=threads)
    expected, expected_path = reference.gradient_descent(through_python(sum_cubes), path_x, lr=lr * 1e-3,
                                                          step_num=100, history=True)
    assert got is x and np.array_equal(x, expected) and np.array_equal(path, expected_path)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("failing", [nan_above_one, status_above_one])
def test_c_errors_raise_with_x_restored(failing, threads, whole_team):
    x = np.array([1.0 - 5e-5, 0.5, 0.25])  # x0 + h crosses 1
    before = x.copy()
    with pytest.raises(fastgd.ObjectiveError, match="NaN at element 0" if failing is nan_above_one else "status 7"):
        fastgd.numerical_gradient(failing, x, threads=threads)
    assert same_bits(x, before)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_threads_report_the_first_failure_in_order(threads, whole_team):
    """Two elements fail, far apart, in a gradient long enough for the pool's helpers: the first one is reported."""
    x = np.full(6000, 0.5)
    x[[2500, 4500]] = 1.0 - 5e-5  # x + h crosses 1
    before = x.copy()
    for _ in range(3):
        with pytest.raises(fastgd.ObjectiveError, match="status 5 at element 2500"):
            fastgd.numerical_gradient(status_anywhere_above_one, x, threads=threads)
        assert same_bits(x, before)


@pytest.mark.skipif(not fastgd._threads.HAS_OPENMP, reason="built without OpenMP: one thread")
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts threads in /proc/self/task")
def test_c_objective_threads_are_the_pools_and_no_openmp_team():
    """A threaded C gradient starts the pool's one helper and nothing else (an OpenMP team would add its own)."""
    code = """
import os, numpy as np, fastgd, objectives
from fastgd import _pool
fastgd._threads.LOAD_INTERVAL = float("inf")
before = len(os.listdir("/proc/self/task"))
x = np.linspace(-1, 1, 3000)
fastgd.numerical_gradient(objectives.sum_cubes, x, threads=2)
print(len(os.listdir("/proc/self/task")) - before, _pool.helpers())
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=os.path.dirname(__file__))
    assert done.returncode == 0, done.stderr
    started, helpers = map(int, done.stdout.split())
    assert helpers <= 1 and started == helpers


@pytest.mark.parametrize("threads", [2, 3])
def test_threaded_c_descent_gives_one_threads_bits(threads, whole_team):
    """Steps of milliseconds (a job of the pool each): the same path as one thread and the Python loop."""
    x = np.linspace(-1.0, 1.0, 1500)
    one, path_one = fastgd.gradient_descent(sum_cubes, x.copy(), lr=1e-3, step_num=6, history=True, threads=1)
    got, path = fastgd.gradient_descent(sum_cubes, x.copy(), lr=1e-3, step_num=6, history=True, threads=threads)
    expected, expected_path = reference.gradient_descent(through_python(sum_cubes), x.copy(), lr=1e-3, step_num=6,
                                                          history=True)
    assert np.array_equal(got, one) and np.array_equal(path, path_one)
    assert np.array_equal(got, expected) and np.array_equal(path, expected_path)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_threaded_c_descent_error_leaves_the_last_completed_step(threads, whole_team):
    """Ascent until one element's x + h crosses 1 in a step long enough for the pool: x is that step's start."""
    start = np.full(1500, 0.5)
    start[1000] = 0.9995  # moves by about 2.5e-5 < h a step: x + h crosses 1 before x does
    x = start.copy()
    with pytest.raises(fastgd.ObjectiveError, match="status 5 at element 1000"):
        fastgd.gradient_descent(status_anywhere_above_one, x, lr=-1e-5, step_num=50, threads=threads)
    _, path = reference.gradient_descent(through_python(sum_cubes), start.copy(), lr=-1e-5, step_num=50,
                                         history=True)
    failing = np.flatnonzero((path + 1e-4 > 1.0).any(axis=1))[0]  # the first step that evaluates above 1
    assert failing > 0 and np.array_equal(x, path[failing])


@pytest.mark.parametrize("f, twin", [(llc(sum_cubes_wide), through_python(sum_cubes)),
                                     (status_above_one, lambda v: v[0] * v[0] + v[1] * v[1]),
                                     (nan_above_one, lambda v: v[0] * v[0] + v[1] * v[1])])
def test_c_descent_of_every_signature_matches_the_python_loop(f, twin):
    """int64 n, the status form, a value form that may return NaN: one thread's descent loop calls each alike."""
    x = np.array([0.5, -0.75])
    got, path = fastgd.gradient_descent(f, x, lr=0.1, step_num=40, history=True)
    expected, expected_path = reference.gradient_descent(twin, np.array([0.5, -0.75]), lr=0.1, step_num=40,
                                                          history=True)
    assert np.array_equal(got, expected) and np.array_equal(path, expected_path)
    assert np.array_equal(fastgd.gradient_descent(f, np.array([0.5, -0.75]), lr=0.1, step_num=40), expected)


@pytest.mark.parametrize("failing", [status_above_one, nan_above_one])
def test_c_descent_error_leaves_the_last_completed_step(failing):
    x = np.array([0.5, 0.5])
    with pytest.raises(fastgd.ObjectiveError):
        fastgd.gradient_descent(failing, x, lr=-0.5, step_num=50)  # ascent: x0 doubles until > 1
    one_step = reference.gradient_descent(lambda v: v[0] * v[0] + v[1] * v[1], np.array([0.5, 0.5]), lr=-0.5,
                                          step_num=1)
    assert np.array_equal(x, one_step)  # 0.5 -> about 1.0; then x0 + h > 1 fails in step 2, x0 restored


def test_unsupported_signatures_and_arrays():
    with pytest.raises(TypeError, match="signature"):
        fastgd.numerical_gradient(capsule(sum_cubes, "double (double *, int)"), np.ones(2))
    with pytest.raises(TypeError, match="C-contiguous float64"):
        fastgd.numerical_gradient(sum_cubes, np.ones(4)[::2])
    with pytest.raises(TypeError, match="C-contiguous float64"):
        fastgd.numerical_gradient(sum_cubes, np.ones(2, dtype=np.float32))
    read_only = np.ones(2)
    read_only.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        fastgd.numerical_gradient(sum_cubes, read_only)
    with pytest.raises(ValueError, match="threads= is for C-level objectives"):
        fastgd.numerical_gradient(sum_squares, np.ones(2), threads=2)
    with pytest.raises(ValueError, match="for Python objectives"):
        fastgd.numerical_gradient(sum_cubes, np.ones(2), vectorized=True)
    with pytest.raises(ValueError, match="choose one"):
        fastgd.numerical_gradient(sum_squares, np.ones(2), vectorized=True, workers=map)


@pytest.mark.sends_sigint
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("descend", [False, True])
def test_c_loop_responds_to_ctrl_c(threads, descend, whole_team):
    x = np.linspace(0, 1, 300_000)  # 600,000 evaluations of a 300,000-term sum: minutes (a step of the descent too)
    before = x.copy()
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            if descend:
                fastgd.gradient_descent(sum_cubes, x, lr=1e-3, step_num=5, threads=threads)
            else:
                fastgd.numerical_gradient(sum_cubes, x, threads=threads)
    finally:
        timer.cancel()
    assert same_bits(x, before)  # the descent's first step never completed


# --- vectorized ----------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(), (1,), (7,), (3, 5), (1000,)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("chunk_size", [None, 1, 3, 64])
def test_vectorized_matches_scalar_mode(shape, dtype, chunk_size):
    x = np.linspace(-1, 2, int(np.prod(shape))).astype(dtype).reshape(shape)
    before = x.copy()
    axes = tuple(range(1, len(shape) + 1))
    got = fastgd.numerical_gradient(lambda X: np.sum(X**2, axis=axes), x, vectorized=True, chunk_size=chunk_size)
    assert same_bits(x, before) and got.dtype == x.dtype and got.shape == x.shape
    assert np.array_equal(got, fastgd.numerical_gradient(sum_squares, x))


def test_vectorized_descent_and_bad_returns():
    x = np.array([-3.0, 4.0])
    got = fastgd.gradient_descent(lambda X: X[:, 0] ** 2 + X[:, 1] ** 2, x, lr=0.1, vectorized=True)
    assert got is x and np.array_equal(x, reference.gradient_descent(lambda v: v[0] ** 2 + v[1] ** 2,
                                                                     np.array([-3.0, 4.0]), lr=0.1))
    with pytest.raises(TypeError, match="must return 4 real values"):
        fastgd.numerical_gradient(lambda X: np.sum(X), np.ones(2), vectorized=True)


# --- workers -------------------------------------------------------------------------------

def test_process_pool_workers():
    x = np.linspace(-1, 1, 8)
    got = fastgd.numerical_gradient(slow_sum_squares, x, workers=2)
    assert np.array_equal(got, fastgd.numerical_gradient(slow_sum_squares, x))


def test_non_picklable_f_is_a_clear_error():
    with pytest.raises(TypeError, match="cannot be pickled for a process pool"):
        fastgd.numerical_gradient(lambda v: 0.0, np.ones(2), workers=2)


@pytest.mark.parametrize("make", ["map", "executor", "executor.map"])
def test_map_like_workers(make):
    x = np.linspace(-1, 1, 6).reshape(2, 3)
    expected = fastgd.numerical_gradient(sum_squares, x)
    with ThreadPoolExecutor(2) as pool:
        workers = {"map": map, "executor": pool, "executor.map": pool.map}[make]
        got = fastgd.numerical_gradient(lambda v: np.sum(v**2), x, workers=workers)  # lambdas are fine here
    assert np.array_equal(got, expected)
    got_x = np.array([-3.0, 4.0])
    fastgd.gradient_descent(lambda v: v[0] ** 2 + v[1] ** 2, got_x, lr=0.1, step_num=5, workers=map)
    assert np.array_equal(got_x, reference.gradient_descent(lambda v: v[0] ** 2 + v[1] ** 2,
                                                            np.array([-3.0, 4.0]), lr=0.1, step_num=5))


@pytest.mark.parametrize("workers, error", [(0, ValueError), (True, TypeError), ("2", TypeError)])
def test_bad_workers(workers, error):
    with pytest.raises(error, match="workers"):
        fastgd.numerical_gradient(sum_squares, np.ones(2), workers=workers)


def test_dask_local_cluster():
    distributed = pytest.importorskip("dask.distributed")
    x = np.linspace(-1, 1, 10)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        got = fastgd.numerical_gradient(lambda v: float(np.sum(v**3)), x, workers=client.get_executor())
    assert np.array_equal(got, fastgd.numerical_gradient(lambda v: float(np.sum(v**3)), x))


# --- the short roads: the textbook's call with a C objective takes one kernel call, with the same results ------

@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("shape", [(0,), (), (2,), (3, 4), (2000,)])
def test_the_short_road_gives_the_general_roads_numbers(form, shape, whole_team):
    """Defaults take the short road; threads=1 the general one: the same bits."""
    x = np.linspace(-1.5, 2.0, int(np.prod(shape))).reshape(shape)
    f = FORMS[form](sum_cubes)
    short = fastgd.numerical_gradient(f, x)
    assert short.shape == x.shape and short.dtype == np.float64
    assert np.array_equal(short, fastgd.numerical_gradient(f, x, threads=1))
    assert np.array_equal(short, reference.numerical_gradient(through_python(sum_cubes), x))
    y = x.copy()
    assert fastgd.gradient_descent(f, x, lr=1e-3, step_num=30) is x
    assert np.array_equal(x, fastgd.gradient_descent(f, y, lr=1e-3, step_num=30, threads=1))


@pytest.mark.parametrize("x, error", [(np.linspace(0, 1, 6).reshape(2, 3).T, TypeError),  # not C-contiguous
                                      (np.ones(3, dtype=np.float32), TypeError),
                                      (np.ones(3, dtype=">f8"), TypeError)])
def test_arrays_off_the_short_road_get_the_general_roads_errors(x, error):
    with pytest.raises(error, match="C-contiguous float64"):
        fastgd.numerical_gradient(sum_cubes, x)
    with pytest.raises(error, match="C-contiguous float64"):
        fastgd.gradient_descent(sum_cubes, x)


@pytest.mark.parametrize("lr, step_num, error", [(float("nan"), 10, ValueError), (0.1, -1, ValueError),
                                                 (0.1, 2.5, TypeError), ("0.1", 10, TypeError)])
def test_bad_descent_arguments_off_the_short_road(lr, step_num, error):
    x = np.array([1.0, 2.0])
    with pytest.raises(error):
        fastgd.gradient_descent(sum_cubes, x, lr=lr, step_num=step_num)
    assert np.array_equal(x, [1.0, 2.0])


def test_short_road_errors_restore_x():
    x = np.array([1.0 - 5e-5, 0.5, 0.25])
    with pytest.raises(fastgd.ObjectiveError, match="NaN at element 0"):
        fastgd.numerical_gradient(nan_above_one, x)
    assert np.array_equal(x, [1.0 - 5e-5, 0.5, 0.25])
