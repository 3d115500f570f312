"""Stubs for the fully connected nets' incremental finite-difference kernels (src/nn.pyx)."""

from typing import Any

import numpy as np
import numpy.typing as npt
from typing_extensions import disjoint_base

__test__: dict[str, str]  # Cython's (empty) doctest dict
SERIES: int
RELU: int
SIGMOID: int
WEIGHT: int
BIAS: int
GAMMA: int
BETA: int
_F = npt.NDArray[np.float64]
_I = npt.NDArray[np.intp]

# Net's pickling hooks, which Cython also leaves at module level
def __reduce_cython__(self: Net) -> Any: ...
def __setstate_cython__(self: Net, __pyx_state: Any) -> Any: ...
@disjoint_base
class Net:
    def __init__(
        self,
        hidden: list[dict[str, Any]],
        x: _F,
        W_out: _F,
        b_out: _F,
        softmax: tuple[_F, _F, _F],
        targets: tuple[_I, _I, _F],
    ) -> None: ...
    @property
    def workspace(self) -> int: ...

@disjoint_base
class Job:
    @property
    def n(self) -> int: ...
    def run_all(self, threads: int) -> None: ...

@disjoint_base
class HiddenJob(Job):
    def __init__(
        self,
        net: Net,
        l: int,
        kind: int,
        P: _F,
        n_cols: int,
        ptr: _I,
        rows: _I,
        vals: _F,
        linear: tuple[_F, _F, _F, _F | None] | None,
        sig: _F | None,
        h: float,
        out: _F,
        eval_base: int,
        n_evals: int,
    ) -> None: ...

@disjoint_base
class OutputJob(Job):
    def __init__(
        self, H: _F, W: _F, softmax: tuple[_F, _F, _F], targets: tuple[_I, _I, _F], h: float, out: _F
    ) -> None: ...

@disjoint_base
class DropoutJob(Job):
    def __init__(
        self,
        net: Net,
        l: int,
        kind: int,
        P: _F,
        n_cols: int,
        first: int,
        uniforms: _F,
        h: float,
        out: _F,
        eval_base: int,
        n_evals: int,
    ) -> None: ...

def replay_running(momentum: float, r: _F, values: _F) -> None: ...
