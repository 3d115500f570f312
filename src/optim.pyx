"""Fused in-place optimizer updates over a dict of parameters.

:func:`prepare` checks every ``params[key]`` / ``grads[key]`` pair before anything is
changed; :func:`apply` then runs one fused kernel (``optim_kernels.h``) per native
float32/float64 array and hands every other value (Python scalars, other dtypes, mixed
param/grad dtypes) to the optimizer's numpy ``_step``, which is exact by construction.
"""
cimport numpy as cnp
from libc.string cimport memcmp

import numpy as np

cnp.import_array()

cdef extern from "optim_kernels.h" nogil:
    enum:
        FASTGD_SGD
        FASTGD_SGD_WD
        FASTGD_MOMENTUM
        FASTGD_NESTEROV
        FASTGD_ADAGRAD
        FASTGD_RMSPROP
        FASTGD_ADAM
        FASTGD_ADAMW
    void fastgd_update_f64(int kind, Py_ssize_t n, double* p, const double* g,
                           double* s0, double* s1, const double* c, int threads)
    void fastgd_update_f32(int kind, Py_ssize_t n, float* p, const float* g,
                           float* s0, float* s1, const double* c, int threads)
    const char* fastgd_simd_level()

SGD = FASTGD_SGD
SGD_WD = FASTGD_SGD_WD
MOMENTUM = FASTGD_MOMENTUM
NESTEROV = FASTGD_NESTEROV
ADAGRAD = FASTGD_ADAGRAD
RMSPROP = FASTGD_RMSPROP
ADAM = FASTGD_ADAM
ADAMW = FASTGD_ADAMW

# How a key is updated: fused kernel in place, fused kernel on contiguous copies
# (written back), or the numpy step.
cdef enum Route:
    FUSED
    FUSED_VIA_COPY
    NUMPY

# Below this many elements the kernel runs without releasing the GIL: releasing and
# re-taking it costs more than the update.
cdef Py_ssize_t GIL_RELEASE_MIN = 4096
cdef int MAX_COEFFS = 8

SIMD_LEVEL = fastgd_simd_level().decode()


cdef tuple _REAL_SCALARS = (int, float, np.integer, np.floating)


cdef inline bint _is_real_scalar(object v):
    return isinstance(v, _REAL_SCALARS) and not isinstance(v, (bool, np.bool_))


cdef inline bint _has_kernel(cnp.ndarray a):
    cdef int t = cnp.PyArray_TYPE(a)
    return ((t == cnp.NPY_DOUBLE or t == cnp.NPY_FLOAT)
            and cnp.PyArray_ISNOTSWAPPED(a) and cnp.PyArray_ISALIGNED(a))


cdef inline bint _same_shape(cnp.ndarray a, cnp.ndarray b):
    return (cnp.PyArray_NDIM(a) == cnp.PyArray_NDIM(b)
            and memcmp(cnp.PyArray_DIMS(a), cnp.PyArray_DIMS(b),
                       cnp.PyArray_NDIM(a) * sizeof(cnp.npy_intp)) == 0)


cdef Route _route(object key, object p, object g) except *:
    """Check one pair and choose its route; raise naming the key if it cannot be updated."""
    cdef cnp.ndarray pa, ga
    if isinstance(p, np.ndarray):
        pa = p
        if pa.dtype.kind != "f":
            raise TypeError(f"params[{key!r}] must be a real floating array, got dtype {pa.dtype}")
        if not cnp.PyArray_ISWRITEABLE(pa):
            raise ValueError(f"params[{key!r}] is read-only; it must be writeable to be updated in place")
        if isinstance(g, np.ndarray):
            ga = g
            if ga.dtype.kind not in "fiu":
                raise TypeError(f"grads[{key!r}] must be a real array, got dtype {ga.dtype}")
            if not _same_shape(pa, ga):
                raise ValueError(f"grads[{key!r}] has shape {g.shape}, "
                                 f"but params[{key!r}] has shape {p.shape}")
            if _has_kernel(pa) and cnp.PyArray_TYPE(ga) == cnp.PyArray_TYPE(pa) and cnp.PyArray_ISNOTSWAPPED(ga):
                if cnp.PyArray_IS_C_CONTIGUOUS(pa) and cnp.PyArray_IS_C_CONTIGUOUS(ga) and cnp.PyArray_ISALIGNED(ga):
                    return FUSED
                return FUSED_VIA_COPY
            return NUMPY
        if not _is_real_scalar(g):
            raise TypeError(f"grads[{key!r}] must be a real array or scalar, got {type(g).__name__}")
        if pa.ndim != 0:
            raise ValueError(f"grads[{key!r}] is a scalar, but params[{key!r}] has shape {p.shape}")
        return NUMPY
    if _is_real_scalar(p):
        if _is_real_scalar(g) or (isinstance(g, np.ndarray) and g.ndim == 0 and g.dtype.kind in "fiu"):
            return NUMPY
        raise TypeError(f"grads[{key!r}] must be a real scalar like params[{key!r}], "
                        f"got {type(g).__name__}" + (f" of shape {g.shape}" if isinstance(g, np.ndarray) else ""))
    raise TypeError(f"params[{key!r}] must be a float array or a real scalar, got {type(p).__name__}")


