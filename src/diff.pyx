# cython: auto_pickle=False
"""Finite-difference loops: a scheme's points evaluated by perturbing the caller's array in place.

:class:`Scheme` holds a scheme for the kernels (``diff_kernels.h``). :func:`derivative` and
:func:`descend` run it with a Python ``f`` over a native, aligned float32/float64 ``x``; elements
are visited in the order the caller gives (byte offsets, ``None`` for C-contiguous order) and
each result goes to the position the caller gives. :class:`CObjectiveRun` runs it over a C-level
objective, without the GIL, on one or more threads. The Python layer (:mod:`fastgd.diff`)
validates every argument and chooses the loop; nothing here checks bounds, dtypes or layout.

Every perturbed element is restored before an exception from ``f`` (or a signal such as
Ctrl-C) propagates, so ``x`` is bitwise unchanged on error. The loops return status codes;
the Python layer turns them into exceptions.
"""
cimport numpy as cnp
from cpython.exc cimport PyErr_CheckSignals
from cpython.complex cimport PyComplex_CheckExact, PyComplex_ImagAsDouble
from cpython.float cimport PyFloat_AS_DOUBLE, PyFloat_AsDouble, PyFloat_CheckExact
from cpython.pyport cimport PY_SSIZE_T_MAX
from libc.math cimport isfinite
from libc.string cimport memcpy

from diff_kernels cimport (FD_AT_X, FD_F32, FD_F64, FD_MAX_POINTS, FD_NAN_STATUS, fd_c_begin, fd_c_descend,
                           fd_c_elements, fd_c_task, fd_combine, fd_descend, fd_distance, fd_load, fd_offset,
                           fd_objective, fd_progress, fd_scheme, fd_seconds, fd_shift, fd_store)
from pool cimport fastgd_pool_import

import types

import numpy as np

cnp.import_array()
fastgd_pool_import()

#: Status of a loop over a Python f: done, or f moved or resized x (its memory cannot be touched).
OK = 0
MOVED = 1
#: The status of a NaN value from a C objective, and the "element" of a failure at x itself.
NAN_STATUS = FD_NAN_STATUS
AT_X = FD_AT_X
MAX_POINTS = FD_MAX_POINTS


cdef class Scheme:
    """A finite-difference scheme as the kernels take it (see ``diff_kernels.h``).

    ``offsets[k]``: point k is ``x + offsets[k] * h * e_i``; ``weights[k]``: its weight;
    ``widened[k]``: the point is computed in double, then rounded; ``centre_weight``: the weight
    of ``f(x)`` (0 if unused); the weighted sum is divided by ``denominator * h`` (or, with exact steps, by
    the distance the points take, ``fd_distance``);
    ``imaginary``: ``x`` is the imaginary part of the complex point ``f`` is called with, and
    each value is the imaginary part of ``f``'s complex result (a complex step).
    """
    cdef fd_scheme s

    def __init__(self, tuple offsets, tuple weights, tuple widened, double centre_weight, double denominator,
                 bint imaginary=False):
        cdef int k
        self.s.npoints = len(offsets)
        for k in range(self.s.npoints):
            self.s.offsets[k] = offsets[k]
            self.s.weights[k] = weights[k]
            self.s.widened[k] = widened[k]
        self.s.centre_weight = centre_weight
        self.s.denominator = denominator
        self.s.imaginary = imaginary


cdef inline int _type(cnp.ndarray a) noexcept:
    """The element type of a native float32/float64 array (the only kinds these loops take)."""
    return FD_F64 if cnp.PyArray_TYPE(a) == cnp.NPY_DOUBLE else FD_F32


cdef struct Walk:
    # The elements to perturb and where their results go, for one point.
    char* data                     # x's data (a row's, for numerical_gradient_2d)
    const cnp.npy_intp* x_offsets  # byte offset of element i, or NULL: i * itemsize
    Py_ssize_t itemsize
    const cnp.npy_intp* out_index  # position of element i's result, or NULL: i
    Py_ssize_t n
    int type                       # x's element type
    const double* h                # step of element i: h[i * h_stride]
    Py_ssize_t h_stride
    bint exact                     # divide by the distance the points take (fd_distance), not den * h
    const fd_scheme* s
    double* values                 # or NULL: f at element i's points, values[position * values_stride + k]
    Py_ssize_t values_stride


