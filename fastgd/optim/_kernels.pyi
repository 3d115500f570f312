"""Stubs for the fused optimizer updates (src/optim.pyx)."""

from collections.abc import Mapping, MutableMapping
from typing import Any, final

import numpy as np
import numpy.typing as npt
from typing_extensions import disjoint_base

__test__: dict[str, str]  # Cython's (empty) doctest dict
SIMD_LEVEL: str
KERNELS: tuple[str, ...]
PARALLEL_MIN: int

@final
class Kernel:
    name: str
    settings: tuple[str, ...]
    n_states: int
    def __init__(self, name: str) -> None: ...
    def run(
        self,
        p: npt.NDArray[np.floating[Any]],
        g: npt.NDArray[np.floating[Any]],
        states: list[npt.NDArray[np.floating[Any]]],
        settings: dict[str, float],
        threads: int = 1,
    ) -> dict[str, float]: ...

@disjoint_base
class Optimizer:
    def _setting(self, i: int) -> float: ...
    def _set_setting(self, i: int, value: float) -> None: ...
    def _state(self, i: int) -> dict[Any, npt.NDArray[Any]] | None: ...
    def _set_state(self, i: int, state: object, name: str) -> None: ...
    def update(self, params: MutableMapping[Any, Any], grads: Mapping[Any, Any]) -> None: ...
