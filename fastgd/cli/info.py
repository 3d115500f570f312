"""``python -m fastgd info``: what a bug report needs."""
from __future__ import annotations

import os
import platform
import sys

import numpy as np

import fastgd
from fastgd import _openmp
from fastgd.diff import _kernels as diff_kernels
from fastgd.nn import _kernels as nn_kernels
from fastgd.optim import _kernels as optim_kernels


def lines() -> list[str]:
    """The report, one line each."""
    openmp = (f"on, {fastgd.get_num_threads()} threads (OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')})"
              if _openmp.HAS_OPENMP else "off (built with FASTGD_OPENMP=0 or without an OpenMP compiler): 1 thread")
    return [
        f"fastgd {fastgd.__version__}",
        f"numpy {np.__version__}",
        f"python {platform.python_version()} ({platform.python_implementation()}) on "
        f"{platform.system()} {platform.machine()}",
        f"SIMD level picked at run time by the optimizer kernels: {optim_kernels.SIMD_LEVEL}",
        f"OpenMP: {openmp}",
        "compiled modules: " + ", ".join(m.__name__ for m in (_openmp, diff_kernels, optim_kernels, nn_kernels)),
        f"installed at {os.path.dirname(fastgd.__file__)}",
    ]


def main() -> None:
    """Print the report."""
    sys.stdout.write("\n".join(lines()) + "\n")
