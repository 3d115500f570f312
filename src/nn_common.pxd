# cython: language_level=3
"""What the nets' kernels share: how one sample's loss changes when its logits move, and the activations.

The loss of sample ``b`` is ``sum_c w_c * -log(y_b[c] + 1e-7)`` over its target classes
``c`` (one label with weight 1, or the several labels that the textbook's indexing
``y[np.arange(N), t]`` pairs with row ``b``), ``y_b = softmax(logits_b)``. The kernels keep the
unperturbed softmax (:c:type:`Softmax`): ``Z[b, k] = logits[b, k] - max_k logits[b, k]``,
``E = exp(Z)`` and ``S[b] = sum_k E[b, k]``. While every logit moves by at most
:c:func:`incremental_move` (``|delta| <= 1``), a logit moving by ``delta`` scales its ``E`` by
``exp(delta)``, so the change of ``S`` is ``sum_k E[b, k] * expm1(delta_k)`` and
``l(+) - l(-)`` is one ``log1p`` per class. Larger moves (inputs or weights of large
magnitude) take the loss in full from ``Z + delta``, as the book computes it: ``exp`` of a
large move overflows, an entry of ``E`` that underflowed to 0 may come back, and ``S`` minus
most of itself cancels.
"""
from libc.math cimport INFINITY, exp, expm1, fabs, log, log1p

cdef enum:
    SERIES_TERMS = 6  # terms of every Taylor series below


cdef inline double series_radius() noexcept nogil:
    """Where the series are used: within 1/256 the truncation error is below 1e-20 relative
    ((1/256)**7 / 7! for the exponential, (1/256 / pi)**7 for the sigmoid, poles at ±i*pi)."""
    return 1.0 / 256


cdef struct Targets:
    const Py_ssize_t* ptr  # B + 1 offsets into cls / weight
    const Py_ssize_t* cls  # the target classes of each sample
    const double* weight   # how many times each pair occurs


cdef struct Softmax:  # the unperturbed softmax of every sample, and its targets
    Py_ssize_t K
    const double* Z        # B × K: logits minus their row maximum
    const double* E        # B × K: exp(Z)
    const double* S        # B: row sums of E
    Targets t


cdef inline double incremental_move() noexcept nogil:
    """The largest logit move taken incrementally: within it ``S`` loses at most a factor e to cancellation
    (``S + E_k * expm1(-1) >= S / e``) and nothing overflows or comes back from underflow."""
    return 1.0


cdef inline double series(const double* c, double x) noexcept nogil:
    """``sum_{n=1..SERIES_TERMS} c[n-1] * x**n`` by Horner's rule."""
    cdef double r = c[SERIES_TERMS - 1]
    cdef int n
    for n in range(SERIES_TERMS - 2, -1, -1):
        r = r * x + c[n]
    return r * x


cdef inline double expm1_small(double x) noexcept nogil:
    """``expm1(x)``: its Taylor series (6 terms, Horner's rule) within the series radius."""
    if fabs(x) < series_radius():
        return (((((x * (1.0 / 720) + 1.0 / 120) * x + 1.0 / 24) * x + 1.0 / 6) * x + 0.5) * x + 1.0) * x
    return expm1(x)


cdef inline double log_ratio(double et_plus, double s_plus, double et_minus, double s_minus) noexcept nogil:
    """``l(+) - l(-)`` for one target, ``y = et / s`` and ``l = -log(y + 1e-7)``."""
    cdef double y_plus = et_plus / s_plus
    cdef double y_minus = et_minus / s_minus
    return log1p((y_minus - y_plus) / (y_plus + 1e-7))


cdef inline double _logit(const double* Z, const double* u, double alpha, Py_ssize_t only,
                          Py_ssize_t k) noexcept nogil:
    """Logit ``k`` moved: ``Z[k] + alpha * u[k]``, or with ``u`` NULL ``Z[k] + alpha`` for ``k == only`` alone."""
    if u != NULL:
        return Z[k] + alpha * u[k]
    return Z[k] + alpha if k == only else Z[k]


cdef inline double moved_loss(const double* Z, Py_ssize_t K, Targets t, Py_ssize_t b, const double* u,
                              double alpha, Py_ssize_t only) noexcept nogil:
    """The loss of sample ``b`` in full, its logits ``Z`` (one row) moved as :c:func:`_logit` says.

    The book's operations: the row maximum subtracted, ``exp``, their sum, ``-log(y + 1e-7)``.
    """
    cdef double m = -INFINITY, s = 0.0, acc = 0.0
    cdef Py_ssize_t k, p
    for k in range(K):
        m = max(m, _logit(Z, u, alpha, only, k))
    for k in range(K):
        s += exp(_logit(Z, u, alpha, only, k) - m)
    for p in range(t.ptr[b], t.ptr[b + 1]):
        acc -= t.weight[p] * log(exp(_logit(Z, u, alpha, only, t.cls[p]) - m) / s + 1e-7)
    return acc


cdef inline double _moved_change(const Softmax* y, Py_ssize_t b, const double* u_plus, double alpha_plus,
                                 const double* u_minus, double alpha_minus, Py_ssize_t only) noexcept nogil:
    """``l_b(+) - l_b(-)`` from the two losses in full (moves too large for the incremental formulas)."""
    cdef const double* Z = &y.Z[b * y.K]
    return (moved_loss(Z, y.K, y.t, b, u_plus, alpha_plus, only)
            - moved_loss(Z, y.K, y.t, b, u_minus, alpha_minus, only))


