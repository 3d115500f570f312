"""Central differences of the textbook nets' loss, each perturbed loss evaluated from the unperturbed pass.

A fully connected net (chapter 4's and 5's two-layer nets, ``MultiLayerNet``,
``MultiLayerNetExtend``, the affine part of ``SimpleConvNet``) is described once by a
:class:`Net`: its hidden layers (affine, optional batch norm, ReLU or sigmoid, optional
dropout), the output layer, and the unperturbed forward pass computed by the Python layer.
Perturbing one parameter by ``d = fl(w ± h) - w`` (the change the reference really applies)
moves one unit ``j`` of one hidden layer:

- a weight ``W[i, j]`` or bias ``b[j]`` moves its pre-activation in the samples whose input
  ``i`` is not zero (listed in CSR form), by ``input * d``; a batch-normalized layer's column
  ``j`` is normalized again over the batch (``gamma[j]``, ``beta[j]`` move it directly);
- the unit's activation then changes by ``dz`` per sample, and what follows is either
  *separable* (no batch norm downstream: each sample's loss changes on its own) or *coupled*
  (batch norm downstream: the whole batch moves together and is propagated densely);
- separable samples use a *linear model* when one is given: with ReLU layers downstream the
  logits move by ``dz * V[b, j]`` exactly until some downstream unit changes sign, which the
  Python layer bounds by ``radius[b, j]``; beyond it, or without a model (sigmoid layers
  downstream), ``dz`` is propagated through the following layers for that sample alone.

An output weight ``W_out[j, k]`` moves one logit of the samples with ``H[b, j] != 0``.
With dropout every evaluation draws new masks: :class:`DropoutJob` computes each perturbed
loss in full from the first layer's pre-activations, with the uniforms the Python layer drew
from the net's generator in the reference's order. Each array's parameters are a
:class:`Job` whose ranges threads evaluate without the GIL, each call with its own
workspace. Batch-norm statistics of the evaluations that the running averages still
remember (the last ``rows`` of them) are written to the layer's ``st_mean``/``st_var`` rows,
so the Python layer can replay the running averages.
"""
cimport numpy as cnp
from libc.math cimport exp, fabs, sqrt
from libc.stdlib cimport free, malloc

from nn_common cimport (SERIES_TERMS, Softmax, change_along, change_logits, change_one_logit, moved_loss, relu,
                        relu_change, series, series_radius, sigmoid_change)
from nn_jobs cimport run_job
from pool cimport fastgd_pool_import

cnp.import_array()
fastgd_pool_import()

cdef enum:
    ACT_RELU = 0
    ACT_SIGMOID = 1
    KIND_WEIGHT = 0
    KIND_BIAS = 1
    KIND_GAMMA = 2
    KIND_BETA = 3

SERIES = SERIES_TERMS  # for the Python layer, which computes the series' coefficients
RELU = ACT_RELU  # activations
SIGMOID = ACT_SIGMOID
WEIGHT = KIND_WEIGHT  # kinds of parameter
BIAS = KIND_BIAS
GAMMA = KIND_GAMMA
BETA = KIND_BETA
cdef double BN_EPS = 10e-7  # the book's variance offset


cdef struct Layer:
    Py_ssize_t n_in, n
    const double* W       # n_in × n, the weights into this layer
    const double* b       # n
    const double* o       # B × n, the activation's input (after batch norm)
    const double* z       # B × n, the activation's output (before dropout)
    const double* s_bar   # B × n, sigmoid(-o) for a sigmoid layer
    int act
    bint bn
    const double* a       # B × n, the affine output (before batch norm)
    const double* xn      # B × n, normalized a
    const double* gamma   # n
    const double* beta    # n
    double* st_mean       # st_rows × n: batch means of the evaluations counted from the last
    double* st_var
    Py_ssize_t st_rows
    double drop           # dropout ratio, < 0 without dropout


cdef struct Linear:
    const double* V       # (B or 1) × n × K: the logits' change per unit of dz
    Py_ssize_t V_step     # n * K, or 0 when shared by all samples
    const double* v_max   # (B or 1) × n
    Py_ssize_t max_step
    const double* moments  # B × n × SERIES_TERMS
    const double* radius  # B × n, or NULL: no limit


