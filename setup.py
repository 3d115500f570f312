"""Extension list and compiler flags for fastgd's Cython kernels."""
import sys

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

# Exact, portable IEEE arithmetic: no FMA contraction, no fast-math, no -march=native.
if sys.platform == "win32":
    COMPILE_ARGS = ["/O2", "/fp:precise"]
else:
    COMPILE_ARGS = ["-O3", "-fno-math-errno", "-ffp-contract=off"]

DIRECTIVES = {
    "language_level": 3,
    "boundscheck": False,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": False,
}


def kernel(name):
    """Build ``fastgd.<name>`` from ``src/<name>.pyx``."""
    return Extension(
        f"fastgd.{name}",
        [f"src/{name}.pyx"],
        include_dirs=[np.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=COMPILE_ARGS,
    )


setup(ext_modules=cythonize([kernel("_numgrad")], compiler_directives=DIRECTIVES))
