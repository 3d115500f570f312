"""Fused in-place optimizer updates over a dict of parameters: the compiled base of fastgd's optimizers.

:class:`Optimizer` holds an optimizer's settings in its kernel's struct (``optim_kernels.inc``)
and its state dicts; :meth:`Optimizer.update` checks every ``params[key]`` / ``grads[key]`` pair
and the key's state arrays before anything changes, then runs the kernel's ``prepare`` (counters,
per-update coefficients) and its loop on each key, in the order of ``params``:

- in place: ndarrays (or, through an ndarray view of their memory, ndarray subclasses other than
  masked arrays) of float64, float32 or longdouble, C-contiguous, aligned and native;
- staged: other layouts and byte orders go through an aligned contiguous buffer, copied from the
  param before its kernel runs and back into the caller's memory after it;
- scalars: a Python or numpy real scalar runs as a 0-d array of its float type (float64 for
  Python numbers) and is replaced in ``params`` by a scalar of its type (a Python float for ints).

The kernel reads the grad in the param's dtype: a grad of another real dtype or layout, a scalar
(for a 0-d param) or a grad sharing memory with the param or a state is first copied into a
buffer of the param's dtype, when its key's turn comes. A state array the kernel cannot update in
place (another dtype or layout, read-only, sharing memory) is replaced by a copy in the param's
dtype. float16 params and masked arrays are refused (TypeError). Every check and allocation comes
before the first change: an update is all or nothing.

An optimizer whose class has a ``_stepwise`` (``Row.stepwise``: numpy's statements read what earlier
ones wrote) runs it instead of its kernels when a param may share memory with another key's param
or with any grad.
"""
from collections.abc import Mapping, MutableMapping

cimport cython
cimport numpy as cnp
from cpython.dict cimport PyDict_GetItemWithError, PyDict_Next, PyDict_SetItem
from cpython.ref cimport Py_XDECREF, Py_XINCREF, PyObject
from libc.string cimport memcmp, memset

from pool cimport fastgd_pool_import

import numpy as np

cnp.import_array()
fastgd_pool_import()

cdef extern from "optim_kernels.h" nogil:
    ctypedef struct fastgd_kernel:
        const char *name
        const char *settings
        size_t size
        int n_states
        void (*prepare)(void *c) noexcept nogil
    const fastgd_kernel *fastgd_kernels
    enum:
        FASTGD_MAX_STATES
        FASTGD_MAX_FIELDS
        FASTGD_PARALLEL_MIN
        FASTGD_F64
        FASTGD_F32
        FASTGD_LONGDOUBLE
    void fastgd_update(const fastgd_kernel *k, int type, Py_ssize_t n, void *p, const void *g, void *const *s,
                       const void *c, int threads)
    const char *fastgd_simd_level()

# Below this many elements the kernel runs without releasing the GIL: releasing and
# re-taking it costs more than the update.
cdef Py_ssize_t GIL_RELEASE_MIN = 4096

SIMD_LEVEL = fastgd_simd_level().decode()
#: Arrays of fewer elements are updated on the calling thread alone (``optim_kernels.h``).
PARALLEL_MIN = FASTGD_PARALLEL_MIN


def _registry_names():
    cdef Py_ssize_t i = 0
    names = []
    while fastgd_kernels[i].name != NULL:
        names.append(fastgd_kernels[i].name.decode())
        i += 1
    return tuple(names)


#: The kernels of the C registry, by name.
KERNELS = _registry_names()


