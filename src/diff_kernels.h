/* Finite-difference kernels: a scheme's points and combine, element access per dtype, and the
 * loops over a C-level objective (no Python, no GIL).
 *
 * A scheme evaluates f at x + offsets[k] * h e_i (k < npoints), and at x itself when
 * centre_weight != 0, and estimates the derivative as
 *     (weights[0] * f_0 + weights[1] * f_1 + ... + centre_weight * f(x)) / (denominator * h),
 * summed left to right -- or, with exact steps, over the distance the points take (fd_distance).
 * The textbook's central difference is offsets (1, -1), weights (1, -1), denominator 2:
 * multiplying by +-1 is exact and a + (-b) is a - b in IEEE arithmetic, so this is bitwise
 * (f(x + h) - f(x - h)) / (2 * h). Build with -ffp-contract=off and without fast-math so that
 * holds.
 *
 * Element types: the float32/float64 code is one template, fd_real.inc, included once per type
 * (the project's one dtype mechanism; see optim_kernels.h for why a C template and not Cython
 * fused types). Callers name the element type (FD_F64, FD_F32) and the inline helpers below
 * pick the instantiation.
 */
#ifndef FASTGD_DIFF_KERNELS_H
#define FASTGD_DIFF_KERNELS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pool.h"

#define FD_MAX_POINTS 8
/* Status of an evaluation: 0, an objective's own nonzero status, or one of these. */
#define FD_NAN_STATUS INT32_MIN

typedef struct {
    int npoints;                    /* evaluations per element, besides f(x) */
    double offsets[FD_MAX_POINTS];  /* point k is x + offsets[k] * h e_i */
    double weights[FD_MAX_POINTS];  /* weight of f at point k */
    int widened[FD_MAX_POINTS];     /* point k is computed in double, then rounded: (T)(v + o h) */
    double centre_weight;           /* weight of f(x); 0: f(x) is not needed */
    double denominator;             /* the sum is divided by denominator * h (the textbook's fixed step) */
    int imaginary;                  /* x is the imaginary part of a complex point (a complex step): each value
                                     * is the imaginary part of f's complex result (Python f only) */
} fd_scheme;

/* The scheme's estimate from its values (and f(x)): doubles, summed left to right, divided by `divisor`
 * (denominator * h for the textbook's fixed step, else the distance taken: fd_distance). */
static inline double fd_combine(const fd_scheme *s, const double *values, ptrdiff_t stride, double centre,
                                double divisor)
{
    double acc = s->weights[0] * values[0];
    for (int k = 1; k < s->npoints; k++)
        acc = acc + s->weights[k] * values[k * stride];
    if (s->centre_weight != 0.0)
        acc = acc + s->centre_weight * centre;
    return acc / divisor;
}

/* The distance the scheme's points actually take, summed as their values are: point k moved the element
 * from v to x_k (x_k - v, in double), and distance = w_0 (x_0 - v) + w_1 (x_1 - v) + ..., left to right.
 * For the central difference that is (x + h) - (x - h), for a forward one (x + h) - x: the divisor that
 * makes every scheme exact on a linear function whatever the points rounded to. Call with k = 0, 1, ...
 * right after point k is stored at p. */
static inline double fd_distance(const fd_scheme *s, int k, double distance, double moved)
{
    double term = s->weights[k] * moved;
    return k == 0 ? term : distance + term;
}

/* Element access per element type: fd_real.inc instantiated for double and float. */
#define T double
#define NAME(name) fd_##name##_f64
#include "fd_real.inc"
#undef T
#undef NAME

#define T float
#define NAME(name) fd_##name##_f32
#include "fd_real.inc"
#undef T
#undef NAME

/* The element type of an array the loops address: picks the instantiation (a predictable branch). */
enum { FD_F64, FD_F32 };

/* The element at p, widened exactly. */
static inline double fd_load(int type, const char *p)
{
    return type == FD_F64 ? fd_load_f64(p) : fd_load_f32(p);
}

/* v rounded to the element type, at p. */
static inline void fd_store(int type, char *p, double v)
{
    if (type == FD_F64)
        fd_store_f64(p, v);
    else
        fd_store_f32(p, v);
}

/* The element at a point, step = offset * h away from v: (T)v + (T)step, as numpy adds a Python
 * float (NEP 50), or (T)(v + step) when widened (the Korean edition's float(tmp_val) + h). */
static inline void fd_shift(int type, char *p, double v, double step, int widened)
{
    if (type == FD_F64)
        fd_shift_f64(p, v, step, widened);
    else
        fd_shift_f32(p, v, step, widened);
}

