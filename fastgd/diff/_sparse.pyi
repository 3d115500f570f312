"""Stubs for the compiled column coloring and grouped-difference kernels (src/sparse.pyx)."""

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

__test__: dict[str, str]  # Cython's (empty) doctest dict
OK: int
MOVED: int

_Index = npt.NDArray[np.intp]
_Floats = npt.NDArray[np.float64]

def transpose(n: int, indptr: _Index, indices: _Index) -> tuple[_Index, _Index]: ...
def greedy(indptr: _Index, indices: _Index, col_ptr: _Index, rows: _Index, order: _Index, colors: _Index) -> int: ...
def star(indptr: _Index, indices: _Index, order: _Index, colors: _Index) -> int: ...
def is_coloring(indptr: _Index, indices: _Index, colors: _Index, ncolors: int) -> bool: ...
def values_and_steps(
    x: npt.NDArray[np.floating[Any]],
    positions: _Index,
    steps: _Floats | None,
    h: float,
    point_offsets: tuple[float, ...],
    weights: tuple[int | float, ...],
    widened: tuple[bool, ...] | None,
    values: _Floats,
    taken: _Floats,
    distances: _Floats,
) -> int: ...
def accumulate(total: _Floats, values: _Floats, weight: float, first: bool) -> None: ...
def groups(
    f: Callable[[Any], object],
    x: npt.NDArray[np.floating[Any]],
    starts: _Index,
    positions: _Index,
    values: _Floats,
    steps: _Floats,
    point_offsets: tuple[float, ...],
    widened: tuple[bool, ...] | None,
    weights: tuple[int | float, ...],
    totals: _Floats,
    as_values: Callable[[object], _Floats],
) -> int: ...
def decompress(
    slots: npt.NDArray[np.int32] | npt.NDArray[np.int64],
    columns: npt.NDArray[np.int32] | npt.NDArray[np.int64],
    totals: _Floats,
    distances: _Floats,
    data: _Floats,
    targets: _Index | None,
    offset: int,
) -> int: ...
