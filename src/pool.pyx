"""fastgd's thread pool, one per process: the capsule behind ``fastgd_parallel_for`` (``pool.h``).

Extensions call the pool from C through :data:`API` (``fastgd_pool_import`` in ``pool.h``);
:func:`run` drives it from Python for tests and measurements: each element of a job spins for a
given time and records which worker ran it.
"""
cimport numpy as cnp
from cpython.pycapsule cimport PyCapsule_New
from libc.stdint cimport int32_t

from pool cimport fastgd_now_ns, fastgd_range_fn

import numpy as np

cnp.import_array()

cdef extern from "parallel_for.h" nogil:
    ctypedef struct fastgd_pool_api:
        int (*parallel_for)(Py_ssize_t n, Py_ssize_t chunk, fastgd_range_fn fn, void *ctx, int threads,
                            Py_ssize_t *done) noexcept nogil
    int fastgd_pool_parallel_for(Py_ssize_t n, Py_ssize_t chunk, fastgd_range_fn fn, void *ctx, int threads,
                                 Py_ssize_t *done)
    int fastgd_pool_helpers()
    const char *FASTGD_POOL_CAPSULE
    const fastgd_pool_api *fastgd_pool_capi

cdef fastgd_pool_api _api
_api.parallel_for = fastgd_pool_parallel_for
fastgd_pool_capi = &_api  # this module's own view of it, as fastgd_pool_import gives the others

#: The pool's C interface (``fastgd_pool_api`` in ``pool.h``), imported by ``fastgd_pool_import``.
API = PyCapsule_New(<void *>&_api, FASTGD_POOL_CAPSULE, NULL)


def helpers():
    """The number of helper threads the pool has started (they stay, asleep, until the process ends)."""
    return fastgd_pool_helpers()


ctypedef struct _Spin:
    double ns          # each element's work
    Py_ssize_t stop_at  # the element whose chunk returns 1 (stops the job); -1: none
    int32_t *worker    # per element: the worker that ran it


cdef int _spin(void *ctx, Py_ssize_t lo, Py_ssize_t hi, int worker) noexcept nogil:
    cdef _Spin *job = <_Spin *>ctx
    cdef Py_ssize_t i
    cdef double until
    for i in range(lo, hi):
        job.worker[i] = worker
        until = fastgd_now_ns() + job.ns
        while fastgd_now_ns() < until:
            pass
    return 1 if lo <= job.stop_at < hi else 0


def run(Py_ssize_t n, Py_ssize_t chunk, int threads, double ns_per_element=0.0, Py_ssize_t stop_at=-1):
    """Run a job of ``n`` elements, each spinning ``ns_per_element`` ns, in chunks on up to ``threads`` threads.

    The chunk holding element ``stop_at`` returns 1 (stops the job). Returns ``(status, done,
    workers)``: the pool's return value, the end of the prefix of elements whose chunks ran, and the
    worker that ran each element (-1: not run).
    """
    cdef cnp.ndarray[int32_t, ndim=1] workers = np.full(max(n, 0), -1, dtype=np.int32)
    cdef _Spin job
    cdef Py_ssize_t done
    cdef int status
    job.ns = ns_per_element
    job.stop_at = stop_at
    job.worker = <int32_t *>cnp.PyArray_DATA(workers)
    with nogil:
        status = fastgd_pool_parallel_for(n, chunk, _spin, &job, threads, &done)
    return status, done, workers