cdef inline double change_one_logit(const Softmax* y, Py_ssize_t b, Py_ssize_t k, double d_plus,
                                    double d_minus) noexcept nogil:
    """``l_b(+) - l_b(-)`` when only logit ``k`` of sample ``b`` moves, by ``d_plus`` and ``d_minus``."""
    cdef const double* E = &y.E[b * y.K]
    cdef double S = y.S[b], g_plus, g_minus, e = E[k], acc = 0.0, et_plus, et_minus
    cdef Py_ssize_t p, c
    if fabs(d_plus) > incremental_move() or fabs(d_minus) > incremental_move():
        return _moved_change(y, b, NULL, d_plus, NULL, d_minus, k)
    g_plus, g_minus = expm1_small(d_plus), expm1_small(d_minus)
    for p in range(y.t.ptr[b], y.t.ptr[b + 1]):
        c = y.t.cls[p]
        if c == k:
            et_plus = e + e * g_plus
            et_minus = e + e * g_minus
        else:
            et_plus = et_minus = E[c]
        acc += y.t.weight[p] * log_ratio(et_plus, S + e * g_plus, et_minus, S + e * g_minus)
    return acc


cdef inline double change_logits(const Softmax* y, Py_ssize_t b, const double* d_plus,
                                 const double* d_minus) noexcept nogil:
    """``l_b(+) - l_b(-)`` when the logits of sample ``b`` move by the vectors ``d_plus`` and ``d_minus``."""
    cdef const double* E = &y.E[b * y.K]
    cdef double s_plus = y.S[b], s_minus = y.S[b], acc = 0.0, e
    cdef Py_ssize_t k, p, c
    for k in range(y.K):
        if fabs(d_plus[k]) > incremental_move() or fabs(d_minus[k]) > incremental_move():
            return _moved_change(y, b, d_plus, 1.0, d_minus, 1.0, -1)
        if d_plus[k] != 0:
            s_plus += E[k] * expm1(d_plus[k])
        if d_minus[k] != 0:
            s_minus += E[k] * expm1(d_minus[k])
    for p in range(y.t.ptr[b], y.t.ptr[b + 1]):
        c = y.t.cls[p]
        e = E[c]
        acc += y.t.weight[p] * log_ratio(e + e * expm1(d_plus[c]), s_plus, e + e * expm1(d_minus[c]), s_minus)
    return acc


cdef inline double change_along(const Softmax* y, Py_ssize_t b, const double* v, double v_max,
                                const double* moments, double dz_plus, double dz_minus) noexcept nogil:
    """``l_b(+) - l_b(-)`` when the logits of sample ``b`` move by ``dz * v`` (``dz_plus``, ``dz_minus``).

    ``moments[n] = sum_k E[k] * v[k]**(n+1) / (n+1)!`` give the change of ``S`` as a series in
    ``dz`` while ``|dz| * v_max`` is within the series radius (``v_max = max_k |v[k]|``).
    """
    cdef const double* E = &y.E[b * y.K]
    cdef double s_plus, s_minus, acc = 0.0, e
    cdef Py_ssize_t p, c
    if fabs(dz_plus) * v_max > incremental_move() or fabs(dz_minus) * v_max > incremental_move():
        return _moved_change(y, b, v, dz_plus, v, dz_minus, -1)
    s_plus = y.S[b] + _along_sum(E, y.K, v, v_max, moments, dz_plus)
    s_minus = y.S[b] + _along_sum(E, y.K, v, v_max, moments, dz_minus)
    for p in range(y.t.ptr[b], y.t.ptr[b + 1]):
        c = y.t.cls[p]
        e = E[c]
        acc += y.t.weight[p] * log_ratio(e + e * expm1_small(dz_plus * v[c]), s_plus,
                                         e + e * expm1_small(dz_minus * v[c]), s_minus)
    return acc


cdef inline double _along_sum(const double* E, Py_ssize_t K, const double* v, double v_max,
                              const double* moments, double dz) noexcept nogil:
    """``sum_k E[k] * expm1(dz * v[k])``."""
    cdef Py_ssize_t k
    cdef double r
    if dz == 0:
        return 0.0
    if fabs(dz) * v_max < series_radius():
        return series(moments, dz)
    r = 0.0
    for k in range(K):
        r += E[k] * expm1(dz * v[k])
    return r


cdef inline double relu(double x) noexcept nogil:
    """The book's ReLU: 0 where ``x <= 0``, else ``x``."""
    return 0.0 if x <= 0 else x


cdef inline double relu_change(double o, double delta) noexcept nogil:
    """``relu(o + delta) - relu(o)``: ``delta`` itself while the unit stays active."""
    cdef double v = o + delta
    if o > 0:
        return delta if v > 0 else -o
    return v if v > 0 else 0.0


cdef inline double sigmoid_change(double o, double s, double s_bar, double delta) noexcept nogil:
    """``sigmoid(o + delta) - sigmoid(o)`` without cancellation; ``s = sigmoid(o)``, ``s_bar = sigmoid(-o)``.

    ``sigmoid(o + delta) * s_bar * -expm1(-delta)`` for ``delta >= 0``,
    ``sigmoid(-(o + delta)) * s * expm1(delta)`` below, written once with the sign ``g`` of
    ``delta`` (a factor ±1, exact): every factor is at most 1 in magnitude, so a saturated unit
    (``s_bar`` or ``s`` 0) moved far gives 0, never ``0 * inf``.
    """
    cdef double g = 1.0 if delta >= 0 else -1.0
    return -g * (s_bar if delta >= 0 else s) * expm1(-fabs(delta)) / (1.0 + exp(-g * (o + delta)))
