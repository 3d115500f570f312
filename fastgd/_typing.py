"""Type aliases, type variables and protocols of the public API's annotations.

:mod:`fastgd.diff.gradient` re-exports the argument types users may want in their own annotations.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeAlias, TypedDict, TypeVar

import numpy as np
import numpy.typing as npt

FloatT = TypeVar("FloatT", bound=np.floating[Any])
"""A real floating scalar type (float16, float32, float64, longdouble): a point's dtype, kept by its gradient."""

RealScalar: TypeAlias = float | np.integer[Any] | np.floating[Any] | npt.NDArray[np.integer[Any] | np.floating[Any]]
"""What an objective may return: a real scalar, or a 0-d array holding one (m values with ``vectorized=True``)."""

PythonObjective: TypeAlias = Callable[[npt.NDArray[Any]], RealScalar]
"""``f(x) -> real scalar``, called with the (perturbed) point."""

Objective: TypeAlias = PythonObjective | object
"""A :data:`PythonObjective`, or a C-level objective: a ``scipy.LowLevelCallable``, a ctypes or cffi
function pointer, a numba ``@cfunc`` or a PyCapsule (recognised at run time, hence ``object``)."""


class SupportsMap(Protocol):
    """An object with ``.map(fn, points)``: ``multiprocessing.Pool``, ``concurrent.futures`` executors."""

    def map(self, fn: Callable[[Any], Any], iterable: Iterable[Any], /) -> Iterable[Any]: ...


MapLike: TypeAlias = Callable[[Callable[[Any], Any], list[npt.NDArray[Any]]], Iterable[Any]]
"""A ``map(f, points)``-like callable returning the values of ``f`` at the points, in order."""

Workers: TypeAlias = int | SupportsMap | MapLike
"""A process-pool size, an object with ``.map`` or a map-like callable."""


class StateDict(TypedDict):
    """An optimizer checkpoint, from ``state_dict()``."""

    settings: dict[str, float]  #: hyper-parameters and counters (Adam's ``iter``), by name
    state: dict[str, dict[Any, npt.NDArray[Any]] | None]  #: copies of the state dicts, None before any update
