"""Stubs for the compiled finite-difference loops (src/diff.pyx)."""

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from typing_extensions import disjoint_base

__test__: dict[str, str]  # Cython's (empty) doctest dict
OK: int
MOVED: int
NAN_STATUS: int
AT_X: int
MAX_POINTS: int

_Combine = Callable[[Sequence[object], object, float], Any]
_Steps = float | npt.NDArray[np.float64]

@disjoint_base
class Scheme:
    def __init__(
        self,
        offsets: tuple[float, ...],
        weights: tuple[int | float, ...],
        widened: tuple[bool, ...],
        centre_weight: float,
        denominator: float,
        imaginary: bool = False,
    ) -> None: ...

def derivative(
    f: Callable[[Any], object],
    x: npt.NDArray[np.floating[Any]],
    out: npt.NDArray[np.floating[Any]],
    x_offsets: npt.NDArray[np.intp] | None,
    out_index: npt.NDArray[np.intp] | None,
    n: int,
    scheme: Scheme,
    steps: _Steps,
    exact: bool,
    combine: _Combine,
    rows: int = -1,
    m: int = -1,
    as_vector: Callable[[object], npt.NDArray[np.float64]] | None = None,
    centre: npt.NDArray[np.float64] | None = None,
    arg: object = None,
    values: npt.NDArray[np.float64] | None = None,
) -> int: ...
def textbook(
    f: object,
    x: object,
    scheme: Scheme,
    h: float,
    combine: _Combine,
    moved_error: Callable[[], BaseException],
) -> npt.NDArray[np.floating[Any]] | None: ...
def textbook_descend(
    f: object,
    x: object,
    scheme: Scheme,
    h: float,
    combine: _Combine,
    lr: float,
    step_num: object,
    moved_error: Callable[[], BaseException],
) -> bool | None: ...
def c_textbook(
    objective: tuple[Any, ...],
    x: object,
    scheme: Scheme,
    h: float,
    threads: int,
    team: Callable[[int], int] | None,
    failure: Callable[[int, int], object],
) -> npt.NDArray[np.float64] | None: ...
def c_descend(
    objective: tuple[Any, ...],
    x: object,
    scheme: Scheme,
    h: float,
    lr: float,
    step_num: int,
    threads: int,
    team: Callable[[int], int] | None,
    failure: Callable[[int, int], object],
) -> bool | None: ...
def descend(
    f: Callable[[Any], object],
    x: npt.NDArray[np.floating[Any]],
    x_offsets: npt.NDArray[np.intp] | None,
    out_index: npt.NDArray[np.intp] | None,
    n: int,
    scheme: Scheme,
    steps: _Steps,
    exact: bool,
    combine: _Combine,
    lr: float,
    step_num: int,
    history: npt.NDArray[np.floating[Any]] | None,
) -> int: ...
def mixed(
    f: Callable[[Any], object],
    x: npt.NDArray[np.floating[Any]],
    out: npt.NDArray[np.float64],
    x_offsets: npt.NDArray[np.intp] | None,
    out_index: npt.NDArray[np.intp] | None,
    n: int,
    scheme: Scheme,
    inner: Scheme,
    steps: _Steps,
    exact: bool,
    as_double: Callable[[object], float],
) -> int: ...
@disjoint_base
class CObjectiveRun:
    def __init__(
        self,
        address: int,
        user_data: int,
        m: int,
        wide_n: bool,
        status: bool,
        n: int,
        scheme: Scheme,
        steps: _Steps,
        exact: bool,
        threads: int,
        keepalive: object,
        elements: npt.NDArray[np.intp] | None = None,
        values: npt.NDArray[np.float64] | None = None,
        inner: Scheme | None = None,
        team: Callable[[int], int] | None = None,
    ) -> None: ...
    def derivative(
        self, x: npt.NDArray[np.float64], out: npt.NDArray[np.float64], progress: Callable[[int], object] | None = None
    ) -> tuple[int, int]: ...
    def descend(
        self, x: npt.NDArray[np.float64], lr: float, steps: int, history: npt.NDArray[np.float64] | None
    ) -> tuple[int, int]: ...
