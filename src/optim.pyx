"""Fused in-place optimizer updates over a dict of parameters: checks, routes, kernels, rollback.

:func:`update` checks every ``params[key]`` / ``grads[key]`` pair and the key's state arrays
before anything changes, then advances the optimizer (Adam's ``iter``) and updates each key by
one of three routes:

- FUSED: the kernel in place (exact ndarrays of one native float32/float64 dtype, C-contiguous
  and aligned, no memory shared between the param, its grad and its states);
- VIA_COPY: the kernel on aligned contiguous copies of the param and grad, the param written back
  (strided views, unaligned arrays);
- NUMPY: the optimizer's own numpy ``_step`` (Python scalars, 0-d or other-dtype arrays, ndarray
  subclasses such as masked arrays and ``np.matrix``, grads or states sharing memory with the
  param): the reference's numbers by construction.

Only a NUMPY step can fail once the checks pass (a Python int too large for a float, numpy
errors set to raise): when a plan has one, each key's param and states are copied before its
step, and restored with the optimizer's counters if any step raises. The kernels are found by
name in the C registry (``optim_kernels.h``), take their coefficients as a struct filled by field
name and their states as an array whose length is checked against the kernel's declared count.
"""
from collections.abc import Mapping, MutableMapping

cimport cython
cimport numpy as cnp
from libc.string cimport memcmp

import numpy as np

cnp.import_array()

cdef extern from "optim_kernels.h" nogil:
    ctypedef struct fastgd_field:
        const char *name
        size_t offset
    ctypedef struct fastgd_kernel:
        const char *name
        const fastgd_field *coefficients
        size_t coefficients_size
        int n_states
    const fastgd_kernel *fastgd_kernels
    enum:
        FASTGD_MAX_STATES
        FASTGD_MAX_COEFFICIENTS
        FASTGD_OK
        FASTGD_PARALLEL_MIN
    int fastgd_update(const fastgd_kernel *k, int f64, Py_ssize_t n, void *p, const void *g,
                      void *const *s, int n_states, const void *c, int threads)
    const char *fastgd_simd_level()

cdef enum Route:
    FUSED
    VIA_COPY
    NUMPY

# Below this many elements the kernel runs without releasing the GIL: releasing and
# re-taking it costs more than the update.
cdef Py_ssize_t GIL_RELEASE_MIN = 4096

