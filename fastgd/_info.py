"""``python -m fastgd info``: what a bug report needs."""
from __future__ import annotations

import os
import platform
import sys
from typing import cast

import numpy as np

import fastgd
from fastgd import _nn, _numgrad, _update


def lines() -> list[str]:
    """The report, one line each."""
    openmp = (f"on, {fastgd.get_num_threads()} threads (OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')})"
              if _update.HAS_OPENMP else "off (built with FASTGD_OPENMP=0 or without an OpenMP compiler): 1 thread")
    return [
        f"fastgd {fastgd.__version__}",
        f"numpy {np.__version__}",
        f"python {platform.python_version()} ({platform.python_implementation()}) on "
        f"{platform.system()} {platform.machine()}",
        f"SIMD level picked at run time by the optimizer kernels: {_update.SIMD_LEVEL}",
        f"OpenMP: {openmp}",
        # extension modules are files: their __file__ is set
        "compiled modules: " + ", ".join(os.path.basename(cast(str, m.__file__)) for m in (_numgrad, _update, _nn)),
        f"installed at {os.path.dirname(fastgd.__file__)}",
    ]


def main() -> None:
    """Print the report."""
    sys.stdout.write("\n".join(lines()) + "\n")
