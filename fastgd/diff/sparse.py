"""Sparse Jacobians by column groups: :class:`SparseJacobian`, a sparsity pattern prepared once, and
:func:`color_columns`.

Columns of a Jacobian that have no nonzero in a common row can be perturbed together: ``F`` at
``x + h (e_a + e_b + ...)`` gives each row's derivative along the one column of the group that
row depends on (Curtis, Powell & Reid, *J. Inst. Maths Applics* 13, 1974). So a Jacobian whose
columns fall into ``k`` groups costs ``2 k`` evaluations of ``F`` (central differences), whatever
its size: 6 for a tridiagonal pattern.

The groups are a coloring of the columns (a distance-2 coloring of the bipartite row/column graph,
Gebremedhin, Manne & Pothen, *SIAM Review* 47, 2005), made greedily -- each column, in turn, takes
the smallest color no column sharing a row with it has -- in the natural order, and, unless that
already reaches the lower bound (the most nonzeros in a row), in largest-first order too, then
improved by re-running the greedy pass with the columns ordered by their colors (Culberson's
iterated greedy, which never adds a color). A plan keeps the groups, the columns of each group
and, for each nonzero of the result in CSR order, where its value is among the groups'
differences: a Jacobian from a plan is the evaluations of ``F``, one gather and one division.
"""
from __future__ import annotations

import copy
import threading
from collections.abc import Iterable
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from fastgd._typing import Workers
from fastgd._validate import positive_number
from fastgd.diff import _sparse
from fastgd.diff._core import progress as progress_bars
from fastgd.diff._core.bounds import rows_within
from fastgd.diff._core.checks import check_finite, result_dtype
from fastgd.diff._core.complex_step import check_real_at_x
from fastgd.diff._core.evaluator import Evaluator, known_vector
from fastgd.diff._core.factory import make_evaluator
from fastgd.diff._core.in_place import moved_error
from fastgd.diff._core.layout import has_typed_kernel, memory_order
from fastgd.diff._core.on_copies import LazyPoints, moved
from fastgd.diff._core.schemes import Scheme, scheme
from fastgd.diff._core.steps import (
    check_moves,
    complex_dtype,
    component_steps,
    distances,
    epsilon,
    jacobian_steps,
    power_of_two,
)
from fastgd.diff._core.values import Vector, as_vector

Index = npt.NDArray[np.intp]
#: At most this many greedy passes improve a coloring by reordering (each costs sum(row nonzeros ** 2)).
RECOLOR_PASSES: int = 8
#: A batch of groups' sums of F's values may hold this many values, or twice the nonzeros, or m.
BATCH_VALUES: int = 2**16


def scipy_sparse() -> Any:
    try:
        import scipy.sparse  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        raise ImportError("sparse Jacobians are scipy.sparse arrays: install scipy (pip install fastgd[sparse])"
                          ) from None
    return scipy.sparse


def pattern_structure(sparsity: object) -> tuple[tuple[int, int], Index, Index]:
    """``(shape, indptr, indices)``: the CSR structure of a pattern's nonzeros (sorted, no duplicates)."""
    if type(sparsity).__module__.startswith("scipy.sparse"):
        sparse = scipy_sparse()
        if not sparse.issparse(sparsity) or len(cast(Any, sparsity).shape) != 2:
            raise ValueError("sparsity must be a 2-D scipy.sparse matrix or array")
        csr = sparse.csr_array(sparsity, dtype=bool)  # a copy: nonzeros (NaN too) become True
        csr.sum_duplicates()
        csr.eliminate_zeros()
        return csr.shape, csr.indptr.astype(np.intp), csr.indices.astype(np.intp)
    try:
        dense = np.asarray(sparsity)
    except (TypeError, ValueError):
        raise TypeError(f"sparsity must be a scipy.sparse matrix or a 2-D array, got {type(sparsity).__name__}"
                        ) from None
    if dense.dtype.kind not in "biuf":
        raise TypeError(f"sparsity must hold booleans or numbers (nonzero: a possible nonzero), got {dense.dtype}")
    if dense.ndim != 2:
        raise ValueError(f"sparsity must be 2-D, shape (m, x.size), got shape {dense.shape}")
    rows, indices = np.nonzero(dense)
    indptr = np.zeros(dense.shape[0] + 1, dtype=np.intp)
    np.cumsum(np.bincount(rows, minlength=dense.shape[0]), out=indptr[1:])
    return (int(dense.shape[0]), int(dense.shape[1])), indptr, indices.astype(np.intp)