/* The element at a point, as fd_shift stores it, widened to double. */
static inline double fd_point(int type, double v, double step, int widened)
{
    return type == FD_F64 ? (double)fd_point_f64(v, step, widened) : (double)fd_point_f32(v, step, widened);
}

/* How far the element at p is from v: (double)x_p - v (exact for float32; for float64, exact unless the
 * point crossed far from v). */
static inline double fd_offset(int type, const char *p, double v)
{
    return fd_load(type, p) - v;
}

/* x -= (T)lr * g, in T. */
static inline void fd_descend(int type, char *x, const char *g, double lr)
{
    if (type == FD_F64)
        fd_descend_f64(x, g, lr);
    else
        fd_descend_f32(x, g, lr);
}

/* ---- C-level objectives ------------------------------------------------------------------ */

typedef double (*fd_value_int)(int, double *, void *);
typedef double (*fd_value_wide)(int64_t, double *, void *);
typedef int (*fd_status_int)(int, double *, double *, void *);
typedef int (*fd_status_wide)(int64_t, double *, double *, void *);
typedef void (*fd_vector_int)(int, const double *, int, double *, void *);
typedef void (*fd_vector_wide)(int64_t, const double *, int64_t, double *, void *);
typedef int (*fd_vector_status_int)(int, const double *, int, double *, void *);
typedef int (*fd_vector_status_wide)(int64_t, const double *, int64_t, double *, void *);

typedef struct {
    void *fn;
    void *user_data;
    ptrdiff_t n;     /* elements of x */
    ptrdiff_t m;     /* outputs of a vector function F(n, x, m, out, user_data); -1: a scalar f */
    int wide_n;      /* n (and m) are int64_t (else int) */
    int status;      /* returns a status: int f(n, x, &value, user_data), int F(n, x, m, out, user_data) */
} fd_objective;

/* fd_evaluate for a scalar f (o->m < 0). */
static inline int fd_evaluate_scalar(const fd_objective *o, double *x, double *value)
{
    if (o->status) {
        if (o->wide_n)
            return ((fd_status_wide)o->fn)((int64_t)o->n, x, value, o->user_data);
        return ((fd_status_int)o->fn)((int)o->n, x, value, o->user_data);
    }
    *value = o->wide_n ? ((fd_value_wide)o->fn)((int64_t)o->n, x, o->user_data)
                       : ((fd_value_int)o->fn)((int)o->n, x, o->user_data);
    return isnan(*value) ? FD_NAN_STATUS : 0;
}

/* One call at x, its values into value[0] (or value[0..m-1]): 0, the function's nonzero status,
 * or FD_NAN_STATUS for a NaN value. */
static inline int fd_evaluate(const fd_objective *o, double *x, double *value)
{
    int status = 0;
    if (o->m >= 0) {
        if (o->status)
            status = o->wide_n ? ((fd_vector_status_wide)o->fn)((int64_t)o->n, x, (int64_t)o->m, value, o->user_data)
                               : ((fd_vector_status_int)o->fn)((int)o->n, x, (int)o->m, value, o->user_data);
        else if (o->wide_n)
            ((fd_vector_wide)o->fn)((int64_t)o->n, x, (int64_t)o->m, value, o->user_data);
        else
            ((fd_vector_int)o->fn)((int)o->n, x, (int)o->m, value, o->user_data);
        for (ptrdiff_t j = 0; status == 0 && j < o->m; j++)
            if (isnan(value[j]))
                status = FD_NAN_STATUS;
        return status;
    }
    return fd_evaluate_scalar(o, x, value);
}

static double fd_seconds(void)
{
    return 1e-9 * fastgd_now_ns();
}

/* What a derivative over a C objective needs besides x: the scheme, the steps, where results go. */
typedef struct {
    const fd_objective *o;
    const fd_scheme *s;
    const double *h;         /* step of element i: h[i * h_stride] */
    ptrdiff_t h_stride;      /* 0: one step for every element */
    int exact;               /* divide by the distance the points take (fd_distance), not denominator * h */
    double *centre;          /* f(x) (m values for a vector function), when the scheme needs it */
    double *out;             /* estimate of element i: out[i], or out[j * n + i] for output j */
    double *scratch;         /* a vector function's values: npoints * m doubles per thread */
    const ptrdiff_t *elements;  /* the elements to visit, in order, or NULL: 0 .. count - 1 */
    ptrdiff_t count;         /* how many elements are visited */
    double *values;          /* or NULL; else (a scalar f) f at element i's points: values[i * values_stride + k],
                              * then f(x) at column npoints if the scheme needs it */
    ptrdiff_t values_stride;
    const fd_scheme *inner;  /* or NULL; else mixed second derivatives (fd_c_mixed): element i's results
                              * are out[i * n + j] for every j > i (its row: threads share no cache line) */
} fd_c_task;

