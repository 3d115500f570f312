"""Stubs for fastgd's thread pool (src/pool.pyx)."""

from typing import Any

import numpy as np
import numpy.typing as npt

__test__: dict[str, str]  # Cython's (empty) doctest dict
API: Any  # a PyCapsule

def helpers() -> int: ...
def run(
    n: int, chunk: int, threads: int, ns_per_element: float = 0.0, stop_at: int = -1
) -> tuple[int, int, npt.NDArray[np.int32]]: ...
