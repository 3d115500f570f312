/* The thread pool behind fastgd_parallel_for (src/pool.h): one per process, in the extension
 * fastgd._pool (src/pool.pyx), the only file that includes this one. Other extensions reach it
 * through the capsule that pool.h imports.
 *
 * Why not an OpenMP team: libgomp's threads spin-wait (about 3 ms per region unless
 * OMP_WAIT_POLICY/GOMP_SPINCOUNT were set before the runtime started, and other libraries in the
 * process share that runtime and its settings), and a parallel region ends only when every thread
 * of the team has arrived. With one core busy (another process, or numpy's BLAS threads in the
 * same training step) the caller then waits milliseconds for a thread that cannot run: a 784x50
 * update took 1-8 ms instead of 20-90 us (docs/architecture-threads.md has the measurements). Here:
 *  - helpers sleep on a condition variable (no spinning) and are woken per job;
 *  - the caller's chunks are claimed one at a time; the caller claims chunks itself from the
 *    start, and helpers claim what is left when (if) they get a core;
 *  - the caller waits only for chunks a helper has already claimed: a helper that never got a
 *    core costs the caller one wake-up call, so on a busy machine this degrades to one thread;
 *  - helpers are woken only when the work left after the caller's first chunk (timed) pays for
 *    it, and not for a while (1, 2, 4 ... jobs) after one came too late or lost its core in the
 *    middle of a chunk: on a busy machine the caller soon stops waking them at all.
 * Helpers start on first use and stay; a forked child starts afresh.
 */
#ifndef FASTGD_PARALLEL_FOR_H
#define FASTGD_PARALLEL_FOR_H

#include <Python.h>
#include <stddef.h>
#include <stdint.h>

#include "pool.h"

/* Helpers are woken only when the work left after the caller's first chunk, estimated from that
 * chunk's time, is at least this long: a wake-up takes 5-50 us on a Linux VM, and a helper that
 * never gets a core costs the caller one wake-up call (about 2 us). Measured on the 2-vCPU machine
 * (docs/architecture-threads.md): a second thread paid from about 100-150 us of work (Adam from
 * 2^17 float64 elements, SGD, bandwidth-bound, from about 2^19), and cost up to 1.3-2x below that. */
#ifndef FASTGD_HELPER_WORTH_NS /* -DFASTGD_HELPER_WORTH_NS=... to measure another */
#define FASTGD_HELPER_WORTH_NS 100000.0
#endif
/* A job whose helpers came late (none had joined before the caller was half-way through) or
 * stalled (the caller waited for a helper more than this many of its own mean chunk times: a
 * helper lost its core mid-chunk) means no core is free: the caller runs the next 1, 2, 4 ...
 * FASTGD_BACKOFF_MAX jobs alone; each job whose helper came in time halves the back-off. */
#define FASTGD_STALL_CHUNKS 2.0
#define FASTGD_BACKOFF_MAX 1024
/* More helpers than any machine has cores is a caller's error: never start more. */
#define FASTGD_MAX_HELPERS 1023

#if defined(_WIN32)
#include <windows.h>
#include <process.h>
typedef SRWLOCK fastgd_mutex;
typedef CONDITION_VARIABLE fastgd_cond;
#define FASTGD_MUTEX_INIT SRWLOCK_INIT
#define FASTGD_COND_INIT CONDITION_VARIABLE_INIT
#define fastgd_lock(m) AcquireSRWLockExclusive(m)
#define fastgd_unlock(m) ReleaseSRWLockExclusive(m)
#define fastgd_wait(c, m) SleepConditionVariableSRW((c), (m), INFINITE, 0)
#define fastgd_signal(c) WakeConditionVariable(c)
#define fastgd_broadcast(c) WakeAllConditionVariable(c)
#else
#include <pthread.h>
typedef pthread_mutex_t fastgd_mutex;
typedef pthread_cond_t fastgd_cond;
#define FASTGD_MUTEX_INIT PTHREAD_MUTEX_INITIALIZER
#define FASTGD_COND_INIT PTHREAD_COND_INITIALIZER
#define fastgd_lock(m) pthread_mutex_lock(m)
#define fastgd_unlock(m) pthread_mutex_unlock(m)
#define fastgd_wait(c, m) pthread_cond_wait((c), (m))
#define fastgd_signal(c) pthread_cond_signal(c)
#define fastgd_broadcast(c) pthread_cond_broadcast(c)
#endif

