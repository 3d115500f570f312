"""The declarations of ``pool.h``: fastgd's one thread engine, for any extension (see that file)."""

cdef extern from "pool.h" nogil:
    ctypedef int (*fastgd_range_fn)(void *ctx, Py_ssize_t lo, Py_ssize_t hi, int worker) noexcept nogil
    int fastgd_pool_import() except -1 with gil
    int fastgd_parallel_for(Py_ssize_t n, Py_ssize_t chunk, fastgd_range_fn fn, void *ctx, int threads,
                            Py_ssize_t *done)
    double fastgd_now_ns()
