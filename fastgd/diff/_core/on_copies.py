"""The evaluators on copies of ``x``: stacked points for a vectorized ``f`` (:class:`Batched`), or every point
handed to a ``map`` (:class:`Mapped`: process pools, ``.map`` objects, map-likes, Dask executors), fed
from a lazy sequence, as scipy does.

``f`` receives perturbed *copies*, never the caller's ``x``: it must read its argument. The points are
moved as the compiled loops move an element (``v + offset * h`` in ``x``'s dtype, or computed in double
where the row widens it), so the values, and the estimates, are the in-place loops' for an ``f`` that
computes the same thing row by row.
"""
from __future__ import annotations

import atexit
import copy
import pickle
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, cast, overload

import numpy as np
import numpy.typing as npt

from fastgd.diff._core.evaluator import Base, Mask, Values
from fastgd.diff._core.progress import Progress
from fastgd.diff._core.schemes import Scheme
from fastgd.diff._core.steps import Steps, complex_dtype, distances
from fastgd.diff._core.values import Vector, imaginary_part, real_value

# Default batched chunk: keep each stacked batch of points under this many bytes.
CHUNK_BYTES: int = 2**19  # batches that stay in L2: 512 KB measured 2.2x faster than 2 MB here


def flat_steps(x: npt.NDArray[Any], h: Steps) -> npt.NDArray[np.float64]:
    """One float64 step per element of ``x`` (C order)."""
    if isinstance(h, np.ndarray):
        return np.ascontiguousarray(h, dtype=np.float64).reshape(-1)
    return np.full(x.size, h)


def divisors(x: npt.NDArray[Any], steps: npt.NDArray[np.float64], exact: bool,
             scheme: Scheme) -> npt.NDArray[np.float64]:
    """What each element's weighted sum is divided by (C order): the distance its points take if ``exact``
    (:func:`fastgd.diff._core.steps.distances`), else ``denominator * h``."""
    if exact:
        return distances(np.ascontiguousarray(x).reshape(-1), steps, scheme)
    divisor: npt.NDArray[np.float64] = scheme.denominator * steps
    return divisor


def _flat_point(x: npt.NDArray[Any], scheme: Scheme) -> npt.NDArray[Any]:
    """``x`` as a C-order 1-D array the points are copied from: complex for a complex step."""
    flat = np.ascontiguousarray(x).reshape(-1)
    return flat.astype(complex_dtype(flat.dtype)) if scheme.imaginary else flat


def moved(v: npt.NDArray[Any], step: npt.NDArray[np.float64], widened: bool, imaginary: bool) -> npt.NDArray[Any]:
    """Values ``v`` moved by ``step`` (float64) as the compiled loops move one element."""
    if imaginary:
        return v + 1j * step.astype(v.real.dtype)
    if widened:
        return (v.astype(np.float64) + step).astype(v.dtype)
    return v + step.astype(v.dtype)


def _record(values: Values, coords: npt.NDArray[np.intp] | slice, point_values: npt.NDArray[Any], centre: Any,
            scheme: Scheme) -> None:
    """The values at the points of the elements ``coords`` (rows), then ``f(x)``, into ``values``."""
    if values is not None:
        npoints = scheme.evaluations_per_element
        values[coords, :npoints] = point_values.imag if point_values.dtype.kind == "c" else point_values
        if scheme.centre_weight:
            values[coords, npoints] = centre


class LazyPoints(Sequence[npt.NDArray[Any]]):
    """``length`` points, each made by :meth:`point` when it is asked for. A sequence, not an
    iterator, so that every map takes it (Dask's refuses iterators)."""

    length: int

    def __len__(self) -> int:
        return self.length

    def point(self, i: int) -> npt.NDArray[Any]:
        """Point ``i``, ``0 <= i < length``."""
        raise NotImplementedError

    @overload
    def __getitem__(self, item: int) -> npt.NDArray[Any]: ...
    @overload
    def __getitem__(self, item: slice) -> Sequence[npt.NDArray[Any]]: ...
    def __getitem__(self, item: int | slice) -> npt.NDArray[Any] | Sequence[npt.NDArray[Any]]:
        if isinstance(item, slice):
            return [self.point(i) for i in range(*item.indices(self.length))]
        if not -self.length <= item < self.length:
            raise IndexError(item)
        return self.point(item % self.length)


