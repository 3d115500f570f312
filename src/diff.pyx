"""Finite-difference loops that perturb the caller's array in place.

The typed kernels take native, aligned float32/float64 arrays. Elements are
addressed as ``data + offsets[i]`` (byte offsets in C order) or, when
``offsets`` is None, as ``data[i]`` for a C-contiguous array. The Python
layer (:mod:`fastgd.gradient`) validates every argument and picks the kernel;
nothing here checks bounds, dtypes or layout.

Every perturbed element is restored before an exception from ``f`` (or a
signal such as Ctrl-C) propagates, so ``x`` is bitwise unchanged on error.
"""
cimport numpy as cnp
from cpython.exc cimport PyErr_CheckSignals
from cpython.float cimport PyFloat_AsDouble, PyFloat_CheckExact
from cython.parallel cimport parallel, prange, threadid
from libc.limits cimport INT_MAX, INT_MIN
from libc.math cimport isnan
from libc.stdint cimport int64_t
from libc.string cimport memcpy

from time import perf_counter

import numpy as np

cnp.import_array()

ctypedef fused real:
    float
    double

cdef object _FLOAT64 = np.float64
cdef tuple _REAL_SCALARS = (int, float, np.integer, np.floating)


cdef object _real_scalar(object r):
    """Return ``r`` (a 0-d array unwrapped) if it is a real scalar, else raise TypeError."""
    if isinstance(r, np.ndarray):
        if r.ndim != 0:
            raise TypeError(
                f"f must return a real scalar, got an array of shape {r.shape}"
            )
        r = r[()]
    if isinstance(r, (bool, np.bool_)) or not isinstance(r, _REAL_SCALARS):
        raise TypeError(f"f must return a real scalar, got {type(r).__name__}")
    return r


cdef object _central_object(object r1, object r2, object two_h):
    """``(r1 - r2) / two_h`` with numpy's scalar rules, as the reference computes it."""
    return (_real_scalar(r1) - _real_scalar(r2)) / two_h


cdef inline bint _is_double(object r):
    return PyFloat_CheckExact(r) or type(r) is _FLOAT64


cdef inline double _central(object r1, object r2, double two_h) except? -1:
    """Central difference of two values of ``f``: C arithmetic when both are doubles."""
    if _is_double(r1) and _is_double(r2):
        return (PyFloat_AsDouble(r1) - PyFloat_AsDouble(r2)) / two_h
    return float(_central_object(r1, r2, two_h))


cdef inline real* _at(real* data, const cnp.npy_intp* offsets, Py_ssize_t i) noexcept nogil:
    if offsets == NULL:
        return data + i
    return <real*>((<char*>data) + offsets[i])


cdef int _fill_gradient(object f, object x, real* data, const cnp.npy_intp* offsets,
                        Py_ssize_t n, real* grad, double h) except -1:
    """``grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2 h)``, perturbing ``x`` in place."""
    cdef Py_ssize_t i
    cdef real* p
    cdef real v
    cdef real hr = <real>h  # numpy casts the Python float h to x's dtype (NEP 50)
    cdef double two_h = 2.0 * h
    cdef object r1, r2
    for i in range(n):
        p = _at(data, offsets, i)
        v = p[0]
        p[0] = v + hr
        try:
            r1 = f(x)
            p[0] = v - hr
            r2 = f(x)
        finally:
            p[0] = v
        grad[i] = <real>_central(r1, r2, two_h)
        PyErr_CheckSignals()
    return 0


cdef void _step(real* data, const cnp.npy_intp* offsets, Py_ssize_t n,
                const real* grad, real lr) noexcept nogil:
    """``x -= lr * grad``: the product rounded to x's dtype, then the subtraction."""
    cdef Py_ssize_t i
    cdef real* p
    for i in range(n):
        p = _at(data, offsets, i)
        p[0] = p[0] - lr * grad[i]


cdef void _copy_out(real* data, const cnp.npy_intp* offsets, Py_ssize_t n,
                    real* out) noexcept nogil:
    """Copy the elements of x, in C order, to the contiguous ``out``."""
    cdef Py_ssize_t i
    for i in range(n):
        out[i] = _at(data, offsets, i)[0]


cdef int _descend(object f, object x, real* data, const cnp.npy_intp* offsets,
                  Py_ssize_t n, real* grad, double h, double lr, Py_ssize_t steps,
                  real* history) except -1:
    """``steps`` times: record x in ``history`` (if not NULL), then ``x -= lr * grad f(x)``."""
    cdef Py_ssize_t k
    cdef real lr_r = <real>lr
    for k in range(steps):
        if history != NULL:
            _copy_out(data, offsets, n, history + k * n)
        _fill_gradient(f, x, data, offsets, n, grad, h)
        _step(data, offsets, n, grad, lr_r)
    return 0


