# cython: language_level=3
"""The nets' jobs on fastgd's thread pool: every parameter of one array, in chunks, Ctrl-C looked at between them.

A job's ``evaluate(job, q0, q1, ws)`` writes the gradient of parameters ``q0 <= q < q1`` without
the GIL, with ``ws`` a workspace of its own; every parameter's result depends on nothing but the
parameter (the unperturbed pass and its own evaluations), so the results do not depend on which
thread evaluates which chunk, nor on how many threads there are. :func:`run_job` times a short
start on the calling thread to cut the rest into chunks of about :data:`CHUNK_NS` of work, hands
them to the pool (``pool.h``: helpers join only where the work pays for them and the machine has
a free core), and stops the pool every :data:`CHECK_NS` to let Python look at Ctrl-C.
"""
from cpython.exc cimport PyErr_CheckSignals
from libc.stdlib cimport free, malloc

from pool cimport fastgd_now_ns, fastgd_parallel_for

ctypedef void (*Evaluate)(void* job, Py_ssize_t q0, Py_ssize_t q1, double* ws) noexcept nogil

cdef enum:
    START_NS = 20000      # the single-threaded start that times a parameter
    CHUNK_NS = 200000     # work per chunk: a claim costs nothing beside it, a preempted helper holds little
    CHECK_NS = 50000000   # Ctrl-C is looked at this often (and after at most one chunk more)


cdef struct JobRun:
    void* job             # the job (borrowed: run_job's caller holds it)
    Evaluate evaluate
    double* ws            # `stride` doubles of workspace per worker
    Py_ssize_t stride
    Py_ssize_t start      # the parameter at the pool's element 0
    double deadline       # fastgd_now_ns() at which the pool is stopped


cdef inline int _job_range(void* ctx, Py_ssize_t lo, Py_ssize_t hi, int worker) noexcept nogil:
    cdef JobRun* r = <JobRun*> ctx
    r.evaluate(r.job, r.start + lo, r.start + hi, r.ws + worker * r.stride)
    return 1 if fastgd_now_ns() >= r.deadline else 0


cdef inline int run_job(void* job, Evaluate evaluate, Py_ssize_t size, Py_ssize_t workspace,
                        int threads) except -1:
    """``evaluate`` over parameters ``0 <= q < size`` on up to ``threads`` threads, ``workspace`` doubles each."""
    cdef JobRun r
    cdef Py_ssize_t chunk = 1, done
    cdef double started
    threads = max(threads, 1)
    r.job, r.evaluate, r.start, r.stride = job, evaluate, 0, max(workspace, 1)
    r.ws = <double*> malloc(threads * r.stride * sizeof(double))
    if r.ws == NULL:
        raise MemoryError()
    try:
        with nogil:  # the start: 1, 2, 4 ... parameters until START_NS have passed
            started = fastgd_now_ns()
            while r.start < size and fastgd_now_ns() - started < START_NS:
                done = min(chunk, size - r.start)
                evaluate(job, r.start, r.start + done, r.ws)
                r.start += done
                chunk *= 2
            chunk = max(1, <Py_ssize_t> (CHUNK_NS / max((fastgd_now_ns() - started) / max(r.start, 1), 1.0)))
        while r.start < size:
            r.deadline = fastgd_now_ns() + CHECK_NS
            with nogil:
                fastgd_parallel_for(size - r.start, chunk, _job_range, &r, threads, &done)
            r.start += done
            PyErr_CheckSignals()
    finally:
        free(r.ws)
    return 0