class _ElementPoints(LazyPoints):
    """The points of a derivative on copies: ``x`` itself first if ``centre``, then each element's points in turn."""

    def __init__(self, x: npt.NDArray[Any], flat: npt.NDArray[Any], scheme: Scheme,
                 steps: npt.NDArray[np.float64], centre: bool, targets: npt.NDArray[np.intp]) -> None:
        self.x, self.flat, self.scheme, self.steps, self.targets = x, flat, scheme, steps, targets
        self.centre = int(centre)
        self.length = self.centre + scheme.evaluations_per_element * len(targets)

    def __dask_tokenize__(self) -> tuple[object, ...]:
        """What the points depend on, for Dask's task keys (it hashes the arguments of a map)."""
        return (type(self).__name__, self.scheme, self.x.dtype.str, self.x.shape, self.flat.tobytes(),
                self.steps.tobytes(), self.targets.tobytes())

    def point(self, item: int) -> npt.NDArray[Any]:
        """Point ``item``: x itself, or an element's point."""
        if item < self.centre:
            return cast("npt.NDArray[Any]", self.x.copy())
        j, k = divmod(item - self.centre, self.scheme.evaluations_per_element)
        i = self.targets[j]
        point = self.flat.copy()
        point[i] = moved(self.flat[i:i + 1], self.scheme.offsets[k] * self.steps[i:i + 1],
                          cast("tuple[bool, ...]", self.scheme.widened)[k], self.scheme.imaginary)[0]
        return point.reshape(self.x.shape)


class _PairPoints(LazyPoints):
    """The points of mixed second differences on copies of ``x``: for each pair ``i < j`` (C order), the outer
    row's point ``k`` along ``i`` and the inner row's point ``l`` along ``j``, ``(k, l)`` in order."""

    def __init__(self, x: npt.NDArray[Any], outer: Scheme, inner: Scheme, steps: npt.NDArray[np.float64]) -> None:
        self.flat, self.shape, self.steps = np.ascontiguousarray(x).reshape(-1), x.shape, steps
        self.outer, self.inner = outer, inner
        self.first, self.second = np.triu_indices(x.size, 1)
        self.per_pair = outer.evaluations_per_element * inner.evaluations_per_element
        self.length = self.per_pair * self.first.size

    def _move(self, point: npt.NDArray[Any], i: int, scheme: Scheme, k: int) -> None:
        point[i] = moved(self.flat[i:i + 1], scheme.offsets[k] * self.steps[i:i + 1],
                          cast("tuple[bool, ...]", scheme.widened)[k], False)[0]

    def point(self, item: int) -> npt.NDArray[Any]:
        """Point ``item``."""
        pair, kj = divmod(item, self.per_pair)
        k, kb = divmod(kj, self.inner.evaluations_per_element)
        point: npt.NDArray[Any] = self.flat.copy()
        self._move(point, int(self.first[pair]), self.outer, k)
        self._move(point, int(self.second[pair]), self.inner, kb)
        return point.reshape(self.shape)