cdef const double* _data(object array, list keep) except? NULL:
    """The data of a C-contiguous float64 array (NULL for None), kept alive in ``keep``."""
    if array is None:
        return NULL
    cdef cnp.ndarray a = array
    if a.dtype.num != cnp.NPY_DOUBLE or not a.flags.c_contiguous:
        raise ValueError("the kernels take C-contiguous float64 arrays")
    keep.append(a)
    return <const double*> cnp.PyArray_DATA(a)


cdef const Py_ssize_t* _index_data(object array, list keep) except? NULL:
    """The data of a C-contiguous intp array, kept alive in ``keep``."""
    cdef cnp.ndarray a = array
    if a.dtype.num != cnp.NPY_INTP or not a.flags.c_contiguous:
        raise ValueError("the kernels take C-contiguous intp index arrays")
    keep.append(a)
    return <const Py_ssize_t*> cnp.PyArray_DATA(a)


cdef int _read_softmax(Softmax* y, object softmax, object targets, list keep) except -1:
    """Fill ``y`` from ``softmax = (Z, E, S)`` (B × K, B × K, B) and ``targets = (ptr, cls, weight)`` (CSR)."""
    Z, E, S = softmax
    ptr, cls, weight = targets
    if Z.ndim != 2 or E.shape != Z.shape or S.shape != Z.shape[:1] or ptr.shape != (Z.shape[0] + 1,) \
            or cls.shape != weight.shape:
        raise ValueError("the softmax (Z, E, S) and targets (ptr, cls, weight) do not fit one another")
    y.K = Z.shape[1]
    y.Z, y.E, y.S = _data(Z, keep), _data(E, keep), _data(S, keep)
    y.t.ptr, y.t.cls, y.t.weight = _index_data(ptr, keep), _index_data(cls, keep), _data(weight, keep)
    return 0


cdef class Net:
    """The unperturbed forward pass of a fully connected net with a softmax cross-entropy loss.

    Parameters
    ----------
    hidden : list of dict
        Per hidden layer: ``W``, ``b``, ``o``, ``z``, ``act`` (RELU/SIGMOID), and optionally
        ``s_bar`` (sigmoid layers), ``a``, ``xn``, ``gamma``, ``beta`` (batch norm),
        ``st_mean``, ``st_var`` (statistics rows), ``drop`` (dropout ratio).
    x : numpy.ndarray
        The input batch, B × n_0.
    W_out, b_out : numpy.ndarray
        The output layer.
    softmax : tuple of numpy.ndarray
        ``(Z, E, S)``: the logits minus their row maximum, ``exp(Z)`` and its row sums.
    targets : tuple of numpy.ndarray
        ``(ptr, cls, weight)``: the target classes of each sample (CSR) and how often each occurs.
    """
    cdef Py_ssize_t B, K, L, max_n
    cdef Layer* layers
    cdef const double* x
    cdef const double* W_out
    cdef const double* b_out
    cdef Softmax y
    cdef list keep

    def __init__(self, list hidden, x, W_out, b_out, softmax, targets):
        self.keep = []
        _read_softmax(&self.y, softmax, targets, self.keep)
        self.L = len(hidden)
        self.B, self.K = softmax[0].shape
        free(self.layers)
        self.layers = <Layer*> malloc(max(self.L, 1) * sizeof(Layer))
        if self.layers == NULL:
            raise MemoryError()
        self.max_n = self.K
        cdef Layer* lay
        cdef Py_ssize_t m
        for m in range(self.L):
            spec = hidden[m]
            lay = &self.layers[m]
            lay.n_in, lay.n = spec["W"].shape
            self.max_n = max(self.max_n, lay.n)
            lay.W = _data(spec["W"], self.keep)
            lay.b = _data(spec["b"], self.keep)
            lay.o = _data(spec["o"], self.keep)
            lay.z = _data(spec["z"], self.keep)
            lay.s_bar = _data(spec.get("s_bar"), self.keep)
            lay.act = spec["act"]
            lay.bn = spec.get("gamma") is not None
            lay.a = _data(spec.get("a"), self.keep)
            lay.xn = _data(spec.get("xn"), self.keep)
            lay.gamma = _data(spec.get("gamma"), self.keep)
            lay.beta = _data(spec.get("beta"), self.keep)
            lay.st_mean = <double*> _data(spec.get("st_mean"), self.keep)
            lay.st_var = <double*> _data(spec.get("st_var"), self.keep)
            lay.st_rows = spec["st_mean"].shape[0] if spec.get("st_mean") is not None else 0
            lay.drop = spec.get("drop", -1.0)
        self.x = _data(x, self.keep)
        self.W_out = _data(W_out, self.keep)
        self.b_out = _data(b_out, self.keep)

    def __dealloc__(self):
        free(self.layers)

    @property
    def workspace(self):
        """Doubles of workspace each thread needs."""
        return 4 * self.B * (self.max_n + self.K) + 6 * self.max_n + 4 * self.B + 2 * self.K

    cdef bint coupled_after(self, Py_ssize_t l) noexcept nogil:
        """Whether a batch-normalized layer follows hidden layer ``l`` (samples then move together)."""
        cdef Py_ssize_t m
        for m in range(l + 1, self.L):
            if self.layers[m].bn:
                return True
        return False