/* The element of the visit-th visit. */
static inline ptrdiff_t fd_c_visited(const fd_c_task *t, ptrdiff_t visit)
{
    return t->elements == NULL ? visit : t->elements[visit];
}

/* Mixed second derivatives of a scalar f along e_i and each later e_j (j > i): the scheme s along e_i
 * of the inner scheme's estimates along e_j,
 *     sum_k sum_l (w_k u_l) f(x + o_k h_i e_i + p_l h_j e_j) / (D_i D_j),
 * summed in the order (k, l) (central x central: the four-point formula); D: denominator * h, or with
 * exact steps the distances the points take (fd_distance). Both schemes without f(x). */
static int fd_c_mixed(const fd_c_task *t, double *x, ptrdiff_t i)
{
    const fd_scheme *s = t->s, *u = t->inner;
    ptrdiff_t n = t->o->n;
    double v = x[i], h = t->h[i * t->h_stride];
    for (ptrdiff_t j = i + 1; j < n; j++) {
        double vj = x[j], hj = t->h[j * t->h_stride], acc = 0.0;
        double di = s->denominator * h, dj = u->denominator * hj;
        for (int k = 0; k < s->npoints; k++) {
            fd_shift_f64((char *)(x + i), v, s->offsets[k] * h, s->widened[k]);
            if (t->exact)
                di = fd_distance(s, k, di, x[i] - v);
            for (int l = 0; l < u->npoints; l++) {
                double value;
                fd_shift_f64((char *)(x + j), vj, u->offsets[l] * hj, u->widened[l]);
                if (t->exact && k == 0)
                    dj = fd_distance(u, l, dj, x[j] - vj);
                int status = fd_evaluate(t->o, x, &value);
                x[j] = vj;
                if (status != 0) {
                    x[i] = v;
                    return status;
                }
                double term = (s->weights[k] * u->weights[l]) * value;
                acc = k == 0 && l == 0 ? term : acc + term;
            }
            x[i] = v;
        }
        t->out[i * n + j] = acc / (di * dj);
    }
    return 0;
}

/* The visit-th visited element i: the scheme's points around x[i] (restored after each), combined
 * into its results (or, with an inner scheme, its row of mixed second derivatives).
 * values: room for the points' values (npoints, or npoints * m for a vector function). */
static inline int fd_c_element(const fd_c_task *t, double *x, ptrdiff_t visit, double *values)
{
    ptrdiff_t i = fd_c_visited(t, visit);
    if (t->inner != NULL)
        return fd_c_mixed(t, x, i);
    const fd_scheme *s = t->s;
    ptrdiff_t m = t->o->m < 0 ? 1 : t->o->m;
    double v = x[i], h = t->h[i * t->h_stride], divisor = s->denominator * h;
    for (int k = 0; k < s->npoints; k++) {
        fd_shift_f64((char *)(x + i), v, s->offsets[k] * h, s->widened[k]);
        if (t->exact)
            divisor = fd_distance(s, k, divisor, x[i] - v);
        int status = fd_evaluate(t->o, x, values + k * m);
        x[i] = v;
        if (status != 0)
            return status;
    }
    if (t->values != NULL && t->o->m < 0) {
        double *row = t->values + i * t->values_stride;
        for (int k = 0; k < s->npoints; k++)
            row[k] = values[k];
        if (s->centre_weight != 0.0)
            row[s->npoints] = t->centre[0];
    }
    for (ptrdiff_t j = 0; j < m; j++)
        t->out[j * t->o->n + i] = fd_combine(s, values + j, m, t->centre == NULL ? 0.0 : t->centre[j], divisor);
    return 0;
}

/* Room for one thread's values of the points: a scalar's fit on the stack of the caller. */
#define FD_VALUES(t, thread, local) ((t)->o->m < 0 ? (local) : (t)->scratch + (ptrdiff_t)(thread) * (t)->s->npoints * (t)->o->m)