SIMD_LEVEL = fastgd_simd_level().decode()
#: Arrays of fewer elements are updated on the calling thread alone (src/parallel_for.h).
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
cdef class Kernel:
    """One kernel of the C registry (``optim_kernels.h``), found by name.

    ``coefficients`` are the names of its coefficient struct's fields, ``n_states`` the number of
    state arrays it updates beside the param.
    """

    cdef const fastgd_kernel *k
    cdef readonly str name
    cdef readonly tuple coefficients
    cdef readonly int n_states
    cdef Py_ssize_t slot[FASTGD_MAX_COEFFICIENTS]  # coefficients[i] is the struct's double number slot[i]

    def __init__(self, str name):
        cdef Py_ssize_t i = 0
        while fastgd_kernels[i].name != NULL and fastgd_kernels[i].name.decode() != name:
            i += 1
        if fastgd_kernels[i].name == NULL:
            raise ValueError(f"no optimizer kernel named {name!r}; the registry has {', '.join(KERNELS)}")
        self.k = &fastgd_kernels[i]
        self.name = name
        self.n_states = self.k.n_states
        names = []
        i = 0
        while self.k.coefficients[i].name != NULL:
            names.append(self.k.coefficients[i].name.decode())
            self.slot[i] = self.k.coefficients[i].offset // sizeof(double)
            i += 1
        self.coefficients = tuple(names)
        if self.k.coefficients_size != i * sizeof(double) or i > FASTGD_MAX_COEFFICIENTS:
            raise RuntimeError(f"kernel {name!r}: its coefficient struct is not the {i} doubles its field list names")
        if self.n_states > FASTGD_MAX_STATES:
            raise RuntimeError(f"kernel {name!r} takes {self.n_states} states, more than {FASTGD_MAX_STATES}")

    def __repr__(self):
        return f"Kernel({self.name!r})"

    cdef int fill(self, object values, double *buf) except -1:
        """Write the dict ``values`` into the coefficient struct ``buf``, by field name."""
        cdef Py_ssize_t i
        if not isinstance(values, dict):
            raise TypeError(f"the coefficients of kernel {self.name!r} must be a dict, got {type(values).__name__}")
        for i in range(len(self.coefficients)):
            try:
                buf[self.slot[i]] = values[self.coefficients[i]]
            except KeyError:
                raise ValueError(f"kernel {self.name!r} needs the coefficient {self.coefficients[i]!r}, "
                                 f"got {sorted(values)}") from None
        if len(values) != len(self.coefficients):
            unknown = sorted(set(values) - set(self.coefficients))
            raise ValueError(f"kernel {self.name!r} takes no coefficient {', '.join(map(repr, unknown))}; "
                             f"it takes {', '.join(self.coefficients)}")
        return 0

    def check_coefficients(self, object values):
        """Raise ValueError unless the dict ``values`` names exactly this kernel's coefficients."""
        cdef double buf[FASTGD_MAX_COEFFICIENTS]
        self.fill(values, buf)

    def run(self, cnp.ndarray p, cnp.ndarray g, list states, dict coefficients, int threads=1):
        """Run the kernel once on contiguous aligned arrays of one dtype (for tests of the interface)."""
        cdef double buf[FASTGD_MAX_COEFFICIENTS]
        self.fill(coefficients, buf)
        for a in (p, g, *states):
            if not (isinstance(a, np.ndarray) and _kernel_layout(a) and a.dtype == p.dtype
                    and a.shape == (<object>p).shape):
                raise ValueError("the kernel takes C-contiguous aligned arrays of one float dtype and shape")
        _run(self, p, g, states, buf, threads)


cdef tuple _REAL_SCALARS = (int, float, np.integer, np.floating)


cdef inline bint _is_real_scalar(object v):
    return isinstance(v, _REAL_SCALARS) and not isinstance(v, (bool, np.bool_))


cdef inline bint _kernel_dtype(cnp.ndarray a):
    cdef int t = cnp.PyArray_TYPE(a)
    return (t == cnp.NPY_DOUBLE or t == cnp.NPY_FLOAT) and cnp.PyArray_ISNOTSWAPPED(a)


cdef inline bint _kernel_layout(cnp.ndarray a):
    """What the kernel reads and writes directly: C-contiguous, aligned, writeable."""
    return (cnp.PyArray_IS_C_CONTIGUOUS(a) and cnp.PyArray_ISALIGNED(a) and cnp.PyArray_ISWRITEABLE(a)
            and cnp.PyArray_ISNOTSWAPPED(a))


cdef inline bint _same_shape(cnp.ndarray a, cnp.ndarray b):
    return (cnp.PyArray_NDIM(a) == cnp.PyArray_NDIM(b)
            and (cnp.PyArray_NDIM(a) == 0  # a 0-d array's dims may be NULL, which memcmp must not get
                 or memcmp(cnp.PyArray_DIMS(a), cnp.PyArray_DIMS(b),
                           cnp.PyArray_NDIM(a) * sizeof(cnp.npy_intp)) == 0))


cdef void _extent(cnp.ndarray a, char **lo, char **hi) noexcept:
    """The bytes ``a`` may touch: [lo, hi); empty (lo == hi) for an empty array."""
    cdef int d
    cdef char *start = <char *>cnp.PyArray_DATA(a)
    cdef char *end = start + cnp.PyArray_ITEMSIZE(a)
    cdef cnp.npy_intp step
    if cnp.PyArray_SIZE(a) == 0:
        lo[0] = hi[0] = start
        return
    for d in range(cnp.PyArray_NDIM(a)):
        step = cnp.PyArray_STRIDES(a)[d] * (cnp.PyArray_DIMS(a)[d] - 1)
        if step < 0:
            start += step
        else:
            end += step
    lo[0] = start
    hi[0] = end


