"""Sparse Hessians from a pattern and a plan made once: :class:`SparseHessian`, :func:`color_symmetric`.

**From a gradient** (Powell & Toint, "On the estimation of sparse Hessian matrices", *SIAM J. Numer.
Anal.* 16, 1979; Gebremedhin, Manne & Pothen, "What color is your Jacobian?", *SIAM Review* 47, 2005):
the columns are colored so that the gradient's differences along each color's columns moved together,
``(g(x + d_c) - g(x - d_c)) / 2 ~ H d_c`` with ``d_c = sum of h_j e_j`` over the color's columns, hold
every entry directly. A *star* coloring -- adjacent columns differ, and every path on four columns takes
three colors -- is enough with symmetry: for each pair ``i != j`` with ``H[i, j] != 0``, ``j`` is the only
column of its color next to ``i`` (then ``H[i, j]`` is row ``i`` of ``H d_c(j)`` over ``h_j``) or ``i`` the only
one of its color next to ``j`` (then ``H[j, i]``, the same number); where both hold, the two are averaged. A
tridiagonal Hessian takes 3 colors, so 6 gradient calls (central) or 4 (forward), whatever ``n``; an
arrowhead (a dense row and column) takes 2 where a column coloring needs ``n``. The greedy star coloring is
GMP's Algorithm 4.1 in the natural and in the largest-first order (the fewer colors kept); the plan is then a
:class:`fastgd.SparseJacobian` of the direct entries, grouped by those colors.

**From f alone**, every evaluation of a scalar ``f`` gives one number, and a symmetric ``H`` with pattern
``P`` has ``n + nnz_upper`` free entries (a quadratic's values at ``k`` points determine its tridiagonal
Hessian only if ``k >= 2n - 1``): no grouping can estimate it in fewer evaluations than that. The plan
uses ``1 + 2 n + 2 nnz_upper`` (``4 n - 1`` for a tridiagonal pattern, against ``2 n**2 + 1`` for the whole
matrix): with steps ``h_i`` (the representable ones), ``f_0 = f(x)``, ``f_{+i}``, ``f_{-i}`` at
``x +- h_i e_i`` and ``f_{++}``, ``f_{--}`` at ``x +- (h_i e_i + h_j e_j)``::

    H[i, i] = (f_{+i} + f_{-i} - 2 f_0) / h_i / h_i
    H[i, j] = (f_{++} + f_{--} - f_{+i} - f_{-i} - f_{+j} - f_{-j} + 2 f_0) / (2 h_i h_j)

second order in ``h``, exact for quadratics up to rounding (Taylor's expansion: the odd terms cancel in
each pair of opposite points).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from fastgd._typing import Workers
from fastgd.diff import _sparse
from fastgd.diff._core import progress as progress_bars
from fastgd.diff._core.checks import check_finite
from fastgd.diff._core.factory import make_evaluator
from fastgd.diff._core.in_place import moved_error
from fastgd.diff._core.on_copies import LazyPoints, moved
from fastgd.diff._core.steps import Steps, hessian_steps_or_default, representable
from fastgd.diff._core.values import as_double, as_vector
from fastgd.diff.sparse import SparseJacobian, color_columns, pattern_structure, scipy_sparse

Index = npt.NDArray[np.intp]
Floats = npt.NDArray[np.float64]


def _symmetric(sparsity: object) -> tuple[int, Index, Index]:
    """``(n, indptr, indices)``: the CSR structure of ``P | P.T`` with the diagonal, sorted, for a square ``P``."""
    (rows, n), indptr, indices = pattern_structure(sparsity)
    if rows != n:
        raise ValueError(f"a Hessian's sparsity must be square, got shape {(rows, n)}")
    sparse = scipy_sparse()
    pattern = sparse.csr_array((np.ones(indices.size, dtype=bool), indices, indptr), shape=(n, n))
    full = (pattern + pattern.T + sparse.eye_array(n, dtype=bool, format="csr")).tocsr()
    full.sum_duplicates()
    full.sort_indices()
    return n, full.indptr.astype(np.intp), full.indices.astype(np.intp)


def _neighbours(n: int, indptr: Index, indices: Index) -> tuple[Index, Index]:
    """The graph's adjacency (CSR) without self-loops, from the symmetric pattern (one diagonal entry per row)."""
    rows = np.repeat(np.arange(n, dtype=np.intp), np.diff(indptr))
    adjacency_ptr: Index = (indptr - np.arange(n + 1)).astype(np.intp)
    return adjacency_ptr, indices[indices != rows].astype(np.intp)