cdef inline double _unit_change(const Layer* lay, const double* sig, Py_ssize_t b, Py_ssize_t j,
                                double delta) noexcept nogil:
    """Change of unit ``j``'s activation in sample ``b`` when its input moves by ``delta``.

    A sigmoid unit takes its Taylor series (coefficients ``sig``) within the series radius.
    """
    cdef Py_ssize_t q = b * lay.n + j
    if delta == 0:
        return 0.0
    if lay.act == ACT_RELU:
        return relu_change(lay.o[q], delta)
    if sig != NULL and fabs(delta) < series_radius():
        return series(&sig[q * SERIES_TERMS], delta)
    return sigmoid_change(lay.o[q], lay.z[q], lay.s_bar[q], delta)


cdef inline double _activation_change(const Layer* lay, Py_ssize_t q, double o_new) noexcept nogil:
    """Change of the activation at flat index ``q`` when its input becomes ``o_new``."""
    if lay.act == ACT_RELU:
        return relu(o_new) - lay.z[q]
    return sigmoid_change(lay.o[q], lay.z[q], lay.s_bar[q], o_new - lay.o[q])


cdef inline void _record(Layer* lay, Py_ssize_t n_evals, Py_ssize_t e, Py_ssize_t col, double mean,
                         double var) noexcept nogil:
    """Keep evaluation ``e``'s batch statistics of column ``col`` if the running averages still remember it."""
    cdef Py_ssize_t row = n_evals - 1 - e
    if 0 <= row < lay.st_rows:
        lay.st_mean[row * lay.n + col] = mean
        lay.st_var[row * lay.n + col] = var


cdef inline void _normalize(const Layer* lay, Py_ssize_t B, Py_ssize_t j, const double* col, Py_ssize_t step,
                            double gamma, double beta, double* out, double* mean_out, double* var_out) noexcept nogil:
    """The book's batch norm of one column (``col[b * step]``, B values): ``out[b] = gamma * xn + beta``."""
    cdef double mean = 0.0, var = 0.0, xc, std
    cdef Py_ssize_t b
    for b in range(B):
        mean += col[b * step]
    mean = mean / B
    for b in range(B):
        xc = col[b * step] - mean
        var += xc * xc
    var = var / B
    std = sqrt(var + BN_EPS)
    for b in range(B):
        out[b] = gamma * ((col[b * step] - mean) / std) + beta
    mean_out[0] = mean
    var_out[0] = var


cdef void _propagate_sample(Net net, Py_ssize_t l, Py_ssize_t b, Py_ssize_t j, double dz, double* logits,
                            double* tmp) noexcept nogil:
    """``logits``: how sample ``b``'s logits move when unit ``j`` of hidden layer ``l`` moves by ``dz``.

    No batch norm downstream. ``tmp`` holds 2 × max_n doubles.
    """
    cdef Py_ssize_t K = net.K, m, k, c, n_next
    cdef double* cur = tmp
    cdef double* nxt = tmp + net.max_n
    cdef double* swap
    cdef const double* W
    cdef const Layer* lay
    cdef double v
    if l == net.L - 1:
        for c in range(K):
            logits[c] = dz * net.W_out[j * K + c]
        return
    lay = &net.layers[l + 1]
    for k in range(lay.n):
        cur[k] = dz * lay.W[j * lay.n + k]
    for m in range(l + 1, net.L):
        lay = &net.layers[m]
        for k in range(lay.n):
            cur[k] = _unit_change(lay, NULL, b, k, cur[k])
        if m == net.L - 1:
            W, n_next, swap = net.W_out, K, logits
        else:
            W, n_next, swap = net.layers[m + 1].W, net.layers[m + 1].n, nxt
        for c in range(n_next):
            swap[c] = 0.0
        for k in range(lay.n):
            v = cur[k]
            if v != 0:
                for c in range(n_next):
                    swap[c] += v * W[k * n_next + c]
        nxt = cur
        cur = swap