/* Where a run over the visits 0..count-1 stands; visits below `next` are done. */
typedef struct {
    ptrdiff_t next;
    ptrdiff_t failed;   /* the visit whose evaluation failed, FD_AT_X for f(x) itself, or -1 */
    int status;         /* its status */
    ptrdiff_t batch;    /* elements between looks at the clock: doubled while they take < 0.1 ms */
    ptrdiff_t since;    /* elements since the last look */
    double looked;      /* when the clock was last read */
} fd_progress;

#define FD_AT_X (-2)
#define FD_MAX_BATCH 65536

/* Count one element; every p->batch elements, read the clock: 1 once `deadline` has passed. */
static inline int fd_out_of_time(fd_progress *p, double deadline)
{
    if (++p->since < p->batch)
        return 0;
    double now = fd_seconds();
    if (now - p->looked < 1e-4 && p->batch < FD_MAX_BATCH)
        p->batch *= 2;
    p->since = 0;
    p->looked = now;
    return now >= deadline;
}

/* More threads than the pool has workers (its helpers and the caller) are never used. */
#define FD_MAX_WORKERS 1024

/* A range of visits for a worker of fastgd's pool, on its own copy of x. */
typedef struct {
    const fd_c_task *t;
    double *copies;      /* threads x n doubles */
    ptrdiff_t n;
    ptrdiff_t offset;    /* the visit of the pool's element 0 */
    double deadline;
    ptrdiff_t *failed;   /* per worker: the visit whose evaluation failed, or -1 */
    int *status;         /* per worker: its status */
} fd_c_range_ctx;

static int fd_c_range(void *ctx, Py_ssize_t lo, Py_ssize_t hi, int worker)
{
    fd_c_range_ctx *c = (fd_c_range_ctx *)ctx;
    double *mine = c->copies + (ptrdiff_t)worker * c->n;
    double local[FD_MAX_POINTS];
    double *values = FD_VALUES(c->t, worker, local);
    for (ptrdiff_t i = c->offset + lo; i < c->offset + hi; i++) {
        int status = fd_c_element(c->t, mine, i, values);
        if (status != 0) {
            c->failed[worker] = i;
            c->status[worker] = status;
            return 1;
        }
    }
    return fd_seconds() >= c->deadline ? 2 : 0;
}

/* Visits from p->next on, until all t->count are done, one fails (p->failed: its visit number),
 * or the clock passes `deadline`. One thread perturbs x (n elements) in place. More threads (fastgd's
 * pool: helpers join where the work pays and a core is free) take chunks of `chunk` visits in order
 * and perturb their own copy (copies: threads x n doubles, equal to x); x is not touched. Every
 * visit below the first failure is finished, so the results and the failure reported do not depend
 * on the threads. */
static void fd_c_elements(const fd_c_task *t, double *x, double *copies, int threads, ptrdiff_t n,
                          ptrdiff_t chunk, double deadline, fd_progress *p)
{
    if (threads > 1) {
        ptrdiff_t failed[FD_MAX_WORKERS];
        int status[FD_MAX_WORKERS];
        Py_ssize_t done = 0;
        fd_c_range_ctx c = {t, copies, n, p->next, deadline, failed, status};
        if (threads > FD_MAX_WORKERS)
            threads = FD_MAX_WORKERS;
        for (int w = 0; w < threads; w++)
            failed[w] = -1;
        fastgd_parallel_for(t->count - p->next, chunk, fd_c_range, &c, threads, &done);
        p->next += done;
        for (int w = 0; w < threads; w++)
            if (failed[w] >= 0 && (p->failed < 0 || failed[w] < p->failed)) {
                p->failed = failed[w];
                p->status = status[w];
            }
        return;
    }
    (void)copies;
    (void)n;
    (void)chunk;
    double local[FD_MAX_POINTS];
    double *values = FD_VALUES(t, 0, local);
    for (ptrdiff_t i = p->next; i < t->count; i++) {
        int status = fd_c_element(t, x, i, values);
        if (status != 0) {
            p->next = i;
            p->failed = i;
            p->status = status;
            return;
        }
        if (fd_out_of_time(p, deadline)) {
            p->next = i + 1;
            return;
        }
    }
    p->next = t->count;
}

/* Begin a derivative at x: f(x) if the scheme needs it, and the threads' copies of x. 0 or a status. */
static int fd_c_begin(fd_c_task *t, double *x, double *copies, int threads, ptrdiff_t n, fd_progress *p)
{
    p->next = 0;
    if (t->s->centre_weight != 0.0) {
        int status = fd_evaluate(t->o, x, t->centre);
        if (status != 0) {
            p->failed = FD_AT_X;
            p->status = status;
            return status;
        }
    }
    for (int k = 0; threads > 1 && k < threads; k++)
        memcpy(copies + (ptrdiff_t)k * n, x, (size_t)n * sizeof(double));
    return 0;
}