cdef extern from *:
    """
    /* What x looked like before f was called: f may change its values, not its memory or shape. */
    typedef struct {
        PyArrayObject *x;
        void *data;
        int ndim;
        npy_intp dims[NPY_MAXDIMS];
    } fd_guard;

    static void fd_guard_of(fd_guard *g, PyArrayObject *x)
    {
        g->x = x;
        g->data = PyArray_DATA(x);
        g->ndim = PyArray_NDIM(x);
        for (int d = 0; d < g->ndim; d++)
            g->dims[d] = PyArray_DIMS(x)[d];
    }

    static inline int fd_moved(const fd_guard *g)
    {
        if (PyArray_DATA(g->x) != g->data || PyArray_NDIM(g->x) != g->ndim)
            return 1;
        for (int d = 0; d < g->ndim; d++)
            if (PyArray_DIMS(g->x)[d] != g->dims[d])
                return 1;
        return 0;
    }
    """
    ctypedef struct fd_guard:
        pass
    void fd_guard_of(fd_guard* g, cnp.PyArrayObject* x)
    bint fd_moved(const fd_guard* g) nogil


cdef inline char* _element(const Walk* w, Py_ssize_t i) noexcept nogil:
    if w.x_offsets == NULL:
        return w.data + i * w.itemsize
    return w.data + w.x_offsets[i]


cdef inline Py_ssize_t _position(const Walk* w, Py_ssize_t i) noexcept nogil:
    return i if w.out_index == NULL else w.out_index[i]


cdef inline bint _is_double(object r) noexcept:
    return PyFloat_CheckExact(r) or type(r) is _FLOAT64


cdef inline bint _is_complex(object r) noexcept:
    return PyComplex_CheckExact(r) or type(r) is _COMPLEX128


cdef object _FLOAT64 = np.float64
cdef object _COMPLEX128 = np.complex128


cdef void _store_values(const Walk* w, Py_ssize_t i, const double* values, list objects, object centre,
                        double centre_d) except *:
    """Element i's values (and f(x)) into w.values: doubles, or the objects ``combine`` accepted."""
    cdef const fd_scheme* s = w.s
    cdef double* row = w.values + _position(w, i) * w.values_stride
    cdef Py_ssize_t k
    for k in range(s.npoints):
        if objects is None:
            row[k] = values[k]
        else:
            row[k] = PyFloat_AsDouble(objects[k].imag if s.imaginary else objects[k])
    if s.centre_weight != 0.0:
        row[s.npoints] = centre_d if centre is None or _is_double(centre) else PyFloat_AsDouble(centre)


cdef inline bint _is_vector_of(object r, Py_ssize_t m) noexcept:
    """r is a 1-D ndarray of m native, aligned float64s in C order: copied as they are (as_vector's result)."""
    return (type(r) is cnp.ndarray and cnp.PyArray_TYPE(<cnp.ndarray>r) == cnp.NPY_DOUBLE
            and cnp.PyArray_NDIM(<cnp.ndarray>r) == 1
            and cnp.PyArray_SIZE(<cnp.ndarray>r) == m and cnp.PyArray_ISCARRAY_RO(<cnp.ndarray>r)
            and cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray>r))


cdef struct Outputs:
    # Where one point's results go, and (for a vector function) its values' room.
    char* data          # out's data
    int type            # out's element type
    Py_ssize_t itemsize
    Py_ssize_t m        # -1: f returns a scalar (result i at out + index); else m outputs (out[j, index])
    Py_ssize_t row      # elements per output row (m >= 0)
    double* values      # npoints x m (m >= 0)
    const double* centre  # f(x)'s m values, or NULL (m >= 0)


cdef int _derivative(object f, object arg, const fd_guard* g, const Walk* w, object centre,
                     object combine, object as_vector, const Outputs* o) except -1:
    """Every element of one point: its results = the scheme's estimate. 0, or MOVED.

    A complex step (``s.imaginary``) takes the imaginary part of each value of ``f``; its fast
    path is a Python complex or numpy complex128, numpy's rules otherwise.
    """
    cdef const fd_scheme* s = w.s
    cdef double values[FD_MAX_POINTS]
    cdef double v, h, divisor, centre_d = 0.0, result
    cdef bint imaginary = s.imaginary, centre_is_double = centre is None or _is_double(centre)
    cdef Py_ssize_t i, j, k, position
    cdef char* p
    cdef object r
    cdef cnp.ndarray vector
    cdef list objects = None
    if centre is not None and centre_is_double:
        centre_d = PyFloat_AS_DOUBLE(centre)
    for i in range(w.n):
        p = _element(w, i)
        v = fd_load(w.type, p)
        h = w.h[i * w.h_stride]
        divisor = s.denominator * h
        objects = None  # the values as objects, once one of them is not a double
        for k in range(s.npoints):
            fd_shift(w.type, p, v, s.offsets[k] * h, s.widened[k])
            if w.exact:
                divisor = fd_distance(s, k, divisor, fd_offset(w.type, p, v))
            try:
                r = f(arg)
            finally:
                if fd_moved(g):
                    return MOVED  # x's memory may be gone: restore nothing
                fd_store(w.type, p, v)
            if o.m >= 0:
                if _is_vector_of(r, o.m):
                    memcpy(o.values + k * o.m, cnp.PyArray_DATA(<cnp.ndarray>r), o.m * sizeof(double))
                else:
                    vector = as_vector(r)  # m float64 values, C-contiguous, or it raises
                    memcpy(o.values + k * o.m, cnp.PyArray_DATA(vector), o.m * sizeof(double))
            elif objects is None and not imaginary and _is_double(r):
                values[k] = PyFloat_AS_DOUBLE(r)
            elif objects is None and imaginary and _is_complex(r):
                values[k] = PyComplex_ImagAsDouble(r)
            else:
                if objects is None:
                    objects = [complex(0.0, values[j]) if imaginary else values[j] for j in range(k)]
                objects.append(r)
        position = _position(w, i)
        if o.m >= 0:
            for j in range(o.m):
                result = fd_combine(s, o.values + j, o.m, 0.0 if o.centre == NULL else o.centre[j], divisor)
                (<double*>o.data)[j * o.row + position] = result
        else:
            if objects is None and centre_is_double:
                result = fd_combine(s, values, 1, centre_d, divisor)
            else:  # numpy's rules for whatever f returned
                if objects is None:  # only f(x) is not a double
                    objects = [values[j] for j in range(s.npoints)]
                result = combine(objects, centre, divisor)
            if w.values != NULL:
                _store_values(w, i, values, objects, centre, centre_d)
            fd_store(o.type, o.data + position * o.itemsize, result)
        PyErr_CheckSignals()
    return 0