typedef struct {
    fastgd_range_fn fn;
    void *ctx;
    Py_ssize_t n, chunk;
    Py_ssize_t next;      /* first element not yet claimed */
    Py_ssize_t joined_at; /* `next` when the first helper joined; -1 while none has */
    unsigned long number; /* which job this is: a helper joins each job once */
    int seats;            /* helpers that may still join */
    int joined;           /* helpers that joined: the next one is worker joined + 1 */
    int working;          /* helpers that joined and have not finished */
    int status;           /* the first nonzero value fn returned; 0 while none has */
} fastgd_job;

/* The pool. Every field is guarded by `lock`. */
static struct {
    fastgd_mutex lock;
    fastgd_cond work; /* helpers wait here for a job */
    fastgd_cond done; /* the caller waits here for helpers still on its job */
    fastgd_job *job;  /* the job open to helpers, NULL when none is */
    unsigned long jobs;
    int helpers;
    int fork_handler; /* pthread_atfork registered */
    int backoff;      /* jobs to run alone after the next stall (0: no stall lately) */
    int alone;        /* jobs still to run alone */
} fastgd_pool = {FASTGD_MUTEX_INIT, FASTGD_COND_INIT, FASTGD_COND_INIT, NULL, 0, 0, 0, 0, 0};

/* Claim the next chunk of `job`: its bounds in *lo, *hi; 0 when none is left or the job stopped.
 * The lock is held, unless no helper can see the job. */
static int fastgd_claim(fastgd_job *job, Py_ssize_t *lo, Py_ssize_t *hi)
{
    if (job->status != 0 || job->next >= job->n)
        return 0;
    *lo = job->next;
    *hi = job->n - *lo > job->chunk ? *lo + job->chunk : job->n;
    job->next = *hi;
    return 1;
}

/* Run one claimed chunk on `worker`; a nonzero return stops the job (the first one is kept). */
static void fastgd_run_chunk(fastgd_job *job, Py_ssize_t lo, Py_ssize_t hi, int worker, int locked)
{
    int status;
    if (locked)
        fastgd_unlock(&fastgd_pool.lock);
    status = job->fn(job->ctx, lo, hi, worker);
    if (locked)
        fastgd_lock(&fastgd_pool.lock);
    if (status != 0 && job->status == 0)
        job->status = status;
}

/* Run chunks of `job` on `worker` until none is left; the lock is held on entry and on return.
 * Returns the number of chunks run. */
static int fastgd_work(fastgd_job *job, int worker)
{
    Py_ssize_t lo, hi;
    int done = 0;
    while (fastgd_claim(job, &lo, &hi)) {
        fastgd_run_chunk(job, lo, hi, worker, 1);
        done++;
    }
    return done;
}

#if defined(_WIN32)
static unsigned __stdcall fastgd_helper(void *arg)
#else
static void *fastgd_helper(void *arg)
#endif
{
    unsigned long last = 0; /* the last job joined (job numbers start at 1) */
    (void)arg;
    fastgd_lock(&fastgd_pool.lock);
    for (;;) {
        fastgd_job *job = fastgd_pool.job;
        if (job == NULL || job->number == last || job->seats == 0) {
            fastgd_wait(&fastgd_pool.work, &fastgd_pool.lock);
            continue;
        }
        last = job->number;
        job->seats--;
        job->working++;
        if (job->joined_at < 0)
            job->joined_at = job->next;
        fastgd_work(job, ++job->joined);
        if (--job->working == 0 && fastgd_pool.job != job)
            fastgd_broadcast(&fastgd_pool.done); /* its caller waits; so may another's */
    }
#if defined(_WIN32)
    return 0; /* not reached */
#else
    return NULL; /* not reached */
#endif
}

#if !defined(_WIN32)
/* A forked child has the parent's pool state but none of its threads: start afresh. */
static void fastgd_pool_after_fork(void)
{
    pthread_mutex_init(&fastgd_pool.lock, NULL);
    pthread_cond_init(&fastgd_pool.work, NULL);
    pthread_cond_init(&fastgd_pool.done, NULL);
    fastgd_pool.job = NULL;
    fastgd_pool.helpers = 0;
    fastgd_pool.backoff = fastgd_pool.alone = 0;
}
#endif

