"""Stubs for the compiled finite-difference loops (src/diff.pyx)."""

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from typing_extensions import disjoint_base

from fastgd.diff.objectives import CObjective

__test__: dict[str, str]  # Cython's (empty) doctest dict

def central_difference(r1: object, r2: object, two_h: float) -> Any: ...
def gradient(
    f: Callable[[Any], object],
    x: npt.NDArray[np.floating[Any]],
    grad: npt.NDArray[np.floating[Any]],
    offsets: npt.NDArray[np.intp] | None,
    h: float,
) -> None: ...
def gradient_rows(
    f: Callable[[Any], object],
    X: npt.NDArray[np.floating[Any]],
    grad: npt.NDArray[np.floating[Any]],
    offsets: npt.NDArray[np.intp] | None,
    h: float,
) -> None: ...
def descend(
    f: Callable[[Any], object],
    x: npt.NDArray[np.floating[Any]],
    offsets: npt.NDArray[np.intp] | None,
    h: float,
    lr: float,
    steps: int,
    history: npt.NDArray[np.floating[Any]] | None,
) -> None: ...
def gradient_object(f: Callable[[Any], object], x: npt.NDArray[Any], grad: npt.NDArray[Any], h: float) -> None: ...
def descend_object(
    f: Callable[[Any], object], x: npt.NDArray[Any], h: float, lr: float, steps: int, history: npt.NDArray[Any] | None
) -> None: ...

# CGradient's pickling hooks, which Cython also leaves at module level
def __reduce_cython__(self: CGradient) -> Any: ...
def __setstate_cython__(self: CGradient, __pyx_state: Any) -> Any: ...
@disjoint_base
class CGradient:
    # __init__ checks that x is a C-contiguous, writeable float64 array (a TypeError otherwise);
    # the methods then take that x, a float64 grad and history of its size.
    def __init__(self, objective: CObjective, x: object, threads: int) -> None: ...
    def gradient(self, x: npt.NDArray[np.floating[Any]], grad: npt.NDArray[np.floating[Any]], h: float) -> None: ...
    def descend(
        self,
        x: npt.NDArray[np.floating[Any]],
        h: float,
        lr: float,
        steps: int,
        history: npt.NDArray[np.floating[Any]] | None,
    ) -> None: ...