cdef object _X_MOVED = object()


cdef object _centre(object f, object arg, const fd_guard* g, const fd_scheme* s):
    """f(x) if the scheme needs it (_X_MOVED if f moved x), else None."""
    if s.centre_weight == 0.0:
        return None
    r = f(arg)
    return _X_MOVED if fd_moved(g) else r


cdef void _walk_of(Walk* w, cnp.ndarray x, object x_offsets, object out_index, Scheme scheme,
                   object steps, double* one_step, bint exact, object values=None) noexcept:
    w.data = <char*>cnp.PyArray_DATA(x)
    w.x_offsets = NULL if x_offsets is None else <const cnp.npy_intp*>cnp.PyArray_DATA(x_offsets)
    w.itemsize = cnp.PyArray_ITEMSIZE(x)
    w.out_index = NULL if out_index is None else <const cnp.npy_intp*>cnp.PyArray_DATA(out_index)
    w.type = _type(x)
    _steps_of(steps, one_step, &w.h, &w.h_stride)
    w.exact = exact
    w.s = &scheme.s
    w.values = NULL if values is None else <double*>cnp.PyArray_DATA(values)
    w.values_stride = 0 if values is None else cnp.PyArray_DIM(values, 1)


cdef inline void _steps_of(object steps, double* one_step, const double** h, Py_ssize_t* stride) noexcept:
    """A float step for every element (kept in ``one_step``), or a float64 array, one per element."""
    if isinstance(steps, float):
        one_step[0] = steps
        h[0] = one_step
        stride[0] = 0
    else:
        h[0] = <const double*>cnp.PyArray_DATA(steps)
        stride[0] = 1