cdef inline const cnp.npy_intp* _offsets_ptr(object offsets):
    if offsets is None:
        return NULL
    return <const cnp.npy_intp*>cnp.PyArray_DATA(offsets)


def gradient(object f, cnp.ndarray x, cnp.ndarray grad, object offsets, double h):
    """Fill the C-contiguous ``grad`` with the central-difference gradient of ``f`` at ``x``.

    ``x`` is a native, aligned float32/float64 array; ``grad`` has its dtype and shape;
    ``offsets`` holds x's byte offsets in C order, or is None when x is C-contiguous.
    """
    cdef const cnp.npy_intp* offs = _offsets_ptr(offsets)
    if cnp.PyArray_TYPE(x) == cnp.NPY_DOUBLE:
        _fill_gradient(f, x, <double*>cnp.PyArray_DATA(x), offs, x.size,
                       <double*>cnp.PyArray_DATA(grad), h)
    else:
        _fill_gradient(f, x, <float*>cnp.PyArray_DATA(x), offs, x.size,
                       <float*>cnp.PyArray_DATA(grad), h)


def gradient_rows(object f, cnp.ndarray X, cnp.ndarray grad, object offsets, double h):
    """Fill ``grad[r]`` with the gradient of ``f`` at the row view ``X[r]``, for each row.

    ``X`` is a 2-D native, aligned float32/float64 array; ``grad`` is C-contiguous with
    X's dtype and shape; ``offsets`` holds a row's byte offsets, or None when rows are
    contiguous.
    """
    cdef const cnp.npy_intp* offs = _offsets_ptr(offsets)
    cdef Py_ssize_t r, ncol = X.shape[1]
    cdef char* row_data
    for r in range(X.shape[0]):
        row_data = <char*>cnp.PyArray_DATA(X) + r * X.strides[0]
        if cnp.PyArray_TYPE(X) == cnp.NPY_DOUBLE:
            _fill_gradient(f, X[r], <double*>row_data, offs, ncol,
                           <double*>cnp.PyArray_DATA(grad) + r * ncol, h)
        else:
            _fill_gradient(f, X[r], <float*>row_data, offs, ncol,
                           <float*>cnp.PyArray_DATA(grad) + r * ncol, h)


def descend(object f, cnp.ndarray x, object offsets, double h, double lr,
            Py_ssize_t steps, object history):
    """Run ``steps`` descent steps on ``x`` in place, recording each start point in ``history``.

    ``x`` is a native, aligned float32/float64 array; ``history`` is None or a
    C-contiguous array of shape ``(steps, *x.shape)`` and x's dtype.
    """
    cdef const cnp.npy_intp* offs = _offsets_ptr(offsets)
    cdef cnp.ndarray grad = np.empty(x.size, dtype=x.dtype)
    cdef void* hist = NULL if history is None else cnp.PyArray_DATA(history)
    if cnp.PyArray_TYPE(x) == cnp.NPY_DOUBLE:
        _descend(f, x, <double*>cnp.PyArray_DATA(x), offs, x.size,
                 <double*>cnp.PyArray_DATA(grad), h, lr, steps, <double*>hist)
    else:
        _descend(f, x, <float*>cnp.PyArray_DATA(x), offs, x.size,
                 <float*>cnp.PyArray_DATA(grad), h, lr, steps, <float*>hist)


def gradient_object(object f, object x, object grad, double h):
    """Fill ``grad`` with the gradient of ``f`` at ``x`` using numpy scalars (any float dtype).

    The slow path for float16, longdouble, byte-swapped or unaligned arrays: the same
    numpy operations as the reference, with x restored if ``f`` raises.
    """
    cdef object two_h = 2.0 * h
    for idx in np.ndindex(x.shape):
        v = x[idx]
        x[idx] = v + h
        try:
            r1 = f(x)
            x[idx] = v - h
            r2 = f(x)
        finally:
            x[idx] = v
        grad[idx] = _central_object(r1, r2, two_h)
        PyErr_CheckSignals()


def descend_object(object f, object x, double h, double lr, Py_ssize_t steps,
                   object history):
    """:func:`descend` for the arrays :func:`gradient_object` serves."""
    cdef Py_ssize_t k
    grad = np.empty_like(x)
    for k in range(steps):
        if history is not None:
            history[k] = x
        gradient_object(f, x, grad, h)
        x -= lr * grad


def central_difference(object r1, object r2, double two_h):
    """``(r1 - r2) / two_h`` for two values of ``f``, checked and computed as the reference does."""
    return _central_object(r1, r2, two_h)


