"""Stubs for the fused optimizer updates (src/optim.pyx)."""

from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

import numpy as np
import numpy.typing as npt
from typing_extensions import disjoint_base

__test__: dict[str, str]  # Cython's (empty) doctest dict
SIMD_LEVEL: str
KERNELS: tuple[str, ...]
PARALLEL_MIN: int

@disjoint_base
class Kernel:
    name: str
    coefficients: tuple[str, ...]
    n_states: int
    def __init__(self, name: str) -> None: ...
    def check_coefficients(self, values: object) -> None: ...
    def run(
        self,
        p: npt.NDArray[np.floating[Any]],
        g: npt.NDArray[np.floating[Any]],
        states: list[npt.NDArray[np.floating[Any]]],
        coefficients: dict[str, float],
        threads: int = 1,
    ) -> None: ...

def update(
    opt: Any,
    params: MutableMapping[Any, Any],
    grads: Mapping[Any, Any],
    kernel: Kernel,
    coefficients: Callable[[Any], dict[str, float]],
    threads: Callable[[], int],
) -> None: ...