def derivative(object f, cnp.ndarray x, cnp.ndarray out, object x_offsets, object out_index, Py_ssize_t n,
               Scheme scheme, object steps, bint exact, object combine, Py_ssize_t rows=-1,
               Py_ssize_t m=-1, object as_vector=None, object centre=None, object arg=None, object values=None):
    """Fill ``out`` with the scheme's estimate of f's derivative along each of ``n`` elements of ``x``.

    ``x``: a native, aligned float32/float64 array; element i is at byte ``x_offsets[i]`` (None:
    C-contiguous order) and its result goes to ``out.flat[out_index[i]]`` (None: i). ``steps``: a
    float, or a float64 array of one step per element. ``exact``: divide by the distance the points take,
    ``weights[0] * (x_0 - v) + weights[1] * (x_1 - v) + ...`` (``fd_distance``), not ``denominator * h``.
    ``combine(values, centre, h)``: the scheme's estimate with numpy's rules, for values of
    ``f`` that are not floats. ``rows >= 0``: ``x`` is 2-D and ``f`` is called with each row view
    ``x[r]`` in turn (offsets within a row; row r's results at ``out`` + r * n).

    ``m >= 0``: ``f`` returns m values, made m float64s by ``as_vector(value)`` (which raises for
    anything else); ``out`` is float64 (m, n) and ``out[j, out_index[i]]`` receives output j's
    estimate; ``centre``: f(x) as m float64s, if the scheme needs it.

    At one point (``rows < 0``): ``arg``, what ``f`` is called with if not ``x`` (the complex point whose
    imaginary part ``x`` is, for a complex step). For a scalar ``f`` there (``m < 0``): ``values``, None or a
    C-contiguous float64 array with a row per result position: the values at element i's points
    go to the row of its result, then ``f(x)`` if the scheme uses it. Returns OK or MOVED.
    """
    cdef Walk w
    cdef fd_guard g
    cdef Outputs o
    cdef double one_step
    cdef Py_ssize_t r
    cdef cnp.ndarray vector_values
    _walk_of(&w, x, x_offsets, out_index, scheme, steps, &one_step, exact, values)
    w.n = n
    fd_guard_of(&g, <cnp.PyArrayObject*>x)
    o.data = <char*>cnp.PyArray_DATA(out)
    o.type = _type(out)
    o.itemsize = cnp.PyArray_ITEMSIZE(out)
    o.m = m
    o.row = n
    o.centre = NULL
    if m >= 0:
        vector_values = cnp.PyArray_EMPTY(1, [m * scheme.s.npoints], cnp.NPY_DOUBLE, 0)
        o.values = <double*>cnp.PyArray_DATA(vector_values)
        if centre is not None:
            o.centre = <const double*>cnp.PyArray_DATA(centre)
        return _derivative(f, x if arg is None else arg, &g, &w, None, combine, as_vector, &o)
    if rows < 0:
        if arg is None:
            arg = x
        centre = _centre(f, arg, &g, &scheme.s)
        if centre is _X_MOVED:
            return MOVED
        return _derivative(f, arg, &g, &w, centre, combine, None, &o)
    for r in range(rows):
        w.data = <char*>cnp.PyArray_DATA(x) + r * cnp.PyArray_STRIDE(x, 0)
        row = x[r]
        centre = _centre(f, row, &g, &scheme.s)
        if centre is _X_MOVED:
            return MOVED
        if _derivative(f, row, &g, &w, centre, combine, None, &o) == MOVED:
            return MOVED
        o.data += n * o.itemsize
    return OK


cdef object _FUNCTION = types.FunctionType  # Python functions and lambdas


cdef bint _textbook_walk(object f, object x, Scheme scheme, const double* h, Walk* w, fd_guard* g) noexcept:
    """The walk of the short roads of the textbook's calls (``scheme`` at the one step ``*h`` along every
    element of ``x``, in C order, divided by ``denominator * h``), ``g`` guarding ``x``; False where the
    checks and the general loops are needed: ``f`` other than a Python function or lambda, ``x`` other
    than a writeable, native, aligned, C-contiguous float32/float64 ndarray."""
    cdef cnp.ndarray a
    cdef int kind
    if type(f) is not _FUNCTION or type(x) is not cnp.ndarray:
        return False
    a = <cnp.ndarray>x
    kind = cnp.PyArray_TYPE(a)
    if kind != cnp.NPY_DOUBLE and kind != cnp.NPY_FLOAT:
        return False
    if not cnp.PyArray_ISCARRAY(a) or not cnp.PyArray_ISNOTSWAPPED(a):
        return False
    w.data = <char*>cnp.PyArray_DATA(a)
    w.x_offsets = NULL
    w.itemsize = cnp.PyArray_ITEMSIZE(a)
    w.out_index = NULL
    w.n = cnp.PyArray_SIZE(a)
    w.type = FD_F64 if kind == cnp.NPY_DOUBLE else FD_F32
    w.h = h
    w.h_stride = 0
    w.exact = False
    w.s = &scheme.s
    w.values = NULL
    w.values_stride = 0
    fd_guard_of(g, <cnp.PyArrayObject*>a)
    return True


def textbook(object f, object x, Scheme scheme, double h, object combine, object moved_error):
    """The short road of the textbook's call: ``scheme`` (central) at the fixed step ``h`` along every
    element of ``x``, in C order, into a new array; or None where the checks and the general loops are
    needed (see ``_textbook_walk``). ``combine``: as :func:`derivative` takes it; raises
    ``moved_error()`` if ``f`` moved ``x``."""
    cdef Walk w
    cdef fd_guard g
    cdef Outputs o
    if not _textbook_walk(f, x, scheme, &h, &w, &g):
        return None
    out = cnp.PyArray_EMPTY(cnp.PyArray_NDIM(<cnp.ndarray>x), cnp.PyArray_DIMS(<cnp.ndarray>x),
                            cnp.PyArray_TYPE(<cnp.ndarray>x), 0)
    o.data = <char*>cnp.PyArray_DATA(out)
    o.type = w.type
    o.itemsize = w.itemsize
    o.m = -1
    o.row = w.n
    o.centre = NULL
    centre = _centre(f, x, &g, &scheme.s)
    if centre is _X_MOVED or _derivative(f, x, &g, &w, centre, combine, None, &o) == MOVED:
        raise moved_error()
    return out