def _direct(n: int, indptr: Index, indices: Index, colors: Index) -> npt.NDArray[np.bool_]:
    """For each nonzero ``(i, j)`` (CSR order): ``j`` is the only column of its color in row ``i``, so that row ``i``
    of ``H d_c(j)`` is ``H[i, j] h_j`` alone."""
    rows = np.repeat(np.arange(n, dtype=np.intp), np.diff(indptr))
    ncolors = int(colors.max(initial=-1)) + 1
    seen = np.bincount(rows * ncolors + colors[indices], minlength=n * ncolors)  # (row, color) -> columns
    direct: npt.NDArray[np.bool_] = seen[rows * ncolors + colors[indices]] == 1
    return direct


def color_symmetric(sparsity: object) -> npt.NDArray[np.intp]:
    """A star coloring of a symmetric pattern's columns (see the module docstring): ``colors[j]`` is column
    ``j``'s color. Adjacent columns differ; every path on four columns takes at least three colors.

    Parameters
    ----------
    sparsity : scipy.sparse matrix or array_like
        The Hessian's pattern, ``(n, n)``; ``P | P.T`` is used.

    Returns
    -------
    numpy.ndarray
        intp, shape ``(n,)``, values ``0 .. colors - 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import color_symmetric, color_columns
    >>> tridiagonal = np.eye(7, dtype=bool) | np.eye(7, k=1, dtype=bool) | np.eye(7, k=-1, dtype=bool)
    >>> color_symmetric(tridiagonal)
    array([0, 1, 0, 2, 0, 1, 0])
    >>> arrow = np.eye(6, dtype=bool)
    >>> arrow[-1, :] = arrow[:, -1] = True  # a dense last row and column
    >>> len(set(color_symmetric(arrow))), len(set(color_columns(arrow)))
    (2, 6)
    """
    n, indptr, indices = _symmetric(sparsity)
    return _star(n, indptr, indices)


def _star(n: int, indptr: Index, indices: Index) -> Index:
    """The fewer-colored of the greedy star colorings in the natural and the largest-first order; the column
    coloring where some pair would not be recoverable (a safeguard: GMP's greedy star coloring never leaves one)."""
    adjacency_ptr, adjacency = _neighbours(n, indptr, indices)
    best, used = np.empty(n, dtype=np.intp), -1
    degree = np.diff(adjacency_ptr)
    for order in (np.arange(n, dtype=np.intp), np.argsort(-degree, kind="stable").astype(np.intp)):
        colors = np.empty(n, dtype=np.intp)
        count = _sparse.star(adjacency_ptr, adjacency, order, colors) if n else 0
        if used < 0 or count < used:
            best, used = colors, count
    direct = _direct(n, indptr, indices, best)
    if not _recoverable(n, indptr, indices, direct):
        shape = (n, n)
        sparse = scipy_sparse()
        return color_columns(sparse.csr_array((np.ones(indices.size, dtype=bool), indices, indptr), shape=shape))
    return best


def _recoverable(n: int, indptr: Index, indices: Index, direct: npt.NDArray[np.bool_]) -> bool:
    """Every nonzero ``(i, j)`` is direct, or its mirror ``(j, i)`` is."""
    return bool(np.all(direct | direct[_mirror(n, indptr, indices)]))


def _mirror(n: int, indptr: Index, indices: Index) -> Index:
    """For each nonzero ``(i, j)`` of a symmetric pattern (CSR, sorted): the position of ``(j, i)``."""
    rows = np.repeat(np.arange(n, dtype=np.intp), np.diff(indptr))
    keys = rows * n + indices  # sorted: row-major, columns sorted
    mirror: Index = np.searchsorted(keys, indices * n + rows).astype(np.intp)
    return mirror


