"""One thread setting for every compiled kernel: the optimizers, :mod:`fastgd.nn` and C-level objectives.

Until :func:`set_num_threads` is called, the count follows the OpenMP runtime
(``OMP_NUM_THREADS``, or ``threadpoolctl.threadpool_limits`` around a block of code); after it,
the count set. Kernels never read this module: the Python layer passes them the count, an upper
bound for fastgd's thread engine (``fastgd._pool``, ``src/pool.h``), whose helper threads sleep
until a job has enough work to pay for waking them and never hold up the caller on a busy machine.
:func:`team_size` lowers the bound while other processes keep the CPUs busy.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable

from fastgd import _openmp
from fastgd._validate import count

HAS_OPENMP: bool = _openmp.HAS_OPENMP
#: The most threads any kernel starts: the CPUs this process may run on. More threads than cores
#: never speed up compute-bound kernels, and tens of thousands crash the OpenMP runtime.
MAX_THREADS: int = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
_chosen: int | None = None  # set_num_threads' value; None follows the OpenMP runtime
#: :func:`team_size` reads the machine's load at most this often (seconds).
LOAD_INTERVAL: float = 0.1


def get_num_threads() -> int:
    """Threads the compiled kernels use (the optimizers for large arrays, the nets' gradients).

    Returns
    -------
    int
        At least 1; always 1 in a build without OpenMP. Until :func:`set_num_threads` is called,
        OpenMP's own count: ``OMP_NUM_THREADS``, else every core.

    Examples
    --------
    >>> import fastgd
    >>> fastgd.get_num_threads() >= 1
    True
    """
    return _chosen if _chosen is not None else thread_count(_openmp.max_threads(), "OMP_NUM_THREADS")


def thread_count(value: object, name: str = "threads") -> int:
    """``value`` checked as a thread count: an int >= 1, capped at :data:`MAX_THREADS` (1 without OpenMP).

    Raises
    ------
    TypeError
        ``value`` is not an integer (a bool, a float, a string).
    ValueError
        ``value`` is less than 1.
    """
    n = count(value, name, 1)
    return min(n, MAX_THREADS) if HAS_OPENMP else 1


def set_num_threads(n: int) -> None:
    """Use up to ``n`` threads in the compiled kernels (1 without OpenMP).

    Used by the fused optimizer updates and by :mod:`fastgd.nn`'s gradients.

    Parameters
    ----------
    n : int
        Number of threads, >= 1; capped at :data:`MAX_THREADS` (the CPUs this process may run on).

    Raises
    ------
    TypeError
        ``n`` is not an integer.
    ValueError
        ``n`` is less than 1.

    Examples
    --------
    >>> import fastgd
    >>> before = fastgd.get_num_threads()
    >>> fastgd.set_num_threads(1)
    >>> fastgd.get_num_threads()
    1
    >>> fastgd.set_num_threads(before)
    >>> fastgd.get_num_threads() == before
    True
    """
    global _chosen
    _chosen = thread_count(n, "threads")


def _cpu_seconds() -> tuple[float, float] | None:
    """``(idle seconds of this process's CPUs, this process's CPU seconds)`` so far; None if unknown.

    Linux: the idle and iowait times of ``/proc/stat`` for the CPUs in this process's affinity mask.
    """
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            lines = stat.read().splitlines()
        cpus = {f"cpu{cpu}" for cpu in os.sched_getaffinity(0)}
        ticks = sum(int(fields[4]) + int(fields[5]) for fields in map(str.split, lines) if fields[0] in cpus)
        return ticks / os.sysconf("SC_CLK_TCK"), time.process_time()
    except (OSError, AttributeError, ValueError, IndexError):
        return None


_sample: tuple[float, tuple[float, float]] | None = None  # (monotonic time, _cpu_seconds()) of the last reading
_spare: float | None = None  # CPUs this process had to itself over the last interval (idle or its own)


def team_size(threads: int | None = None, cpu_seconds: Callable[[], tuple[float, float] | None] = _cpu_seconds) -> int:
    """Threads worth starting for a parallel region now: ``threads`` capped at the CPUs other processes leave free.

    A team of threads that waits at a barrier for a thread without a core is slower than one thread:
    with another process busy on one of two cores, a team of two took 5-7x longer. The CPUs this
    process had to itself over the last :data:`LOAD_INTERVAL` seconds or so (idle, or running this
    process) bound the team: a busy neighbour makes it smaller, a quiet machine leaves ``threads``.
    Linux reads ``/proc/stat``; elsewhere the answer is ``threads``.

    Parameters
    ----------
    threads : int, optional
        The most threads wanted; default :func:`get_num_threads`.
    cpu_seconds : callable, optional
        The load reading (for tests).

    Returns
    -------
    int
        Between 1 and ``threads``.

    Examples
    --------
    >>> from fastgd import _threads
    >>> 1 <= _threads.team_size() <= _threads.get_num_threads()
    True
    """
    global _sample, _spare
    threads = get_num_threads() if threads is None else threads
    if threads <= 1:
        return threads
    now = time.monotonic()
    if _sample is None or now - _sample[0] >= LOAD_INTERVAL:
        reading = cpu_seconds()
        if reading is None:
            return threads
        if _sample is not None:
            elapsed = now - _sample[0]
            _spare = (reading[0] - _sample[1][0] + reading[1] - _sample[1][1]) / elapsed
        _sample = (now, reading)
    if _spare is None:
        return threads
    return max(1, min(threads, int(_spare + 0.5)))
