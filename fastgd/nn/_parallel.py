"""Threads for the nets' gradients: ranges of one kernel job, taken in turn by the caller and a few Python threads.

Each array's parameters are one job (``fastgd.nn._kernels.HiddenJob`` and friends) whose
``run(q0, q1)`` evaluates a range of them without the GIL. :func:`run` splits a job into
small ranges that the calling thread and ``threads - 1`` pool threads take one at a time.
Why not an OpenMP team: beside a busy process on this 2-core machine, libgomp's spinning
waits at the end of each parallel loop and between loops made a 2-thread gradient 1.8-2.8×
slower than one thread (``OMP_WAIT_POLICY=passive`` turned it into 0.8×), and the wait
policy is fixed when the OpenMP runtime loads. Threads that wait here sleep, and a thread the
OS preempts holds back one small range only.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

#: Ranges per thread: small enough to balance a preempted thread's share (and to let Ctrl-C in between
#: ranges), large enough (thousands of parameters on the nets that use threads) that taking one costs
#: nothing measurable. No range is smaller than MIN_RANGE parameters.
RANGES_PER_THREAD: int = 16
MIN_RANGE: int = 64

_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


class Job(Protocol):
    """A kernel job: ``n`` parameters, ``run(q0, q1)`` evaluates a range of them."""

    @property
    def n(self) -> int: ...

    def run(self, q0: int, q1: int, /) -> None: ...


def _pool(workers: int) -> ThreadPoolExecutor:
    with _pools_lock:
        pool = _pools.get(workers)
        if pool is None:
            pool = _pools[workers] = ThreadPoolExecutor(workers, thread_name_prefix="fastgd-nn")
        return pool


def _forget_pools() -> None:
    """In a forked child the pools' threads do not exist: start afresh."""
    _pools.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pools)


def run(job: Job, threads: int) -> None:
    """Evaluate all of ``job``'s parameters on ``threads`` threads (the caller's included).

    On one thread too the job runs range by range, so that Ctrl-C interrupts it between two ranges.

    Examples
    --------
    >>> from fastgd.nn._parallel import run
    >>> class Squares:
    ...     n = 10
    ...     def __init__(self):
    ...         self.out = [0] * self.n
    ...     def run(self, q0, q1):
    ...         self.out[q0:q1] = [q * q for q in range(q0, q1)]
    >>> job = Squares()
    >>> run(job, 2)
    >>> job.out
    [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]
    """
    n = job.n
    size = max(MIN_RANGE, n // (RANGES_PER_THREAD * max(threads, 1)))
    starts = iter(range(0, n, size))
    lock = threading.Lock()
    stop = threading.Event()  # the caller was interrupted: the pool threads take no more ranges

    def take_ranges() -> None:
        while not stop.is_set():
            with lock:
                q0 = next(starts, None)
            if q0 is None:
                return
            job.run(q0, min(n, q0 + size))

    futures = [_pool(threads - 1).submit(take_ranges) for _ in range(threads - 1)] if n > size else []
    try:
        take_ranges()
    except BaseException:
        stop.set()
        raise
    finally:
        for future in futures:
            future.result()  # every range written (or its error raised) before the caller reads the output