cdef double _separable(Net net, Py_ssize_t l, const Linear* lin, Py_ssize_t b, Py_ssize_t j, double dz_plus,
                       double dz_minus, double* ws) noexcept nogil:
    """``l_b(+) - l_b(-)`` when unit ``j`` of hidden layer ``l`` moves by ``dz_plus``/``dz_minus`` in sample ``b``."""
    cdef Py_ssize_t K = net.K, n = net.layers[l].n
    cdef double limit
    if dz_plus == 0 and dz_minus == 0:
        return 0.0
    if lin.V != NULL:
        limit = lin.radius[b * n + j] if lin.radius != NULL else 1e308
        if fabs(dz_plus) < limit and fabs(dz_minus) < limit:
            return change_along(&net.y, b, &lin.V[b * lin.V_step + j * K],
                                lin.v_max[b * lin.max_step + j], &lin.moments[(b * n + j) * SERIES_TERMS],
                                dz_plus, dz_minus)
    _propagate_sample(net, l, b, j, dz_plus, ws, ws + 2 * K)
    _propagate_sample(net, l, b, j, dz_minus, ws + K, ws + 2 * K)
    return change_logits(&net.y, b, ws, ws + K)


cdef void _propagate_batch(Net net, Py_ssize_t l, Py_ssize_t j, const double* dz, double* logits, double* tmp,
                           Py_ssize_t n_evals, Py_ssize_t e) noexcept nogil:
    """``logits`` (B × K): how the batch's logits move when unit ``j`` of hidden layer ``l`` moves by ``dz`` (B).

    Batch norm downstream: each following layer is computed for the whole batch. ``tmp``
    holds 2 × B × max_n + 2 × B doubles. Evaluation ``e``'s batch statistics are recorded.
    """
    cdef Py_ssize_t B = net.B, K = net.K, M = net.max_n, m, k, c, b, n_next
    cdef double* cur = tmp
    cdef double* nxt = tmp + B * M
    cdef double* col = tmp + 2 * B * M
    cdef double* swap
    cdef const double* W
    cdef Layer* lay = &net.layers[l + 1]
    cdef double v, mean, var
    for b in range(B):
        for k in range(lay.n):
            cur[b * lay.n + k] = dz[b] * lay.W[j * lay.n + k]
    for m in range(l + 1, net.L):
        lay = &net.layers[m]
        if lay.bn:
            for k in range(lay.n):
                for b in range(B):
                    col[b] = lay.a[b * lay.n + k] + cur[b * lay.n + k]
                _normalize(lay, B, k, col, 1, lay.gamma[k], lay.beta[k], col + B, &mean, &var)
                _record(lay, n_evals, e, k, mean, var)
                for b in range(B):
                    cur[b * lay.n + k] = _activation_change(lay, b * lay.n + k, col[B + b])
        else:
            for b in range(B):
                for k in range(lay.n):
                    cur[b * lay.n + k] = _unit_change(lay, NULL, b, k, cur[b * lay.n + k])
        if m == net.L - 1:
            W, n_next, swap = net.W_out, K, logits
        else:
            W, n_next, swap = net.layers[m + 1].W, net.layers[m + 1].n, nxt
        for b in range(B):
            for c in range(n_next):
                swap[b * n_next + c] = 0.0
            for k in range(lay.n):
                v = cur[b * lay.n + k]
                if v != 0:
                    for c in range(n_next):
                        swap[b * n_next + c] += v * W[k * n_next + c]
        nxt = cur
        cur = swap