class OnCopies(Base):
    """What both evaluators on copies share: ``f`` at any points, mixed second differences from them."""

    def _evaluate(self, points: Sequence[npt.NDArray[Any]]) -> list[Any]:
        """``f`` at every point, as returned."""
        raise NotImplementedError

    def mixed(self, x: npt.NDArray[Any], h: Steps, exact: bool, inner: Scheme,
              out: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The compiled mixed loops' sums and divisions, in numpy, from ``f`` at copies of ``x``."""
        outer, n = self.scheme, x.size
        if n < 2:
            return out
        steps = flat_steps(x, h)
        points = _PairPoints(x, outer, inner, steps)
        values = np.array([float(real_value(r)) for r in self._evaluate(points)]).reshape(-1, points.per_pair)
        total = None
        for k, w in enumerate(outer.weights):
            for kb, u in enumerate(inner.weights):
                term = float(w * u) * values[:, k * inner.evaluations_per_element + kb]
                total = term if total is None else total + term
        first, second = divisors(x, steps, exact, outer), divisors(x, steps, exact, inner)
        out[points.first, points.second] = out[points.second, points.first] = (
            cast("npt.NDArray[Any]", total) / (first[points.first] * second[points.second]))
        return out


class Batched(OnCopies):
    """``f`` called once per chunk with stacked perturbed copies, shape ``(m, *x.shape)``, returning m values."""

    def __init__(self, f: Any, scheme: Scheme, chunk_size: int | None) -> None:
        self.f = f
        self.scheme = scheme
        self.chunk_size = chunk_size

    def derivative(self, x: npt.NDArray[Any], h: Steps, exact: bool, elements: Mask = None, values: Values = None,
                   out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        result = np.empty((1, x.size), dtype=x.dtype if out is None else out.dtype)
        self._run(x, result, h, exact, None, elements, values)
        if out is None:
            return result.reshape(x.shape)
        out[...] = result.reshape(x.shape)
        return out

    def jacobian(self, x: npt.NDArray[Any], h: Steps, exact: bool, vector: Vector,
                 out: npt.NDArray[np.float64] | None = None, elements: Mask = None) -> npt.NDArray[np.float64]:
        out = np.empty((vector.m, x.size)) if out is None else out
        self._run(x, out, h, exact, vector, elements)
        return out

    def _per_call(self, point_bytes: int, npoints: int) -> int:
        """Points per call of ``f``: ``chunk_size``, or as many as fit in :data:`CHUNK_BYTES` (a multiple of
        ``npoints``)."""
        return self.chunk_size or max(npoints, CHUNK_BYTES // max(point_bytes, 1))

    def _run(self, x: npt.NDArray[Any], out: npt.NDArray[Any], h: Steps, exact: bool, vector: Vector | None,
             elements: Mask = None, record: Values = None) -> None:
        """``out[:, i]``: the estimates along element i, from chunks of stacked points."""
        scheme, flat = self.scheme, _flat_point(x, self.scheme)
        n, npoints = flat.size, scheme.evaluations_per_element
        per_chunk = max(1, self._per_call(x.nbytes + out.shape[0] * out.itemsize, npoints) // npoints)
        steps = flat_steps(x, h)
        divisor = divisors(x, steps, exact, scheme)
        if vector is not None:
            centre: Any = vector.at_x[:, None] if vector.at_x is not None else None
        else:
            centre = self._stacked(x[None], None)[0, 0] if scheme.centre_weight else None
        targets = None if elements is None else np.flatnonzero(elements)
        count = n if targets is None else len(targets)
        widened = cast("tuple[bool, ...]", scheme.widened)
        # every element's moved values, point by point: (npoints, count)
        chosen = flat if targets is None else flat[targets]
        chosen_steps = steps if targets is None else steps[targets]
        shifted = np.stack([moved(chosen, offset * chosen_steps, wide, scheme.imaginary)
                            for offset, wide in zip(scheme.offsets, widened, strict=True)])
        for start in range(0, count, per_chunk):
            stop = min(start + per_chunk, count)
            coords: npt.NDArray[np.intp] | slice = slice(start, stop) if targets is None else targets[start:stop]
            size = stop - start
            points = np.empty((size, npoints, n), dtype=flat.dtype)
            points[...] = flat
            columns = np.arange(start, stop) if targets is None else targets[start:stop]
            points[np.arange(size)[:, None], np.arange(npoints)[None, :], columns[:, None]] = shifted[:, start:stop].T
            stacked = self._stacked(points.reshape(size * npoints, *x.shape), vector)  # (points, outputs)
            grouped = stacked.reshape(size, npoints, -1).transpose(2, 0, 1)  # (outputs, coords, npoints)
            out[:, coords] = scheme.combine_arrays(grouped, centre, divisor[coords])
            if vector is None:
                _record(record, coords, grouped[0], centre, scheme)

    def _stacked(self, points: npt.NDArray[Any], vector: Vector | None) -> npt.NDArray[Any]:
        """``f``'s values at stacked points: one row per point (m columns for a vector function)."""
        k = len(points)
        values = np.asarray(self.f(points))
        if vector is None:
            kinds, kind = ("c", "complex") if points.dtype.kind == "c" else ("fiu", "real")
            if values.shape != (k,) or values.dtype.kind not in kinds:
                raise TypeError(f"with vectorized=True, f must return {k} {kind} values for points of shape "
                                f"{points.shape} ({points.dtype}), got {values.dtype} of shape {values.shape}")
            return values[:, None]
        kinds, kind = ("c", "complex") if vector.imaginary else ("fiu", "real")
        if values.dtype.kind not in kinds or values.size != k * vector.m or values.shape[:1] != (k,):
            raise TypeError(f"with vectorized=True, F must return {k} rows of {vector.m} {kind} values for points "
                            f"of shape {points.shape}, got {values.dtype} of shape {values.shape}")
        if vector.imaginary:
            values = values.imag
        return values.reshape(k, vector.m).astype(np.float64, copy=False)

    def value(self, x: npt.NDArray[Any], m: int | None = None) -> object:
        rows = np.asarray(self.f(x[None].copy()))
        if rows.shape[:1] != (1,):
            raise TypeError(f"with vectorized=True, F must return one row of values per point: for points of "
                            f"shape {(1, *x.shape)} it returned shape {rows.shape}")
        return rows[0]

    def values(self, points: Sequence[npt.NDArray[Any]], m: int | None = None) -> Iterable[object]:
        if not len(points):
            return
        per_call = self._per_call(points[0].nbytes, 1)
        for start in range(0, len(points), per_call):
            stacked = np.stack(points[start:start + per_call])
            got = np.asarray(self.f(stacked))
            if got.dtype.kind not in "fiu" or got.shape[:1] != (len(stacked),) or (
                    m is not None and got.size != len(stacked) * m):
                raise TypeError(f"with vectorized=True, f must return a row of real values per point: for points of "
                                f"shape {stacked.shape}, got {got.dtype} of shape {got.shape}")
            yield from got

    def _evaluate(self, points: Sequence[npt.NDArray[Any]]) -> list[Any]:
        return list(self.values(points))

    def counting(self, progress: Progress) -> Batched:
        other = copy.copy(self)
        other.f = progress.counted(self.f, stacked=True)
        return other


_pools: dict[int, ProcessPoolExecutor] = {}  # workers -> pool, kept for the process's life


def _process_pool(workers: int) -> ProcessPoolExecutor:
    if workers not in _pools:
        _pools[workers] = ProcessPoolExecutor(max_workers=workers)
    return _pools[workers]


@atexit.register
def _shut_down_pools() -> None:
    for pool in _pools.values():
        pool.shutdown(cancel_futures=True)


class Mapped(OnCopies):
    """Every point handed to ``map_(f, points)``; ``pool_size``: the kept process pool it belongs to, if any."""

    def __init__(self, f: Any, scheme: Scheme, map_: Any, pool_size: int | None = None) -> None:
        self.f = f
        self.scheme = scheme
        self.map = map_
        self.pool_size = pool_size

    def derivative(self, x: npt.NDArray[Any], h: Steps, exact: bool, elements: Mask = None, values: Values = None,
                   out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        scheme = self.scheme
        steps = flat_steps(x, h)
        divisor = divisors(x, steps, exact, scheme)
        targets = np.arange(x.size) if elements is None else np.flatnonzero(elements).astype(np.intp)
        results = self._evaluate(_ElementPoints(x, _flat_point(x, scheme), scheme, steps, bool(scheme.centre_weight),
                                                targets))
        centre = results.pop(0) if scheme.centre_weight else None
        npoints = scheme.evaluations_per_element
        result = np.empty(x.size, dtype=x.dtype if out is None else out.dtype)
        for j, i in enumerate(targets):
            result[i] = scheme.combine(results[j * npoints:(j + 1) * npoints], centre, float(divisor[i]))
        if values is not None:
            value_of = imaginary_part if scheme.imaginary else real_value
            _record(values, targets, np.array([float(value_of(v)) for v in results]).reshape(-1, npoints),
                    None if centre is None else float(real_value(centre)), scheme)
        if out is None:
            return result.reshape(x.shape)
        out[...] = result.reshape(x.shape)
        return out

    def jacobian(self, x: npt.NDArray[Any], h: Steps, exact: bool, vector: Vector,
                 out: npt.NDArray[np.float64] | None = None, elements: Mask = None) -> npt.NDArray[np.float64]:
        """``F(x)`` is not re-evaluated: the scheme's uses it from ``vector``."""
        steps = flat_steps(x, h)
        divisor = divisors(x, steps, exact, self.scheme)
        npoints = self.scheme.evaluations_per_element
        out = np.empty((vector.m, x.size)) if out is None else out
        targets = np.arange(x.size) if elements is None else np.flatnonzero(elements).astype(np.intp)
        points = _ElementPoints(x, _flat_point(x, self.scheme), self.scheme, steps, False, targets)
        values = [vector.values(r) for r in self._evaluate(points)]
        for j, i in enumerate(targets):
            out[:, i] = self.scheme.combine_arrays(np.stack(values[j * npoints:(j + 1) * npoints], axis=-1),
                                                   vector.at_x, float(divisor[i]))
        return out

    def _evaluate(self, points: Sequence[npt.NDArray[Any]]) -> list[Any]:
        """``f`` at every point, through the map, a chunk of points at a time: a map may hold every point it is
        handed (a process pool submits them all), so each call gets at most :data:`CHUNK_BYTES` of them (and at
        least 64), not the ``2 n**2`` of a Hessian at once."""
        values: list[Any] = []
        per_call = max(64, CHUNK_BYTES // max(points[0].nbytes, 1)) if len(points) else 1
        for start in range(0, len(points), per_call):
            chunk = points[start:start + per_call] if len(points) > per_call else points
            try:
                got = list(self.map(self.f, chunk))
            except BrokenProcessPool:
                if self.pool_size is None:  # the caller's own pool
                    raise
                _pools.pop(self.pool_size, None)  # the next call starts a new pool
                raise RuntimeError("a worker process died while evaluating f (it crashed or called os._exit); "
                                   "this call failed, the next one starts a new pool") from None
            if len(got) != len(chunk):
                raise ValueError(f"workers returned {len(got)} values for {len(chunk)} points")
            values.extend(got)
        return values

    def value(self, x: npt.NDArray[Any], m: int | None = None) -> object:
        return next(iter(self.map(self.f, [x.copy()])))

    def values(self, points: Sequence[npt.NDArray[Any]], m: int | None = None) -> Iterable[object]:
        return self._evaluate(points)

    def counting(self, progress: Progress) -> Mapped:
        other = copy.copy(self)
        other.map = progress.counted_map(self.map)
        return other


def mapper(workers: Any, f: Any) -> tuple[Callable[..., Iterable[Any]], int | None]:
    """The ``map(f, points)`` for ``workers`` and, for an int, the size of the kept process pool it uses."""
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
        return _process_pool(int(workers)).map, int(workers)
    if callable(getattr(workers, "map", None)):
        return workers.map, None
    if callable(workers):
        return workers, None
    raise TypeError("workers must be an int, a map-like callable, or an object with .map, "
                    f"got {type(workers).__name__}")