def _colors(n: int, indptr: Index, indices: Index) -> tuple[Index, int]:
    """The columns' colors and how many (see the module docstring)."""
    if n == 0:
        return np.zeros(0, dtype=np.intp), 0
    row_sizes = np.diff(indptr)
    lower = max(1, int(row_sizes.max(initial=0)))
    if lower == n:  # a dense row: every column is its own group (and the greedy pass would take n**2)
        return np.arange(n, dtype=np.intp), n
    col_ptr, rows = _sparse.transpose(n, indptr, indices)
    colors, candidate = np.empty(n, dtype=np.intp), np.empty(n, dtype=np.intp)
    used = _sparse.greedy(indptr, indices, col_ptr, rows, np.arange(n, dtype=np.intp), colors)
    if used <= lower:
        return colors, used
    degree = np.bincount(indices, weights=np.repeat(row_sizes, row_sizes), minlength=n)
    tried = _sparse.greedy(indptr, indices, col_ptr, rows, np.argsort(-degree, kind="stable").astype(np.intp),
                             candidate)
    if tried < used:
        colors, candidate, used = candidate, colors, tried
    for _ in range(RECOLOR_PASSES):
        if used <= lower:
            break
        order = np.argsort(-colors, kind="stable").astype(np.intp)  # the last color class first
        tried = _sparse.greedy(indptr, indices, col_ptr, rows, order, candidate)
        if tried >= used:
            break
        colors, candidate, used = candidate, colors, tried
    return colors, used


def color_columns(sparsity: object) -> npt.NDArray[np.intp]:
    """Groups of columns that can be perturbed together: ``groups[j]`` is column ``j``'s group.

    No two columns of a group have a nonzero in a common row. As scipy's ``group_columns`` returns
    them (``scipy.optimize._numdiff``), with as few groups as a greedy coloring in a good order gives
    (3 for a tridiagonal pattern, the least possible).

    Parameters
    ----------
    sparsity : scipy.sparse matrix or array_like
        The pattern, shape ``(m, n)``: nonzero (or True) where the Jacobian may be nonzero.

    Returns
    -------
    numpy.ndarray
        intp, shape ``(n,)``, values ``0 .. groups - 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import color_columns
    >>> tridiagonal = np.eye(6, dtype=bool) | np.eye(6, k=1, dtype=bool) | np.eye(6, k=-1, dtype=bool)
    >>> color_columns(tridiagonal)
    array([0, 1, 2, 0, 1, 2])
    """
    shape, indptr, indices = pattern_structure(sparsity)
    return _colors(shape[1], indptr, indices)[0]