cdef double _hidden_param(Net net, Py_ssize_t l, int kind, Py_ssize_t i, Py_ssize_t j, double w, double h,
                          const Py_ssize_t* ptr, const Py_ssize_t* rows, const double* vals, const Linear* lin,
                          const double* sig, bint coupled, Py_ssize_t n_evals, Py_ssize_t e,
                          double* ws) noexcept nogil:
    """Central difference of the mean loss with respect to one parameter of hidden layer ``l`` (unit ``j``).

    ``kind``: WEIGHT ``W[i, j]`` or BIAS ``b[j]`` (inputs listed by ``ptr[i]:ptr[i+1]``,
    ``rows`` = samples, ``vals`` = input values), GAMMA or BETA (batch norm).
    """
    cdef Layer* lay = &net.layers[l]
    cdef Py_ssize_t B = net.B, n = lay.n, K = net.K, p, b, side
    cdef double d[2]
    cdef double* dz = ws                       # 2 × B: the unit's change per sample, + and - sides
    cdef double* col = ws + 2 * B              # B
    cdef double* o_new = ws + 3 * B            # B
    cdef double* rest = ws + 4 * B
    cdef double acc = 0.0, mean, var, dz_plus, dz_minus, gamma, beta
    d[0] = (w + h) - w
    d[1] = (w - h) - w
    if (kind == KIND_WEIGHT or kind == KIND_BIAS) and ptr[i] == ptr[i + 1]:
        return 0.0  # an input that is zero in every sample: nothing moves
    if not lay.bn and not coupled:
        for p in range(ptr[i], ptr[i + 1]):
            b = rows[p]
            dz_plus = _unit_change(lay, sig, b, j, vals[p] * d[0])
            dz_minus = _unit_change(lay, sig, b, j, vals[p] * d[1])
            acc += _separable(net, l, lin, b, j, dz_plus, dz_minus, rest)
        return acc / B / (2 * h)
    for side in range(2):
        if lay.bn:
            gamma, beta = lay.gamma[j], lay.beta[j]
            if kind == KIND_GAMMA or kind == KIND_BETA:
                if kind == KIND_GAMMA:
                    gamma = w + (h if side == 0 else -h)
                else:
                    beta = w + (h if side == 0 else -h)
                for b in range(B):
                    o_new[b] = gamma * lay.xn[b * n + j] + beta
            else:
                for b in range(B):
                    col[b] = lay.a[b * n + j]
                for p in range(ptr[i], ptr[i + 1]):
                    col[rows[p]] += vals[p] * d[side]
                _normalize(lay, B, j, col, 1, gamma, beta, o_new, &mean, &var)
                _record(lay, n_evals, e + side, j, mean, var)
            for b in range(B):
                dz[side * B + b] = _activation_change(lay, b * n + j, o_new[b])
        else:
            for b in range(B):
                dz[side * B + b] = 0.0
            for p in range(ptr[i], ptr[i + 1]):
                dz[side * B + rows[p]] = _unit_change(lay, sig, rows[p], j, vals[p] * d[side])
    for b in range(2 * B):
        if dz[b] != 0:
            break
    else:
        return 0.0  # the unit's activations do not move (a batch of one through batch norm, dead ReLUs)
    if coupled:
        _propagate_batch(net, l, j, dz, rest, rest + 2 * B * K, n_evals, e)
        _propagate_batch(net, l, j, dz + B, rest + B * K, rest + 2 * B * K, n_evals, e + 1)
        for b in range(B):
            acc += change_logits(&net.y, b, &rest[b * K], &rest[B * K + b * K])
    else:
        for b in range(B):
            acc += _separable(net, l, lin, b, j, dz[b], dz[B + b], rest)
    return acc / B / (2 * h)


cdef class Job:
    """A loop over the parameters of one array; :meth:`run_all` evaluates them on fastgd's thread pool.

    Each thread evaluates chunks of the parameters without the GIL, with a workspace of its own.
    """
    cdef Py_ssize_t size       # parameters
    cdef Py_ssize_t workspace  # doubles of workspace per thread
    cdef double* out
    cdef list keep

    @property
    def n(self):
        """The number of parameters."""
        return self.size

    cdef void evaluate(self, Py_ssize_t q0, Py_ssize_t q1, double* ws) noexcept nogil:
        pass

    def run_all(self, int threads):
        """Write the gradient of every parameter to the output array, on up to ``threads`` threads.

        The results do not depend on ``threads``; Ctrl-C is answered within about 50 ms.
        """
        run_job(<void*> self, _evaluate, self.size, self.workspace, threads)


cdef void _evaluate(void* job, Py_ssize_t q0, Py_ssize_t q1, double* ws) noexcept nogil:
    (<Job> job).evaluate(q0, q1, ws)