cdef object _MOST_STEPS = PY_SSIZE_T_MAX  # (an int object made once: compared at every descent)


cdef inline bint _steps_count(object step_num):
    """Whether the short roads can count ``step_num`` steps: an int from 0 to a C size (else the general road
    says what is wrong with it)."""
    return type(step_num) is int and 0 <= step_num <= _MOST_STEPS


def textbook_descend(object f, object x, Scheme scheme, double h, object combine, double lr, object step_num,
                     object moved_error):
    """The short road of ``gradient_descent``'s textbook call (as :func:`textbook`): ``step_num`` steps of
    ``x -= lr * derivative`` in place; True, or None where the general road is needed (also for a
    non-finite ``lr`` or a ``step_num`` that is not a count, which it reports)."""
    cdef Walk w
    cdef fd_guard g
    if not isfinite(lr) or not _steps_count(step_num):
        return None
    if not _textbook_walk(f, x, scheme, &h, &w, &g):
        return None
    if w.n == 0:  # nothing to evaluate, however many steps
        return True
    if _descend(f, <cnp.ndarray>x, &w, &g, scheme, combine, lr, step_num, NULL) == MOVED:
        raise moved_error()
    return True


def descend(object f, cnp.ndarray x, object x_offsets, object out_index, Py_ssize_t n, Scheme scheme,
            object steps, bint exact, object combine, double lr, Py_ssize_t step_num, object history):
    """``step_num`` times: record x (C order) in ``history`` if given, then ``x -= lr * derivative``.

    Arguments as :func:`derivative`; ``history``: None or C-contiguous, x's dtype,
    ``(step_num, *x.shape)``. A failed step leaves x at the point before it. Returns OK or MOVED.
    """
    cdef Walk w
    cdef fd_guard g
    cdef double one_step
    _walk_of(&w, x, x_offsets, out_index, scheme, steps, &one_step, exact)
    w.n = n
    fd_guard_of(&g, <cnp.PyArrayObject*>x)
    return _descend(f, x, &w, &g, scheme, combine, lr, step_num,
                    NULL if history is None else <char*>cnp.PyArray_DATA(history))


cdef int _descend(object f, cnp.ndarray x, const Walk* w, const fd_guard* g, Scheme scheme, object combine, double lr,
                  Py_ssize_t step_num, char* hist) except -1:
    """:func:`descend` along the walk ``w`` (``g`` guarding ``x``), the start points into ``hist`` if not NULL."""
    cdef Outputs o
    cdef Py_ssize_t k, i
    cdef cnp.ndarray grad = cnp.PyArray_EMPTY(1, [w.n], cnp.PyArray_TYPE(x), 0)
    cdef char* gd = <char*>cnp.PyArray_DATA(grad)
    o.data = gd
    o.type = w.type
    o.itemsize = w.itemsize
    o.m = -1
    for k in range(step_num):
        if hist != NULL:
            for i in range(w.n):
                fd_store(w.type, hist + (k * w.n + _position(w, i)) * w.itemsize, fd_load(w.type, _element(w, i)))
        centre = _centre(f, x, g, &scheme.s)
        if centre is _X_MOVED:
            return MOVED
        if _derivative(f, x, g, w, centre, combine, None, &o) == MOVED:
            return MOVED
        for i in range(w.n):
            fd_descend(w.type, _element(w, i), gd + _position(w, i) * w.itemsize, lr)
    return OK


cdef int _mixed(object f, object arg, const fd_guard* g, const Walk* w, const fd_scheme* u, object as_double,
                double* out, Py_ssize_t row) except -1:
    """Every pair of visited elements a < b: their mixed estimate into out[pa, pb] and out[pb, pa]. 0 or MOVED."""
    cdef const fd_scheme* s = w.s
    cdef Py_ssize_t a, b, k, kb, pa, pb
    cdef char* p
    cdef char* q
    cdef double va, ha, vb, hb, da, db, value, term, acc = 0.0
    cdef object r
    for a in range(w.n):
        p = _element(w, a)
        va = fd_load(w.type, p)
        ha = w.h[a * w.h_stride]
        pa = _position(w, a)
        for b in range(a + 1, w.n):
            q = _element(w, b)
            vb = fd_load(w.type, q)
            hb = w.h[b * w.h_stride]
            da, db = s.denominator * ha, u.denominator * hb
            for k in range(s.npoints):
                for kb in range(u.npoints):
                    fd_shift(w.type, p, va, s.offsets[k] * ha, s.widened[k])
                    fd_shift(w.type, q, vb, u.offsets[kb] * hb, u.widened[kb])
                    if w.exact and kb == 0:
                        da = fd_distance(s, k, da, fd_offset(w.type, p, va))
                    if w.exact and k == 0:
                        db = fd_distance(u, kb, db, fd_offset(w.type, q, vb))
                    try:
                        r = f(arg)
                    finally:
                        if fd_moved(g):
                            return MOVED  # x's memory may be gone: restore nothing
                        fd_store(w.type, q, vb)
                        fd_store(w.type, p, va)
                    value = PyFloat_AS_DOUBLE(r) if _is_double(r) else as_double(r)
                    term = (s.weights[k] * u.weights[kb]) * value
                    acc = term if k == 0 and kb == 0 else acc + term
            pb = _position(w, b)
            out[pa * row + pb] = out[pb * row + pa] = acc / (da * db)
            PyErr_CheckSignals()
    return 0


