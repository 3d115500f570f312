"""One thread setting for every compiled kernel: the optimizers, :mod:`fastgd.nn` and C-level objectives.

Until :func:`set_num_threads` is called, the count follows the OpenMP runtime
(``OMP_NUM_THREADS``, or ``threadpoolctl.threadpool_limits`` around a block of code); after it,
the count set. Kernels never read this module: the Python layer passes them the count.
"""
from __future__ import annotations

from fastgd import _openmp

HAS_OPENMP: bool = _openmp.HAS_OPENMP
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
    return _chosen if _chosen is not None else max(1, _openmp.max_threads())


def set_num_threads(n: int) -> None:
    """Use up to ``n`` threads in the compiled kernels (1 without OpenMP).

    Used by the fused optimizer updates and by :mod:`fastgd.nn`'s gradients.

    Parameters
    ----------
    n : int
        Number of threads, >= 1.

    Raises
    ------
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
    if n < 1:
        raise ValueError(f"threads must be >= 1, got {n}")
    _chosen = n if HAS_OPENMP else 1