# --- C-level objectives --------------------------------------------------------------------

ctypedef double (*objective_int)(int, double*, void*) noexcept nogil
ctypedef double (*objective_wide)(int64_t, double*, void*) noexcept nogil
ctypedef int (*status_int)(int, double*, double*, void*) noexcept nogil
ctypedef int (*status_wide)(int64_t, double*, double*, void*) noexcept nogil


cdef struct CObj:
    void* fn
    void* user_data
    Py_ssize_t n
    bint wide_n
    bint status


cdef inline int _evaluate(const CObj* o, double* x, double* value) noexcept nogil:
    """One call of the objective at ``x``: 0, or its nonzero status (INT_MIN for a NaN)."""
    if o.status:
        if o.wide_n:
            return (<status_wide>o.fn)(o.n, x, value, o.user_data)
        return (<status_int>o.fn)(<int>o.n, x, value, o.user_data)
    if o.wide_n:
        value[0] = (<objective_wide>o.fn)(o.n, x, o.user_data)
    else:
        value[0] = (<objective_int>o.fn)(<int>o.n, x, o.user_data)
    return INT_MIN if isnan(value[0]) else 0


cdef inline int _element(const CObj* o, double* x, Py_ssize_t i, double h, double* grad) noexcept nogil:
    """``grad[i]`` by a central difference, perturbing ``x[i]`` and restoring it; the status."""
    cdef double v = x[i], f1 = 0.0, f2 = 0.0
    cdef int status
    x[i] = v + h
    status = _evaluate(o, x, &f1)
    if status == 0:
        x[i] = v - h
        status = _evaluate(o, x, &f2)
    x[i] = v
    if status == 0:
        grad[i] = (f1 - f2) / (2.0 * h)
    return status


cdef Py_ssize_t _c_block(const CObj* o, double* x, double* copies, Py_ssize_t lo, Py_ssize_t hi,
                         double* grad, double h, int threads, int* statuses) noexcept nogil:
    """Gradient elements ``lo..hi-1``; the first failing index (its status in statuses) or -1.

    One thread perturbs ``x`` in place. More threads each perturb a private copy of ``x``
    (``copies``, threads × n, already equal to ``x``): the caller's array is never touched.
    """
    cdef Py_ssize_t i
    cdef double* mine
    if threads <= 1:
        for i in range(lo, hi):
            statuses[0] = _element(o, x, i, h, grad)
            if statuses[0] != 0:
                return i
        return -1
    with parallel(num_threads=threads):
        mine = copies + threadid() * o.n
        for i in prange(lo, hi, schedule="static"):
            statuses[i - lo] = _element(o, mine, i, h, grad)
    for i in range(lo, hi):
        if statuses[i - lo] != 0:
            statuses[0] = statuses[i - lo]
            return i
    return -1


cdef Py_ssize_t _c_steps(const CObj* o, double* x, double* copies, double* grad, double h, double lr,
                         Py_ssize_t k0, Py_ssize_t k1, double* history, int threads,
                         int* statuses) noexcept nogil:
    """Descent steps ``k0..k1-1`` on ``x`` in place; the failing element (status in statuses) or -1."""
    cdef Py_ssize_t k, t, failed, n = o.n
    for k in range(k0, k1):
        if history != NULL:
            memcpy(history + k * n, x, n * sizeof(double))
        if threads > 1:
            for t in range(threads):
                memcpy(copies + t * n, x, n * sizeof(double))
        failed = _c_block(o, x, copies, 0, n, grad, h, threads, statuses)
        if failed >= 0:
            return failed
        _step(x, <const cnp.npy_intp*>NULL, n, grad, lr)
    return -1


# Work between two looks at Ctrl-C: the first block, then blocks sized to about BLOCK_SECONDS.
cdef Py_ssize_t FIRST_BLOCK_EVALUATIONS = 512
cdef double BLOCK_SECONDS = 0.02


cdef Py_ssize_t _next_block(Py_ssize_t block, double elapsed):
    """The next block size: aimed at BLOCK_SECONDS, growing at most eightfold."""
    if elapsed <= 0:
        return block * 8
    return max(1, min(block * 8, <Py_ssize_t>(block * BLOCK_SECONDS / elapsed)))