@cython.auto_pickle(False)
@cython.final
cdef class Kernel:
    """One kernel of the C registry (``optim_kernels.inc``), found by name.

    ``settings`` are the names of its struct's settings (hyper-parameters and counters), in the
    struct's order; ``n_states`` the number of state arrays it updates beside the param.
    """

    cdef const fastgd_kernel *k
    cdef readonly str name
    cdef readonly tuple settings
    cdef readonly int n_states

    def __init__(self, str name):
        cdef Py_ssize_t i = 0
        while fastgd_kernels[i].name != NULL and fastgd_kernels[i].name.decode() != name:
            i += 1
        if fastgd_kernels[i].name == NULL:
            raise ValueError(f"no optimizer kernel named {name!r}; the registry has {', '.join(KERNELS)}")
        self.k = &fastgd_kernels[i]
        self.name = name
        self.n_states = self.k.n_states
        self.settings = tuple(self.k.settings.decode().split())
        if (self.k.size % sizeof(double) or self.k.size > FASTGD_MAX_FIELDS * sizeof(double)
                or self.k.size < len(self.settings) * sizeof(double) or self.n_states > FASTGD_MAX_STATES):
            raise RuntimeError(f"kernel {name!r}: its struct must be at most {FASTGD_MAX_FIELDS} doubles, "
                               f"its states at most {FASTGD_MAX_STATES}")

    def __repr__(self):
        return f"Kernel({self.name!r})"

    def run(self, cnp.ndarray p, cnp.ndarray g, list states, dict settings, int threads=1):
        """One update of ``p`` on C-contiguous aligned arrays of one dtype: ``prepare`` on ``settings``, then the loop.

        For tests of the interface and the benchmarks' floor (a bare kernel call); ``settings``
        names every setting. Returns the settings after ``prepare`` (counters advanced).
        """
        cdef double values[FASTGD_MAX_FIELDS]
        cdef void *s[FASTGD_MAX_STATES]
        cdef Py_ssize_t i
        cdef int type = _kernel_type(p)
        if len(states) != self.n_states:
            raise ValueError(f"kernel {self.name!r} takes {self.n_states} state arrays, got {len(states)}")
        if not _bare(p, type, p) or not _bare(g, type, p):
            raise ValueError("the kernel takes C-contiguous aligned arrays of one float dtype and shape")
        for i in range(self.n_states):
            if not _bare(states[i], type, p):
                raise ValueError("the kernel takes C-contiguous aligned arrays of one float dtype and shape")
            s[i] = cnp.PyArray_DATA(<cnp.ndarray>states[i])
        memset(values, 0, sizeof(values))
        try:
            if len(settings) != len(self.settings):
                raise KeyError
            for i in range(len(self.settings)):
                values[i] = settings[self.settings[i]]
        except KeyError:
            raise ValueError(f"kernel {self.name!r} takes the settings {', '.join(self.settings)}; "
                             f"got {', '.join(map(repr, settings))}") from None
        if self.k.prepare != NULL:
            self.k.prepare(values)
        fastgd_update(self.k, type, cnp.PyArray_SIZE(p), cnp.PyArray_DATA(p), cnp.PyArray_DATA(g), s, values,
                      threads)
        return {self.settings[i]: values[i] for i in range(len(self.settings))}


cdef inline bint _bare(object a, int type, cnp.ndarray p):
    """Whether a bare kernel call takes ``a`` beside ``p``: an exact ndarray in kernel layout, p's type and shape."""
    return (type >= 0 and cnp.PyArray_CheckExact(a) and _kernel_layout(<cnp.ndarray>a)
            and cnp.PyArray_TYPE(<cnp.ndarray>a) == cnp.PyArray_TYPE(p) and _same_shape(<cnp.ndarray>a, p))


cdef tuple _REAL_SCALARS = (int, float, np.integer, np.floating)


cdef inline bint _is_real_scalar(object v):
    return isinstance(v, _REAL_SCALARS) and not isinstance(v, (bool, np.bool_))


cdef inline int _kernel_type(cnp.ndarray a) noexcept:
    """The kernel's element type for ``a``'s dtype (either byte order); -1 if it has none."""
    return _kernel_type_of(cnp.PyArray_TYPE(a))


cdef inline int _kernel_type_of(int t) noexcept:
    if t == cnp.NPY_DOUBLE:
        return FASTGD_F64
    if t == cnp.NPY_FLOAT:
        return FASTGD_F32
    if t == cnp.NPY_LONGDOUBLE:
        return FASTGD_LONGDOUBLE
    return -1


