"""``python -m fastgd info``: what a bug report needs."""
from __future__ import annotations

import importlib
import importlib.machinery
import os
import platform
import sys
from pathlib import Path

import numpy as np

import fastgd
from fastgd import _openmp
from fastgd.cli.conditions import blas_threads
from fastgd.optim import _kernels as optim_kernels


def compiled_modules() -> list[str]:
    """The names of the compiled modules installed with fastgd, found on disk (the extension suffixes)."""
    root = Path(fastgd.__file__).parent
    suffixes = sorted(importlib.machinery.EXTENSION_SUFFIXES, key=len, reverse=True)  # ".cpython-3xx-....so" first
    names = []
    for path in root.rglob("*"):
        suffix = next((suffix for suffix in suffixes if path.name.endswith(suffix)), None)
        if suffix is not None and path.is_file():
            names.append(".".join(("fastgd", *path.relative_to(root).parent.parts, path.name[:-len(suffix)])))
    return sorted(names)


def lines() -> list[str]:
    """The report, one line each; every compiled module is imported (an import error shows here)."""
    openmp = (f"on, {fastgd.get_num_threads()} threads (OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')})"
              if _openmp.HAS_OPENMP else "off (built with FASTGD_OPENMP=0 or without an OpenMP compiler): 1 thread")
    modules = compiled_modules()
    for name in modules:
        importlib.import_module(name)
    return [
        f"fastgd {fastgd.__version__}",
        f"numpy {np.__version__}",
        f"python {platform.python_version()} ({platform.python_implementation()}) on "
        f"{platform.system()} {platform.machine()}",
        f"SIMD level picked at run time by the optimizer kernels: {optim_kernels.SIMD_LEVEL}",
        f"OpenMP: {openmp}",
        f"BLAS (numpy's): {blas_threads()}",
        f"compiled modules ({len(modules)}): " + ", ".join(modules),
        f"installed at {os.path.dirname(fastgd.__file__)}",
    ]


def main() -> None:
    """Print the report."""
    sys.stdout.write("\n".join(lines()) + "\n")