class _EntryPoints(LazyPoints):
    """The points of a Hessian from ``f`` alone, in order: ``x``; ``x + h_i e_i`` for each ``i``; ``x - h_i e_i``;
    ``x + h_i e_i + h_j e_j`` for each pair of the upper triangle; ``x - h_i e_i - h_j e_j``."""

    def __init__(self, flat: npt.NDArray[Any], shape: tuple[int, ...], taken: Floats, first: Index,
                 second: Index) -> None:
        self.flat, self.shape, self.taken, self.first, self.second = flat, shape, taken, first, second
        self.n, self.pairs = flat.size, first.size
        self.length = 1 + 2 * self.n + 2 * self.pairs

    def moves(self, item: int) -> tuple[tuple[int, ...], float]:
        """The elements point ``item`` moves and the sign of the move."""
        if item == 0:
            return (), 0.0
        item -= 1
        if item < 2 * self.n:
            sign, i = divmod(item, self.n)
            return (i,), -1.0 if sign else 1.0
        sign, k = divmod(item - 2 * self.n, self.pairs)
        return (int(self.first[k]), int(self.second[k])), -1.0 if sign else 1.0

    def point(self, item: int) -> npt.NDArray[Any]:
        """Point ``item``: a copy of x with one or two elements moved."""
        point: npt.NDArray[Any] = self.flat.copy()
        elements, sign = self.moves(item)
        for i in elements:
            point[i] = moved(self.flat[i:i + 1], sign * self.taken[i:i + 1], False, False)[0]
        return point.reshape(self.shape)