cdef inline bint _kernel_layout(cnp.ndarray a) noexcept:
    """What the kernel reads and writes directly: C-contiguous, aligned, writeable, native byte order."""
    return (cnp.PyArray_IS_C_CONTIGUOUS(a) and cnp.PyArray_ISALIGNED(a) and cnp.PyArray_ISWRITEABLE(a)
            and cnp.PyArray_ISNOTSWAPPED(a))


cdef inline bint _same_shape(cnp.ndarray a, cnp.ndarray b) noexcept:
    return (cnp.PyArray_NDIM(a) == cnp.PyArray_NDIM(b)
            and (cnp.PyArray_NDIM(a) == 0  # a 0-d array's dims may be NULL, which memcmp must not get
                 or memcmp(cnp.PyArray_DIMS(a), cnp.PyArray_DIMS(b),
                           cnp.PyArray_NDIM(a) * sizeof(cnp.npy_intp)) == 0))


ctypedef struct _Extent:
    char *lo  # the bytes an array may touch: [lo, hi); empty (lo == hi) for an empty array
    char *hi


cdef inline bint _overlap(_Extent a, _Extent b) noexcept:
    """Whether two arrays may share memory: the bytes each may touch intersect."""
    return a.lo < b.hi and b.lo < a.hi


cdef _Extent _extent(cnp.ndarray a) noexcept:
    """The bytes ``a`` may touch."""
    cdef int d
    cdef _Extent e
    cdef cnp.npy_intp step, n
    e.lo = <char *>cnp.PyArray_DATA(a)
    e.hi = e.lo + cnp.PyArray_ITEMSIZE(a)
    for d in range(cnp.PyArray_NDIM(a)):
        n = cnp.PyArray_DIMS(a)[d]
        if n == 0:
            e.hi = e.lo
            return e
        step = cnp.PyArray_STRIDES(a)[d] * (n - 1)
        if step < 0:
            e.lo += step
        else:
            e.hi += step
    return e


@cython.boundscheck(False)
@cython.wraparound(False)
cdef bint _shares_memory(list plan):
    """Whether a param may share memory with another key's param or with any key's grad."""
    cdef Py_ssize_t i, j, n = len(plan)
    cdef _Key k, other
    cdef _Extent g
    for i in range(n):
        k = <_Key>plan[i]
        if k.g is not None and k.g is k.grad:  # read directly: its extent is known
            g = k.g_extent
        elif k.grad is not None and cnp.PyArray_Check(k.grad):
            g = _extent(<cnp.ndarray>k.grad)
        else:
            g.lo = g.hi = NULL
        for j in range(n):
            other = <_Key>plan[j]
            if other.target is not None and (_overlap(g, other.target_extent)
                                             or j > i and _overlap(k.target_extent, other.target_extent)):
                return True
    return False


cdef int _check_python_int(object key, str what, object v) except -1:
    """A Python int beyond the float range has no float value: refuse it by name."""
    if type(v) is int:
        try:
            float(v)
        except OverflowError:
            raise ValueError(f"{what}[{key!r}] is an int too large for a float ({len(str(abs(v)))} digits)") from None
    return 0


cdef int _refuse_masked(object key, str what, object v) except -1:
    if isinstance(v, np.ma.MaskedArray):
        raise TypeError(f"{what}[{key!r}] is a masked array: an optimizer has no use for a mask; "
                        f"pass np.ma.getdata({what}[{key!r}]) to update or read its data")
    return 0


cdef cnp.dtype _computing_dtype(object key, object p):
    """The float type a scalar param is updated in: its own for numpy floats, float64 for Python numbers."""
    if isinstance(p, np.floating):
        if isinstance(p, np.float16):
            raise TypeError(f"params[{key!r}] is a float16: fastgd's kernels take float32, float64 and longdouble "
                            "(float16 arithmetic rounds every operation); convert it to float32")
        return (<object>p).dtype
    return np.dtype(np.float64)


# What Optimizer.update does with a key, beyond running its kernel on _Key.p and _Key.g.
cdef enum:
    STAGE_PARAM = 1   # p is a buffer: the param is copied into it before the kernel, back after
    STAGE_GRAD = 2    # g is a buffer: the grad is copied into it before the kernel
    SCALAR = 4        # p is a 0-d buffer: params[key] is replaced by its value after every kernel ran
    NEW_STATE = 8     # states made or replaced for this key (to store in the state dicts)


