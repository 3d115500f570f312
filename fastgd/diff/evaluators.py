"""Modes that hand ``f`` perturbed copies of ``x``: vectorized batches and parallel workers.

``f`` must read its argument here: the caller's ``x`` is never perturbed, so a closure over
the caller's array would see the unperturbed point.
"""
from __future__ import annotations

import atexit
import pickle
from concurrent.futures import ProcessPoolExecutor
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from fastgd._typing import FloatT, MapLike, PythonObjective, SupportsMap, Workers
from fastgd.diff import _kernels as _numgrad

# Default vectorized chunk: keep each stacked batch of points under this many bytes.
CHUNK_BYTES: int = 2**19  # batches that stay in L2: 512 KB measured 2.2x faster than 2 MB here
_pools: dict[int, ProcessPoolExecutor] = {}  # workers -> ProcessPoolExecutor, kept for the process's life


def perturbed_points(flat: npt.NDArray[FloatT], coords: npt.NDArray[np.integer[Any]], h: float) -> npt.NDArray[FloatT]:
    """Rows ``flat`` with coordinate ``coords[r]`` at ``v + h`` (row 2r) and ``v - h`` (row 2r+1).

    ``v + h`` is computed in ``flat``'s dtype, as the scalar path does (NEP 50).
    """
    points = np.repeat(flat[None, :], 2 * len(coords), axis=0)
    rows = np.arange(len(coords))
    points[2 * rows, coords] = flat[coords] + h
    points[2 * rows + 1, coords] = flat[coords] - h
    return points


def vectorized_gradient(f: PythonObjective, x: npt.NDArray[FloatT], h: float,
                        chunk_size: int | None = None) -> npt.NDArray[FloatT]:
    """Gradient with ``f`` called once per chunk on ``(m, *x.shape)`` stacked points, returning m values."""
    flat = x.reshape(-1)
    if chunk_size is None:
        chunk_size = max(2, CHUNK_BYTES // max(x.nbytes, 1))
    coords_per_chunk = max(1, chunk_size // 2)
    grad = np.empty(x.size, dtype=x.dtype)
    for start in range(0, x.size, coords_per_chunk):
        coords = np.arange(start, min(x.size, start + coords_per_chunk))
        points = perturbed_points(flat, coords, h).reshape(2 * len(coords), *x.shape)
        values = np.asarray(f(points))
        if values.shape != (2 * len(coords),) or values.dtype.kind not in "fiu":
            raise TypeError(f"with vectorized=True, f must return {2 * len(coords)} real values for "
                            f"points of shape {points.shape}, got {values.dtype} of shape {values.shape}")
        grad[coords] = (values[0::2] - values[1::2]) / (2 * h)
    return grad.reshape(x.shape)


def _process_pool(workers: int) -> MapLike:
    if workers not in _pools:
        _pools[workers] = ProcessPoolExecutor(max_workers=workers)
    return _pools[workers].map


@atexit.register
def _shut_down_pools() -> None:
    for pool in _pools.values():
        pool.shutdown(cancel_futures=True)


def mapper(workers: Workers, f: PythonObjective) -> MapLike:
    """The ``map(f, points)`` to use for ``workers``: a process pool, a ``.map`` method, or a callable."""
    if isinstance(workers, (bool, np.bool_)):
        raise TypeError("workers must be an int, a map-like callable, or an object with .map")
    if isinstance(workers, (int, np.integer)):
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        try:
            pickle.dumps(f)
        except Exception as exc:
            raise TypeError(f"f cannot be pickled for a process pool ({exc}); define it at module level, "
                            "or pass workers= a map-like that can ship it (e.g. a Dask client's executor)") from None
        return _process_pool(int(workers))
    if callable(getattr(workers, "map", None)):
        return cast(SupportsMap, workers).map
    if callable(workers):
        return workers
    raise TypeError("workers must be an int, a map-like callable, or an object with .map, "
                    f"got {type(workers).__name__}")


def parallel_gradient(f: PythonObjective, x: npt.NDArray[FloatT], h: float, workers: Workers) -> npt.NDArray[FloatT]:
    """Gradient with the 2n evaluations spread by ``workers`` (see :func:`mapper`)."""
    flat = x.reshape(-1)
    points = perturbed_points(flat, np.arange(x.size), h).reshape(2 * x.size, *x.shape)
    values = list(mapper(workers, f)(f, list(points)))
    if len(values) != 2 * x.size:
        raise ValueError(f"workers returned {len(values)} values for {2 * x.size} points")
    grad = np.empty(x.size, dtype=x.dtype)
    two_h = 2 * h
    for i in range(x.size):
        grad[i] = _numgrad.central_difference(values[2 * i], values[2 * i + 1], two_h)
    return grad.reshape(x.shape)
