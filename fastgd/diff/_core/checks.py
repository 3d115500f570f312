"""Argument checks of the derivatives, in one place: clear TypeErrors and ValueErrors naming the argument.

The checks every entry point of the package shares (callables, float arrays, numbers, counts) are in
:mod:`fastgd._validate`; these are the derivatives' own: the mode arguments, a C objective's point and
outputs, ``typical_x``, ``bounds``, ``out`` and the finiteness of points and results.
"""
from __future__ import annotations

import operator
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from fastgd import _threads
from fastgd._validate import count
from fastgd.diff._core.objectives import CObjective

Floats = npt.NDArray[np.float64]
INT_MAX: int = int(np.iinfo(np.intc).max)  # the most elements an objective with an int n can count
_FLOAT64: np.dtype[Any] = np.dtype(np.float64)


def modes(vectorized: object, workers: object) -> None:
    """``vectorized=`` and ``workers=`` are not both given."""
    if vectorized and workers is not None:
        raise ValueError("choose one of vectorized=True and workers=")


def python_threads(threads: object) -> None:
    """A Python ``f`` runs on the calling thread: ``threads`` above 1 is an error."""
    if threads is not None and _threads.thread_count(threads) and operator.index(cast(int, threads)) > 1:
        raise ValueError("threads= is for C-level objectives; spread a Python f with workers=")


def c_point(x: npt.NDArray[Any], objective: CObjective) -> None:
    """``x`` as a C objective takes it: a C-contiguous, native, aligned float64 array its ``n`` can count."""
    if not (x.dtype == np.float64 and x.dtype.isnative and x.flags.c_contiguous and x.flags.aligned):
        raise TypeError(f"a C-level objective takes double *x: x must be a C-contiguous float64 array, "
                        f"got {x.dtype}{'' if x.flags.c_contiguous else ', not C-contiguous'}")
    if not objective.wide_n and x.size > INT_MAX:
        raise ValueError(f"x has {x.size} elements, more than the objective's int n can count")


def output_count(m: object, objective: CObjective) -> int:
    """The number of outputs of a C objective: ``m``, required for a vector function (1 for a scalar one)."""
    if not objective.vector:
        if m is not None and count(m, "m") != 1:
            raise ValueError(f"this C function is a scalar objective (one output), but m={m} outputs are asked for")
        return 1
    if m is None:
        raise TypeError("m= is required for a C vector function F(n, x, m, out, user_data): "
                        "the number of values it writes to out")
    m = count(m, "m")
    if not objective.wide_n and m > INT_MAX:
        raise ValueError(f"m={m} is more than the C function's int m can count")
    return m


def check_finite(x: npt.NDArray[Any]) -> None:
    """ValueError unless every element of ``x`` is finite."""
    if not np.isfinite(x).all():
        raise ValueError("x must be finite: it has inf or NaN elements")


def self_overlapping(x: npt.NDArray[Any]) -> bool:
    """Whether elements of ``x`` may share memory (a zero-stride or overlapping view, as ``as_strided`` makes):
    False for contiguous ``x`` at once, else unless each stride (by size) clears the span of the smaller ones."""
    if x.flags.c_contiguous or x.flags.f_contiguous or x.size == 0:
        return False
    span = x.itemsize
    for stride, n in sorted((abs(stride), n) for stride, n in zip(x.strides, x.shape, strict=True) if n > 1):
        if stride < span:
            return True
        span += stride * (n - 1)
    return False


def check_distinct(x: npt.NDArray[Any]) -> None:
    """ValueError where elements of ``x`` share memory: a second derivative moves two of them at once."""
    if self_overlapping(x):
        raise ValueError("x has elements that share memory (a zero-stride or overlapping view): moving one moves "
                         "another, so second derivatives have no meaning there; pass a copy")


def check_result(result: Floats, what: str = "F") -> None:
    """ValueError naming the first element along which a derivative is not finite."""
    finite = np.isfinite(result)
    if not finite.all():
        column = int(np.argmin(finite.all(axis=0)))
        raise ValueError(f"{what} returned a non-finite value at a point around element {column} of x "
                         "(x is restored)")