cdef double* _output(object out, Py_ssize_t size, list keep) except NULL:
    """The data of ``out``, a writeable C-contiguous float64 array of ``size`` elements."""
    cdef double* data = <double*> _data(out, keep)
    if out.size != size or not out.flags.writeable:
        raise ValueError(f"out must be a writeable float64 array of {size} elements")
    return data


cdef class HiddenJob(Job):
    """Gradient of the mean loss with respect to the parameters ``P`` of hidden layer ``l`` of ``net``.

    ``P`` is the parameter array (``n_cols`` units per row: ``W`` is n_in × n, a vector is one
    row), ``kind`` WEIGHT, BIAS, GAMMA or BETA; ``ptr``/``rows``/``vals`` list each row's
    nonzero inputs (for a bias or gamma/beta, one row of all samples with value 1).
    ``linear`` is None or ``(V, v_max, moments, radius)`` (``radius`` None: unlimited; ``V``
    and ``v_max`` with a first axis of 1 when shared by the samples). ``sig``: the sigmoid
    Taylor coefficients of layer ``l`` (B × n × SERIES), or None. ``P[q]``'s evaluations are
    numbers ``eval_base + 2q`` (+) and ``+1`` (-) of ``n_evals``.
    """
    cdef Net net
    cdef Py_ssize_t l, n_cols, eval_base, n_evals
    cdef int kind
    cdef bint coupled
    cdef const double* P
    cdef const Py_ssize_t* ptr
    cdef const Py_ssize_t* rows
    cdef const double* vals
    cdef Linear lin
    cdef const double* sig
    cdef double h

    def __init__(self, Net net, Py_ssize_t l, int kind, P, Py_ssize_t n_cols, ptr, rows, vals, linear, sig,
                 double h, out, Py_ssize_t eval_base, Py_ssize_t n_evals):
        if not 0 <= l < net.L or n_cols < 1 or P.size % n_cols or ptr.size < P.size // n_cols + 1:
            raise ValueError("HiddenJob: inconsistent layer, shape or input listing")
        self.keep = [ptr, rows]
        self.net, self.l, self.kind, self.n_cols, self.h = net, l, kind, n_cols, h
        self.size, self.eval_base, self.n_evals = P.size, eval_base, n_evals
        self.workspace = net.workspace
        self.coupled = net.coupled_after(l)
        self.P = _data(P, self.keep)
        self.out = _output(out, P.size, self.keep)
        self.ptr = <const Py_ssize_t*> cnp.PyArray_DATA(ptr)
        self.rows = <const Py_ssize_t*> cnp.PyArray_DATA(rows)
        self.vals = _data(vals, self.keep)
        self.sig = _data(sig, self.keep)
        self.lin.V = NULL
        self.lin.radius = NULL
        if linear is not None:
            self.lin.V = _data(linear[0], self.keep)
            self.lin.V_step = 0 if linear[0].shape[0] == 1 else linear[0].shape[1] * linear[0].shape[2]
            self.lin.v_max = _data(linear[1], self.keep)
            self.lin.max_step = 0 if linear[1].shape[0] == 1 else linear[1].shape[1]
            self.lin.moments = _data(linear[2], self.keep)
            self.lin.radius = _data(linear[3], self.keep)

    cdef void evaluate(self, Py_ssize_t q0, Py_ssize_t q1, double* ws) noexcept nogil:
        cdef Py_ssize_t q
        for q in range(q0, q1):
            self.out[q] = _hidden_param(self.net, self.l, self.kind, q // self.n_cols, q % self.n_cols, self.P[q],
                                        self.h, self.ptr, self.rows, self.vals, &self.lin, self.sig, self.coupled,
                                        self.n_evals, self.eval_base + 2 * q, ws)


