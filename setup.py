"""Extension list and compiler flags for fastgd's Cython kernels.

``FASTGD_OPENMP=0`` builds without OpenMP (the kernels then run on one thread). OpenMP is linked into
``fastgd._openmp`` alone, so that the thread setting follows ``OMP_NUM_THREADS`` and threadpoolctl;
no kernel opens an OpenMP region (fastgd's threads are its pool's, ``src/pool.h``).
``FASTGD_SANITIZE=1`` builds a checking copy with AddressSanitizer and UndefinedBehaviorSanitizer
(gcc or clang; for ``tools/sanitize``, never for a wheel).
"""
import os
import sys

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# Exact, portable IEEE arithmetic: no FMA contraction, no fast-math, no -march=native.
if sys.platform == "win32":
    COMPILE_ARGS = ["/O2", "/fp:precise"]
else:
    COMPILE_ARGS = ["-O3", "-fno-math-errno", "-ffp-contract=off"]

SANITIZE_ARGS = []
if os.environ.get("FASTGD_SANITIZE", "0") == "1":
    SANITIZE_ARGS = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer"]
    COMPILE_ARGS = [*COMPILE_ARGS, "-O1", "-g"]  # the last -O wins: a build that reports clearly

if os.environ.get("FASTGD_OPENMP", "1") == "0":
    OPENMP_ARGS = []
elif sys.platform == "win32":
    OPENMP_ARGS = ["/openmp"]
elif sys.platform == "darwin":
    OPENMP_ARGS = []  # Apple clang has no OpenMP runtime of its own
else:
    OPENMP_ARGS = ["-fopenmp"]

DIRECTIVES = {
    "language_level": 3,
    "boundscheck": False,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": False,
}


def kernel(module, source, headers=(), openmp=False):
    """Build the extension ``module`` from ``src/<source>.pyx`` and the C ``headers`` it includes."""
    openmp_args = OPENMP_ARGS if openmp else []
    return Extension(
        module,
        [f"src/{source}.pyx"],
        include_dirs=[np.get_include(), "src"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=COMPILE_ARGS + openmp_args + SANITIZE_ARGS,
        extra_link_args=[arg for arg in openmp_args if arg != "/openmp"] + SANITIZE_ARGS,
        depends=[f"src/{header}" for header in headers],
    )


# One extension per area of the package, each beside the Python modules that call it.
EXTENSIONS = [
    kernel("fastgd._openmp", "openmp", openmp=True),
    kernel("fastgd._pool", "pool", ["pool.h", "pool.pxd", "parallel_for.h"]),
    kernel("fastgd.diff._kernels", "diff", ["diff_kernels.h", "diff_kernels.pxd", "fd_real.inc", "pool.h", "pool.pxd"]),
    kernel("fastgd.diff._sparse", "sparse", ["diff_kernels.h", "diff_kernels.pxd", "fd_real.inc", "pool.h"]),
    kernel("fastgd.optim._kernels", "optim", ["optim_kernels.h", "optim_kernels.inc", "pool.h", "pool.pxd"]),
    kernel("fastgd.nn._kernels", "nn", ["nn_common.pxd", "nn_jobs.pxd", "pool.h", "pool.pxd"]),
    kernel("fastgd.nn._conv_kernels", "nn_conv", ["nn_common.pxd", "nn_jobs.pxd", "pool.h", "pool.pxd"]),
]


class build_ext_beside_sources(build_ext):
    """Also copy the built modules into the checkout's ``fastgd/``.

    ``python -m fastgd`` run from the repository root imports ``./fastgd`` ahead of the
    installed package; with the compiled modules beside it, that works after ``pip install .``.
    """

    def run(self):
        super().run()
        if not self.inplace:
            self.copy_extensions_to_source()


setup(
    ext_modules=cythonize(EXTENSIONS, compiler_directives=DIRECTIVES),
    cmdclass={"build_ext": build_ext_beside_sources},
)