def mixed(object f, cnp.ndarray x, cnp.ndarray out, object x_offsets, object out_index, Py_ssize_t n,
          Scheme scheme, Scheme inner, object steps, bint exact, object as_double):
    """Fill ``out`` with f's mixed second derivatives along every pair of the ``n`` elements of ``x``.

    For the elements visited a-th and b-th (a < b; ``x_offsets``, ``out_index``, ``steps`` and ``exact``
    as :func:`derivative` takes them): ``scheme`` along the first of ``inner``'s estimates along the
    second, ``sum_k sum_kb (w_k u_kb) f(x + o_k h_a e_a + p_kb h_b e_b) / ((den h_a) (inner den h_b))``
    summed in the order (k, kb) -- central by central is the four-point formula -- into
    ``out[pa, pb]`` and ``out[pb, pa]`` (``out``: C-contiguous float64, ``(x.size, x.size)``; the
    diagonal is not written). Schemes without ``f(x)``. ``as_double(value)``: a value of ``f`` that is
    not a float, as a float, or it raises. Returns OK or MOVED.
    """
    cdef Walk w
    cdef fd_guard g
    cdef double one_step
    _walk_of(&w, x, x_offsets, out_index, scheme, steps, &one_step, exact)
    w.n = n
    fd_guard_of(&g, <cnp.PyArrayObject*>x)
    return _mixed(f, x, &g, &w, &inner.s, as_double, <double*>cnp.PyArray_DATA(out), cnp.PyArray_DIM(out, 1))


# --- C-level objectives --------------------------------------------------------------------

# Work between two looks at Ctrl-C, in seconds; and the single-threaded start whose pace tells
# whether a team of threads pays.
cdef double BLOCK_SECONDS = 0.02
cdef double SOLO_SECONDS = 5e-5
# Work left (a derivative's, or one descent step's: a job of the pool each) that pays for asking how
# many threads the machine has free; below it, one thread finishes sooner. Work per chunk a thread
# claims from the pool.
cdef double TEAM_SECONDS = 2e-4
cdef double CHUNK_SECONDS = 5e-5