@cython.auto_pickle(False)
@cython.freelist(16)
@cython.final
cdef class _Key:
    """One key of an update: what its kernel reads and writes, and its states (strong references)."""

    cdef object key, param, grad
    cdef cnp.ndarray target  # the param as an ndarray of its memory (the param or its ndarray view); None for scalars
    cdef cnp.ndarray p, g    # what the kernel updates and reads
    cdef int type, flags
    cdef PyObject *states[FASTGD_MAX_STATES]
    cdef unsigned new_states  # bit i: states[i] is new (made, or replacing the dict's)
    cdef _Extent target_extent, g_extent  # of target and of the grad the kernel reads directly (if any)

    def __dealloc__(self):
        cdef int i
        for i in range(FASTGD_MAX_STATES):
            Py_XDECREF(self.states[i])
            self.states[i] = NULL

    cdef inline void set_state(self, int i, object s, bint new):
        Py_XINCREF(<PyObject *>s)
        Py_XDECREF(self.states[i])
        self.states[i] = <PyObject *>s
        if new:
            self.new_states |= 1u << i
            self.flags |= NEW_STATE


cdef inline cnp.ndarray _state_of(_Key k, int i):
    return <cnp.ndarray>k.states[i]


cdef inline bint _all_states(_Key k, int n) noexcept:
    """Whether the key has all its ``n`` states (none to make)."""
    cdef int i
    for i in range(n):
        if k.states[i] == NULL:
            return False
    return True