cdef class OutputJob(Job):
    """Gradient of the mean loss with respect to ``W[j, k]``, logits ``H @ W + b``.

    The unperturbed ``softmax`` and the ``targets`` as :class:`Net` takes them. For a bias,
    pass ``H`` of ones, shape (B, 1).
    """
    cdef const double* H
    cdef const double* W
    cdef Softmax y
    cdef Py_ssize_t B, J, K
    cdef double h

    def __init__(self, H, W, softmax, targets, double h, out):
        self.keep = []
        _read_softmax(&self.y, softmax, targets, self.keep)
        if H.shape[1] != W.shape[0] or softmax[0].shape != (H.shape[0], W.shape[1]):
            raise ValueError("OutputJob: inconsistent shapes")
        self.B, self.J, self.K = H.shape[0], W.shape[0], W.shape[1]
        self.size, self.workspace, self.h = W.size, 0, h
        self.H, self.W = _data(H, self.keep), _data(W, self.keep)
        self.out = _output(out, W.size, self.keep)

    cdef void evaluate(self, Py_ssize_t q0, Py_ssize_t q1, double* ws) noexcept nogil:
        cdef Py_ssize_t q, b, j, k
        cdef double w, d_plus, d_minus, acc, v
        for q in range(q0, q1):
            j, k, w = q // self.K, q % self.K, self.W[q]
            d_plus, d_minus, acc = (w + self.h) - w, (w - self.h) - w, 0.0
            for b in range(self.B):
                v = self.H[b * self.J + j]
                if v != 0.0:
                    acc += change_one_logit(&self.y, b, k, v * d_plus, v * d_minus)
            self.out[q] = acc / self.B / (2 * self.h)


cdef double _full_loss(Net net, Py_ssize_t l, int kind, Py_ssize_t i, Py_ssize_t j, double w_new,
                       const double* u, double* ws, Py_ssize_t n_evals, Py_ssize_t e) noexcept nogil:
    """The cross-entropy (without weight decay) with one parameter set to ``w_new`` and dropout masks ``u > ratio``.

    The first hidden layer starts from its unperturbed pass; every later layer is computed in
    full. ``l`` is the parameter's layer (``net.L``: the output layer). ``ws``: 2 × B × max_n + 2 × B.
    """
    cdef Py_ssize_t B = net.B, K = net.K, M = net.max_n, m, k, c, b, n, p
    cdef double* cur = ws
    cdef double* nxt = ws + B * M
    cdef double* col = ws + 2 * B * M
    cdef double* swap
    cdef Layer* lay
    cdef double v, mean, var, gamma, beta, d, loss = 0.0
    for m in range(net.L):
        lay = &net.layers[m]
        n = lay.n
        if m == 0:
            for p in range(B * n):
                cur[p] = lay.z[p]
        else:  # cur = prev @ W + b, prev in nxt
            for b in range(B):
                for c in range(n):
                    cur[b * n + c] = lay.b[c]
                for k in range(lay.n_in):
                    v = nxt[b * lay.n_in + k]
                    if v != 0:
                        for c in range(n):
                            cur[b * n + c] += v * lay.W[k * n + c]
        if m == l:  # the perturbed unit
            d = w_new - (lay.W[i * n + j] if kind == KIND_WEIGHT else lay.b[j] if kind == KIND_BIAS
                         else lay.gamma[j] if kind == KIND_GAMMA else lay.beta[j])
            for b in range(B):  # the affine output of column j
                col[b] = (lay.a[b * n + j] if lay.bn else lay.o[b * n + j]) if m == 0 else cur[b * n + j]
                if kind == KIND_WEIGHT:
                    col[b] += (net.x[b * lay.n_in + i] if m == 0 else nxt[b * lay.n_in + i]) * d
                elif kind == KIND_BIAS:
                    col[b] += d
            if m == 0 and lay.bn and (kind == KIND_GAMMA or kind == KIND_BETA):
                for b in range(B):
                    col[b] = lay.a[b * n + j]
            for b in range(B):
                cur[b * n + j] = col[b]
        if lay.bn and (m > 0 or m == l):
            for k in range(n):
                if m == 0 and k != j:
                    continue
                gamma, beta = lay.gamma[k], lay.beta[k]
                if m == l and k == j and kind == KIND_GAMMA:
                    gamma = w_new
                if m == l and k == j and kind == KIND_BETA:
                    beta = w_new
                _normalize(lay, B, k, &cur[k], n, gamma, beta, col, &mean, &var)
                if m > 0 or kind == KIND_WEIGHT or kind == KIND_BIAS:
                    _record(lay, n_evals, e, k, mean, var)
                for b in range(B):
                    cur[b * n + k] = col[b]
        if m > 0 or m == l:
            for b in range(B):
                for k in range(n):
                    if m == 0 and k != j:
                        continue
                    v = cur[b * n + k]
                    cur[b * n + k] = relu(v) if lay.act == ACT_RELU else 1.0 / (1.0 + exp(-v))
        if lay.drop >= 0:
            for p in range(B * n):
                if not (u[p] > lay.drop):
                    cur[p] = cur[p] * 0.0
            u += B * n
        swap = nxt
        nxt = cur
        cur = swap
    # logits = prev @ W_out + b_out, prev in nxt
    n = net.layers[net.L - 1].n if net.L > 0 else 0
    for b in range(B):
        for c in range(K):
            cur[b * K + c] = net.b_out[c]
            if l == net.L and kind == KIND_BIAS and c == j:
                cur[b * K + c] = w_new
        for k in range(n):
            v = nxt[b * n + k]
            if v != 0:
                for c in range(K):
                    cur[b * K + c] += v * (w_new if (l == net.L and kind == KIND_WEIGHT and k == i and c == j)
                                           else net.W_out[k * K + c])
        loss += moved_loss(&cur[b * K], K, net.y.t, b, NULL, 0.0, -1)
    return loss / B