class SparseHessian:
    """A Hessian's sparsity pattern, prepared once for repeated sparse Hessians (returned as ``csr_array``).

    From a ``gradient``: a star coloring of the pattern (:func:`color_symmetric`), so each Hessian costs
    ``2 * colors`` gradient calls (central) or ``colors + 1`` (forward), whatever ``n`` (6 and 4 for a
    tridiagonal pattern). From ``f`` alone: ``1 + 2 n + 2 nnz_upper`` evaluations of ``f`` by second
    differences over the pattern's entries, the fewest any estimate from a scalar ``f``'s values can take to
    the order of ``n + nnz_upper`` (see :mod:`fastgd.diff.sparse_hessian`). A pattern that misses a real
    nonzero folds it into the entries that share its row and color (from a gradient) or drops it (from
    ``f``): as with scipy's sparse Jacobians, the pattern must hold every entry that can be nonzero.

    Parameters
    ----------
    sparsity : scipy.sparse matrix or array_like
        The pattern, ``(n, n)``: nonzero where the Hessian may be nonzero (``P | P.T`` and the diagonal
        are used).

    Attributes
    ----------
    shape : tuple of int
        ``(n, n)``.
    colors : int
        The star coloring's colors.
    groups : numpy.ndarray
        Each column's color.
    nnz : int
        Entries of the symmetric pattern (both triangles and the diagonal).

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from scipy.optimize import rosen, rosen_der, rosen_hess
    >>> import fastgd
    >>> n = 10000
    >>> plan = fastgd.SparseHessian(sp.diags_array([1.0, 1.0, 1.0], offsets=[-1, 0, 1], shape=(n, n)))
    >>> plan.colors, plan.calls(gradient=True)  # gradient calls per Hessian
    (3, 6)
    >>> x = np.linspace(-1.0, 2.0, n)
    >>> H = plan.hessian(None, x, gradient=rosen_der)
    >>> exact = sp.csr_array(rosen_hess(x))
    >>> bool(sp.linalg.norm(H - exact) / sp.linalg.norm(exact) < 1e-8)
    True
    >>> small = fastgd.SparseHessian(sp.diags_array([1.0, 1.0, 1.0], offsets=[-1, 0, 1], shape=(5, 5)))
    >>> small.calls(), np.round(small.hessian(rosen, np.ones(5)).toarray(), 2)  # from f alone: 4 n - 1
    (19, array([[ 802., -400.,    0.,    0.,    0.],
           [-400., 1002., -400.,    0.,    0.],
           [   0., -400., 1002., -400.,    0.],
           [   0.,    0., -400., 1002., -400.],
           [   0.,    0.,    0., -400.,  200.]]))
    """

    def __init__(self, sparsity: object) -> None:
        self._sparse = scipy_sparse()
        n, self._indptr, self._indices = _symmetric(sparsity)
        self.shape = (n, n)
        self.groups = _star(n, self._indptr, self._indices)
        self.groups.flags.writeable = False
        self.colors = int(self.groups.max(initial=-1)) + 1
        direct = _direct(n, self._indptr, self._indices, self.groups)
        mirror = _mirror(n, self._indptr, self._indices)
        # the plan from a gradient: a sparse Jacobian of the direct entries, grouped by the star colors
        rows = np.repeat(np.arange(n, dtype=np.intp), np.diff(self._indptr))
        kept = np.flatnonzero(direct)
        direct_pattern = self._sparse.csr_array((np.ones(kept.size, dtype=bool), self._indices[kept],
                                                 np.searchsorted(kept, self._indptr)), shape=self.shape)
        self._columns = SparseJacobian(direct_pattern, groups=self.groups)
        # each entry from its own direct value, or its mirror's; both averaged where both are direct
        place = np.full(self._indices.size, -1, dtype=np.intp)
        place[kept] = np.arange(kept.size)
        own, theirs = place, place[mirror]
        self._first = np.where(own >= 0, own, theirs)
        self._second = np.where(theirs >= 0, theirs, own)
        # the plan from f alone: the pairs of the upper triangle, and where each entry's value is
        upper = self._indices > rows
        self._pair_first, self._pair_second = rows[upper], self._indices[upper]
        pair_of = np.full(self._indices.size, -1, dtype=np.intp)
        pair_of[upper] = np.arange(int(np.count_nonzero(upper)))
        pair_of[~upper & (self._indices < rows)] = pair_of[mirror[~upper & (self._indices < rows)]]
        self._pair_of, self._rows = pair_of, rows

    @property
    def nnz(self) -> int:
        """Entries of the symmetric pattern."""
        return int(self._indices.size)

    def __repr__(self) -> str:
        return f"SparseHessian(shape={self.shape}, nnz={self.nnz}, colors={self.colors})"

    def calls(self, gradient: bool = False, method: str = "central") -> int:
        """Evaluations a Hessian costs: of the gradient (``gradient=True``; ``method`` ``'central'`` or
        ``'forward'``) or of ``f`` alone."""
        if gradient:
            return 2 * self.colors if method == "central" else self.colors + 1
        return 1 + 2 * self.shape[0] + 2 * int(self._pair_first.size) if self.shape[0] else 0

    def hessian(self, f: Any, x: npt.NDArray[Any], h: float | npt.ArrayLike | None = None, *, gradient: Any = None,
                method: str = "central", f0: object = None, threads: int | None = None, vectorized: bool = False,
                chunk_size: int | None = None, workers: Workers | None = None, progress: bool = False) -> Any:
        """The Hessian of ``f`` at ``x`` as a symmetric ``scipy.sparse.csr_array`` with the pattern's entries.

        Parameters
        ----------
        f : callable or C-level objective, or None
            ``f(x) -> real scalar`` (None with ``gradient=``), as :func:`fastgd.hessian` takes it.
        x : numpy.ndarray
            Point, ``n`` elements, float32 or float64, writeable, finite; restored bitwise.
        h : float or array_like, optional
            Steps (one, or one per element). Default: ``c * max(1, |x|)`` with ``c`` 5e-4 from ``f`` alone,
            ``eps**(1/3)`` (central) or ``eps**(1/2)`` (forward) from a gradient.
        gradient : callable or C-level vector function, optional
            ``g(x) -> gradient`` (``n`` values): the Hessian from its differences along the colors.
        method : {'central', 'forward'}, optional
            With ``gradient``: central differences (``2 * colors`` calls) or forward ones (``colors + 1``).
        f0 : float, optional
            ``f(x)`` from ``f`` alone, if it is known (saves a call).
        threads, vectorized, chunk_size, workers, progress
            As :func:`fastgd.jacobian` takes them (for ``gradient``, or ``f``).

        Returns
        -------
        scipy.sparse.csr_array
            float64, ``(n, n)``, symmetric.
        """
        n = self.shape[0]
        if x.size != n:
            raise ValueError(f"sparsity is {self.shape}, but x has {x.size} elements")
        if gradient is not None:
            if method not in ("central", "forward"):
                raise ValueError(f"method must be 'central' or 'forward', got {method!r}")
            steps = hessian_steps_or_default(h, x, method, gradient=True)
            columns = self._columns.jacobian(gradient, x, steps, method=method, m=n, threads=threads,
                                             vectorized=vectorized, chunk_size=chunk_size, workers=workers,
                                             progress=progress)
            data = 0.5 * (columns.data[self._first] + columns.data[self._second])
            return self._result(data)
        if method != "central":
            raise ValueError("from f alone the Hessian takes central second differences: method='central'")
        steps = hessian_steps_or_default(h, x)
        return self._from_values(f, x, steps, f0, threads, vectorized, chunk_size, workers, progress)

    __call__ = hessian

    def _result(self, data: Floats) -> Any:
        return self._sparse.csr_array((data, self._indices.copy(), self._indptr.copy()), shape=self.shape)

    def _from_values(self, f: Any, x: npt.NDArray[Any], steps: Steps, f0: object, threads: int | None,
                     vectorized: bool, chunk_size: int | None, workers: Workers | None, progress: bool) -> Any:
        """The Hessian from ``f``'s values at :class:`_EntryPoints` (see the module docstring)."""
        evaluator = make_evaluator(f, x, threads, vectorized, chunk_size, workers)
        check_finite(x)
        if not x.size:  # an empty x: answered at once (calls() == 0)
            return self._result(np.empty(0))
        flat = x.reshape(-1)
        taken = representable(flat, np.broadcast_to(np.asarray(steps, dtype=np.float64), x.shape).reshape(-1))
        if not np.all(taken > 0):
            raise ValueError(f"the step of element {int(np.argmin(taken > 0))} vanishes next to its value: "
                             "(x + h) - x == 0, h is too small")
        points = _EntryPoints(np.ascontiguousarray(flat), x.shape, taken, self._pair_first, self._pair_second)
        values = np.empty(points.length)
        with progress_bars.optional_bar(progress, points.length - (f0 is not None), "hessian") as bar:
            counted = evaluator if bar is None else evaluator.counting(bar)
            call = counted.point_function(1)
            start = 0
            if f0 is not None:
                values[0], start = as_double(f0), 1
            if call is None:
                results: Iterable[object] = counted.values(_Tail(points, start), 1)
                for k, r in enumerate(results, start=start):
                    values[k] = as_double(r)
            else:
                _in_place(cast("Callable[[npt.NDArray[Any]], object]", call), x, points, start, values)
        if not np.isfinite(values).all():
            raise ValueError("f returned a non-finite value near x (x is restored)")
        n, pairs = points.n, points.pairs
        centre, plus, minus = values[0], values[1:n + 1], values[n + 1:2 * n + 1]
        both_plus, both_minus = values[2 * n + 1:2 * n + 1 + pairs], values[2 * n + 1 + pairs:]
        first, second = self._pair_first, self._pair_second
        diagonal = (plus + minus - 2 * centre) / taken / taken
        off = ((both_plus + both_minus - plus[first] - minus[first] - plus[second] - minus[second] + 2 * centre)
               / (2 * taken[first] * taken[second]))
        on = self._indices == self._rows  # `off` is empty without pairs: indexed off the diagonal only
        data = np.empty(self._indices.size)
        data[on], data[~on] = diagonal[self._rows[on]], off[self._pair_of[~on]]
        return self._result(data)


