"""One thread setting for every compiled kernel: the optimizers, :mod:`fastgd.nn` and C-level objectives.

Until :func:`set_num_threads` is called, the count follows the OpenMP runtime
(``OMP_NUM_THREADS``, or ``threadpoolctl.threadpool_limits`` around a block of code); after it,
the count set. Kernels never read this module: the Python layer passes them the count. The
optimizers use it as an upper bound: their helper threads (``src/parallel_for.h``) sleep until an
array has enough work to pay for waking them, and never hold up the caller on a busy machine.
"""
from __future__ import annotations

import os

from fastgd import _openmp
from fastgd._validate import count

HAS_OPENMP: bool = _openmp.HAS_OPENMP
#: The most threads any kernel starts: the CPUs this process may run on. More threads than cores
#: never speed up compute-bound kernels, and tens of thousands crash the OpenMP runtime.
MAX_THREADS: int = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
_chosen: int | None = None  # set_num_threads' value; None follows the OpenMP runtime


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
    n = count(value, name)
    if n < 1:
        raise ValueError(f"{name} must be >= 1, got {n}")
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