cdef bint _overlap(cnp.ndarray p, cnp.ndarray g, list states):
    """Whether any two of ``p``, ``g`` and the arrays in ``states`` may share memory (extents intersect)."""
    cdef Py_ssize_t i, j, n = 2
    cdef char *lo[FASTGD_MAX_STATES + 2]
    cdef char *hi[FASTGD_MAX_STATES + 2]
    _extent(p, &lo[0], &hi[0])
    _extent(g, &lo[1], &hi[1])
    for s in states:
        if s is not None and n < FASTGD_MAX_STATES + 2:
            _extent(<cnp.ndarray>s, &lo[n], &hi[n])
            n += 1
    for i in range(1, n):
        for j in range(i):
            if lo[i] < hi[j] and lo[j] < hi[i]:
                return True
    return False


cdef int _check_python_int(object key, str what, object v) except -1:
    """A Python int beyond the float range fails mid-update in numpy: refuse it first."""
    if type(v) is int:
        try:
            float(v)
        except OverflowError:
            raise ValueError(f"{what}[{key!r}] is an int too large for a float ({len(str(abs(v)))} digits)") from None
    return 0


cdef Route _route(object key, object p, object g) except *:
    """Check one param/grad pair and choose its route; raise naming the key if it cannot be updated."""
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
                raise ValueError(f"grads[{key!r}] has shape {g.shape}, but params[{key!r}] has shape {p.shape}")
            if (cnp.PyArray_CheckExact(pa) and cnp.PyArray_CheckExact(ga) and cnp.PyArray_NDIM(pa) > 0
                    and _kernel_dtype(pa) and cnp.PyArray_TYPE(ga) == cnp.PyArray_TYPE(pa)
                    and cnp.PyArray_ISNOTSWAPPED(ga)):
                if _kernel_layout(pa) and cnp.PyArray_IS_C_CONTIGUOUS(ga) and cnp.PyArray_ISALIGNED(ga):
                    return FUSED
                return VIA_COPY
            return NUMPY
        if not _is_real_scalar(g):
            raise TypeError(f"grads[{key!r}] must be a real array or scalar, got {type(g).__name__}")
        if pa.ndim != 0:
            raise ValueError(f"grads[{key!r}] is a scalar, but params[{key!r}] has shape {p.shape}")
        _check_python_int(key, "grads", g)
        return NUMPY
    if _is_real_scalar(p):
        if _is_real_scalar(g) or (isinstance(g, np.ndarray) and g.ndim == 0 and g.dtype.kind in "fiu"):
            _check_python_int(key, "params", p)
            _check_python_int(key, "grads", g)
            return NUMPY
        raise TypeError(f"grads[{key!r}] must be a real scalar like params[{key!r}], "
                        f"got {type(g).__name__}" + (f" of shape {g.shape}" if isinstance(g, np.ndarray) else ""))
    raise TypeError(f"params[{key!r}] must be a float array or a real scalar, got {type(p).__name__}")


cdef bint _check_state(str name, object key, object s, object p) except -1:
    """Raise unless ``s`` can be the state ``name[key]`` of param ``p``; whether the kernel can take it."""
    if cnp.PyArray_CheckExact(s) and cnp.PyArray_Check(p):  # the common case, checked without Python objects
        if (cnp.PyArray_ISFLOAT(<cnp.ndarray>s) and _same_shape(<cnp.ndarray>s, <cnp.ndarray>p)
                and cnp.PyArray_ISWRITEABLE(<cnp.ndarray>s)):
            return (_kernel_layout(<cnp.ndarray>s)
                    and cnp.PyArray_TYPE(<cnp.ndarray>s) == cnp.PyArray_TYPE(<cnp.ndarray>p))
    shape = p.shape if isinstance(p, np.ndarray) else ()
    if not isinstance(s, (np.ndarray, np.floating)):  # the numpy step makes scalars of 0-d states
        raise TypeError(f"state {name}[{key!r}] must be a float array, got {type(s).__name__}")
    if s.dtype.kind != "f":
        raise TypeError(f"state {name}[{key!r}] must be a float array, got dtype {s.dtype}")
    if s.shape != shape:
        raise ValueError(f"state {name}[{key!r}] has shape {s.shape}, but params[{key!r}] has shape {shape}: "
                         f"the param changed shape since its state was made, or the state was loaded for another")
    if isinstance(s, np.ndarray) and not cnp.PyArray_ISWRITEABLE(<cnp.ndarray>s):
        raise ValueError(f"state {name}[{key!r}] is read-only; it must be writeable to be updated in place")
    return False


