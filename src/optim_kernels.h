/* Fused optimizer kernels and their registry: one pass per element over param, grad and states.
 *
 * The kernels are written once, in optim_kernels.inc (one block per optimizer), which this header
 * reads in passes: the settings structs and per-update `prepare` functions; the loops, once per
 * element type (T = double, float, long double: the one dtype mechanism of fastgd's C code); the
 * registry. Not Cython fused types: gcc's target_clones (an SSE2 and an AVX2 build of each loop,
 * the better one picked at load time) is an attribute of C functions, which fused-type Cython
 * functions cannot carry. Build with -ffp-contract=off and without fast-math, so that each loop
 * performs the textbook's IEEE operations in the textbook's order.
 *
 * The Python layer (src/optim.pyx) finds a kernel by name, stores an optimizer's settings in its
 * struct by the names of `settings`, and runs `prepare` once per update, then the loop per array.
 */
#ifndef FASTGD_OPTIM_KERNELS_H
#define FASTGD_OPTIM_KERNELS_H

#include <Python.h>
#include <math.h>
#include <stddef.h>

#include "pool.h"

#define FASTGD_EPS 1e-7
/* The most state arrays, and doubles in a settings struct, any kernel has (the caller's buffers). */
#define FASTGD_MAX_STATES 4
#define FASTGD_MAX_FIELDS 16

/* Element types, as the Python layer names them. */
enum fastgd_type { FASTGD_F64 = 0, FASTGD_F32 = 1, FASTGD_LONGDOUBLE = 2 };

/* ---- pass 1: settings structs and prepare functions ---- */

#define FASTGD_DOUBLE(name) double name;
#define FASTGD_REGISTER(name, states, prepare)
#define FASTGD_DECLARE
#include "optim_kernels.inc"
#undef FASTGD_DECLARE

/* ---- pass 2: the loops, once per element type ---- */

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define FASTGD_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define FASTGD_SIMD_CLONES
#endif

#define FASTGD_LOOPS
#define T double
#define SQRT sqrt
#define NAME(name) name##_f64
#define WIDE double
#define SIMD FASTGD_SIMD_CLONES
#include "optim_kernels.inc"
#undef T
#undef SQRT
#undef NAME
#undef WIDE

#define T float
#define SQRT sqrtf
#define NAME(name) name##_f32
#define WIDE double
#include "optim_kernels.inc"
#undef T
#undef SQRT
#undef NAME
#undef WIDE
#undef SIMD

/* long double: numpy's longdouble, x87 80-bit on x86-64 Linux, double elsewhere (MSVC). */
#define T long double
#define SQRT sqrtl
#define NAME(name) name##_ld
#define WIDE long double
#define SIMD
#include "optim_kernels.inc"
#undef T
#undef SQRT
#undef NAME
#undef WIDE
#undef SIMD
#undef FASTGD_LOOPS

/* ---- pass 3: the registry ---- */

typedef void (*fastgd_loop_f64)(Py_ssize_t n, double *p, const double *g, double *const *s, const void *c);
typedef void (*fastgd_loop_f32)(Py_ssize_t n, float *p, const float *g, float *const *s, const void *c);
typedef void (*fastgd_loop_ld)(Py_ssize_t n, long double *p, const long double *g, long double *const *s,
                               const void *c);

typedef struct {
    const char *name;
    const char *settings; /* the settings' names, each followed by a space: the struct's first fields */
    size_t size;          /* sizeof the struct: the settings, then what prepare computes (all doubles) */
    int n_states;
    void (*prepare)(void *c); /* once per update, before the loops (NULL: nothing to do) */
    fastgd_loop_f64 f64;
    fastgd_loop_f32 f32;
    fastgd_loop_ld ld;
} fastgd_kernel;

#define FASTGD_NAME(name) #name " "
#undef FASTGD_REGISTER
#define FASTGD_REGISTER(name, states, prepare) \
    {#name, fastgd_##name##_settings(FASTGD_NAME), sizeof(fastgd_##name), states, prepare, \
     name##_f64, name##_f32, name##_ld},

static const fastgd_kernel fastgd_kernels[] = {
#include "optim_kernels.inc"
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};
#undef FASTGD_REGISTER

/* ---- running a kernel over an array, split over the pool's threads ---- */

/* Arrays of fewer elements are updated on the calling thread alone, without asking for threads. */
#ifndef FASTGD_PARALLEL_MIN /* -DFASTGD_PARALLEL_MIN=... to measure another */
#define FASTGD_PARALLEL_MIN 32768
#endif
/* Chunks hold at least this many elements (a multiple of 16: whole 64-byte cache lines) ... */
#define FASTGD_CHUNK_MIN 16384
/* ... and an update has about this many, so claiming stays cheap and the last chunk short. */
#define FASTGD_CHUNKS_PER_UPDATE 64

/* One update: kernel k on n contiguous elements of type `type`, states s[0 .. k->n_states - 1]. */
typedef struct {
    const fastgd_kernel *k;
    int type;
    char *p;
    const char *g;
    char *s[FASTGD_MAX_STATES];
    const void *c;
    size_t itemsize;
} fastgd_update_job;

static int fastgd_update_range(void *ctx, Py_ssize_t lo, Py_ssize_t hi, int worker)
{
    const fastgd_update_job *job = (const fastgd_update_job *)ctx;
    size_t off = (size_t)lo * job->itemsize;
    char *s[FASTGD_MAX_STATES];
    (void)worker;
    for (int i = 0; i < job->k->n_states; i++)
        s[i] = job->s[i] + off;
    if (job->type == FASTGD_F64)
        job->k->f64(hi - lo, (double *)(job->p + off), (const double *)(job->g + off), (double *const *)s, job->c);
    else if (job->type == FASTGD_F32)
        job->k->f32(hi - lo, (float *)(job->p + off), (const float *)(job->g + off), (float *const *)s, job->c);
    else
        job->k->ld(hi - lo, (long double *)(job->p + off), (const long double *)(job->g + off),
                   (long double *const *)s, job->c);
    return 0;
}

/* Apply kernel k to n contiguous, aligned elements of p (of `type`) from g, states s[0 ..
 * k->n_states - 1], its struct c (already prepared), on up to `threads` threads for arrays of
 * FASTGD_PARALLEL_MIN elements or more. */
static void fastgd_update(const fastgd_kernel *k, int type, Py_ssize_t n, void *p, const void *g, void *const *s,
                          const void *c, int threads)
{
    fastgd_update_job job;
    Py_ssize_t chunk;
    job.k = k;
    job.type = type;
    job.p = (char *)p;
    job.g = (const char *)g;
    for (int i = 0; i < k->n_states; i++)
        job.s[i] = (char *)s[i];
    job.c = c;
    job.itemsize = type == FASTGD_F64 ? sizeof(double) : type == FASTGD_F32 ? sizeof(float) : sizeof(long double);
    if (threads <= 1 || n < FASTGD_PARALLEL_MIN) {
        fastgd_update_range(&job, 0, n, 0);
        return;
    }
    chunk = (n / FASTGD_CHUNKS_PER_UPDATE + 15) / 16 * 16;
    fastgd_parallel_for(n, chunk > FASTGD_CHUNK_MIN ? chunk : FASTGD_CHUNK_MIN, fastgd_update_range, &job, threads,
                        NULL);
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