def result_dtype(x: npt.NDArray[Any]) -> np.dtype[Any]:
    """The dtype of a Jacobian or Hessian at ``x``: float32 for a float32 ``x`` (computed in double, rounded once:
    scipy.differentiate's rule), float64 for every other dtype."""
    return np.dtype(np.float32) if x.dtype == np.float32 else np.dtype(np.float64)


def output_array(out: object, shape: tuple[int, ...], x: npt.NDArray[Any],
                 dtype: np.dtype[Any] = _FLOAT64) -> npt.NDArray[Any]:
    """``out`` checked to be a writeable, C-contiguous array of ``dtype`` and ``shape`` apart from ``x``
    (or a new one for None)."""
    if out is None:
        return np.empty(shape, dtype=dtype)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy.ndarray, got {type(out).__name__}")
    if out.dtype != dtype or not out.dtype.isnative:
        raise TypeError(f"out must be a {dtype} array (the result's dtype for x of {x.dtype}), got {out.dtype}")
    if out.shape != shape:
        raise ValueError(f"out must have shape {shape}, got {out.shape}")
    if not (out.flags.c_contiguous and out.flags.writeable and out.flags.aligned):
        raise ValueError("out must be C-contiguous and writeable")
    if np.shares_memory(out, x):
        raise ValueError("out must not share memory with x")
    return out


def broadcast(value: npt.ArrayLike, x: npt.NDArray[Any], name: str) -> Floats:
    """``value`` as a C-contiguous float64 array of ``x``'s shape; TypeError or ValueError naming it."""
    try:
        given: npt.NDArray[Any] | None = np.asarray(value)
    except (TypeError, ValueError):
        given = None
    if given is None or given.dtype.kind not in "biuf":  # a complex array is refused, not cut to its real part
        got = type(value).__name__ if given is None else given.dtype
        raise TypeError(f"{name} must be a real number or an array of them, got {got}")
    array = given.astype(np.float64)
    try:
        return np.ascontiguousarray(np.broadcast_to(array, x.shape), dtype=np.float64)
    except ValueError:
        raise ValueError(f"{name} of shape {array.shape} does not broadcast to x's shape {x.shape}") from None


def typical_scale(typical_x: npt.ArrayLike | None, x: npt.NDArray[Any]) -> float | Floats:
    """``|typical_x|`` as a flat array (C order) of ``x``'s size, checked finite and > 0; 1.0 if not given."""
    if typical_x is None:
        return 1.0
    scale = np.abs(broadcast(typical_x, x, "typical_x")).reshape(-1)
    if not (np.all(np.isfinite(scale)) and np.all(scale > 0)):
        raise ValueError("typical_x must be finite and nonzero")
    return scale


def box(bounds: object, x: npt.NDArray[Any]) -> tuple[Floats, Floats] | None:
    """``bounds = (lb, ub)`` as flat float64 arrays (C order), checked; None if there are none.

    ``lb``/``ub`` may be scalars, arrays broadcasting to ``x``'s shape, or None (unbounded); ``x`` must
    lie within.
    """
    if bounds is None:
        return None
    try:
        lower, upper = cast("tuple[object, object]", bounds)
    except (TypeError, ValueError):
        raise TypeError("bounds must be a pair (lb, ub)") from None
    lb = broadcast(-np.inf if lower is None else cast("npt.ArrayLike", lower), x, "bounds' lb").reshape(-1)
    ub = broadcast(np.inf if upper is None else cast("npt.ArrayLike", upper), x, "bounds' ub").reshape(-1)
    if np.isnan(lb).any() or np.isnan(ub).any():
        raise ValueError("bounds must not be NaN")
    flat = x.reshape(-1)
    outside = ~((lb <= flat) & (flat <= ub))
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise ValueError(f"x must lie within bounds: element {i} is {flat[i]}, outside [{lb[i]}, {ub[i]}]")
    if np.all(lb == -np.inf) and np.all(ub == np.inf):
        return None
    return lb, ub
