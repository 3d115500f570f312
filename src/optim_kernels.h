/* Fused optimizer kernels: one pass per element over param, grad and state.
 *
 * Each kernel performs the reference's IEEE operations in the reference's order
 * (fastgd.reference.optimizer); build with -ffp-contract=off and without fast-math so
 * that holds. Scalars arrive as doubles, computed in Python as the reference computes
 * them, and are rounded to the array's type where numpy would (NEP 50 weak scalars).
 *
 * The loops are compiled twice, for SSE2 and AVX2, and the better one is picked at
 * load time (gcc target_clones). Large arrays are split over OpenMP threads in
 * chunks that keep cache lines whole.
 */
#ifndef FASTGD_UPDATE_KERNELS_H
#define FASTGD_UPDATE_KERNELS_H

#include <math.h>
#include <stddef.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define FASTGD_SIMD __attribute__((target_clones("avx2", "default")))
#else
#define FASTGD_SIMD
#endif

enum fastgd_kind {
    FASTGD_SGD,
    FASTGD_SGD_WD,
    FASTGD_MOMENTUM,
    FASTGD_NESTEROV,
    FASTGD_ADAGRAD,
    FASTGD_RMSPROP,
    FASTGD_ADAM,
    FASTGD_ADAMW,
};

/* Arrays shorter than this run on one thread: a parallel region costs microseconds. */
#define FASTGD_PARALLEL_MIN 32768
/* Thread chunks are multiples of this many elements (whole 64-byte cache lines). */
#define FASTGD_CHUNK 16
#define FASTGD_EPS 1e-7

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
