/* Fused optimizer kernels and their registry: one pass per element over param, grad and states.
 *
 * Each kernel performs the reference's IEEE operations in the reference's order
 * (fastgd.reference.optimizer); build with -ffp-contract=off and without fast-math so that
 * holds. Coefficients arrive as doubles in a struct of named fields, computed in Python as the
 * reference computes them, and are rounded to the array's type where numpy would (NEP 50 weak
 * scalars).
 *
 * Dtypes: the loops are written once in optim_kernels.inc, a template this header includes once
 * per element type (T = double, then float), the one dtype mechanism of fastgd's C code. Not
 * Cython fused types: gcc's target_clones (an SSE2 and an AVX2 build of each loop, the better one
 * picked at load time) is an attribute of C functions, which fused-type Cython functions cannot
 * carry.
 *
 * Adding a kernel: its coefficient struct and field list below, its loop in optim_kernels.inc,
 * its entry in fastgd_kernels[]. The Python layer finds it by name, fills the struct by field
 * name and checks the number of state arrays against n_states.
 */
#ifndef FASTGD_OPTIM_KERNELS_H
#define FASTGD_OPTIM_KERNELS_H

#include <math.h>
#include <stddef.h>

#include "parallel_for.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define FASTGD_SIMD __attribute__((target_clones("avx2", "default")))
#else
#define FASTGD_SIMD
#endif

#define FASTGD_EPS 1e-7
/* The most state arrays and coefficient bytes any kernel takes (the caller's buffers). */
#define FASTGD_MAX_STATES 4
#define FASTGD_MAX_COEFFICIENTS 16

/* One named double of a coefficient struct: its name and its byte offset. */
typedef struct {
    const char *name;
    size_t offset;
} fastgd_field;

#define FASTGD_FIELD(type, field) {#field, offsetof(type, field)}
#define FASTGD_FIELDS_END {NULL, 0}

/* ---- coefficient structs, one per kernel ---- */

typedef struct { double lr, weight_decay; } fastgd_sgd;
static const fastgd_field fastgd_sgd_fields[] = {
    FASTGD_FIELD(fastgd_sgd, lr), FASTGD_FIELD(fastgd_sgd, weight_decay), FASTGD_FIELDS_END};

typedef struct { double momentum, lr; } fastgd_momentum;
static const fastgd_field fastgd_momentum_fields[] = {
    FASTGD_FIELD(fastgd_momentum, momentum), FASTGD_FIELD(fastgd_momentum, lr), FASTGD_FIELDS_END};

typedef struct { double momentum_squared, one_plus_momentum_lr, momentum, lr; } fastgd_nesterov;
static const fastgd_field fastgd_nesterov_fields[] = {
    FASTGD_FIELD(fastgd_nesterov, momentum_squared), FASTGD_FIELD(fastgd_nesterov, one_plus_momentum_lr),
    FASTGD_FIELD(fastgd_nesterov, momentum), FASTGD_FIELD(fastgd_nesterov, lr), FASTGD_FIELDS_END};

typedef struct { double lr; } fastgd_adagrad;
static const fastgd_field fastgd_adagrad_fields[] = {FASTGD_FIELD(fastgd_adagrad, lr), FASTGD_FIELDS_END};

typedef struct { double decay_rate, one_minus_decay_rate, lr; } fastgd_rmsprop;
static const fastgd_field fastgd_rmsprop_fields[] = {
    FASTGD_FIELD(fastgd_rmsprop, decay_rate), FASTGD_FIELD(fastgd_rmsprop, one_minus_decay_rate),
    FASTGD_FIELD(fastgd_rmsprop, lr), FASTGD_FIELDS_END};

typedef struct { double one_minus_beta1, one_minus_beta2, lr_t; } fastgd_adam;
static const fastgd_field fastgd_adam_fields[] = {
    FASTGD_FIELD(fastgd_adam, one_minus_beta1), FASTGD_FIELD(fastgd_adam, one_minus_beta2),
    FASTGD_FIELD(fastgd_adam, lr_t), FASTGD_FIELDS_END};

/* AdamW: Adam's scalars and the decoupled decay factor 1 - lr * weight_decay. */
typedef struct { double one_minus_beta1, one_minus_beta2, lr_t, decay; } fastgd_adamw;
static const fastgd_field fastgd_adamw_fields[] = {
    FASTGD_FIELD(fastgd_adamw, one_minus_beta1), FASTGD_FIELD(fastgd_adamw, one_minus_beta2),
    FASTGD_FIELD(fastgd_adamw, lr_t), FASTGD_FIELD(fastgd_adamw, decay), FASTGD_FIELDS_END};

