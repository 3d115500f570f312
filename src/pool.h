/* fastgd's one thread engine, for any extension: split a loop over the caller and the process's
 * pool of helper threads, which sleep while idle and never hold up the caller on a busy machine
 * (src/parallel_for.h has how; docs/architecture-threads.md has why and the measurements).
 *
 * Use, from a Cython extension (src/pool.pxd declares this file):
 *
 *     from pool cimport fastgd_parallel_for, fastgd_pool_import
 *     fastgd_pool_import()          # once, at module import: imports fastgd._pool's capsule
 *     ...
 *     with nogil:
 *         status = fastgd_parallel_for(n, chunk, my_range, &my_context, threads, &done)
 *
 * and the extension's setup.py entry lists "pool.h" and "pool.pxd" among its headers. The pool
 * itself lives in fastgd._pool (src/pool.pyx): one per process, whichever extension calls it.
 */
#ifndef FASTGD_POOL_H
#define FASTGD_POOL_H

#include <Python.h>
#if defined(_WIN32)
#include <windows.h>
#else
#include <time.h>
#endif

/* A monotonic clock, in nanoseconds: what callers of the pool time their chunks and deadlines by. */
static inline double fastgd_now_ns(void)
{
#if defined(_WIN32)
    LARGE_INTEGER count, frequency;
    QueryPerformanceCounter(&count);
    QueryPerformanceFrequency(&frequency);
    return (double)count.QuadPart * 1e9 / (double)frequency.QuadPart;
#else
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
#endif
}

/* fn(ctx, lo, hi, worker): do elements [lo, hi) on `worker` (0: the calling thread; 1 to
 * threads - 1: helpers, each its own number during one call, so per-worker scratch can be indexed
 * by it). Called without the GIL, from several threads at once on disjoint ranges. Return 0 to
 * go on; any other value stops the job: no chunk is handed out after it (chunks already running
 * finish), and fastgd_parallel_for returns the first such value. */
typedef int (*fastgd_range_fn)(void *ctx, Py_ssize_t lo, Py_ssize_t hi, int worker);

typedef struct {
    int (*parallel_for)(Py_ssize_t n, Py_ssize_t chunk, fastgd_range_fn fn, void *ctx, int threads,
                        Py_ssize_t *done);
} fastgd_pool_api;

#define FASTGD_POOL_CAPSULE "fastgd._pool.API"

static const fastgd_pool_api *fastgd_pool_capi = NULL;

/* Import the pool's capsule (holding the GIL; once per extension, at its import): 0, or -1 with
 * an exception set. (Not PyCapsule_Import: it reaches fastgd._pool as an attribute of the package,
 * which is not set yet while fastgd's own __init__ imports the extension that asks.) */
static inline int fastgd_pool_import(void)
{
    PyObject *module, *capsule;
    if (fastgd_pool_capi != NULL)
        return 0;
    module = PyImport_ImportModule("fastgd._pool");
    if (module == NULL)
        return -1;
    capsule = PyObject_GetAttrString(module, "API");
    Py_DECREF(module);
    if (capsule == NULL)
        return -1;
    fastgd_pool_capi = (const fastgd_pool_api *)PyCapsule_GetPointer(capsule, FASTGD_POOL_CAPSULE);
    Py_DECREF(capsule); /* the module keeps the capsule, and the capsule's pointer is static */
    return fastgd_pool_capi != NULL ? 0 : -1;
}

/* fn over [0, n) in chunks of `chunk` elements (the last one shorter), claimed in order by the
 * calling thread and up to threads - 1 helpers. The caller runs the first chunk alone and timed;
 * helpers are woken only if the rest is worth it (about 0.1 ms of work) and the machine has had
 * a free core lately, so choose chunks of at least a few microseconds of work each. threads <= 1
 * runs every chunk on the caller, in order. Returns 0, or the first nonzero value fn returned;
 * *done (if not NULL) is then the end of the prefix [0, done) whose chunks fn was called for: every
 * one of them, and none after. Safe to call from several threads at once (a second caller, or a
 * nested call, runs its chunks alone while the helpers are busy). Only after fastgd_pool_import
 * succeeded (an extension whose import fails on it is never called). */
static inline int fastgd_parallel_for(Py_ssize_t n, Py_ssize_t chunk, fastgd_range_fn fn, void *ctx, int threads,
                                      Py_ssize_t *done)
{
    return fastgd_pool_capi->parallel_for(n, chunk, fn, ctx, threads, done);
}

#endif