@cython.auto_pickle(False)
cdef class Optimizer:
    """The compiled base of fastgd's optimizers: settings in the kernel's struct, state dicts, ``update``.

    A subclass names its kernel in the class attribute ``_kernel`` (a :class:`Kernel`); the
    generated classes of :mod:`fastgd.optim.fused` expose each setting and state as an attribute.
    """

    cdef const fastgd_kernel *k
    cdef double values[FASTGD_MAX_FIELDS]  # the kernel's struct: its settings, then what prepare computes
    cdef list states                        # per state: a dict of arrays by key, or None before the first update
    cdef tuple setting_names                # the kernel's settings, in the struct's order
    cdef object stepwise                    # the numpy statements for shared memory (Row.stepwise), or None

    def __cinit__(self, *args, **kwargs):
        kernel = getattr(type(self), "_kernel", None)
        if not isinstance(kernel, Kernel):
            raise TypeError(f"{type(self).__name__} has no kernel: use the optimizers of fastgd.optim")
        self.k = (<Kernel>kernel).k
        self.setting_names = (<Kernel>kernel).settings
        self.stepwise = getattr(type(self), "_stepwise", None)
        memset(self.values, 0, sizeof(self.values))
        self.states = [None] * self.k.n_states

    def _setting(self, Py_ssize_t i):
        """The value of setting ``i`` (the kernel's ``settings[i]``)."""
        return self.values[self._slot(i)]

    def _set_setting(self, Py_ssize_t i, double value):
        """Set setting ``i`` (checked by the caller)."""
        self.values[self._slot(i)] = value

    def _state(self, Py_ssize_t i):
        """State dict ``i`` (None before the first update)."""
        return self.states[i]

    def _set_state(self, Py_ssize_t i, object state, str name):
        """Set state dict ``i``: a dict of arrays by key, or None (made at the next update)."""
        if state is not None and not isinstance(state, dict):
            raise TypeError(f"{type(self).__name__}.{name} must be a dict of state arrays or None, "
                            f"got {type(state).__name__}")
        self.states[i] = state

    cdef Py_ssize_t _slot(self, Py_ssize_t i) except -1:
        if not 0 <= i < FASTGD_MAX_FIELDS:
            raise IndexError(f"no setting {i}")
        return i

    def update(self, params, grads):
        """Update every ``params[key]`` in place from ``grads[key]`` (see :mod:`fastgd.optim.fused`).

        Raises
        ------
        KeyError
            A key of ``params`` is missing from ``grads``.
        TypeError, ValueError
            A param, grad or state that cannot be updated (named by its key); nothing has changed.
        """
        cdef list plan = []
        cdef Py_ssize_t pos = 0, i, n
        cdef PyObject *key_ptr
        cdef PyObject *value_ptr
        cdef _Key k
        cdef int threads = 0  # 0: not asked (only an array of PARALLEL_MIN elements asks for threads)
        cdef void *s[FASTGD_MAX_STATES]
        cdef bint scalars = False, stepwise
        if type(params) is dict:
            while PyDict_Next(params, &pos, &key_ptr, &value_ptr):
                plan.append(self._plan(<object>key_ptr, <object>value_ptr, grads))
        elif isinstance(params, MutableMapping):
            for key in list(params):
                plan.append(self._plan(key, params[key], grads))
        else:
            raise TypeError("params must be a dict of arrays or scalars, updated in place; "
                            f"got {type(params).__name__}")
        for k in plan:  # every allocation, and the question of threads, before the first change
            self._allocate(k)
            if threads == 0 and cnp.PyArray_SIZE(k.p) >= FASTGD_PARALLEL_MIN:
                threads = max(1, min(int(self._team_size()), 1 << 20))
        for i in range(self.k.n_states):  # the state dicts, made on the first update as the twin does
            if self.states[i] is None:
                self.states[i] = {}
        for k in plan:
            if k.flags & NEW_STATE:
                self._store_states(k)
        if self.k.prepare != NULL:
            self.k.prepare(self.values)
        stepwise = self.stepwise is not None and _shares_memory(plan)
        if stepwise:  # numpy's statements, in numpy's order: what each reads depends on it
            self._run_stepwise(plan)
        for k in plan:
            scalars = scalars or k.flags & SCALAR
            if stepwise:
                continue
            if k.flags & STAGE_PARAM:
                cnp.PyArray_CopyInto(k.p, k.target)
            if k.flags & STAGE_GRAD and k.grad is not None:
                cnp.PyArray_CopyInto(k.g, k.grad)
            for i in range(self.k.n_states):
                s[i] = cnp.PyArray_DATA(_state_of(k, i))
            n = cnp.PyArray_SIZE(k.p)
            if n >= GIL_RELEASE_MIN:
                with nogil:
                    fastgd_update(self.k, k.type, n, cnp.PyArray_DATA(k.p), cnp.PyArray_DATA(k.g), s, self.values,
                                  threads)
            else:
                fastgd_update(self.k, k.type, n, cnp.PyArray_DATA(k.p), cnp.PyArray_DATA(k.g), s, self.values, 1)
            if k.flags & STAGE_PARAM:
                cnp.PyArray_CopyInto(k.target, k.p)
        if scalars:  # last: a mapping's __setitem__ is the only code of the caller's that runs here
            for k in plan:
                if k.flags & SCALAR:
                    params[k.key] = float(k.p) if type(k.param) is not (<object>k.p).dtype.type else k.p[()]

    cdef int _run_stepwise(self, list plan) except -1:
        """The update as the row's numpy statements (``Row.stepwise``) on the planned keys, in their order."""
        cdef _Key k
        cdef int i
        keys = []
        for k in plan:
            if k.grad is None:  # a scalar grad, converted
                g = k.g
            else:
                g = k.grad if cnp.PyArray_CheckExact(k.grad) else k.grad.view(np.ndarray)
            keys.append((k.p if k.target is None else k.target, g,
                         tuple([_state_of(k, i) for i in range(self.k.n_states)])))
        settings = {name: self.values[i] for i, name in enumerate(self.setting_names)}
        with np.errstate(all="ignore"):  # IEEE results, as the kernels give
            self.stepwise(settings, keys)
        return 0

    cdef _Key _plan(self, object key, object param, object grads):
        """Check one key (param, grad, states) and decide how to update it; raise naming it if it cannot be."""
        cdef _Key k = _Key.__new__(_Key)
        cdef cnp.ndarray a
        cdef PyObject *found
        k.key, k.param = key, param
        if type(grads) is dict:
            found = PyDict_GetItemWithError(grads, key)
            if found == NULL:
                raise KeyError(f"grads has no entry for params key {key!r}")
            k.grad = <object>found
        elif isinstance(grads, Mapping):
            try:
                k.grad = grads[key]
            except KeyError:
                raise KeyError(f"grads has no entry for params key {key!r}") from None
        else:
            raise TypeError(f"grads must be a dict of arrays or scalars; got {type(grads).__name__}")
        if cnp.PyArray_Check(param):
            if cnp.PyArray_CheckExact(param):
                a = param
            else:
                _refuse_masked(key, "params", param)
                a = param.view(np.ndarray)  # its memory, whatever the subclass does with operators
            if not cnp.PyArray_ISFLOAT(a):
                raise TypeError(f"params[{key!r}] must be a real floating array, got dtype {(<object>a).dtype}")
            k.type = _kernel_type(a)
            if k.type < 0:
                raise TypeError(f"params[{key!r}] has dtype {(<object>a).dtype}: fastgd's kernels take float32, "
                                "float64 and longdouble (float16 arithmetic rounds every operation); "
                                "convert it to float32")
            if not cnp.PyArray_ISWRITEABLE(a):
                raise ValueError(f"params[{key!r}] is read-only; it must be writeable to be updated in place")
            k.target = a
            k.target_extent = _extent(a)
            if _kernel_layout(a):
                k.p = a
            else:
                k.flags |= STAGE_PARAM
            self._plan_grad(k, cnp.PyArray_NDIM(a))
        elif _is_real_scalar(param):
            _check_python_int(key, "params", param)
            k.type = _kernel_type_of(_computing_dtype(key, param).type_num)
            k.flags |= SCALAR
            self._plan_grad(k, 0)
        else:
            raise TypeError(f"params[{key!r}] must be a float array or a real scalar, got {type(param).__name__}")
        self._plan_states(k)
        return k

    cdef int _plan_grad(self, _Key k, int ndim) except -1:
        cdef cnp.ndarray ga
        cdef object g = k.grad
        if cnp.PyArray_Check(g):
            if not cnp.PyArray_CheckExact(g):
                _refuse_masked(k.key, "grads", g)
            ga = g
            if not (cnp.PyArray_ISFLOAT(ga) or cnp.PyArray_ISINTEGER(ga)):
                raise TypeError(f"grads[{k.key!r}] must be a real array, got dtype {(<object>ga).dtype}")
            if k.target is not None and not _same_shape(ga, k.target):
                raise ValueError(f"grads[{k.key!r}] has shape {(<object>ga).shape}, but params[{k.key!r}] has shape "
                                 f"{(<object>k.target).shape}")
            if k.target is None and cnp.PyArray_NDIM(ga) != 0:
                raise TypeError(f"grads[{k.key!r}] must be a real scalar like params[{k.key!r}], "
                                f"got {type(g).__name__} of shape {(<object>ga).shape}")
            if (k.p is not None and cnp.PyArray_CheckExact(ga) and _kernel_layout_readable(ga)
                    and cnp.PyArray_TYPE(ga) == cnp.PyArray_TYPE(k.p)):
                k.g_extent = _extent(ga)
                if not _overlap(k.g_extent, k.target_extent):
                    k.g = ga
            if k.g is None:
                k.flags |= STAGE_GRAD  # copied when its key's turn comes
        elif _is_real_scalar(g):
            if ndim != 0:
                raise ValueError(f"grads[{k.key!r}] is a scalar, but params[{k.key!r}] has shape "
                                 f"{(<object>k.target).shape}")
            _check_python_int(k.key, "grads", g)
            k.flags |= STAGE_GRAD
        elif k.target is None:
            raise TypeError(f"grads[{k.key!r}] must be a real scalar like params[{k.key!r}], got {type(g).__name__}")
        else:
            raise TypeError(f"grads[{k.key!r}] must be a real array or scalar, got {type(g).__name__}")
        return 0

    cdef int _plan_states(self, _Key k) except -1:
        cdef int i, j
        cdef PyObject *found
        cdef cnp.ndarray s
        cdef bint ready
        cdef _Extent extents[FASTGD_MAX_STATES]
        for i in range(self.k.n_states):
            d = self.states[i]
            if d is None:
                continue
            found = PyDict_GetItemWithError(d, k.key)
            if found == NULL:
                continue
            state = <object>found
            if not (cnp.PyArray_CheckExact(state) and cnp.PyArray_ISFLOAT(<cnp.ndarray>state)):
                self._check_state(k, i, state)
            s = state
            ready = (cnp.PyArray_CheckExact(s) and _kernel_layout(s) and _kernel_type(s) == k.type
                     and (_same_shape(s, k.target) if k.target is not None else cnp.PyArray_NDIM(s) == 0))
            if ready:  # and shares no memory with the param, the grad or the key's other states in use
                extents[i] = _extent(s)
                ready = ((k.target is None or not _overlap(extents[i], k.target_extent))
                         and (k.g is None or not _overlap(extents[i], k.g_extent)))
                for j in range(i):
                    if (ready and k.states[j] != NULL and not k.new_states & (1u << j)
                            and _overlap(extents[i], extents[j])):
                        ready = False
            if not ready:
                self._check_state(k, i, state)
            k.set_state(i, s, not ready)  # not ready: replaced by a copy in _allocate
        return 0

    cdef int _check_state(self, _Key k, int i, object state) except -1:
        """Raise unless ``state`` can be state ``i`` of the key, as it is or converted."""
        cdef cnp.ndarray s
        name = type(self)._row.states[i]
        if not cnp.PyArray_Check(state):
            raise TypeError(f"state {name}[{k.key!r}] must be a float array, got {type(state).__name__}")
        s = state
        if not cnp.PyArray_ISFLOAT(s):
            raise TypeError(f"state {name}[{k.key!r}] must be a float array, got dtype {(<object>s).dtype}")
        if (cnp.PyArray_NDIM(s) != 0 if k.target is None else not _same_shape(s, k.target)):
            shape = () if k.target is None else (<object>k.target).shape
            raise ValueError(f"state {name}[{k.key!r}] has shape {(<object>s).shape}, but params[{k.key!r}] has "
                             f"shape {shape}: the param changed shape since its state was made, or the state was "
                             "loaded for another")
        return 0

    cdef int _allocate(self, _Key k) except -1:
        """The key's buffers and new states (no change to anything the caller sees)."""
        cdef int i
        cdef cnp.dtype dtype
        if not k.flags and _all_states(k, self.k.n_states):
            return 0
        if k.target is None:
            dtype = _computing_dtype(k.key, k.param)
            k.p = np.array(k.param, dtype=dtype)
            shape = ()
        else:
            dtype = (<object>k.target).dtype.newbyteorder("=")
            shape = (<object>k.target).shape
            if k.flags & STAGE_PARAM:
                k.p = np.empty(shape, dtype)
        if k.flags & STAGE_GRAD:
            if cnp.PyArray_Check(k.grad):
                k.g = np.empty(shape, dtype)
            else:
                k.g = np.array(k.grad, dtype=dtype)  # a scalar: converted once
                k.grad = None
        for i in range(self.k.n_states):
            if k.states[i] == NULL:
                k.set_state(i, np.zeros(shape, dtype), True)
            elif k.new_states & (1u << i):
                k.set_state(i, np.array(_state_of(k, i), dtype=dtype, order="C"), True)
        return 0

    cdef int _store_states(self, _Key k) except -1:
        cdef int i
        for i in range(self.k.n_states):
            if k.new_states & (1u << i):
                PyDict_SetItem(self.states[i], k.key, _state_of(k, i))
        return 0


cdef inline bint _kernel_layout_readable(cnp.ndarray a) noexcept:
    """What the kernel reads directly: C-contiguous, aligned, native byte order."""
    return cnp.PyArray_IS_C_CONTIGUOUS(a) and cnp.PyArray_ISALIGNED(a) and cnp.PyArray_ISNOTSWAPPED(a)