@cython.auto_pickle(False)
cdef class _Step:
    """One key of the plan: its arrays, route, and the states it already has (None: to be made)."""

    cdef object key, p, g
    cdef Route route
    cdef list states
    cdef cnp.ndarray p_copy, g_copy  # VIA_COPY: aligned contiguous buffers (None: the array itself)


cdef _Step _plan_key(object key, object p, object g, tuple state_names, list state_dicts):
    cdef _Step step = _Step.__new__(_Step)
    cdef Py_ssize_t i
    cdef bint kernel_ok = True
    step.key, step.p, step.g = key, p, g
    step.route = _route(key, p, g)
    step.states = []
    for i in range(len(state_names)):
        d = state_dicts[i]
        s = None if d is None else d.get(key)
        if s is not None:
            kernel_ok = _check_state(state_names[i], key, s, p) and kernel_ok
        step.states.append(s)
    if step.route != NUMPY:
        if not kernel_ok or _overlap(p, g, step.states):
            step.route = NUMPY  # the reference computes each right-hand side before writing
    return step


cdef int _run(Kernel kernel, cnp.ndarray p, cnp.ndarray g, list states, double *c, int threads) except -1:
    """One kernel call on C-contiguous aligned arrays of p's dtype."""
    cdef void *s[FASTGD_MAX_STATES]
    cdef Py_ssize_t i, n = cnp.PyArray_SIZE(p)
    cdef int n_states = len(states), status
    cdef void *pd = cnp.PyArray_DATA(p)
    cdef const void *gd = cnp.PyArray_DATA(g)
    cdef bint f64 = cnp.PyArray_TYPE(p) == cnp.NPY_DOUBLE
    if n_states != kernel.n_states:
        raise ValueError(f"kernel {kernel.name!r} takes {kernel.n_states} state arrays, got {n_states}")
    for i in range(n_states):
        s[i] = cnp.PyArray_DATA(<cnp.ndarray>states[i])
    if n >= GIL_RELEASE_MIN:
        with nogil:
            status = fastgd_update(kernel.k, f64, n, pd, gd, s, n_states, c, threads)
    else:
        status = fastgd_update(kernel.k, f64, n, pd, gd, s, n_states, c, 1)
    if status != FASTGD_OK:
        raise ValueError(f"kernel {kernel.name!r} refused its arguments (status {status})")
    return 0


cdef list _state_dicts(object opt, tuple state_names):
    cdef list dicts = []
    for name in state_names:
        d = getattr(opt, name)
        if d is not None and not isinstance(d, dict):
            raise TypeError(f"{type(opt).__name__}.{name} must be a dict of state arrays or None, "
                            f"got {type(d).__name__}")
        dicts.append(d)
    return dicts


cdef tuple _snapshot(_Step step, object params, list state_dicts):
    """What ``step`` may change, copied: restored by :func:`_restore` if a later step fails."""
    p = params[step.key]
    states = []
    for d in state_dicts:
        s = d.get(step.key)
        states.append((s, None if s is None else s.copy()))
    return (step.key, p, p.copy() if isinstance(p, np.ndarray) else None, states)


cdef void _restore(tuple snapshot, object params, list state_dicts):
    key, p, p_copy, states = snapshot
    if p_copy is not None:
        p[...] = p_copy
    params[key] = p
    for d, (s, s_copy) in zip(state_dicts, states):
        if s is None:
            d.pop(key, None)
        else:
            if isinstance(s, np.ndarray):
                s[...] = s_copy
            d[key] = s