def replay_running(double momentum, double[::1] r, const double[:, ::1] values):
    """``r = momentum * r + (1 - momentum) * value`` for each row of ``values``, last row first, in place.

    The batch norm's running-average update, with the reference's operations: ``values`` holds
    the remembered evaluations' batch statistics, newest first.
    """
    cdef double c = 1 - momentum
    cdef Py_ssize_t i, k
    if values.shape[1] != r.shape[0]:
        raise ValueError("replay_running: values must have one column per element of r")
    with nogil:
        for i in range(values.shape[0] - 1, -1, -1):
            for k in range(r.shape[0]):
                r[k] = momentum * r[k] + c * values[i, k]


cdef class DropoutJob(Job):
    """Central differences of the cross-entropy with dropout: every evaluation in full with its own masks.

    ``P`` is a parameter array of layer ``l`` (``net.L``: the output layer), ``n_cols`` per row,
    ``kind`` as :class:`HiddenJob`'s. Parameter ``q`` of this job is ``P``'s element
    ``first + q``; rows ``2q`` (+) and ``2q + 1`` (-) of ``uniforms`` hold its evaluations' draws,
    layer by layer, B × n each; its evaluations are numbers ``eval_base + 2 (first + q)`` and
    ``+1`` of ``n_evals``.
    """
    cdef Net net
    cdef Py_ssize_t l, n_cols, first, draws, eval_base, n_evals
    cdef int kind
    cdef const double* P
    cdef const double* uniforms
    cdef double h

    def __init__(self, Net net, Py_ssize_t l, int kind, P, Py_ssize_t n_cols, Py_ssize_t first, uniforms,
                 double h, out, Py_ssize_t eval_base, Py_ssize_t n_evals):
        if (not 0 <= l <= net.L or n_cols < 1 or P.size % n_cols or uniforms.ndim != 2
                or not 0 <= first <= first + uniforms.shape[0] // 2 <= P.size):
            raise ValueError("DropoutJob: inconsistent layer, shapes or draws")
        self.keep = []
        self.net, self.l, self.kind, self.n_cols, self.first, self.h = net, l, kind, n_cols, first, h
        self.size, self.draws = uniforms.shape[0] // 2, uniforms.shape[1]
        self.eval_base, self.n_evals = eval_base, n_evals
        self.workspace = net.workspace
        self.P = _data(P, self.keep)
        self.uniforms = _data(uniforms, self.keep)
        self.out = _output(out, self.size, self.keep)

    cdef void evaluate(self, Py_ssize_t q0, Py_ssize_t q1, double* ws) noexcept nogil:
        cdef Py_ssize_t r, q
        cdef double w, plus, minus
        for r in range(q0, q1):
            q = self.first + r
            w = self.P[q]
            plus = _full_loss(self.net, self.l, self.kind, q // self.n_cols, q % self.n_cols, w + self.h,
                              &self.uniforms[2 * r * self.draws], ws, self.n_evals, self.eval_base + 2 * q)
            minus = _full_loss(self.net, self.l, self.kind, q // self.n_cols, q % self.n_cols, w - self.h,
                               &self.uniforms[(2 * r + 1) * self.draws], ws, self.n_evals,
                               self.eval_base + 2 * q + 1)
            self.out[r] = (plus - minus) / (2 * self.h)
