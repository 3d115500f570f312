"""Evaluators: the ways to evaluate a scheme's points of ``f`` around ``x``.

Each takes the same arguments, ``(scheme, x, h, exact)`` with ``h`` a float or an array shaped
like ``x`` (one step per element) and ``exact`` to divide by the representable step
``(x + h) - x``, and returns the estimate shaped like ``x``. For a scalar ``f``, ``derivative``
also takes ``elements``, a boolean mask shaped like ``x`` that limits the work to those elements
(the others are left unset), and ``values``, a float64 array ``(x.size, scheme.value_columns)``
that receives the values of ``f`` at each visited element's points (row = its C-order position),
then ``f(x)`` if the scheme uses it, for error estimates:

- :class:`InPlace`: a Python ``f`` called with the caller's ``x``, each element perturbed and
  restored in turn, in memory order (as ``np.nditer``): compiled loops for native, aligned
  float32/float64 arrays, numpy scalars for every other float dtype;
- :class:`COnThreads`: a C-level objective, without the GIL, on one or more threads with private
  copies of ``x``;
- :class:`Batched`: ``f`` called once per chunk of stacked perturbed copies (``vectorized=True``);
- :class:`Mapped`: every point handed to a ``map`` (``workers=``: process pools, ``.map`` objects,
  map-likes, Dask executors), fed from a generator, as scipy does.

In the batched and mapped modes ``f`` receives perturbed *copies*: it must read its argument.
"""
from __future__ import annotations

import atexit
import pickle
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, NamedTuple, cast, overload

import numpy as np
import numpy.typing as npt

from fastgd import _threads
from fastgd.diff import _kernels
from fastgd.diff.layout import has_typed_kernel, memory_order, visits
from fastgd.diff.objectives import CObjective, ObjectiveError
from fastgd.diff.schemes import Scheme, imaginary_part, real_value

Steps = float | npt.NDArray[np.float64]
"""A step for every element, or one step per element (shaped like ``x``)."""
Mask = npt.NDArray[np.bool_] | None
"""The elements to visit (shaped like ``x``), or None for all of them."""
Values = npt.NDArray[np.float64] | None
"""Where to record the values at each element's points, or None."""

# Default batched chunk: keep each stacked batch of points under this many bytes.
CHUNK_BYTES: int = 2**19  # batches that stay in L2: 512 KB measured 2.2x faster than 2 MB here


def _moved_error() -> RuntimeError:
    return RuntimeError("f resized or reallocated x while it was perturbed: its memory cannot be restored; "
                        "f must not change x's shape or memory (it may change values, which are restored)")


def _steps_in(h: Steps, index: npt.NDArray[np.intp] | None) -> Steps:
    """``h`` as the kernels take it: a float, or a float64 step per element in visiting order."""
    if isinstance(h, np.ndarray):
        flat = np.ascontiguousarray(h, dtype=np.float64).reshape(-1)
        return np.ascontiguousarray(flat[index]) if index is not None else flat
    return h


class Vector(NamedTuple):
    """What a vector-valued ``F`` needs besides the point: its values at ``x`` (a float64 vector of
    m, from :func:`as_vector`), which fix ``m`` and serve as ``F(x)`` where the scheme needs it."""

    at_x: npt.NDArray[np.float64]

    @property
    def m(self) -> int:
        """The number of outputs."""
        return int(self.at_x.size)

    def values(self, r: object) -> npt.NDArray[np.float64]:
        """``F``'s value at a point as m float64s (C order), or raise naming what is wrong."""
        return as_vector(r, self.m)


def as_vector(r: object, m: int | None = None) -> npt.NDArray[np.float64]:
    """A value of a vector function ``F`` as a C-contiguous float64 vector (any shape, flattened in
    C order); TypeError if it is not real numbers, ValueError if it has not ``m`` of them."""
    values = np.asarray(r)
    if values.dtype.kind not in "fiu" or values.dtype == np.bool_:
        raise TypeError(f"F must return real numbers (an array of shape (m,) or any shape), got {values.dtype}")
    values = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    if m is not None and values.size != m:
        raise ValueError(f"F returned {values.size} values at a perturbed point but {m} at x: its output size "
                         "must not depend on x")
    return values