def update(object opt, object params, object grads, Kernel kernel, object coefficients, object threads):
    """One update of ``opt`` (a :class:`fastgd.reference.optimizer.Optimizer` with this kernel).

    ``coefficients(opt)``: the kernel's coefficients by name, computed after ``opt._advance()``;
    ``threads()``: the thread count for large arrays (asked only if there is one). Every check
    comes first: on any error nothing changes (params, states, counters).
    """
    cdef int n_threads = 0  # 0: not asked yet (only an array of PARALLEL_MIN elements asks threads())
    cdef tuple state_names = opt._state_names
    cdef list state_dicts, plan = [], snapshots = [], created = []
    cdef _Step step
    cdef Py_ssize_t i, last_numpy = -1
    cdef double c[FASTGD_MAX_COEFFICIENTS]
    if not (type(params) is dict or isinstance(params, MutableMapping)):
        raise TypeError(f"params must be a dict of arrays or scalars, updated in place; got {type(params).__name__}")
    if not (type(grads) is dict or isinstance(grads, Mapping)):
        raise TypeError(f"grads must be a dict of arrays or scalars; got {type(grads).__name__}")
    state_dicts = _state_dicts(opt, state_names)
    original = list(state_dicts)
    for key in params:
        try:
            g = grads[key]
        except KeyError:
            raise KeyError(f"grads has no entry for params key {key!r}") from None
        step = _plan_key(key, params[key], g, state_names, state_dicts)
        if step.route == NUMPY:
            last_numpy = len(plan)
        plan.append(step)

    cdef tuple settings = opt._settings
    saved = [getattr(opt, name) for name in settings]  # the counters _advance moves (Adam's iter)
    try:
        for i in range(len(state_names)):  # the state dicts, made on the first update as the twin does
            if state_dicts[i] is None:
                state_dicts[i] = {}
                setattr(opt, state_names[i], state_dicts[i])
        for step in plan:  # every allocation before the first change
            for i in range(len(state_names)):
                if step.states[i] is None:
                    if step.route == NUMPY:
                        s = np.zeros_like(step.p)
                    else:
                        s = np.zeros(step.p.shape, dtype=step.p.dtype)
                    state_dicts[i][step.key] = s
                    created.append((state_dicts[i], step.key))
                    step.states[i] = s
            if step.route == VIA_COPY:
                if not _kernel_layout(<cnp.ndarray>step.p):
                    step.p_copy = np.empty_like(step.p, order="C")
                if not (cnp.PyArray_IS_C_CONTIGUOUS(<cnp.ndarray>step.g)
                        and cnp.PyArray_ISALIGNED(<cnp.ndarray>step.g)):
                    step.g_copy = np.empty_like(step.g, order="C")
        opt._advance()
        kernel.fill(coefficients(opt), c)
        for i in range(len(plan)):
            step = plan[i]
            if i <= last_numpy:
                snapshots.append(_snapshot(step, params, state_dicts))
            if step.route != NUMPY and n_threads == 0 and cnp.PyArray_SIZE(<cnp.ndarray>step.p) >= PARALLEL_MIN:
                n_threads = threads()
            if step.route == FUSED:
                _run(kernel, step.p, step.g, step.states, c, max(n_threads, 1))
            elif step.route == VIA_COPY:
                target = step.p if step.p_copy is None else step.p_copy
                source = step.g if step.g_copy is None else step.g_copy
                if step.p_copy is not None:
                    np.copyto(step.p_copy, step.p)
                if step.g_copy is not None:
                    np.copyto(step.g_copy, step.g)
                _run(kernel, target, source, step.states, c, max(n_threads, 1))
                if step.p_copy is not None:
                    np.copyto(step.p, step.p_copy)  # the caller's memory, through its strides
            else:
                params[step.key] = opt._step(step.key, step.p, step.g)
    except BaseException:
        for snapshot in reversed(snapshots):
            _restore(snapshot, params, state_dicts)
        for d, key in created:
            d.pop(key, None)
        for i in range(len(state_names)):
            if original[i] is None:
                setattr(opt, state_names[i], None)
        for name, value in zip(settings, saved):
            setattr(opt, name, value)
        raise