/* Start helpers until there are `wanted` (lock held); stop quietly if the system refuses. */
static void fastgd_start_helpers(int wanted)
{
    while (fastgd_pool.helpers < wanted) {
#if defined(_WIN32)
        uintptr_t handle = _beginthreadex(NULL, 0, fastgd_helper, NULL, 0, NULL);
        if (handle == 0)
            return;
        CloseHandle((HANDLE)handle);
#else
        pthread_t thread;
        pthread_attr_t attr;
        int failed;
        if (!fastgd_pool.fork_handler)
            fastgd_pool.fork_handler = pthread_atfork(NULL, NULL, fastgd_pool_after_fork) == 0;
        if (pthread_attr_init(&attr) != 0)
            return;
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        failed = pthread_create(&thread, &attr, fastgd_helper, NULL);
        pthread_attr_destroy(&attr);
        if (failed)
            return;
#endif
        fastgd_pool.helpers++;
    }
}

/* The caller's chunks from job->next on, alone (no helper can see the job). */
static void fastgd_run_alone(fastgd_job *job)
{
    Py_ssize_t lo, hi;
    while (fastgd_claim(job, &lo, &hi))
        fastgd_run_chunk(job, lo, hi, 0, 0);
}

/* See fastgd_parallel_for in pool.h. */
static int fastgd_pool_parallel_for(Py_ssize_t n, Py_ssize_t chunk, fastgd_range_fn fn, void *ctx, int threads,
                                    Py_ssize_t *done)
{
    fastgd_job job;
    Py_ssize_t chunks, lo = 0, hi = 0;
    double start, first, waiting;
    int mine;
    job.fn = fn;
    job.ctx = ctx;
    job.n = n > 0 ? n : 0;
    job.chunk = chunk > 0 ? chunk : 1;
    job.next = 0;
    job.status = 0;
    job.working = job.joined = 0;
    job.joined_at = -1;
    chunks = (job.n - 1) / job.chunk + 1;
    if (threads <= 1 || chunks <= 1) {
        fastgd_run_alone(&job);
        goto finished;
    }
    job.seats = threads - 1 < FASTGD_MAX_HELPERS ? threads - 1 : FASTGD_MAX_HELPERS;
    if (job.seats > chunks - 1)
        job.seats = (int)(chunks - 1);

    start = fastgd_now_ns(); /* the first chunk, timed: is the rest worth a helper? */
    fastgd_claim(&job, &lo, &hi);
    fastgd_run_chunk(&job, lo, hi, 0, 0);
    first = fastgd_now_ns() - start;
    if (job.status != 0 || first * (double)(chunks - 1) < FASTGD_HELPER_WORTH_NS) {
        fastgd_run_alone(&job);
        goto finished;
    }

    fastgd_lock(&fastgd_pool.lock);
    if (fastgd_pool.job != NULL || fastgd_pool.alone > 0) { /* helpers busy elsewhere, or backing off */
        if (fastgd_pool.alone > 0)
            fastgd_pool.alone--;
        fastgd_unlock(&fastgd_pool.lock);
        fastgd_run_alone(&job);
        goto finished;
    }
    fastgd_start_helpers(job.seats);
    job.number = ++fastgd_pool.jobs;
    fastgd_pool.job = &job;
    if (job.seats == 1)
        fastgd_signal(&fastgd_pool.work);
    else
        fastgd_broadcast(&fastgd_pool.work);
    start = fastgd_now_ns();
    mine = 1 + fastgd_work(&job, 0);
    fastgd_pool.job = NULL; /* closed: a helper waking up now finds nothing */
    waiting = fastgd_now_ns();
    while (job.working > 0)
        fastgd_wait(&fastgd_pool.done, &fastgd_pool.lock);
    /* The caller's mean chunk time: (first chunk + the rest) / chunks it ran. */
    if (job.joined_at < 0 || job.joined_at > job.n / 2
            || fastgd_now_ns() - waiting > FASTGD_STALL_CHUNKS * (first + waiting - start) / mine) {
        fastgd_pool.backoff = fastgd_pool.backoff ? 2 * fastgd_pool.backoff : 1;
        if (fastgd_pool.backoff > FASTGD_BACKOFF_MAX)
            fastgd_pool.backoff = FASTGD_BACKOFF_MAX;
        fastgd_pool.alone = fastgd_pool.backoff;
    } else {
        fastgd_pool.backoff /= 2;
    }
    fastgd_unlock(&fastgd_pool.lock);
finished:
    if (done != NULL)
        *done = job.next;
    return job.status;
}

/* How many helper threads the pool has started (for tests). */
static int fastgd_pool_helpers(void)
{
    int helpers;
    fastgd_lock(&fastgd_pool.lock);
    helpers = fastgd_pool.helpers;
    fastgd_unlock(&fastgd_pool.lock);
    return helpers;
}

#endif