cdef class CGradient:
    """Central-difference gradients and descent of a C-level objective over a float64,
    C-contiguous ``x``, without the GIL. The GIL is taken between blocks of work (about
    every 20 ms) to answer Ctrl-C. One thread perturbs ``x`` in place; more threads each
    perturb a private copy.
    """
    cdef CObj o
    cdef int threads
    cdef object keepalive
    cdef cnp.ndarray copies

    def __init__(self, object objective, object x, int threads):
        if not (isinstance(x, np.ndarray) and cnp.PyArray_TYPE(x) == cnp.NPY_DOUBLE
                and cnp.PyArray_ISNOTSWAPPED(x) and cnp.PyArray_IS_C_CONTIGUOUS(x)
                and cnp.PyArray_ISALIGNED(x) and cnp.PyArray_ISWRITEABLE(x)):
            from fastgd._validate import check_float_array  # TODO

            check_float_array(x)  # not an array, not floats, or read-only: its own error
            raise TypeError(f"a C-level objective takes double *x: x must be a C-contiguous float64 array, "
                            f"got {x.dtype}{'' if x.flags.c_contiguous else ', not C-contiguous'}")
        if not objective.wide_n and x.size > INT_MAX:
            raise ValueError(f"x has {x.size} elements, more than the objective's int n can count")
        self.o.fn = <void*><Py_ssize_t>objective.address
        self.o.user_data = <void*><Py_ssize_t>objective.user_data
        self.o.wide_n = objective.wide_n
        self.o.status = objective.status
        self.o.n = x.size
        self.threads = threads
        self.keepalive = objective.keepalive
        self.copies = cnp.PyArray_EMPTY(1, [x.size * threads if threads > 1 else 0], cnp.NPY_DOUBLE, 0)

    def gradient(self, cnp.ndarray x, cnp.ndarray grad, double h):
        """Fill ``grad`` (float64, C-contiguous, x's size) with the gradient at ``x``."""
        cdef Py_ssize_t t, lo = 0, hi, failed, n = self.o.n
        cdef Py_ssize_t block = max(1, FIRST_BLOCK_EVALUATIONS // 2)
        cdef double* xp = <double*>cnp.PyArray_DATA(x)
        cdef double* copies = <double*>cnp.PyArray_DATA(self.copies)
        cdef cnp.ndarray statuses = np.zeros(n if self.threads > 1 else 1, dtype=np.intc)
        cdef int* st = <int*>cnp.PyArray_DATA(statuses)
        cdef double started = 0.0
        for t in range(self.threads if self.threads > 1 else 0):
            memcpy(copies + t * n, xp, n * sizeof(double))
        while lo < n:
            hi = min(n, lo + block)
            if hi < n:  # more blocks will follow: time this one to size the next
                started = perf_counter()
            with nogil:
                failed = _c_block(&self.o, xp, copies, lo, hi, <double*>cnp.PyArray_DATA(grad), h,
                                  self.threads, st + (lo if self.threads > 1 else 0))
            if failed >= 0:
                _raise_objective_error(st[lo if self.threads > 1 else 0], failed)
            PyErr_CheckSignals()
            if hi < n:
                block = _next_block(block, perf_counter() - started)
            lo = hi

    def descend(self, cnp.ndarray x, double h, double lr, Py_ssize_t steps, object history):
        """``steps`` times ``x -= lr * grad`` in place; each start point into ``history`` if given."""
        cdef Py_ssize_t k = 0, k1, failed, n = self.o.n
        cdef Py_ssize_t block = max(1, FIRST_BLOCK_EVALUATIONS // max(2 * n, 1))
        cdef cnp.ndarray grad = cnp.PyArray_EMPTY(1, [n], cnp.NPY_DOUBLE, 0)
        cdef cnp.ndarray statuses = cnp.PyArray_ZEROS(1, [n if self.threads > 1 else 1], cnp.NPY_INT, 0)
        cdef double* hist = NULL if history is None else <double*>cnp.PyArray_DATA(history)
        cdef double started = 0.0
        while k < steps:
            k1 = min(steps, k + block)
            if k1 < steps:  # more blocks will follow: time this one to size the next
                started = perf_counter()
            with nogil:
                failed = _c_steps(&self.o, <double*>cnp.PyArray_DATA(x), <double*>cnp.PyArray_DATA(self.copies),
                                  <double*>cnp.PyArray_DATA(grad), h, lr, k, k1, hist, self.threads,
                                  <int*>cnp.PyArray_DATA(statuses))
            if failed >= 0:
                _raise_objective_error((<int*>cnp.PyArray_DATA(statuses))[0], failed)
            PyErr_CheckSignals()
            if k1 < steps:
                block = _next_block(block, perf_counter() - started)
            k = k1


cdef int _raise_objective_error(int status, Py_ssize_t index) except -1:
    from fastgd.diff.objectives import ObjectiveError

    if status == INT_MIN:
        raise ObjectiveError(f"the C objective returned NaN at element {index} (x is restored)")
    raise ObjectiveError(f"the C objective returned status {status} at element {index} (x is restored)")