class InPlace:
    """A Python ``f`` evaluated at the caller's ``x`` itself, perturbed and restored element by element."""

    def __init__(self, f: Any, scheme: Scheme) -> None:
        self.f = f
        self.scheme = scheme

    def derivative(self, x: npt.NDArray[Any], h: Steps, exact: bool, elements: Mask = None,
                   values: Values = None, arg: npt.NDArray[Any] | None = None,
                   out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        """The estimate at ``x``, shaped and typed like ``x`` (or into ``out``, shaped like ``x``, float32 or
        float64, C-contiguous).

        ``arg``: what ``f`` is called with, if not ``x`` (for a complex step, the complex point
        whose imaginary part ``x`` is).
        """
        out = np.empty(x.shape, dtype=x.dtype) if out is None else out
        self._run(x, out, h, exact, None, elements, values, arg)
        return out

    def jacobian(self, x: npt.NDArray[Any], h: Steps, exact: bool, vector: Vector,
                 out: npt.NDArray[np.float64] | None = None) -> npt.NDArray[np.float64]:
        """The estimate of each output along each element: float64, shape ``(m, x.size)`` (x in C order),
        into ``out`` if given (C-contiguous float64 of that shape)."""
        out = np.empty((vector.m, x.size)) if out is None else out
        self._run(x, out, h, exact, vector)
        return out

    def _run(self, x: npt.NDArray[Any], out: npt.NDArray[Any], h: Steps, exact: bool, vector: Vector | None,
             elements: Mask = None, values: Values = None, arg: npt.NDArray[Any] | None = None) -> None:
        if x.size == 0:
            return
        if not has_typed_kernel(x):
            self._numpy_scalars(x, out, h, exact, vector, elements=elements, record=values, arg=arg)
            return
        offsets, index, n = visits(x, elements)
        scheme = self.scheme
        if vector is None:
            status = _kernels.derivative(self.f, x, out, offsets, index, n, scheme.compiled,
                                         _steps_in(h, index), exact, scheme.combine, arg=arg, values=values)
        else:
            status = _kernels.derivative(self.f, x, out, offsets, index, x.size, scheme.compiled,
                                         _steps_in(h, index), exact, scheme.combine, -1, vector.m, vector.values,
                                         vector.at_x if scheme.centre_weight else None)
        if status == _kernels.MOVED:
            raise _moved_error()

    def mixed(self, x: npt.NDArray[Any], h: Steps, exact: bool, inner: Scheme,
              out: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Mixed second derivatives of a scalar ``f``: the scheme along each element of ``inner``'s estimates
        along each later one (in memory order), into ``out[i, j]`` and ``out[j, i]`` (C positions; float64
        ``(x.size, x.size)``, C-contiguous; the diagonal is left alone). Native float32/float64 ``x`` only
        (:func:`fastgd.diff.layout.has_typed_kernel`)."""
        if x.size > 1:
            offsets, index = memory_order(x)
            status = _kernels.mixed(self.f, x, out, offsets, index, x.size, self.scheme.compiled, inner.compiled,
                                    _steps_in(h, index), exact, _as_double)
            if status == _kernels.MOVED:
                raise _moved_error()
        return out

    def rows(self, X: npt.NDArray[Any], h: Steps, exact: bool) -> npt.NDArray[Any]:
        """The estimate at each row ``X[r]`` of a 2-D ``X`` (``f`` is called with the row view)."""
        out = np.empty(X.shape, dtype=X.dtype)
        if X.size == 0:
            return out
        if not has_typed_kernel(X):
            for row, out_row, h_row in zip(X, out, _rows_of(h, len(X)), strict=True):
                self._numpy_scalars(row, out_row, h_row, exact, None, guarded=X)
            return out
        if isinstance(h, np.ndarray):  # one compiled call per row, each with its own steps
            for r in range(len(X)):
                out[r] = self.derivative(X[r], h[r], exact)
            return out
        offsets, index = memory_order(X[0])
        status = _kernels.derivative(self.f, X, out, offsets, index, X.shape[1], self.scheme.compiled,
                                     _steps_in(h, index), exact, self.scheme.combine, len(X))
        if status == _kernels.MOVED:
            raise _moved_error()
        return out

    def descend(self, x: npt.NDArray[Any], h: Steps, exact: bool, lr: float, step_num: int,
                history: npt.NDArray[Any] | None) -> None:
        """``step_num`` times: the point into ``history[k]`` (if given), then ``x -= lr * estimate``."""
        if x.size == 0:
            return
        if not has_typed_kernel(x):
            grad = np.empty_like(x)
            for k in range(step_num):
                if history is not None:
                    history[k] = x
                self._numpy_scalars(x, grad, h, exact, None)
                x -= lr * grad
            return
        offsets, index = memory_order(x)
        status = _kernels.descend(self.f, x, offsets, index, x.size, self.scheme.compiled, _steps_in(h, index),
                                  exact, self.scheme.combine, lr, step_num, history)
        if status == _kernels.MOVED:
            raise _moved_error()

    def _numpy_scalars(self, x: npt.NDArray[Any], out: npt.NDArray[Any], h: Steps, exact: bool,
                       vector: Vector | None, guarded: npt.NDArray[Any] | None = None, elements: Mask = None,
                       record: Values = None, arg: npt.NDArray[Any] | None = None) -> None:
        """The slow path for float16, longdouble, byte-swapped or unaligned arrays: numpy scalars,
        the reference's operations, in memory order; each element restored if ``f`` raises.
        ``guarded``: the array whose memory ``x`` is (``x`` itself, or the 2-D array of a row);
        ``elements``, ``record`` (values), ``arg``: as :meth:`derivative` takes them."""
        scheme, f, point = self.scheme, self.f, x if arg is None else arg
        guarded = x if guarded is None else guarded
        shape, address = guarded.shape, guarded.__array_interface__["data"][0]
        _, index, _ = visits(x, elements)
        steps = np.broadcast_to(np.asarray(h, dtype=np.float64), x.shape)
        if vector is not None:
            centre: Any = vector.at_x
        else:
            centre = f(point) if scheme.centre_weight else None
        for position in range(x.size) if index is None else index:
            idx = np.unravel_index(position, x.shape)
            v, step = x[idx], float(steps[idx])
            if exact:
                step = float((v + step) - v)
            values = []
            for offset, widened in zip(scheme.offsets, cast("tuple[bool, ...]", scheme.widened), strict=True):
                x[idx] = float(v) + offset * step if widened else v + offset * step
                try:
                    values.append(f(point))
                finally:
                    if guarded.shape != shape or guarded.__array_interface__["data"][0] != address:
                        raise _moved_error()
                    x[idx] = v
            if vector is None:
                out[idx] = scheme.combine(values, centre, step)
                if record is not None:
                    value_of = imaginary_part if scheme.imaginary else real_value
                    record[position] = [float(value_of(value)) for value in (*values, centre)[:scheme.value_columns]]
            else:
                out[:, position] = scheme.combine_arrays(np.stack([vector.values(r) for r in values], axis=-1),
                                                         centre, step)


def _as_double(r: object) -> float:
    return float(real_value(r))


def _rows_of(h: Steps, rows: int) -> list[Steps]:
    return list(h) if isinstance(h, np.ndarray) else [h] * rows


class COnThreads:
    """A C-level objective over a C-contiguous float64 ``x``, on up to ``threads`` threads."""

    def __init__(self, objective: CObjective, scheme: Scheme, threads: int) -> None:
        self.objective = objective
        self.scheme = scheme
        self.threads = threads

    def _run(self, x: npt.NDArray[Any], h: Steps, exact: bool, m: int = -1, elements: Mask = None,
             values: Values = None, inner: Scheme | None = None) -> _kernels.CObjectiveRun:
        o = self.objective
        return _kernels.CObjectiveRun(cast(int, o.address), o.user_data, m, o.wide_n, o.status, x.size,
                                      self.scheme.compiled, _steps_in(h, None), exact, self.threads, o.keepalive,
                                      None if elements is None else _targets(x, elements), values,
                                      None if inner is None else inner.compiled, _threads.team_size)

    def derivative(self, x: npt.NDArray[Any], h: Steps, exact: bool, elements: Mask = None,
                   values: Values = None, progress: Callable[[int], object] | None = None) -> npt.NDArray[Any]:
        """The estimate at ``x`` (C-contiguous float64, as the caller checked), shaped like ``x``;
        ``progress(elements done)`` now and then, if given."""
        out = np.empty(x.shape)
        if x.size:
            _raise_failure(*self._run(x, h, exact, -1, elements, values).derivative(x, out, progress))
        return out

    def mixed(self, x: npt.NDArray[Any], h: Steps, exact: bool, inner: Scheme, out: npt.NDArray[np.float64],
              progress: Callable[[int], object] | None = None) -> npt.NDArray[np.float64]:
        """:meth:`InPlace.mixed` for a scalar C objective (element i's row: every j > i, on the threads);
        ``progress(rows done)`` now and then, if given."""
        if x.size > 1:
            _raise_failure(*self._run(x, h, exact, inner=inner).derivative(x, out, progress))
            lower = np.tril_indices(x.size, -1)
            out[lower] = out.T[lower]  # the loops write each row's upper part
        return out

    def jacobian(self, x: npt.NDArray[Any], h: Steps, exact: bool, m: int,
                 out: npt.NDArray[np.float64] | None = None,
                 progress: Callable[[int], object] | None = None) -> npt.NDArray[np.float64]:
        """Each output's estimate along each element, shape ``(m, x.size)``: a vector function's m
        outputs, or (m = 1) a scalar objective's value; into ``out`` if given; ``progress`` as for
        :meth:`derivative`."""
        out = np.empty((m, x.size)) if out is None else out
        if x.size:
            _raise_failure(*self._run(x, h, exact, m if self.objective.vector else -1).derivative(x, out, progress))
        return out

    def descend(self, x: npt.NDArray[Any], h: Steps, exact: bool, lr: float, step_num: int,
                history: npt.NDArray[Any] | None) -> None:
        """``step_num`` steps of ``x -= lr * estimate`` in C; each start point into ``history``."""
        if x.size:
            _raise_failure(*self._run(x, h, exact).descend(x, lr, step_num, history))


def _raise_failure(status: int, element: int) -> None:
    """Turn a C loop's ``(status, element)`` into :class:`ObjectiveError` (nothing for success)."""
    if status == 0:
        return
    where = "at x itself" if element == _kernels.AT_X else f"at element {element}"
    if status == _kernels.NAN_STATUS:
        raise ObjectiveError(f"the C objective returned NaN {where} (x is restored)")
    raise ObjectiveError(f"the C objective returned status {status} {where} (x is restored)")


def _targets(x: npt.NDArray[Any], elements: Mask) -> npt.NDArray[np.intp]:
    """The C-order positions of the elements to visit."""
    return np.arange(x.size) if elements is None else np.flatnonzero(elements).astype(np.intp)


def _points(flat: npt.NDArray[Any], coords: npt.NDArray[np.intp], scheme: Scheme,
            h: npt.NDArray[np.float64]) -> npt.NDArray[Any]:
    """Copies of ``flat``, one per (coordinate, point): row ``r * npoints + k`` has
    ``flat[coords[r]]`` moved to point ``k`` with step ``h[r]``, computed as the compiled loops do
    (for a complex step, ``flat`` is complex and the imaginary part moves)."""
    npoints = scheme.evaluations_per_element
    points = np.repeat(flat[None, :], npoints * len(coords), axis=0)
    rows = np.arange(len(coords)) * npoints
    v = flat[coords]
    for k, (offset, widened) in enumerate(zip(scheme.offsets, cast("tuple[bool, ...]", scheme.widened),
                                              strict=True)):
        step = offset * h
        if scheme.imaginary:
            points[rows + k, coords] = v + 1j * step.astype(v.real.dtype)
        else:
            points[rows + k, coords] = (v.astype(np.float64) + step) if widened else v + step.astype(flat.dtype)
    return points


def _flat_point(x: npt.NDArray[Any], scheme: Scheme) -> npt.NDArray[Any]:
    """``x`` as a C-order 1-D array the points are copied from: complex for a complex step."""
    flat = np.ascontiguousarray(x).reshape(-1)
    return flat.astype(np.result_type(flat.dtype, np.complex64)) if scheme.imaginary else flat


def _record(values: Values, coords: npt.NDArray[np.intp], point_values: npt.NDArray[Any], centre: Any,
            scheme: Scheme) -> None:
    """The values at the points of the elements ``coords`` (rows), then ``f(x)``, into ``values``."""
    if values is not None:
        npoints = scheme.evaluations_per_element
        values[coords, :npoints] = point_values.imag if point_values.dtype.kind == "c" else point_values
        if scheme.centre_weight:
            values[coords, npoints] = centre


def _flat_steps(x: npt.NDArray[Any], h: Steps, exact: bool) -> npt.NDArray[np.float64]:
    """One float64 step per element of ``x`` (C order); the representable one if ``exact``."""
    flat = x.reshape(-1)
    steps = np.broadcast_to(np.asarray(h, dtype=np.float64).reshape(-1) if isinstance(h, np.ndarray) else h,
                            flat.shape).astype(np.float64)
    if exact:
        steps = ((flat + steps.astype(x.dtype)) - flat).astype(np.float64)
    return steps


class Batched:
    """``f`` called once per chunk with stacked perturbed copies, shape ``(m, *x.shape)``, returning m values."""

    def __init__(self, f: Any, scheme: Scheme, chunk_size: int | None) -> None:
        self.f = f
        self.scheme = scheme
        self.chunk_size = chunk_size

    def derivative(self, x: npt.NDArray[Any], h: Steps, exact: bool, elements: Mask = None,
                   values: Values = None) -> npt.NDArray[Any]:
        """The estimate at ``x``, shaped and typed like ``x``."""
        out = np.empty((1, x.size), dtype=x.dtype)
        self._run(x, out, h, exact, None, elements, values)
        return out.reshape(x.shape)

    def jacobian(self, x: npt.NDArray[Any], h: Steps, exact: bool, vector: Vector,
                 out: npt.NDArray[np.float64] | None = None) -> npt.NDArray[np.float64]:
        """Each output's estimate along each element, shape ``(m, x.size)``; into ``out`` if given."""
        out = np.empty((vector.m, x.size)) if out is None else out
        self._run(x, out, h, exact, vector)
        return out

    def _run(self, x: npt.NDArray[Any], out: npt.NDArray[Any], h: Steps, exact: bool, vector: Vector | None,
             elements: Mask = None, record: Values = None) -> None:
        """``out[:, i]``: the estimates along element i, from chunks of stacked points."""
        scheme, flat = self.scheme, _flat_point(x, self.scheme)
        npoints = scheme.evaluations_per_element
        point_bytes = x.nbytes + out.shape[0] * out.itemsize  # a point and F's values there
        chunk_size = self.chunk_size or max(npoints, CHUNK_BYTES // max(point_bytes, 1))
        per_chunk = max(1, chunk_size // npoints)
        steps = _flat_steps(x, h, exact)
        if vector is not None:
            centre: Any = vector.at_x[:, None]
        else:
            centre = self._values(x[None], None)[0, 0] if scheme.centre_weight else None
        targets = _targets(x, elements)
        for start in range(0, len(targets), per_chunk):
            coords = targets[start:start + per_chunk]
            points = _points(flat, coords, scheme, steps[coords]).reshape(-1, *x.shape)
            values = self._values(points, vector)  # (points, outputs)
            values = values.reshape(len(coords), npoints, -1).transpose(2, 0, 1)  # (outputs, coords, npoints)
            out[:, coords] = scheme.combine_arrays(values, centre, steps[coords])
            if vector is None:
                _record(record, coords, values[0], centre, scheme)

    def _values(self, points: npt.NDArray[Any], vector: Vector | None) -> npt.NDArray[Any]:
        """``f``'s values at stacked points: one row per point (m columns for a vector function)."""
        k = len(points)
        if vector is None:
            values = np.asarray(self.f(points))
            kinds, kind = ("c", "complex") if points.dtype.kind == "c" else ("fiu", "real")
            if values.shape != (k,) or values.dtype.kind not in kinds:
                raise TypeError(f"with vectorized=True, f must return {k} {kind} values for points of shape "
                                f"{points.shape} ({points.dtype}), got {values.dtype} of shape {values.shape}")
            return values[:, None]
        values = np.asarray(self.f(points))
        if values.dtype.kind not in "fiu" or values.size != k * vector.m or values.shape[:1] != (k,):
            raise TypeError(f"with vectorized=True, F must return {k} rows of {vector.m} real values for points "
                            f"of shape {points.shape}, got {values.dtype} of shape {values.shape}")
        return values.reshape(k, vector.m).astype(np.float64, copy=False)


_pools: dict[int, ProcessPoolExecutor] = {}  # workers -> pool, kept for the process's life


def _process_pool(workers: int) -> ProcessPoolExecutor:
    if workers not in _pools:
        _pools[workers] = ProcessPoolExecutor(max_workers=workers)
    return _pools[workers]


@atexit.register
def _shut_down_pools() -> None:
    for pool in _pools.values():
        pool.shutdown(cancel_futures=True)


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


class _PointSequence(LazyPoints):
    """The points of a mapped derivative: ``x`` itself first if ``centre``, then each element's points in turn."""

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
        point = _points(self.flat, np.array([i]), self.scheme, self.steps[i:i + 1])[k]
        return cast("npt.NDArray[Any]", point.reshape(self.x.shape))


class Mapped:
    """Every point handed to ``map_(f, points)``; ``pool_size``: the kept process pool it belongs to, if any."""

    def __init__(self, f: Any, scheme: Scheme, map_: Any, pool_size: int | None = None) -> None:
        self.f = f
        self.scheme = scheme
        self.map = map_
        self.pool_size = pool_size

    def derivative(self, x: npt.NDArray[Any], h: Steps, exact: bool, elements: Mask = None,
                   values: Values = None) -> npt.NDArray[Any]:
        """The estimate at ``x``, shaped and typed like ``x``."""
        scheme = self.scheme
        steps = _flat_steps(x, h, exact)
        targets = _targets(x, elements)
        results = self._values(x, steps, bool(scheme.centre_weight), targets)
        centre = results.pop(0) if scheme.centre_weight else None
        npoints = scheme.evaluations_per_element
        out = np.empty(x.size, dtype=x.dtype)
        for j, i in enumerate(targets):
            out[i] = scheme.combine(results[j * npoints:(j + 1) * npoints], centre, float(steps[i]))
        if values is not None:
            value_of = imaginary_part if scheme.imaginary else real_value
            _record(values, targets, np.array([float(value_of(v)) for v in results]).reshape(-1, npoints),
                    None if centre is None else float(real_value(centre)), scheme)
        return out.reshape(x.shape)

    def jacobian(self, x: npt.NDArray[Any], h: Steps, exact: bool, vector: Vector,
                 out: npt.NDArray[np.float64] | None = None) -> npt.NDArray[np.float64]:
        """Each output's estimate along each element, shape ``(m, x.size)`` (into ``out`` if given);
        ``F(x)`` is not re-evaluated."""
        steps = _flat_steps(x, h, exact)
        npoints = self.scheme.evaluations_per_element
        out = np.empty((vector.m, x.size)) if out is None else out
        values = [vector.values(r) for r in self._values(x, steps, False, _targets(x, None))]
        for i in range(x.size):
            out[:, i] = self.scheme.combine_arrays(np.stack(values[i * npoints:(i + 1) * npoints], axis=-1),
                                                   vector.at_x, float(steps[i]))
        return out

    def _values(self, x: npt.NDArray[Any], steps: npt.NDArray[np.float64], centre: bool,
                targets: npt.NDArray[np.intp]) -> list[Any]:
        """``f`` at the points of the elements ``targets``, through the map: ``f(x)`` first if ``centre``."""
        points = _PointSequence(x, _flat_point(x, self.scheme), self.scheme, steps, centre, targets)
        try:
            values = list(self.map(self.f, points))
        except BrokenProcessPool:
            if self.pool_size is None:  # the caller's own pool
                raise
            _pools.pop(self.pool_size, None)  # the next call starts a new pool
            raise RuntimeError("a worker process died while evaluating f (it crashed or called os._exit); "
                               "this call failed, the next one starts a new pool") from None
        if len(values) != len(points):
            raise ValueError(f"workers returned {len(values)} values for {len(points)} points")
        return values


def mapper(workers: Any, f: Any) -> tuple[Any, int | None]:
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


__all__ = ["Batched", "COnThreads", "InPlace", "Mapped", "mapper", "real_value"]
