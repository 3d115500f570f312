"""Central-difference gradients of the textbook nets' loss, each perturbed loss evaluated incrementally.

The loss is the mean over the batch of ``l_b = -log(y_b[t_b] + 1e-7)``, ``y_b = softmax(a2_b)``.
Perturbing one parameter by ±h changes only what it touches:

- an output weight ``W[j, k]`` (logits ``a2 = H @ W + ...``) moves logit ``k`` of sample ``b``
  by ``H[b, j] * d``: one ``expm1`` updates that sample's softmax denominator;
- a hidden weight ``W1[i, j]`` moves the pre-activation of hidden unit ``j`` of sample ``b``
  by ``da = x[b, i] * d``, so its sigmoid output by ``dz`` and every logit ``k`` by
  ``dz * W2[j, k]``. ``dz`` is the Taylor series of the sigmoid at ``a1[b, j]`` (coefficients
  computed once per unit and sample), the denominator's change
  ``sum_k E[b, k] * expm1(dz * W2[j, k])`` is the series ``sum_n dz**n / n! * M_n[b, j]``
  with moments ``M_n[b, j] = sum_k E[b, k] * W2[j, k]**n`` computed once. Where a step is
  not small enough for the series (``|da|`` or ``|dz| * max_k |W2[j, k]|`` at least
  ``SERIES_RADIUS``) that quantity is evaluated directly with ``exp``/``expm1``.

Samples with ``H[b, j] == 0`` or ``x[b, i] == 0`` keep their loss exactly, so they are skipped.
``d`` is the perturbation the reference really applies, ``fl(w ± h) - w``, and
``l(+) - l(-)`` is taken as one ``log1p``. Parameters are spread over OpenMP threads; each
thread keeps its own accumulators. The Python layer (:mod:`fastgd.nn`) checks shapes and
dtypes and computes the unperturbed forward pass (``E``, ``S``, moments).
"""
from cython.parallel cimport prange
from libc.math cimport exp, expm1, fabs, log1p

# Terms of each series. Within SERIES_RADIUS the truncation error is below 1e-20 relative:
# (1/256)**7 / 7! for the exponential, (1/256 / pi)**7 for the sigmoid (poles at ±i*pi).
# More terms with a wider radius (10 within 1/16) measured twice as slow on the digits net.
cdef enum:
    SERIES_TERMS = 6
SERIES = SERIES_TERMS  # for the Python layer, which computes the series' coefficients
cdef double SERIES_RADIUS = 1.0 / 256
cdef double LOG_EPS = 1e-7
# expm1(x) = sum_n x**n / n!, n = 1..SERIES_TERMS
cdef double[SERIES_TERMS] EXPM1_COEFFS = [1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720]


cdef inline double _series(const double* c, double x) noexcept nogil:
    """``sum_{n=1..SERIES} c[n-1] * x**n`` by Horner's rule."""
    cdef double r = c[SERIES_TERMS - 1]
    cdef int n
    for n in range(SERIES_TERMS - 2, -1, -1):
        r = r * x + c[n]
    return r * x


cdef inline double _expm1_small(double x) noexcept nogil:
    return _series(EXPM1_COEFFS, x) if fabs(x) < SERIES_RADIUS else expm1(x)


cdef inline double _loss_change(double et_plus, double s_plus, double et_minus, double s_minus) noexcept nogil:
    """``l(+) - l(-)`` for one sample, with ``y = et / s`` and ``l = -log(y + 1e-7)``."""
    cdef double y_plus = et_plus / s_plus
    cdef double y_minus = et_minus / s_minus
    return log1p((y_minus - y_plus) / (y_plus + LOG_EPS))


cdef double _output_weight(Py_ssize_t j, Py_ssize_t k, const double[:, ::1] H, const double[:, ::1] W,
                           const double[:, ::1] E, const double[::1] S, const Py_ssize_t[::1] t,
                           double h) noexcept nogil:
    """Central difference of the mean loss with respect to ``W[j, k]`` (logits ``H @ W + b``)."""
    cdef Py_ssize_t b, B = H.shape[0]
    cdef double w = W[j, k]
    cdef double d_plus = (w + h) - w, d_minus = (w - h) - w
    cdef double acc = 0.0, g_plus, g_minus, e, et_plus, et_minus
    for b in range(B):
        if H[b, j] == 0.0:
            continue
        g_plus = _expm1_small(H[b, j] * d_plus)
        g_minus = _expm1_small(H[b, j] * d_minus)
        e = E[b, k]
        if t[b] == k:
            et_plus = e + e * g_plus
            et_minus = e + e * g_minus
        else:
            et_plus = et_minus = E[b, t[b]]
        acc += _loss_change(et_plus, S[b] + e * g_plus, et_minus, S[b] + e * g_minus)
    return acc / B / (2 * h)