cdef class CObjectiveRun:
    """A scheme over a C-level objective and a C-contiguous float64 ``x`` of ``n`` elements.

    ``address``/``user_data``: the function and its ``void *``; ``m``: -1 for ``f(n, x, ...)``
    returning one value, else the outputs of a vector function ``F(n, x, m, out, user_data)``;
    ``wide_n``: ``n`` (and ``m``) are int64; ``status``: the form that returns a status
    (``int f(n, x, &value, user_data)``, ``int F(n, x, m, out, user_data)``). ``elements``: None
    (every element, in order) or the intp positions to visit; ``values``: None, or (a scalar ``f``)
    a C-contiguous float64 array with a row per element for the values at its points (then
    ``f(x)`` if the scheme uses it); only the visited rows are written. One thread perturbs ``x`` in place;
    up to ``threads`` each perturb a private copy, once a short single-threaded start shows the
    work left is long enough to pay for them; ``team(threads)``, if given, then says how many to
    wake (the threads asked for, capped by the CPUs other processes leave free). The GIL is released
    between looks at Ctrl-C (about every 20 ms). ``inner``: None, or (for a scalar objective) the scheme
    along the second element of mixed second derivatives, as :func:`mixed` computes them: ``derivative`` then fills
    the upper triangle of an n x n ``out``, off its diagonal. Methods return ``(status, element)``: ``(0, -1)``, or the
    status of a failed evaluation and its element (``AT_X`` for ``f(x)`` itself), ``x`` restored.
    """
    cdef fd_objective o
    cdef fd_c_task t
    cdef fd_progress p
    cdef double one_step
    cdef int threads
    cdef Py_ssize_t chunk  # visits per chunk of the pool's
    cdef object keepalive, team
    cdef cnp.ndarray copies, centre, scratch

    def __init__(self, Py_ssize_t address, Py_ssize_t user_data, Py_ssize_t m, bint wide_n, bint status,
                 Py_ssize_t n, Scheme scheme, object steps, bint exact, int threads, object keepalive,
                 object elements=None, object values=None, Scheme inner=None, object team=None):
        self._setup(address, user_data, m, wide_n, status, n, scheme, steps, exact, threads, keepalive, elements,
                    values, inner, team)

    cdef void _setup(self, Py_ssize_t address, Py_ssize_t user_data, Py_ssize_t m, bint wide_n, bint status,
                     Py_ssize_t n, Scheme scheme, object steps, bint exact, int threads, object keepalive,
                     object elements, object values, Scheme inner, object team) except *:
        self.o.fn = <void*>address
        self.o.user_data = <void*>user_data
        self.o.m = m
        self.o.wide_n = wide_n
        self.o.status = status
        self.o.n = n
        self.t.o = &self.o
        self.t.s = &scheme.s
        _steps_of(steps, &self.one_step, &self.t.h, &self.t.h_stride)
        self.t.exact = exact
        self.t.elements = NULL if elements is None else <const Py_ssize_t*>cnp.PyArray_DATA(elements)
        self.t.count = n if elements is None else len(elements)
        self.t.values = NULL if values is None else <double*>cnp.PyArray_DATA(values)
        self.t.values_stride = 0 if values is None else cnp.PyArray_DIM(values, 1)
        self.threads = threads
        self.team = team
        self.t.inner = NULL if inner is None else &inner.s
        self.keepalive = (keepalive, scheme, steps, elements, values, inner)
        self.t.centre = NULL
        if scheme.s.centre_weight != 0.0:
            self.centre = cnp.PyArray_ZEROS(1, [max(m, 1)], cnp.NPY_DOUBLE, 0)
            self.t.centre = <double*>cnp.PyArray_DATA(self.centre)
        if m >= 0:  # a vector function's values at the points, per thread (a scalar's fit on the stack)
            self.scratch = cnp.PyArray_EMPTY(1, [m * scheme.s.npoints * threads], cnp.NPY_DOUBLE, 0)
        self.t.scratch = NULL if m < 0 else <double*>cnp.PyArray_DATA(self.scratch)

    cdef void _reset(self) noexcept:
        self.p.next = 0
        self.p.failed = -1
        self.p.status = 0
        self.p.batch = 1
        self.p.since = 0
        self.p.looked = fd_seconds()

    cdef int _start_team(self, const double* x, double per_visit, double visits):
        """Threads for the rest of the work (``visits`` of ``per_visit`` seconds on one thread), their copies
        of x made, and the visits per chunk."""
        cdef int k, threads = 1
        self.chunk = max(1, <Py_ssize_t>min(CHUNK_SECONDS / max(per_visit, 1e-10), 1e9))
        if per_visit * visits >= TEAM_SECONDS:
            threads = self.threads if self.team is None else min(max(int(self.team(self.threads)), 1), self.threads)
        if threads > 1 and (self.copies is None or cnp.PyArray_SIZE(self.copies) < self.o.n * threads):
            self.copies = cnp.PyArray_EMPTY(1, [self.o.n * threads], cnp.NPY_DOUBLE, 0)
        for k in range(threads if threads > 1 else 0):
            memcpy(<double*>cnp.PyArray_DATA(self.copies) + k * self.o.n, x, self.o.n * sizeof(double))
        return threads

    cdef double* _copies(self) noexcept:
        """The threads' copies of x (NULL before a team was started)."""
        return NULL if self.copies is None else <double*>cnp.PyArray_DATA(self.copies)

    cpdef tuple derivative(self, cnp.ndarray x, cnp.ndarray out, object progress=None):
        """Fill ``out`` (float64, C-contiguous: n elements, m x n for a vector function, n x n for mixed
        second derivatives) at ``x``; ``progress(elements done)``, if given, after each look at Ctrl-C."""
        cdef double* xp = <double*>cnp.PyArray_DATA(x)
        cdef double* copies
        cdef int threads = 1
        cdef bint solo = self.threads > 1  # the single-threaded start, still to decide on a team
        cdef double started, seconds = SOLO_SECONDS
        self._reset()
        self.t.out = <double*>cnp.PyArray_DATA(out)
        with nogil:
            fd_c_begin(&self.t, xp, NULL, 1, self.o.n, &self.p)
        started = fd_seconds()
        while self.p.failed == -1 and self.p.next < self.t.count:
            copies = self._copies()
            with nogil:
                fd_c_elements(&self.t, xp, copies, threads, self.o.n, self.chunk,
                              fd_seconds() + seconds, &self.p)
            PyErr_CheckSignals()
            if progress is not None:
                progress(min(self.p.next, self.t.count))
            if solo and self.p.failed == -1 and self.p.next < self.t.count:  # the rest at the start's pace
                solo = False
                threads = self._start_team(xp, (fd_seconds() - started) / max(self.p.next, 1),
                                           self.t.count - self.p.next)
            seconds = BLOCK_SECONDS
        if self.p.failed >= 0 and self.t.elements != NULL:
            return self.p.status, self.t.elements[self.p.failed]
        return self.p.status, self.p.failed

    cpdef tuple descend(self, cnp.ndarray x, double lr, Py_ssize_t steps, object history):
        """``steps`` times ``x -= lr * derivative``; each start point into ``history`` if given.

        For a run over every element (``elements`` None).
        """
        cdef double* xp = <double*>cnp.PyArray_DATA(x)
        cdef double* hist = NULL if history is None else <double*>cnp.PyArray_DATA(history)
        cdef cnp.ndarray grad = cnp.PyArray_EMPTY(1, [self.o.n], cnp.NPY_DOUBLE, 0)
        cdef Py_ssize_t step = 0
        cdef double* copies
        cdef int threads = 1
        cdef bint solo = self.threads > 1
        cdef double started = fd_seconds(), seconds = SOLO_SECONDS
        self._reset()
        self.t.out = <double*>cnp.PyArray_DATA(grad)
        while self.p.failed == -1 and step < steps:
            copies = self._copies()
            with nogil:
                fd_c_descend(&self.t, xp, copies, threads, self.o.n, self.chunk, lr,
                             steps, hist, fd_seconds() + seconds, &step, &self.p)
            PyErr_CheckSignals()
            seconds = BLOCK_SECONDS
            if solo and self.p.failed == -1 and step < steps:  # a job of the pool per step: for long steps only
                solo = False
                threads = self._start_team(xp, (fd_seconds() - started) / (step * self.o.n + self.p.next),
                                           self.o.n)
        return self.p.status, self.p.failed