class _GroupMoves(LazyPoints):
    """The points of a Hessian of a sum of terms, in order: ``x``; ``x + t d_a`` for each group ``a``; ``x - t d_a``;
    ``x + t (d_a + d_b)`` for each pair ``a < b``; ``x - t (d_a + d_b)`` (``t d_a``: group ``a``'s columns moved by
    their steps)."""

    def __init__(self, flat: npt.NDArray[Any], shape: tuple[int, ...], taken: Floats, columns: list[Index]) -> None:
        self.flat, self.shape, self.taken, self.columns = flat, shape, taken, columns
        k = len(columns)
        self.pairs = [(a, b) for a in range(k) for b in range(a + 1, k)]
        self.length = 1 + 2 * k + 2 * len(self.pairs)

    def moves(self, item: int) -> tuple[tuple[int, ...], float]:
        """The groups point ``item`` moves and the sign of the move."""
        k = len(self.columns)
        if item == 0:
            return (), 0.0
        item -= 1
        if item < 2 * k:
            sign, a = divmod(item, k)
            return (a,), -1.0 if sign else 1.0
        sign, p = divmod(item - 2 * k, len(self.pairs))
        return self.pairs[p], -1.0 if sign else 1.0

    def point(self, item: int) -> npt.NDArray[Any]:
        """Point ``item``: a copy of x with one or two groups moved."""
        point: npt.NDArray[Any] = self.flat.copy()
        groups, sign = self.moves(item)
        for a in groups:
            columns = self.columns[a]
            point[columns] = moved(self.flat[columns], sign * self.taken[columns], False, False)
        return point.reshape(self.shape)


