"""Stubs for SimpleConvNet's filter-gradient kernel (src/nn_conv.pyx)."""

from typing import Any

import numpy as np
import numpy.typing as npt
from typing_extensions import disjoint_base

__test__: dict[str, str]  # Cython's (empty) doctest dict
_F = npt.NDArray[np.float64]
_I = npt.NDArray[np.intp]

# FilterJob's pickling hooks, which Cython also leaves at module level
def __reduce_cython__(self: FilterJob) -> Any: ...
def __setstate_cython__(self: FilterJob, __pyx_state: Any) -> Any: ...
@disjoint_base
class FilterJob:
    def __init__(
        self,
        bias: bool,
        P: _F,
        filter_h: int,
        filter_w: int,
        xpad: _F,
        conv: _F,
        stride: int,
        pool: int,
        pool_stride: int,
        pooled: _F,
        W2: _F,
        a2: _F,
        W3: _F,
        Z: _F,
        E: _F,
        S: _F,
        cls_ptr: _I,
        cls: _I,
        cls_weight: _F,
        h: float,
        out: _F,
    ) -> None: ...
    @property
    def n(self) -> int: ...
    def run_all(self, threads: int) -> None: ...