def prepare(object params, object grads):
    """Check every key of ``params`` against ``grads``; return the update plan.

    Raises KeyError, TypeError or ValueError naming the key before anything changes.
    """
    plan = []
    for key in params:
        p = params[key]
        try:
            g = grads[key]
        except KeyError:
            raise KeyError(f"grads has no entry for params key {key!r}") from None
        plan.append((key, p, g, _route(key, p, g)))
    return plan


cdef inline cnp.ndarray _state_for(dict state, object key, cnp.ndarray p):
    """The state array of ``key``, created as C-contiguous zeros on first use; None if unusable."""
    cdef object s = state.get(key)
    if s is None:
        s = np.zeros((<object>p).shape, dtype=p.dtype)
        state[key] = s
    if (isinstance(s, np.ndarray) and cnp.PyArray_TYPE(<cnp.ndarray>s) == cnp.PyArray_TYPE(p)
            and cnp.PyArray_IS_C_CONTIGUOUS(<cnp.ndarray>s) and cnp.PyArray_ISWRITEABLE(<cnp.ndarray>s)
            and cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray>s) and _same_shape(<cnp.ndarray>s, p)):
        return <cnp.ndarray>s
    return None


cdef void _run(int kind, cnp.ndarray p, cnp.ndarray g, cnp.ndarray s0, cnp.ndarray s1,
               const double* c, int threads) noexcept:
    """One fused kernel call on contiguous arrays of one dtype."""
    cdef Py_ssize_t n = cnp.PyArray_SIZE(p)
    cdef void* d0 = NULL if s0 is None else cnp.PyArray_DATA(s0)
    cdef void* d1 = NULL if s1 is None else cnp.PyArray_DATA(s1)
    cdef void* pd = cnp.PyArray_DATA(p)
    cdef void* gd = cnp.PyArray_DATA(g)
    cdef bint f64 = cnp.PyArray_TYPE(p) == cnp.NPY_DOUBLE
    if n >= GIL_RELEASE_MIN:
        with nogil:
            if f64:
                fastgd_update_f64(kind, n, <double*>pd, <double*>gd, <double*>d0, <double*>d1, c, threads)
            else:
                fastgd_update_f32(kind, n, <float*>pd, <float*>gd, <float*>d0, <float*>d1, c, threads)
    elif f64:
        fastgd_update_f64(kind, n, <double*>pd, <double*>gd, <double*>d0, <double*>d1, c, 1)
    else:
        fastgd_update_f32(kind, n, <float*>pd, <float*>gd, <float*>d0, <float*>d1, c, 1)


def apply(int kind, list plan, tuple states, tuple coeffs, object numpy_step, object params, int threads):
    """Update ``params`` in place following ``plan`` (from :func:`prepare`).

    ``states``: the optimizer's state dicts, in the order the kernel takes them;
    ``coeffs``: its scalars as the kernel takes them; ``numpy_step(key, p, g)``: the
    reference rule, used for the keys the kernels do not take; ``threads``: for large arrays.
    """
    cdef double c[8]
    cdef Py_ssize_t i, n_states = len(states)
    cdef Route route
    cdef cnp.ndarray pa, target, s0, s1
    if len(coeffs) > MAX_COEFFS:
        raise ValueError("too many coefficients")
    for i in range(MAX_COEFFS):
        c[i] = coeffs[i] if i < len(coeffs) else 0.0
    for key, p, g, route in plan:
        s0 = s1 = None
        if route != NUMPY:
            pa = p
            if n_states > 0:
                s0 = _state_for(states[0], key, pa)
            if n_states > 1:
                s1 = _state_for(states[1], key, pa)
            if (n_states > 0 and s0 is None) or (n_states > 1 and s1 is None):
                route = NUMPY  # a state array loaded with another dtype or layout
        if route == NUMPY:
            for state in states:
                if key not in state:
                    state[key] = np.zeros_like(p)
            params[key] = numpy_step(key, p, g)
        elif route == FUSED:
            _run(kind, pa, g, s0, s1, c, threads)
        else:
            target = np.ascontiguousarray(pa)
            _run(kind, target, np.ascontiguousarray(g), s0, s1, c, threads)
            if target is not pa:
                pa[...] = target  # a strided view is updated in the caller's memory