class SumHessian:
    """The Hessian of a sum of terms, ``f(x) = sum(F(x))``, from the terms' values alone, in a handful of calls.

    Where ``f`` is given as its terms ``F`` (a vector function: each term depends on a few elements, as in the
    Rosenbrock chain, least squares, finite elements -- Griewank & Toint's partially separable functions), the
    columns of ``F``'s Jacobian pattern are grouped so that no term sees two columns of a group
    (:func:`fastgd.color_columns`); with ``d_a`` group ``a``'s columns moved by their steps, each term ``r``
    then sees at most one column ``i`` of ``a`` and ``j`` of ``b``, and::

        F_r(x + d_a) + F_r(x - d_a) - 2 F_r(x)                            ~ t_i**2 d2F_r / dx_i**2
        F_r(x + d_a + d_b) + F_r(x - d_a - d_b) - F_r(x + d_a) - F_r(x - d_a)
                           - F_r(x + d_b) - F_r(x - d_b) + 2 F_r(x)        ~ 2 t_i t_j d2F_r / dx_i dx_j

    so ``k`` groups cost ``k**2 + k + 1`` calls of ``F`` whatever ``n`` (7 for the Rosenbrock chain's 2 groups),
    and ``H[i, j]`` is the sum over the terms of their second derivatives (terms in order). :meth:`gradient`
    gives ``sum(dF_r / dx)`` by the same groups (``2 k`` calls). A pattern that misses a term's dependence on
    an element gives a wrong Hessian: it must hold every element each term can depend on.

    Parameters
    ----------
    sparsity : scipy.sparse matrix or array_like
        ``F``'s Jacobian pattern, ``(m, n)``: row ``r`` marks the elements term ``r`` depends on.

    Attributes
    ----------
    shape : tuple of int
        The Hessian's, ``(n, n)``.
    colors : int
        The column groups.
    nnz : int
        The Hessian's entries (the union of each term's elements squared).

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from scipy.optimize import rosen, rosen_hess
    >>> import fastgd
    >>> def terms(x):  # rosen(x) == terms(x).sum()
    ...     return 100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2
    >>> n = 1000
    >>> pattern = sp.diags_array([np.ones(n - 1), np.ones(n - 1)], offsets=[0, 1], shape=(n - 1, n))
    >>> plan = fastgd.SumHessian(pattern)
    >>> plan.colors, plan.calls()  # calls of terms per Hessian
    (2, 7)
    >>> x = np.linspace(-1.0, 2.0, n)
    >>> H = plan.hessian(terms, x)
    >>> exact = sp.csr_array(rosen_hess(x))
    >>> bool(sp.linalg.norm(H - exact) / sp.linalg.norm(exact) < 1e-6)
    True
    """

    def __init__(self, sparsity: object) -> None:
        self._sparse = scipy_sparse()
        (m, n), indptr, indices = pattern_structure(sparsity)
        self.terms = m
        self.shape = (n, n)
        self.groups = color_columns(self._sparse.csr_array((np.ones(indices.size, dtype=bool), indices, indptr),
                                                           shape=(m, n)))
        self.groups.flags.writeable = False
        self.colors = int(self.groups.max(initial=-1)) + 1
        self._columns = [np.flatnonzero(self.groups == a).astype(np.intp) for a in range(self.colors)]
        rows = np.repeat(np.arange(m, dtype=np.intp), np.diff(indptr))
        # column_of[r, a]: the column of group a that term r depends on, or -1
        column_of = np.full((m, max(self.colors, 1)), -1, dtype=np.intp)
        column_of[rows, self.groups[indices]] = indices
        # the contributions, term by term, each pair of groups a <= b in order: (term, a, b, i, j)
        pairs = [(a, b) for a in range(self.colors) for b in range(a, self.colors)]
        blocks = []
        for p, (a, b) in enumerate(pairs):
            present = np.flatnonzero((column_of[:, a] >= 0) & (column_of[:, b] >= 0))
            blocks.append(np.stack([present, np.full(present.size, p), column_of[present, a], column_of[present, b]]))
        table = np.concatenate(blocks, axis=1) if blocks else np.zeros((4, 0), dtype=np.intp)
        table = table[:, np.lexsort((table[1], table[0]))]  # term by term, pairs in order
        self._term, self._pair = table[0], table[1]
        self._pairs = pairs
        first, second = table[2], table[3]
        # each contribution adds to (i, j), then (off the diagonal) to (j, i): every entry sums in the order above
        off = first != second
        keep = np.stack([np.ones(first.size, dtype=bool), off], axis=1).reshape(-1)
        i = np.stack([first, second], axis=1).reshape(-1)[keep]
        j = np.stack([second, first], axis=1).reshape(-1)[keep]
        keys = np.unique(i * n + j)
        self._indices = (keys % n).astype(np.intp)
        self._indptr = np.searchsorted(keys // n, np.arange(n + 1)).astype(np.intp)
        self._targets = np.searchsorted(keys, i * n + j)
        self._order = np.repeat(np.arange(first.size), 1 + off)
        self._first, self._second = first, second

    @property
    def nnz(self) -> int:
        """The Hessian's entries."""
        return int(self._indices.size)

    def __repr__(self) -> str:
        return f"SumHessian(terms={self.terms}, shape={self.shape}, nnz={self.nnz}, colors={self.colors})"

    def calls(self) -> int:
        """Calls of ``F`` a Hessian costs: ``colors**2 + colors + 1``."""
        return self.colors ** 2 + self.colors + 1

    def hessian(self, F: Any, x: npt.NDArray[Any], h: float | npt.ArrayLike | None = None, *,
                f0: npt.ArrayLike | None = None, threads: int | None = None, vectorized: bool = False,
                chunk_size: int | None = None, workers: Workers | None = None, progress: bool = False) -> Any:
        """The Hessian of ``sum(F(x))`` at ``x`` as a symmetric ``scipy.sparse.csr_array``.

        Parameters
        ----------
        F : callable or C-level vector function
            The terms, ``F(x) -> m values``, as :func:`fastgd.jacobian` takes it.
        x : numpy.ndarray
            Point, ``n`` elements, float32 or float64, writeable, finite; restored bitwise.
        h : float or array_like, optional
            Steps (one, or one per element). Default ``5e-4 * max(1, |x|)``, as :func:`fastgd.hessian`'s.
        f0 : array_like, optional
            ``F(x)``, if it is known (saves a call).
        threads, vectorized, chunk_size, workers, progress
            As :func:`fastgd.jacobian` takes them.

        Returns
        -------
        scipy.sparse.csr_array
            float64, ``(n, n)``, symmetric.
        """
        values, taken = self._values(F, x, h, f0, threads, vectorized, chunk_size, workers, progress)
        k = self.colors
        centre, plus, minus = values[0], values[1:k + 1], values[k + 1:2 * k + 1]
        both_plus, both_minus = values[2 * k + 1:2 * k + 1 + k * (k - 1) // 2], values[2 * k + 1 + k * (k - 1) // 2:]
        pair_a = np.array([a for a, _ in self._pairs], dtype=np.intp)
        pair_b = np.array([b for _, b in self._pairs], dtype=np.intp)
        r, p = self._term, self._pair
        a, b = pair_a[p], pair_b[p]
        i, j = self._first, self._second
        contribution = np.empty(r.size)
        diagonal = a == b
        rd, ad = r[diagonal], a[diagonal]
        contribution[diagonal] = ((plus[ad, rd] + minus[ad, rd] - 2 * centre[rd]) / taken[i[diagonal]]
                                  / taken[i[diagonal]])
        off = ~diagonal
        ro, ao, bo = r[off], a[off], b[off]
        index = _pair_index(ao, bo, k)
        contribution[off] = ((both_plus[index, ro] + both_minus[index, ro] - plus[ao, ro] - minus[ao, ro]
                              - plus[bo, ro] - minus[bo, ro] + 2 * centre[ro])
                             / (2 * taken[i[off]] * taken[j[off]]))
        data = np.bincount(self._targets, weights=contribution[self._order], minlength=self.nnz)
        data = data.astype(np.float64, copy=False)  # bincount of no contributions is int64
        return self._sparse.csr_array((data, self._indices.copy(), self._indptr.copy()), shape=self.shape)

    __call__ = hessian

    def gradient(self, F: Any, x: npt.NDArray[Any], h: float | npt.ArrayLike | None = None, *,
                 threads: int | None = None, vectorized: bool = False, chunk_size: int | None = None,
                 workers: Workers | None = None) -> Floats:
        """The gradient of ``sum(F(x))``: the column sums of ``F``'s Jacobian by central differences of the groups
        (``2 * colors`` calls; default steps ``eps**(1/3) * max(1, |x|)``), shaped like ``x``."""
        steps = hessian_steps_or_default(h, x, gradient=True)
        J = self._jacobian_plan().jacobian(F, x, steps, method="central", m=self.terms, threads=threads,
                                           vectorized=vectorized, chunk_size=chunk_size, workers=workers)
        gradient: Floats = np.asarray(J.sum(axis=0)).reshape(x.shape)
        return gradient

    def _jacobian_plan(self) -> SparseJacobian:
        plan = self.__dict__.get("_plan")
        if plan is None:
            rows = self._term[self._first == self._second]
            columns = self._first[self._first == self._second]
            pattern = self._sparse.csr_array((np.ones(rows.size, dtype=bool), (rows, columns)),
                                             shape=(self.terms, self.shape[0]))
            plan = self.__dict__["_plan"] = SparseJacobian(pattern, groups=self.groups)
        return cast(SparseJacobian, plan)

    def _values(self, F: Any, x: npt.NDArray[Any], h: object, f0: npt.ArrayLike | None, threads: int | None,
                vectorized: bool, chunk_size: int | None, workers: Workers | None, progress: bool
                ) -> tuple[Floats, Floats]:
        """``F`` at the :class:`_GroupMoves` points, ``(points, m)``, and the steps taken."""
        n = self.shape[0]
        if x.size != n:
            raise ValueError(f"sparsity has {n} columns, but x has {x.size} elements")
        evaluator = make_evaluator(F, x, threads, vectorized, chunk_size, workers, vector=True)
        if evaluator.outputs(None, default=self.terms) != self.terms:
            raise ValueError(f"sparsity has {self.terms} rows (terms), but F writes a different number")
        check_finite(x)
        steps = hessian_steps_or_default(h, x)
        flat = np.ascontiguousarray(x).reshape(-1)
        taken = representable(flat, np.broadcast_to(np.asarray(steps, dtype=np.float64), x.shape).reshape(-1))
        if not np.all(taken > 0):
            raise ValueError(f"the step of element {int(np.argmin(taken > 0))} vanishes next to its value: "
                             "(x + h) - x == 0, h is too small")
        points = _GroupMoves(flat, x.shape, taken, self._columns)
        values = np.empty((points.length, self.terms))
        start = 0
        if f0 is not None:
            values[0], start = _terms(f0, self.terms), 1
        with progress_bars.optional_bar(progress, points.length - start, "hessian") as bar:
            counted = evaluator if bar is None else evaluator.counting(bar)
            for item, value in enumerate(counted.values(_Tail(points, start), self.terms), start=start):
                values[item] = _terms(value, self.terms)
        if not np.isfinite(values).all():
            raise ValueError("F returned a non-finite value near x (x is restored)")
        return values, taken


def _terms(value: object, m: int) -> Floats:
    terms = as_vector(value)
    if terms.size != m:
        raise ValueError(f"F returned {terms.size} values, but sparsity has {m} rows (terms)")
    return terms


def _pair_index(a: Index, b: Index, k: int) -> Index:
    """The position of the pair ``a < b`` among all pairs of ``k`` groups in order."""
    index: Index = a * (2 * k - a - 1) // 2 + (b - a - 1)
    return index


class _Tail(LazyPoints):
    """``points`` from ``start`` on."""

    def __init__(self, points: LazyPoints, start: int) -> None:
        self.points, self.start, self.length = points, start, points.length - start

    def point(self, i: int) -> npt.NDArray[Any]:
        return self.points.point(self.start + i)


def _in_place(f: Callable[[npt.NDArray[Any]], object], x: npt.NDArray[Any], points: _EntryPoints, start: int,
              values: Floats) -> None:
    """``f`` at the points with ``x`` itself moved (one or two elements) and restored, values into ``values``."""
    flat = x.reshape(-1)  # a view of a contiguous x; the loop below writes through x's own indexing otherwise
    view = flat if np.shares_memory(flat, x) else None
    shape, address = x.shape, x.__array_interface__["data"][0]
    for item in range(start, points.length):
        elements, sign = points.moves(item)
        saved = [(i, _read(x, view, i)) for i in elements]
        try:
            for i, v in saved:
                _write(x, view, i, moved(np.asarray([v]), sign * points.taken[i:i + 1], False, False)[0])
            values[item] = as_double(f(x))
        finally:
            if x.shape != shape or x.__array_interface__["data"][0] != address:
                raise moved_error()
            for i, v in saved:
                _write(x, view, i, v)


def _read(x: npt.NDArray[Any], view: npt.NDArray[Any] | None, i: int) -> Any:
    return view[i] if view is not None else x[np.unravel_index(i, x.shape)]


def _write(x: npt.NDArray[Any], view: npt.NDArray[Any] | None, i: int, value: Any) -> None:
    if view is not None:
        view[i] = value
    else:
        x[np.unravel_index(i, x.shape)] = value