cdef inline double _denominator_change(Py_ssize_t b, Py_ssize_t j, double dz, const double[:, ::1] W2,
                                       const double[::1] w2_max, const double[:, ::1] E,
                                       const double[:, :, ::1] moments) noexcept nogil:
    """``sum_k E[b, k] * expm1(dz * W2[j, k])``: by the moment series when it converges fast."""
    cdef Py_ssize_t k
    cdef double r
    if fabs(dz) * w2_max[j] < SERIES_RADIUS:
        return _series(&moments[b, j, 0], dz)
    r = 0.0
    for k in range(W2.shape[1]):
        r += E[b, k] * expm1(dz * W2[j, k])
    return r


cdef inline double _sigmoid_change(Py_ssize_t b, Py_ssize_t j, double da, const double[:, ::1] a1,
                                   const double[:, ::1] z1, const double[:, :, ::1] sig_coeffs) noexcept nogil:
    """``sigmoid(a1[b, j] + da) - z1[b, j]``: by its Taylor series when ``da`` is small."""
    if fabs(da) < SERIES_RADIUS:
        return _series(&sig_coeffs[b, j, 0], da)
    return 1.0 / (1.0 + exp(-(a1[b, j] + da))) - z1[b, j]


cdef double _hidden_weight(Py_ssize_t i, Py_ssize_t j, const double[:, ::1] Wp,
                           const Py_ssize_t[::1] ptr, const Py_ssize_t[::1] rows, const double[::1] vals,
                           const double[:, ::1] a1, const double[:, ::1] z1,
                           const double[:, :, ::1] sig_coeffs, const double[:, ::1] W2,
                           const double[::1] w2_max, const double[:, ::1] E, const double[::1] S,
                           const double[:, :, ::1] moments, const Py_ssize_t[::1] t, double h) noexcept nogil:
    """Central difference of the mean loss with respect to ``Wp[i, j]``, which adds
    ``vals[p] * Wp[i, j]`` to hidden unit ``j`` of sample ``rows[p]`` for p in ptr[i]:ptr[i+1]."""
    cdef Py_ssize_t p, b, tb, B = E.shape[0]
    cdef double w = Wp[i, j]
    cdef double d_plus = (w + h) - w, d_minus = (w - h) - w
    cdef double acc = 0.0, dz_plus, dz_minus, e
    for p in range(ptr[i], ptr[i + 1]):
        b = rows[p]
        tb = t[b]
        dz_plus = _sigmoid_change(b, j, vals[p] * d_plus, a1, z1, sig_coeffs)
        dz_minus = _sigmoid_change(b, j, vals[p] * d_minus, a1, z1, sig_coeffs)
        e = E[b, tb]
        acc += _loss_change(
            e + e * _expm1_small(dz_plus * W2[j, tb]),
            S[b] + _denominator_change(b, j, dz_plus, W2, w2_max, E, moments),
            e + e * _expm1_small(dz_minus * W2[j, tb]),
            S[b] + _denominator_change(b, j, dz_minus, W2, w2_max, E, moments),
        )
    return acc / B / (2 * h)


def output_layer(const double[:, ::1] H, const double[:, ::1] W, const double[:, ::1] E,
                 const double[::1] S, const Py_ssize_t[::1] t, double h, double[:, ::1] out,
                 int threads):
    """``out[j, k]``: gradient of the mean loss with respect to ``W[j, k]``, logits ``H @ W + b``.

    ``E[b, k] = exp(a2[b, k] - max_k a2[b, k])`` and ``S[b] = sum_k E[b, k]`` at the
    unperturbed point; ``t`` holds the labels. For a bias, pass ``H`` of ones, shape (B, 1).
    """
    cdef Py_ssize_t q, K = W.shape[1]
    for q in prange(W.shape[0] * K, nogil=True, schedule="guided", num_threads=threads):
        out[q // K, q % K] = _output_weight(q // K, q % K, H, W, E, S, t, h)


def hidden_layer(const double[:, ::1] Wp, const Py_ssize_t[::1] ptr, const Py_ssize_t[::1] rows,
                 const double[::1] vals, const double[:, ::1] a1, const double[:, ::1] z1,
                 const double[:, :, ::1] sig_coeffs, const double[:, ::1] W2, const double[::1] w2_max,
                 const double[:, ::1] E, const double[::1] S, const double[:, :, ::1] moments,
                 const Py_ssize_t[::1] t, double h, double[:, ::1] out, int threads):
    """``out[i, j]``: gradient of the mean loss with respect to ``Wp[i, j]`` (a hidden-layer weight).

    Row ``i`` of ``Wp`` feeds the hidden units through the nonzero inputs listed in CSR form
    (``ptr``, ``rows`` = samples, ``vals`` = input values); for the bias, one row of ones.
    ``sig_coeffs[b, j, n]``: the sigmoid's Taylor coefficient of order n+1 at ``a1[b, j]``;
    ``moments[b, j, n] = sum_k E[b, k] * W2[j, k]**(n+1) / (n+1)!``; ``w2_max[j] = max_k |W2[j, k]|``.
    """
    cdef Py_ssize_t q, J = Wp.shape[1]
    for q in prange(Wp.shape[0] * J, nogil=True, schedule="guided", num_threads=threads):
        out[q // J, q % J] = _hidden_weight(q // J, q % J, Wp, ptr, rows, vals, a1, z1, sig_coeffs,
                                            W2, w2_max, E, S, moments, t, h)