/* Descent steps x -= lr * derivative (in t->out), from step *step on, until `steps` are done, an
 * evaluation fails (p->failed), or the clock passes `deadline` (perhaps in the middle of a step:
 * p->next > 0 then, and x is still the point before that step). history, if not NULL, receives
 * each step's starting point (steps x n). Every element is visited (t->count == n). */
/* The update x -= lr * grad reads x and grad right after the loops stored them element by element:
 * vector loads there wait for those scalar stores to retire (a failed store-to-load forward on every
 * step, which made a 2-element descent 1.8x slower). Scalar loads take the stored values at once. */
#if defined(__GNUC__) && !defined(__clang__)
#define FD_SCALAR_UPDATE __attribute__((optimize("no-tree-vectorize")))
#else
#define FD_SCALAR_UPDATE
#endif

/* The descent's common case: a scalar f, a scheme of two points without f(x) (the textbook's central
 * difference), one step for every element, divided by denominator * h (not exact steps), every element.
 * fd_c_descend_plain runs it on one thread with the IEEE operations of fd_c_element and fd_combine, in
 * their order (the same bits), without their generality: points, outputs, steps per element and
 * options looked up per element cost a 2-element descent 190 instructions per element. */
static inline int fd_c_plain(const fd_c_task *t)
{
    return t->o->m < 0 && t->inner == NULL && t->elements == NULL && t->values == NULL && t->h_stride == 0
           && !t->exact && t->s->npoints == 2 && t->s->centre_weight == 0.0;
}

FD_SCALAR_UPDATE
static void fd_c_descend_plain(fd_c_task *t, double *x, ptrdiff_t n, double lr, ptrdiff_t steps, double *history,
                               double deadline, ptrdiff_t *step, fd_progress *p)
{
    const fd_scheme *s = t->s;
    const fd_objective *o = t->o;
    double *out = t->out;
    double h = t->h[0], divisor = s->denominator * h;
    double step0 = s->offsets[0] * h, step1 = s->offsets[1] * h, w0 = s->weights[0], w1 = s->weights[1];
    int widened0 = s->widened[0], widened1 = s->widened[1];
    while (*step < steps) {
        if (p->next == 0 && history != NULL)
            memcpy(history + *step * n, x, (size_t)n * sizeof(double));
        for (ptrdiff_t i = p->next; i < n; i++) {
            double v = x[i], f0, f1;
            fd_shift_f64((char *)(x + i), v, step0, widened0);
            int status = fd_evaluate_scalar(o, x, &f0);
            if (status == 0) {
                fd_shift_f64((char *)(x + i), v, step1, widened1);
                status = fd_evaluate_scalar(o, x, &f1);
            }
            x[i] = v;
            if (status != 0) {
                p->next = i;
                p->failed = i;
                p->status = status;
                return;
            }
            out[i] = (w0 * f0 + w1 * f1) / divisor;
            if (fd_out_of_time(p, deadline)) {
                p->next = i + 1;
                return;
            }
        }
#if defined(__clang__)
#pragma clang loop vectorize(disable)
#endif
        for (ptrdiff_t i = 0; i < n; i++)
            fd_descend_f64((char *)(x + i), (const char *)(out + i), lr);
        p->next = 0;
        ++*step;
    }
}

FD_SCALAR_UPDATE
static void fd_c_descend(fd_c_task *t, double *x, double *copies, int threads, ptrdiff_t n, ptrdiff_t chunk,
                         double lr, ptrdiff_t steps, double *history, double deadline, ptrdiff_t *step,
                         fd_progress *p)
{
    if (threads <= 1 && fd_c_plain(t)) {
        fd_c_descend_plain(t, x, n, lr, steps, history, deadline, step, p);
        return;
    }
    while (*step < steps) {
        if (p->next == 0) {
            if (history != NULL)
                memcpy(history + *step * n, x, (size_t)n * sizeof(double));
            if (fd_c_begin(t, x, copies, threads, n, p) != 0)
                return;
        }
        fd_c_elements(t, x, copies, threads, n, chunk, deadline, p);
        if (p->failed != -1 || p->next < n)
            return;
#if defined(__clang__)
#pragma clang loop vectorize(disable)
#endif
        for (ptrdiff_t i = 0; i < n; i++)
            fd_descend_f64((char *)(x + i), (const char *)(t->out + i), lr);
        p->next = 0;
        ++*step;
    }
}

#endif