/* ---- the loops, once per element type ---- */

#define T double
#define SQRT sqrt
#define NAME(name) name##_f64
#include "optim_kernels.inc"
#undef T
#undef SQRT
#undef NAME

#define T float
#define SQRT sqrtf
#define NAME(name) name##_f32
#include "optim_kernels.inc"
#undef T
#undef SQRT
#undef NAME

/* ---- the registry ---- */

/* A kernel updates n contiguous elements: p from g, the states s[0 .. n_states-1] in place. */
typedef void (*fastgd_kernel_f64)(ptrdiff_t n, double *p, const double *g, double *const *s, const void *c);
typedef void (*fastgd_kernel_f32)(ptrdiff_t n, float *p, const float *g, float *const *s, const void *c);

typedef struct {
    const char *name;
    const fastgd_field *coefficients; /* the struct's fields, ended by FASTGD_FIELDS_END */
    size_t coefficients_size;         /* sizeof the struct: every field must be listed */
    int n_states;
    fastgd_kernel_f64 f64;
    fastgd_kernel_f32 f32;
} fastgd_kernel;

/* name: the kernel's loops name##_f64/_f32; coefficients: its struct fastgd_<coefficients>. */
#define FASTGD_KERNEL(name, coefficients, n_states) \
    {#name, fastgd_##coefficients##_fields, sizeof(fastgd_##coefficients), n_states, name##_f64, name##_f32}

static const fastgd_kernel fastgd_kernels[] = {
    FASTGD_KERNEL(sgd, sgd, 0),
    FASTGD_KERNEL(momentum, momentum, 1),
    FASTGD_KERNEL(nesterov, nesterov, 1),
    FASTGD_KERNEL(nesterov_korean, nesterov, 1),
    FASTGD_KERNEL(adagrad, adagrad, 1),
    FASTGD_KERNEL(rmsprop, rmsprop, 1),
    FASTGD_KERNEL(adam, adam, 2),
    FASTGD_KERNEL(adamw, adamw, 2),
    {NULL, NULL, 0, 0, NULL, NULL},
};

/* ---- running a kernel over an array, split over threads ---- */

enum fastgd_status { FASTGD_OK = 0, FASTGD_BAD_STATE_COUNT = 1, FASTGD_BAD_DTYPE = 2 };

/* One update: kernel k on n contiguous elements of dtype f64 (else f32), states s[0 .. n_states-1]. */
typedef struct {
    const fastgd_kernel *k;
    int f64;
    char *p;
    const char *g;
    char *s[FASTGD_MAX_STATES];
    int n_states;
    const void *c;
    size_t itemsize;
} fastgd_update_job;

static void fastgd_update_range(void *ctx, ptrdiff_t lo, ptrdiff_t hi)
{
    const fastgd_update_job *job = (const fastgd_update_job *)ctx;
    size_t off = (size_t)lo * job->itemsize;
    char *s[FASTGD_MAX_STATES];
    for (int i = 0; i < job->n_states; i++)
        s[i] = job->s[i] + off;
    if (job->f64)
        job->k->f64(hi - lo, (double *)(job->p + off), (const double *)(job->g + off), (double *const *)s, job->c);
    else
        job->k->f32(hi - lo, (float *)(job->p + off), (const float *)(job->g + off), (float *const *)s, job->c);
}

/* Apply kernel k to n contiguous, aligned elements of p (double if f64, else float) from g,
 * states s[0 .. n_states-1] (n_states must be the kernel's), coefficients c (k's struct), on up
 * to `threads` threads. Returns a fastgd_status. */
static int fastgd_update(const fastgd_kernel *k, int f64, ptrdiff_t n, void *p, const void *g,
                         void *const *s, int n_states, const void *c, int threads)
{
    fastgd_update_job job;
    if (n_states != k->n_states || n_states > FASTGD_MAX_STATES)
        return FASTGD_BAD_STATE_COUNT;
    job.k = k;
    job.f64 = f64;
    job.p = (char *)p;
    job.g = (const char *)g;
    for (int i = 0; i < n_states; i++)
        job.s[i] = (char *)s[i];
    job.n_states = n_states;
    job.c = c;
    job.itemsize = f64 ? sizeof(double) : sizeof(float);
    fastgd_parallel_for(n, fastgd_update_range, &job, threads);
    return FASTGD_OK;
}

static const char *fastgd_simd_level(void)
{
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? "avx2" : "sse2";
#else
    return "compiler default";
#endif
}

#endif