class _GroupPoints(LazyPoints):
    """The points of ``groups`` groups from ``first_group`` on: point ``g * npoints + k`` moves group
    ``first_group + g``'s columns to the scheme's point ``k``."""

    def __init__(self, plan: SparseJacobian, x: npt.NDArray[Any], scheme: Scheme, steps: npt.NDArray[np.float64],
                 first_group: int, groups: int) -> None:
        flat = x.reshape(-1)
        self.plan, self.shape, self.scheme, self.steps = plan, x.shape, scheme, steps
        self.flat = flat.astype(complex_dtype(flat.dtype)) if scheme.imaginary else flat
        self.first_group = first_group
        self.length = groups * scheme.evaluations_per_element

    def __dask_tokenize__(self) -> tuple[object, ...]:
        """What the points depend on, for Dask's task keys."""
        return (type(self).__name__, id(self.plan), self.first_group, self.length, self.scheme, self.flat.dtype.str,
                self.shape, self.flat.tobytes(), self.steps.tobytes())

    def point(self, i: int) -> npt.NDArray[Any]:
        """Point ``i``: a copy of x with a group's columns moved."""
        group, k = divmod(i, self.scheme.evaluations_per_element)
        point: npt.NDArray[Any] = self.flat.copy()
        columns = self.plan.columns[self.first_group + group]
        point[columns] = moved(point[columns], self.scheme.offsets[k] * self.steps[columns],
                               cast("tuple[bool, ...]", self.scheme.widened)[k], self.scheme.imaginary)
        return point.reshape(self.shape)


class _MixedGroupPoints(LazyPoints):
    """The points of every group beside bounds: point ``g * npoints + k`` moves each column ``j`` of group ``g`` to
    its own row's ``k``-th point at its step (``rows[kinds[j]]``), as the loops place it."""

    def __init__(self, plan: SparseJacobian, flat: npt.NDArray[Any], shape: tuple[int, ...], rows: list[Scheme],
                 kinds: Index, steps: npt.NDArray[np.float64]) -> None:
        self.plan, self.flat, self.shape = plan, flat, shape
        self.rows, self.kinds, self.steps = rows, kinds, steps
        self.npoints = rows[0].evaluations_per_element
        self.length = plan.colors * self.npoints

    def point(self, i: int) -> npt.NDArray[Any]:
        """Point ``i``: a copy of x with a group's columns moved."""
        group, k = divmod(i, self.npoints)
        columns = self.plan.columns[group]
        shifted: npt.NDArray[Any] = self.flat.copy()
        for kind, row in enumerate(self.rows):
            mine = columns[self.kinds[columns] == kind]
            assert row.widened is not None  # set by Scheme.__post_init__
            shifted[mine] = moved(shifted[mine], row.offsets[k] * self.steps[mine], row.widened[k], False)
        return shifted.reshape(self.shape)


