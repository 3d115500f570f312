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
