"""Central differences of SimpleConvNet's loss for its convolution filters, from the unperturbed pass.

The net is conv → ReLU → max pool → affine → ReLU → affine → softmax cross-entropy. A filter
weight ``W1[f, c, fy, fx]`` (or bias ``b1[f]``) moves channel ``f`` of the convolution's output
only: at every position by the input under that tap times ``d = fl(w ± h) - w`` (by ``d`` for
the bias). Per sample the kernel recomputes channel ``f``'s pooled maxima, adds their changes
times the rows of ``W2`` to the hidden pre-activations, and takes the hidden ReLU's change
through ``W3`` to the logits; the loss change follows from the unperturbed softmax
(``nn_common.pxd``). Threads of fastgd's pool evaluate chunks of the parameters without the GIL
(:class:`FilterJob`).
"""
from nn_common cimport Softmax, change_logits, relu, relu_change
from nn_jobs cimport run_job
from pool cimport fastgd_pool_import

fastgd_pool_import()

cdef struct Conv:
    Py_ssize_t B, C, Hp, Wp          # padded input
    Py_ssize_t FN, FH, FW, stride     # filters
    Py_ssize_t OH, OW                 # convolution output
    Py_ssize_t pool, pool_stride, PH, PW
    Py_ssize_t hidden, K
    const double* xpad                # B × C × Hp × Wp
    const double* conv                # B × FN × OH × OW, before the ReLU
    const double* pooled              # B × FN·PH·PW
    const double* W2                  # FN·PH·PW × hidden
    const double* a2                  # B × hidden, before the ReLU
    const double* W3                  # hidden × K
    Softmax y                         # the unperturbed softmax and the targets


cdef void _logit_change(const Conv* net, Py_ssize_t b, Py_ssize_t f, Py_ssize_t c, Py_ssize_t fy, Py_ssize_t fx,
                        bint bias, double d, double* logits, double* hidden) noexcept nogil:
    """``logits`` (K): how sample ``b``'s logits move when filter ``f``'s tap (c, fy, fx) or bias moves by ``d``."""
    cdef Py_ssize_t py, px, wy, wx, y, x, k, c2, q, PP = net.PH * net.PW
    cdef double best, v, delta
    cdef const double* img = &net.xpad[(b * net.C + c) * net.Hp * net.Wp]
    cdef const double* out = &net.conv[(b * net.FN + f) * net.OH * net.OW]
    for k in range(net.hidden):
        hidden[k] = 0.0
    for py in range(net.PH):
        for px in range(net.PW):
            best = -1e308
            for wy in range(net.pool):
                y = py * net.pool_stride + wy
                for wx in range(net.pool):
                    x = px * net.pool_stride + wx
                    if bias:
                        v = out[y * net.OW + x] + d
                    else:
                        v = out[y * net.OW + x] + img[(y * net.stride + fy) * net.Wp + x * net.stride + fx] * d
                    v = relu(v)
                    if v > best:
                        best = v
            q = f * PP + py * net.PW + px
            delta = best - net.pooled[b * net.FN * PP + q]
            if delta != 0:
                for k in range(net.hidden):
                    hidden[k] += delta * net.W2[q * net.hidden + k]
    for c2 in range(net.K):
        logits[c2] = 0.0
    for k in range(net.hidden):
        v = relu_change(net.a2[b * net.hidden + k], hidden[k])
        if v != 0:
            for c2 in range(net.K):
                logits[c2] += v * net.W3[k * net.K + c2]


cdef double _filter_param(const Conv* net, Py_ssize_t q, bint bias, double w, double h, double* ws) noexcept nogil:
    """Central difference of the mean loss with respect to filter weight ``q`` (flat), or bias ``q``."""
    cdef Py_ssize_t taps = net.C * net.FH * net.FW, f, c, fy, fx, b, K = net.K
    cdef double d_plus = (w + h) - w, d_minus = (w - h) - w, acc = 0.0
    if bias:
        f, c, fy, fx = q, 0, 0, 0
    else:
        f = q // taps
        c = (q % taps) // (net.FH * net.FW)
        fy = (q % (net.FH * net.FW)) // net.FW
        fx = q % net.FW
    for b in range(net.B):
        _logit_change(net, b, f, c, fy, fx, bias, d_plus, ws, ws + 2 * K)
        _logit_change(net, b, f, c, fy, fx, bias, d_minus, ws + K, ws + 2 * K)
        acc += change_logits(&net.y, b, ws, ws + K)
    return acc / net.B / (2 * h)