class SparseJacobian:
    """A Jacobian's sparsity pattern, prepared once for repeated Jacobians by column groups.

    The columns are grouped once (:func:`color_columns`); each Jacobian then costs ``2 * colors``
    evaluations of ``F`` (central differences; ``colors + 1`` for a one-sided scheme), one gather
    and one division, and comes back as a ``scipy.sparse.csr_array`` with the pattern's nonzeros
    (in CSR order, sorted). Memory is O(nonzeros + colors * m): a tridiagonal pattern of a million
    columns is fine.

    The pattern is trusted: a derivative missing from the pattern is not detected by the Jacobian. Its
    row's difference along the group then holds it too, and it is folded silently into the entry of the
    column of that group the row has in the pattern (or dropped, if the row has none there) -- scipy's
    ``approx_derivative(sparsity=...)`` does the same. :meth:`check` tests a pattern against ``F``
    with two more calls.

    Parameters
    ----------
    sparsity : scipy.sparse matrix or array_like
        The pattern, shape ``(m, n)``: nonzero (or True) where the Jacobian may be nonzero.
    groups : array_like of int, optional
        Column groups to use instead (as scipy's ``group_columns`` gives them); checked.

    Attributes
    ----------
    shape : tuple of int
        ``(m, n)``.
    colors : int
        The number of groups.
    groups : numpy.ndarray
        Each column's group (read-only).
    columns : list of numpy.ndarray
        The columns of each group.
    order : numpy.ndarray
        The columns, group by group.
    nnz : int
        Nonzeros in the pattern.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> import fastgd
    >>> def broyden(x):  # F_i = (3 - 2 x_i) x_i - x_{i-1} - 2 x_{i+1} + 1: a tridiagonal Jacobian
    ...     f = (3 - 2 * x) * x + 1
    ...     f[1:] -= x[:-1]
    ...     f[:-1] -= 2 * x[1:]
    ...     return f
    >>> n = 1000
    >>> plan = fastgd.SparseJacobian(sp.diags_array([1.0, 1.0, 1.0], offsets=[-1, 0, 1], shape=(n, n)))
    >>> plan.colors
    3
    >>> J = plan.jacobian(broyden, np.full(n, -1.0))  # 6 evaluations of broyden
    >>> J.shape, J.nnz
    ((1000, 1000), 2998)
    >>> J[:3, :3].toarray()
    array([[ 7., -2.,  0.],
           [-1.,  7., -2.],
           [ 0., -1.,  7.]])
    """

    def __init__(self, sparsity: object, *, groups: npt.ArrayLike | None = None) -> None:
        self._sparse = scipy_sparse()
        self.shape, indptr, indices = pattern_structure(sparsity)
        m, n = self.shape
        if groups is None:
            colors, self.colors = _colors(n, indptr, indices)
        else:
            colors, self.colors = self._checked_groups(groups, indptr, indices)
        colors.flags.writeable = False
        self.groups = colors
        self.order = np.argsort(colors, kind="stable").astype(np.intp)  # the columns, group by group
        self._starts = np.zeros(self.colors + 1, dtype=np.intp)
        np.cumsum(np.bincount(colors, minlength=self.colors), out=self._starts[1:])
        self.columns = np.split(self.order, self._starts[1:-1])
        self._packed = np.empty(n, dtype=np.intp)  # column j is self.order[self._packed[j]]
        self._packed[self.order] = np.arange(n)
        small = max(n, indices.size, m + 1) < np.iinfo(np.int32).max
        index_type = np.int32 if small else np.intp  # as scipy keeps its indices
        self._indptr, self._indices = indptr.astype(index_type), indices.astype(index_type)
        # Groups are evaluated in batches whose sums, (groups, m), take O(nnz + m) memory: all at once for a
        # few colors (a band), in many batches for many (a dense row makes every column a color).
        per_batch = max(1, max(2 * indices.size, m, BATCH_VALUES) // max(m, 1))
        self._batches = [(g, min(g + per_batch, self.colors)) for g in range(0, self.colors, per_batch)]
        rows = np.repeat(np.arange(m, dtype=np.intp), np.diff(indptr))
        group_of = colors[indices]
        slots = group_of * m + rows  # nonzero k: its group's sum in its row, in the (colors, m) sums
        steps_of = self._packed[indices]  # ... its column's step
        if len(self._batches) == 1:  # decompress in CSR order
            self._targets: Index | None = None
            self._nonzero_starts = np.array([0, indices.size], dtype=np.intp)
        else:  # group by group, each nonzero to its place in CSR order
            self._targets = np.argsort(group_of, kind="stable").astype(np.intp)
            slots, steps_of = slots[self._targets], steps_of[self._targets]
            firsts = [first for first, _ in self._batches] + [self.colors]
            self._nonzero_starts = np.searchsorted(group_of[self._targets], firsts)
        small = max(self.colors * m, n) < np.iinfo(np.int32).max
        self._slots = slots.astype(np.int32) if small else slots
        self._steps_of_nonzeros = steps_of.astype(self._slots.dtype)
        self._contiguous: dict[int, Index] = {}  # itemsize -> byte offsets of a C-contiguous x
        self._template = self._sparse.csr_array((np.zeros(indices.size), self._indices, self._indptr), shape=self.shape)
        self._buffers = threading.Lock()
        self._totals: npt.NDArray[np.float64] = np.empty((0, 0))

    @property
    def nnz(self) -> int:
        """Nonzeros in the pattern."""
        return int(self._indices.size)

    def __repr__(self) -> str:
        return f"SparseJacobian(shape={self.shape}, nnz={self.nnz}, colors={self.colors})"

    def _checked_groups(self, groups: npt.ArrayLike, indptr: Index, indices: Index) -> tuple[Index, int]:
        given = np.asarray(groups)
        n = self.shape[1]
        if given.shape != (n,) or given.dtype.kind not in "iu":
            raise ValueError(f"groups must be {n} integers (one per column), got {given.dtype} of shape {given.shape}")
        colors = given.astype(np.intp)
        if n and (colors.min() < 0 or colors.max() >= n):  # checked before any array of the groups is made
            raise ValueError(f"groups must be in [0, {n}) (no more groups than columns), got values from "
                             f"{int(given.min())} to {int(given.max())}")
        used = int(colors.max(initial=-1)) + 1
        if not _sparse.is_coloring(indptr, indices, colors, used):
            raise ValueError("groups put two columns with a nonzero in the same row into one group")
        return colors, used

    def jacobian(self, F: Any, x: npt.NDArray[Any], h: float | npt.ArrayLike | None = None, *, method: str = "central",
                 m: int | None = None, bounds: Any = None, f0: npt.ArrayLike | None = None,
                 threads: int | None = None, vectorized: bool = False, chunk_size: int | None = None,
                 workers: Workers | None = None, progress: bool = False) -> Any:
        """The Jacobian of ``F`` at ``x`` as a ``scipy.sparse.csr_array`` of the pattern's shape (float32 for a
        float32 ``x``, else float64).

        The arguments are :func:`fastgd.jacobian`'s: a Python ``F`` is called with ``x`` itself, each
        group's elements moved together and restored; ``vectorized=True``, ``workers=`` and C vector
        functions as there (a C function's groups run one after another: ``threads`` is not used).
        ``x`` must be a native float32 or float64 array. With ``bounds=``, where some column's points
        would leave the box, each group's points move each of its columns by that column's own row (the
        method's one-sided rows beside a bound): the same ``colors * points`` evaluations, on copies of ``x``.
        """
        row = scheme(method, jacobian=True)
        evaluator = make_evaluator(F, x, threads, vectorized, chunk_size, workers, row, vector=True)
        steps = jacobian_steps(h, x, row, bounds)
        if row.imaginary:
            steps = component_steps(x, steps)
        rows, n = self.shape
        if x.size != n:
            raise ValueError(f"sparsity has {n} columns, but x has {x.size} elements")
        if evaluator.outputs(m, default=rows) != rows:
            raise ValueError(f"sparsity has {rows} rows, but F writes m={m} values")
        if not has_typed_kernel(x):
            raise TypeError(f"a sparse Jacobian needs x as a native float32 or float64 array, got {x.dtype}"
                            f"{'' if x.flags.aligned else ' (unaligned)'}: pass x.astype(np.float64)")
        known = None if f0 is None else known_vector(evaluator, f0, rows, True, x.shape).at_x
        if bounds is not None:
            check_finite(x)
            layout = rows_within(x, steps, row, bounds)
            if layout[0][1] is not None:  # some column takes a one-sided row
                return self._within_bounds(evaluator, x, layout, known, progress)
        positions = self._positions(x)  # the elements, group by group (self.order)
        values, taken, distance = np.empty(n), np.empty(n), np.empty(n)
        given = np.take(steps, self.order) if isinstance(steps, np.ndarray) else None
        bad = _sparse.values_and_steps(x, positions, given, 0.0 if given is not None else float(steps), row.offsets,
                                       row.weights, row.widened, values, taken, distance)
        if row.imaginary:  # Im F(x + i h e_j) / h: the step itself divides
            distance[:] = taken
            bad = -1 if np.isfinite(values).all() else int(np.argmin(np.isfinite(values)))
        if bad >= 0:
            check_finite(x)
            raise ValueError(f"the step h = {taken[bad]:g} vanishes next to x at element {int(self.order[bad])} "
                             f"({values[bad]!r}): x + h == x there; take a larger h (or h='auto')")
        npoints = row.evaluations_per_element
        data = np.empty(self.nnz)
        as_values = _Values(rows, x.shape, row.imaginary)
        with self._work(rows) as buffer, progress_bars.optional_bar(
                progress, npoints * self.colors + bool((row.centre_weight and known is None) or row.imaginary),
                "jacobian") as bar:
            if bar is not None:
                evaluator = evaluator.counting(bar)
            call = None if row.imaginary else evaluator.point_function(rows)
            if row.imaginary:  # F must be real-valued: no imaginary part at x itself
                check_real_at_x(np.asarray(evaluator.value(np.array(x, dtype=complex_dtype(x.dtype)), rows)))
            centre = None
            if row.centre_weight:  # F may reuse its array: a copy
                centre = known if known is not None else np.array(as_values(evaluator.value(x, rows)))
            for batch, (first_group, end_group) in enumerate(self._batches):
                totals = buffer[:end_group - first_group]
                if call is None:  # on copies: stacked, or through the map
                    self._on_copies(evaluator, x, taken[self._packed], row, totals, first_group)
                else:
                    status = _sparse.groups(call, x, self._starts[first_group:end_group + 1], positions, values, taken,
                                            row.offsets, row.widened, row.weights, totals, as_values)
                    if status == _sparse.MOVED:
                        raise moved_error()
                if centre is not None:
                    np.add(totals, row.centre_weight * centre, out=totals)
                start, end = self._nonzero_starts[batch], self._nonzero_starts[batch + 1]
                targets = None if self._targets is None else self._targets[start:end]
                first = _sparse.decompress(self._slots[start:end], self._steps_of_nonzeros[start:end],
                                           totals.reshape(-1), distance, data, targets, first_group * rows)
                if first >= 0:
                    nonzero = start + first if targets is None else targets[first]
                    raise ValueError(f"F returned a non-finite value at a point around element "
                                     f"{int(self._indices[nonzero])} of x (x is restored)")
        result = copy.copy(self._template)  # the template's shape and settings; scipy's checks were made once
        result.data, result.indices, result.indptr = (data.astype(result_dtype(x), copy=False), self._indices.copy(),
                                                      self._indptr.copy())
        return result

    __call__ = jacobian

    def _within_bounds(self, evaluator: Evaluator, x: npt.NDArray[Any], layout: list[tuple[Scheme, Any, Any]],
                       known: npt.NDArray[np.float64] | None, progress: bool) -> Any:
        """The Jacobian with each column on its own row of ``layout`` (:func:`fastgd.diff._core.bounds.rows_within`):
        group ``g``'s point ``k`` moves each of its columns by its row's ``k``-th offset times its step. The rows
        have the same number of points (a row and its one-sided rows), so a group costs what it costs unbounded."""
        rows, n = self.shape
        flat = np.ascontiguousarray(x).reshape(-1)
        parts = [part for part, _, _ in layout]
        kinds, steps = np.zeros(n, dtype=np.intp), np.empty(n)
        for k, (_, where, part_steps) in enumerate(layout):
            kinds[where] = k
            steps[where] = np.asarray(part_steps).reshape(-1)[where]
        divisor = np.empty(n)
        for part, where, _ in layout:
            check_moves(flat[where], steps[where], part)
            divisor[where] = distances(flat[where], steps[where], part)  # each column by its own row
        npoints = parts[0].evaluations_per_element
        weights = np.array([part.weights for part in parts], dtype=np.float64)  # (rows, points)
        centre_weights = np.array([float(part.centre_weight) for part in parts])
        centred = bool(np.any(centre_weights))
        as_values = _Values(rows, x.shape, False)
        values = np.empty((self.colors, npoints, rows))
        calls = npoints * self.colors + bool(centred and known is None)
        with progress_bars.optional_bar(progress, calls, "jacobian") as bar:
            counted = evaluator if bar is None else evaluator.counting(bar)
            centre = known if known is not None or not centred else np.array(as_values(counted.value(x, rows)))
            points = _MixedGroupPoints(self, flat, x.shape, parts, kinds, steps)
            for i, value in enumerate(counted.values(points, rows)):
                values[divmod(i, npoints)] = as_values(value)
        # each nonzero, in CSR order: its group's values in its row, combined by its column's row (left to right)
        row_of = np.repeat(np.arange(rows, dtype=np.intp), np.diff(self._indptr))
        column = self._indices.astype(np.intp)
        group, kind = self.groups[column], kinds[column]
        total = weights[kind, 0] * values[group, 0, row_of]
        for k in range(1, npoints):
            total = total + weights[kind, k] * values[group, k, row_of]
        if centre is not None:
            total = total + centre_weights[kind] * centre[row_of]
        data = total / divisor[column]
        if not np.isfinite(data).all():
            raise ValueError(f"F returned a non-finite value at a point around element "
                             f"{int(column[np.argmin(np.isfinite(data))])} of x (x is restored)")
        result = copy.copy(self._template)
        result.data, result.indices, result.indptr = (data.astype(result_dtype(x), copy=False), self._indices.copy(),
                                                      self._indptr.copy())
        return result
    def check(self, F: Any, x: npt.NDArray[Any], J: Any = None, *, rtol: float | None = None,
              seed: int = 0, **options: Any) -> npt.NDArray[np.intp]:
        """The rows of ``F`` whose derivative along a random direction disagrees with the sparse Jacobian: rows
        with a derivative missing from the pattern (or steps that do not suit ``F``). Empty if none.

        ``J``: the Jacobian at ``x`` from this plan (computed here, with ``options`` as :meth:`jacobian` takes
        them, if not given). Along a direction ``v`` (entries of size 1 to 2, random signs, from ``seed``),
        ``J @ v`` is compared with the central difference ``(F(x + e v) - F(x - e v)) / (2 e)`` -- two calls
        of ``F`` at copies of ``x``, ``e`` a power of two near ``eps**(1/3) max(1, max|x|)`` -- and a row
        is reported where they differ by more than ``rtol`` times ``|J| @ |v| + |that difference|`` (plus
        the difference's own rounding). ``rtol`` (default ``eps**(1/4)`` of ``x``'s dtype: 1.2e-4 for
        float64, 0.019 for float32) is above the error of a central-difference ``J``; a missing
        derivative ``d`` shows where ``|d|`` is above about ``rtol`` of the row's scale, whether it folded
        into another entry (with the weight of another column's direction) or was dropped.

        Examples
        --------
        >>> import numpy as np
        >>> import fastgd
        >>> def F(x):  # x[0] appears in the last output: not in a diagonal pattern
        ...     y = x**2
        ...     y[-1] += x[0]
        ...     return y
        >>> plan = fastgd.SparseJacobian(np.eye(4, dtype=bool))
        >>> plan.check(F, np.arange(1.0, 5.0))
        array([3])
        >>> fastgd.SparseJacobian(np.eye(4, dtype=bool) | np.eye(4, k=-3, dtype=bool)).check(F, np.arange(1.0, 5.0))
        array([], dtype=int64)
        """
        if J is None:
            J = self.jacobian(F, x, **options)
        rows, n = self.shape
        if x.size != n:
            raise ValueError(f"sparsity has {n} columns, but x has {x.size} elements")
        rng = np.random.default_rng(seed)
        v = rng.uniform(1.0, 2.0, n) * rng.choice([-1.0, 1.0], n)
        flat = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
        eps = epsilon(x.dtype)
        rtol = eps**0.25 if rtol is None else positive_number(rtol, "rtol")
        e = float(power_of_two(np.array([eps ** (1 / 3) * max(1.0, float(np.abs(flat).max(initial=0.0)))]))[0])
        plus, minus = (as_vector(F((flat + sign * e * v).astype(x.dtype).reshape(x.shape)), rows, x.shape)
                       for sign in (1.0, -1.0))
        along = (plus - minus) / (2 * e)
        magnitude = abs(J)
        product = np.asarray(J @ v).reshape(-1)
        scale = np.asarray(magnitude @ np.abs(v)).reshape(-1) + np.abs(along)
        # the rounding of F's values, and of the points x +- e v, through the difference
        rounding = 4 * eps * ((np.abs(plus) + np.abs(minus)) / (2 * e)
                              + np.asarray(magnitude @ (np.abs(flat) + e * np.abs(v))).reshape(-1) / e)
        disagree = ~(np.abs(product - along) <= rtol * scale + rounding)
        return np.flatnonzero(disagree).astype(np.intp)

    def _positions(self, x: npt.NDArray[Any]) -> Index:
        """The byte offset from ``x``'s data pointer of each element, group by group (:attr:`order`)."""
        if not x.flags.c_contiguous:
            offsets, index = memory_order(x)
            assert offsets is not None  # not C-contiguous
            by_position = offsets if index is None else np.empty_like(offsets)
            if index is not None:
                by_position[index] = offsets
            return np.take(by_position, self.order)
        positions = self._contiguous.get(x.itemsize)
        if positions is None:
            positions = self._contiguous[x.itemsize] = self.order * x.itemsize
        return positions

    def _work(self, rows: int) -> _Work:
        """The plan's buffer for a batch of groups' sums of F's values, ``(groups, rows)``, kept between calls (a new
        one while another thread holds it)."""
        return _Work(self, (self._batches[0][1] if self._batches else 0, rows))

    def _on_copies(self, evaluator: Evaluator, x: npt.NDArray[Any], taken: npt.NDArray[np.float64], row: Scheme,
                   totals: npt.NDArray[np.float64], first_group: int) -> None:
        """The sums of groups ``first_group ...`` (as many as ``totals`` has rows) from F at copies of ``x``."""
        rows, npoints = self.shape[0], row.evaluations_per_element
        points = _GroupPoints(self, x, row, taken, first_group, len(totals))
        as_values = _Values(rows, x.shape, row.imaginary)
        results: Iterable[object] = evaluator.values(points, rows)
        for i, value in enumerate(results):
            group, k = divmod(i, npoints)
            _sparse.accumulate(totals[group], as_values(value), float(row.weights[k]), k == 0)


class _Values:
    """F's value as ``rows`` float64s in C order (1-D; the imaginary parts, for a complex step), or raise naming
    what is wrong (``shape``: ``x``'s, the outputs' shapes allowed)."""

    def __init__(self, rows: int, shape: tuple[int, ...], imaginary: bool = False) -> None:
        self.rows, self.shape, self.imaginary = rows, shape, imaginary

    def __call__(self, r: object) -> npt.NDArray[np.float64]:
        if self.imaginary:
            r = Vector(self.rows, None, self.shape, imaginary=True).values(r)
        values = as_vector(r, None, self.shape)
        if values.size != self.rows:
            raise ValueError(f"F returned {values.size} values, but sparsity has {self.rows} rows")
        return values


class _Work:
    """A context holding a float64 buffer of ``shape``: ``plan``'s own, kept between calls, or (while another
    thread holds that one) a new one."""

    def __init__(self, plan: SparseJacobian, shape: tuple[int, int]) -> None:
        self.plan, self.owned = plan, False
        self.shape: tuple[int, ...] = shape

    def __enter__(self) -> npt.NDArray[np.float64]:
        plan = self.plan
        self.owned = plan._buffers.acquire(blocking=False)
        if not self.owned:
            return np.empty(self.shape)
        if plan._totals.shape != self.shape:
            plan._totals = np.empty(self.shape)
        return plan._totals

    def __exit__(self, *exc: object) -> None:
        if self.owned:
            self.plan._buffers.release()
