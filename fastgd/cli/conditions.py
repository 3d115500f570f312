"""The conditions a timing was taken under, printed beside it: threads, BLAS, load, versions.

Times on a shared machine drift 2-3x with its load and with the threads numpy's BLAS may use; a
figure is only worth what its conditions say. Every command and script that prints a time prints
:func:`describe` with it.
"""
from __future__ import annotations

import os
import platform

import numpy as np

import fastgd


def blas_threads() -> str:
    """The BLAS library numpy uses and its thread count, as threadpoolctl sees them (``'unknown'`` without it)."""
    try:
        from threadpoolctl import threadpool_info  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        names = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
        variables = {name: os.environ[name] for name in names if name in os.environ}
        return f"unknown (no threadpoolctl; {variables or 'no thread variables set'})"
    blas = [pool for pool in threadpool_info() if pool.get("user_api") == "blas"]
    if not blas:
        return "none loaded"
    return ", ".join(f"{pool.get('internal_api', '?')} {pool.get('version') or ''} "
                     f"({pool.get('architecture', '?')}) {pool.get('num_threads')} threads".replace("  ", " ")
                     for pool in blas)


def describe() -> str:
    """One line: fastgd's threads, the BLAS threads, the load average, CPUs, fastgd/numpy/python versions."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    return (f"conditions: fastgd {fastgd.__version__} threads {fastgd.get_num_threads()}; BLAS {blas_threads()}; "
            f"load average {load} on {os.cpu_count()} CPUs; numpy {np.__version__}, "
            f"python {platform.python_version()}")
