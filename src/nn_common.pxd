# cython: language_level=3
"""What the nets' kernels share: how one sample's loss changes when its logits move, and the activations.

The loss of sample ``b`` is ``sum_c w_c * -log(y_b[c] + 1e-7)`` over its target classes
``c`` (one label with weight 1, or the several labels that the textbook's indexing
``y[np.arange(N), t]`` pairs with row ``b``), ``y_b = softmax(logits_b)``. The kernels keep the
unperturbed ``E[b, k] = exp(logits[b, k] - max_k logits[b, k])`` and ``S[b] = sum_k E[b, k]``;
a logit moving by ``delta`` scales its ``E`` by ``exp(delta)``, so the change of ``S`` is
``sum_k E[b, k] * expm1(delta_k)``. ``l(+) - l(-)`` is taken as one ``log1p`` per class.
"""
from libc.math cimport exp, expm1, fabs, log1p

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


cdef inline double change_one_logit(const double* E, double S, Targets t, Py_ssize_t b, Py_ssize_t k,
                                    double d_plus, double d_minus) noexcept nogil:
    """``l_b(+) - l_b(-)`` when only logit ``k`` moves, by ``d_plus`` and ``d_minus``; ``E`` is row ``b``."""
    cdef double g_plus = expm1_small(d_plus), g_minus = expm1_small(d_minus)
    cdef double e = E[k], acc = 0.0, et_plus, et_minus
    cdef Py_ssize_t p, c
    for p in range(t.ptr[b], t.ptr[b + 1]):
        c = t.cls[p]
        if c == k:
            et_plus = e + e * g_plus
            et_minus = e + e * g_minus
        else:
            et_plus = et_minus = E[c]
        acc += t.weight[p] * log_ratio(et_plus, S + e * g_plus, et_minus, S + e * g_minus)
    return acc


cdef inline double change_logits(const double* E, double S, Py_ssize_t K, Targets t, Py_ssize_t b,
                                 const double* d_plus, const double* d_minus) noexcept nogil:
    """``l_b(+) - l_b(-)`` when the logits of row ``b`` move by the vectors ``d_plus`` and ``d_minus``."""
    cdef double s_plus = S, s_minus = S, acc = 0.0, e
    cdef Py_ssize_t k, p, c
    for k in range(K):
        if d_plus[k] != 0:
            s_plus += E[k] * expm1(d_plus[k])
        if d_minus[k] != 0:
            s_minus += E[k] * expm1(d_minus[k])
    for p in range(t.ptr[b], t.ptr[b + 1]):
        c = t.cls[p]
        e = E[c]
        acc += t.weight[p] * log_ratio(e + e * expm1(d_plus[c]), s_plus, e + e * expm1(d_minus[c]), s_minus)
    return acc


cdef inline double change_along(const double* E, double S, Py_ssize_t K, Targets t, Py_ssize_t b,
                                const double* v, double v_max, const double* moments,
                                double dz_plus, double dz_minus) noexcept nogil:
    """``l_b(+) - l_b(-)`` when the logits of row ``b`` move by ``dz * v`` (``dz_plus``, ``dz_minus``).

    ``moments[n] = sum_k E[k] * v[k]**(n+1) / (n+1)!`` give the change of ``S`` as a series in
    ``dz`` while ``|dz| * v_max`` is within the series radius (``v_max = max_k |v[k]|``).
    """
    cdef double s_plus = S + _along_sum(E, K, v, v_max, moments, dz_plus)
    cdef double s_minus = S + _along_sum(E, K, v, v_max, moments, dz_minus)
    cdef double acc = 0.0, e
    cdef Py_ssize_t p, c
    for p in range(t.ptr[b], t.ptr[b + 1]):
        c = t.cls[p]
        e = E[c]
        acc += t.weight[p] * log_ratio(e + e * expm1_small(dz_plus * v[c]), s_plus,
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


cdef inline double sigmoid_change(double o, double s_bar, double delta) noexcept nogil:
    """``sigmoid(o + delta) - sigmoid(o)`` without cancellation: ``sigmoid(o + delta) * sigmoid(-o) * -expm1(-delta)``.

    ``s_bar`` is ``sigmoid(-o)``.
    """
    return s_bar * -expm1(-delta) / (1.0 + exp(-(o + delta)))