# --- the short roads of C objectives -----------------------------------------------------------

cdef object _c_run(object objective, cnp.ndarray x, Scheme scheme, double h, int threads, object team):
    """A run of ``scheme`` at the fixed step ``h`` over every element of ``x`` for a scalar C objective
    (a ``CObjective``: address, user_data, wide_n, status, vector, keepalive); None where the
    checks of the general road are needed: a vector function, ``x`` other than a writeable, native,
    aligned, C-contiguous float64 ndarray, more elements than an int ``n`` counts."""
    address, user_data, wide_n, status, vector, keepalive = objective
    if (vector or cnp.PyArray_TYPE(x) != cnp.NPY_DOUBLE or not cnp.PyArray_ISCARRAY(x)
            or not cnp.PyArray_ISNOTSWAPPED(x) or not address or (not wide_n and cnp.PyArray_SIZE(x) > 2147483647)):
        return None
    cdef CObjectiveRun run = CObjectiveRun.__new__(CObjectiveRun)
    run._setup(address, user_data, -1, wide_n, status, cnp.PyArray_SIZE(x), scheme, h, False, threads, keepalive,
               None, None, None, team)
    return run


def c_textbook(object objective, object x, Scheme scheme, double h, int threads, object team, object failure):
    """The short road of the textbook's call for a scalar C objective: ``scheme`` at the fixed step ``h``
    along every element of ``x`` into a new array, on up to ``threads`` threads (``team`` as
    :class:`CObjectiveRun` takes it); or None where the general road is needed (see ``_c_run``).
    ``failure(status, element)`` raises for a failed evaluation."""
    if type(x) is not cnp.ndarray:
        return None
    run = _c_run(objective, <cnp.ndarray>x, scheme, h, threads, team)
    if run is None:
        return None
    out = cnp.PyArray_EMPTY(cnp.PyArray_NDIM(<cnp.ndarray>x), cnp.PyArray_DIMS(<cnp.ndarray>x), cnp.NPY_DOUBLE, 0)
    if cnp.PyArray_SIZE(<cnp.ndarray>x):
        status, element = (<CObjectiveRun>run).derivative(x, out)
        if status:
            failure(status, element)
    return out


def c_descend(object objective, object x, Scheme scheme, double h, double lr, object step_num, int threads,
              object team, object failure):
    """The short road of ``gradient_descent`` for a scalar C objective (as :func:`c_textbook`): ``step_num``
    steps of ``x -= lr * derivative`` in place; True, or None where the general road is needed (also for a
    non-finite ``lr`` or a ``step_num`` that is not a count, which it reports)."""
    if type(x) is not cnp.ndarray or not isfinite(lr) or not _steps_count(step_num):
        return None
    run = _c_run(objective, <cnp.ndarray>x, scheme, h, threads, team)
    if run is None:
        return None
    if cnp.PyArray_SIZE(<cnp.ndarray>x):
        status, element = (<CObjectiveRun>run).descend(x, lr, <Py_ssize_t>step_num, None)
        if status:
            failure(status, element)
    return True