cdef class FilterJob:
    """Gradient of the mean loss with respect to the filters ``P`` (flat FN × C × FH × FW) or the biases (``bias``).

    ``xpad``: the padded input; ``conv``: the convolution's output before its ReLU;
    ``pooled``: the pooled ReLU outputs, flattened as the affine layer reads them (B × FN·PH·PW,
    ``pool`` × ``pool`` windows every ``pool_stride``); ``a2``: the hidden pre-activations;
    ``Z``, ``E``, ``S`` and the targets as :class:`fastgd.nn._kernels.Net` takes them. :meth:`run_all` evaluates
    them on fastgd's thread pool.
    """
    cdef Conv net
    cdef bint bias
    cdef const double* P
    cdef double* out
    cdef double h
    cdef Py_ssize_t size
    cdef list keep

    def __init__(self, bint bias, const double[::1] P, Py_ssize_t filter_h, Py_ssize_t filter_w,
                 const double[:, :, :, ::1] xpad, const double[:, :, :, ::1] conv, Py_ssize_t stride,
                 Py_ssize_t pool, Py_ssize_t pool_stride,
                 const double[:, ::1] pooled, const double[:, ::1] W2, const double[:, ::1] a2,
                 const double[:, ::1] W3, const double[:, ::1] Z, const double[:, ::1] E, const double[::1] S,
                 const Py_ssize_t[::1] cls_ptr,
                 const Py_ssize_t[::1] cls, const double[::1] cls_weight, double h, double[::1] out):
        self.keep = [P, xpad, conv, pooled, W2, a2, W3, Z, E, S, cls_ptr, cls, cls_weight, out]
        net = &self.net
        net.B, net.C, net.Hp, net.Wp = xpad.shape[0], xpad.shape[1], xpad.shape[2], xpad.shape[3]
        net.FN, net.OH, net.OW = conv.shape[1], conv.shape[2], conv.shape[3]
        net.FH, net.FW, net.stride = filter_h, filter_w, stride
        net.pool, net.pool_stride = pool, pool_stride
        net.PH = (net.OH - pool) // pool_stride + 1
        net.PW = (net.OW - pool) // pool_stride + 1
        net.hidden, net.K = W2.shape[1], W3.shape[1]
        self.bias, self.h = bias, h
        self.size = P.shape[0]
        if (self.size != (net.FN if bias else net.FN * net.C * net.FH * net.FW) or out.shape[0] != self.size
                or net.PH < 1 or net.PW < 1 or stride < 1 or pool_stride < 1
                or pooled.shape[1] != net.FN * net.PH * net.PW or W2.shape[0] != pooled.shape[1]
                or a2.shape[1] != net.hidden or W3.shape[0] != net.hidden or E.shape[1] != net.K
                or Z.shape[0] != E.shape[0] or Z.shape[1] != E.shape[1] or a2.shape[0] != net.B
                or E.shape[0] != net.B or S.shape[0] != net.B or cls_ptr.shape[0] != net.B + 1
                or conv.shape[0] != net.B or pooled.shape[0] != net.B
                or cls.shape[0] != cls_weight.shape[0]):
            raise ValueError("FilterJob: inconsistent shapes")
        net.xpad, net.conv, net.pooled = &xpad[0, 0, 0, 0], &conv[0, 0, 0, 0], &pooled[0, 0]
        net.W2, net.a2, net.W3 = &W2[0, 0], &a2[0, 0], &W3[0, 0]
        net.y.K, net.y.Z, net.y.E, net.y.S = net.K, &Z[0, 0], &E[0, 0], &S[0]
        net.y.t.ptr, net.y.t.cls, net.y.t.weight = &cls_ptr[0], &cls[0], &cls_weight[0]
        self.P = &P[0]
        self.out = &out[0]

    @property
    def n(self):
        """The number of parameters."""
        return self.size

    def run_all(self, int threads):
        """Write the gradient of every parameter to the output array, on up to ``threads`` threads.

        The results do not depend on ``threads``; Ctrl-C is answered within about 50 ms.
        """
        run_job(<void*> self, _evaluate, self.size, 2 * self.net.K + self.net.hidden, threads)


cdef void _evaluate(void* job, Py_ssize_t q0, Py_ssize_t q1, double* ws) noexcept nogil:
    cdef Py_ssize_t q
    for q in range(q0, q1):
        (<FilterJob> job).out[q] = _filter_param(&(<FilterJob> job).net, q, (<FilterJob> job).bias,
                                                 (<FilterJob> job).P[q], (<FilterJob> job).h, ws)
