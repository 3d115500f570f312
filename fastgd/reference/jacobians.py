"""Plain numpy twins of :func:`fastgd.jacobian`, :func:`fastgd.hessian`, :func:`fastgd.hessp`,
:func:`fastgd.color_columns` and :class:`fastgd.SparseJacobian`, written from the formulas.

Every step divides as the distance it moved the point, ``(v + h) - v`` in ``x``'s dtype. Where fastgd's
loops do the same IEEE operations in the same order, its numbers are these, bit for bit (for functions
whose values do not depend on the order of their calls).

- Jacobian: column ``i`` is a difference formula (:mod:`fastgd.reference.schemes`) of ``F``'s values
  along ``x.flat[i]``.
- Hessian from ``f`` alone: the four-point formula off the diagonal and the central second difference on it,

      H[i, j] = (f(x + h_i e_i + h_j e_j) - f(x + h_i e_i - h_j e_j)
                 - f(x - h_i e_i + h_j e_j) + f(x - h_i e_i - h_j e_j)) / (4 h_i h_j),
      H[i, i] = (f(x + h_i e_i) + f(x - h_i e_i) - 2 f(x)) / h_i**2

  (Abramowitz & Stegun 25.3.23 and 25.3.26), each pair computed once and written to both halves.
  ``method='richardson'``: ``(4 H(h) - H(2h)) / 3``, which cancels the ``h**2`` term. From a gradient
  ``g``: the central Jacobian of ``g``, symmetrized, ``(J + J.T) / 2``.
- Hessian times ``p``: ``(g(x + e p) - g(x - e p)) / (2e)``.
- Sparse Jacobians: columns with no nonzero in a common row move together (Curtis, Powell & Reid,
  *J. Inst. Maths Applics* 13, 1974), grouped by a greedy coloring (Gebremedhin, Manne & Pothen,
  *SIAM Review* 47, 2005) improved by Culberson's iterated greedy.

Default Hessian steps are fastgd's choices (relative, ``c * max(1, |x_i|)``): :data:`CENTRAL_STEP` and
:data:`RICHARDSON_STEP` from ``f`` alone; from a gradient, the central first-difference rule
``eps**(1/3)`` and ``eps**(1/5)`` extrapolated.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.reference.schemes import CENTRAL, ROWS, Row, evaluate, weighted_sum
from fastgd.reference.steps import automatic, representable

Array = npt.NDArray[Any]
Floats = npt.NDArray[np.float64]
Function = Callable[[Array], Any]

EPS: float = float(np.finfo(np.float64).eps)
CENTRAL_STEP: float = 5e-4  #: the default relative step of a Hessian from f alone
RICHARDSON_STEP: float = 5e-3  #: ... and of its extrapolation (steps c and 2c)
GRADIENT_STEP: float = EPS ** (1 / 3)  #: the default relative step of central differences of a gradient
GRADIENT_RICHARDSON_STEP: float = EPS ** (1 / 5)  #: ... extrapolated
NOISE: float = 2.0  #: each value of f taken to be off by NOISE * eps * |f(x)| (Hessian error estimates)
SAFETY: float = 10.0  #: the h**4 term of an extrapolated Hessian taken as SAFETY * q times the measured h**2 term


def _vector(r: object) -> Floats:
    """A value of a vector function as a new flat float64 array (C order)."""
    return np.array(r, dtype=np.float64).reshape(-1)


def _flat_steps(x: Array, h: object, row: Row) -> Floats:
    """``h`` as one step per element, flat: ``'auto'``'s rule (typical scale 1), or as given."""
    if isinstance(h, str):
        return automatic(x.reshape(-1), row, 1.0)
    return np.broadcast_to(np.asarray(h, dtype=np.float64), x.shape).reshape(-1)


def jacobian(F: Function, x: Array, h: float | npt.ArrayLike = 1e-4, *, method: str = "central") -> Floats:
    """Jacobian of ``F`` at ``x``, ``J[j, i] = dF_j / dx.flat[i]``, shape ``(m, x.size)``, float64.

    ``F(x)`` first (it tells ``m``); then, for each element in ``np.nditer``'s order, ``step = (v + h) - v``,
    ``F`` at each point of the row (``method``: ``'central'``, ``'forward'``, ``'backward'``, ``'central4'``),
    the element restored after each, and the row's weighted sum of the values over ``d * step``.
    ``h``: a float, per-element steps or ``'auto'``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import reference
    >>> np.round(reference.jacobian(lambda x: np.array([x[0] * x[1], x[1] ** 2]), np.array([1.0, 2.0])), 8)
    array([[2., 1.],
           [0., 4.]])
    """
    row = ROWS[method]
    steps = _flat_steps(x, h, row)
    at_x = _vector(F(x))
    J = np.empty((at_x.size, x.size))
    it = np.nditer(x, flags=["multi_index", "zerosize_ok"])
    for _ in it:
        idx = it.multi_index
        i = int(np.ravel_multi_index(idx, x.shape)) if x.ndim else 0
        v = x[idx]
        step = float((v + float(steps[i])) - v)
        values = []
        for offset in row.offsets:
            x[idx] = v + offset * step
            try:
                values.append(_vector(F(x)))
            finally:
                x[idx] = v
        J[:, i] = weighted_sum(row, values, at_x) / (row.denominator * step)
    return J


def _default_steps(x: Array, h: object, c: float) -> Floats:
    """``h`` shaped like ``x``, or for None/``'auto'`` the relative steps ``c * max(1, |x|)``."""
    if h is None or isinstance(h, str):
        return c * np.maximum(1.0, np.abs(x.astype(np.float64)))
    return np.broadcast_to(np.asarray(h, dtype=np.float64), x.shape)


def _hessian_at(f: Function, x: Array, steps: Floats) -> Floats:
    """The four-point formula off the diagonal, central second differences on it, at the representable
    ``steps`` (flat, C order); the pairs in ``np.nditer``'s order."""
    n = x.size
    H = np.empty((n, n))
    order = [it.multi_index for it in _visits(x)]
    f0 = float(f(x))
    for idx in order:
        i = int(np.ravel_multi_index(idx, x.shape)) if x.ndim else 0
        v, h = x[idx], steps[i]
        x[idx] = v + v.dtype.type(h)
        f_plus = float(f(x))
        x[idx] = v - v.dtype.type(h)
        f_minus = float(f(x))
        x[idx] = v
        H[i, i] = (f_plus + f_minus - 2 * f0) / float(h) / float(h)
    for a, ia in enumerate(order):
        for ib in order[a + 1:]:
            i, j = (int(np.ravel_multi_index(idx, x.shape)) for idx in (ia, ib))
            vi, vj, hi, hj = x[ia], x[ib], steps[i], steps[j]
            values = []
            for si, sj in ((1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)):
                x[ia] = vi + vi.dtype.type(si * hi)
                x[ib] = vj + vj.dtype.type(sj * hj)
                try:
                    values.append(float(f(x)))
                finally:
                    x[ia], x[ib] = vi, vj
            f_pp, f_pm, f_mp, f_mm = values
            H[i, j] = H[j, i] = (f_pp - f_pm - f_mp + f_mm) / ((2 * float(hi)) * (2 * float(hj)))
    return H


def _visits(x: Array) -> Any:
    it = np.nditer(x, flags=["multi_index", "zerosize_ok"])
    for _ in it:
        yield it


@dataclass(frozen=True)
class HessianInfo:
    """The twin of :class:`fastgd.HessianInfo`."""

    error: Floats  #: estimate of the absolute error of each entry
    status: npt.NDArray[np.int8]  #: 0 converged; -1 the steps look outside the range where the estimate holds
    calls: int  #: every evaluation of f (or of the gradient)
    step: Floats  #: the smaller of each element's two steps (the representable one)


def _richardson_error(fine: Floats, coarse: Floats, result: Floats,
                      noise: Floats) -> tuple[Floats, npt.NDArray[np.int8]]:
    """The error estimate and status of ``R = (4 fine - coarse) / 3`` (steps h, 2h; ``noise``: ``fine``'s
    rounding bound).

    Rounding: ``(4 noise + noise / 4) / 3 = 17/12 noise``. Truncation: with ``q = |fine - coarse| / |R|``
    (the relative size of the ``h**2`` term) the ``h**4`` term is ~ ``q`` times the measured one;
    taken as ``min(SAFETY q, 1) |fine - coarse|`` (mixed entries' cross terms make it larger).
    Not reliable where that is the whole difference and exceeds the rounding bound.
    """
    difference = np.abs(fine - coarse)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(difference > 0, difference / np.abs(result), 0.0)
    truncation = np.minimum(SAFETY * q, 1.0) * difference
    rounding = noise * (17 / 12)
    status = np.where((SAFETY * q >= 1.0) & (truncation > rounding), -1, 0).astype(np.int8)
    return rounding + truncation, status


def hessian(f: Function | None, x: Array, h: float | npt.ArrayLike | None = None, *, method: str = "central",
            gradient: Function | None = None, full_output: bool = False) -> Floats | tuple[Floats, HessianInfo]:
    """Hessian of ``f`` at ``x``, ``(x.size, x.size)``, float64, symmetric (see the module's formulas).

    Steps ``h`` (a float or per-element steps; default ``c * max(1, |x_i|)``) divide as the representable
    ones. ``method='richardson'``: ``(4 H(h) - H(2h)) / 3``; with ``full_output``, the error estimate
    (and ``|f(x)|`` evaluated once more for its rounding part). ``gradient=g``: from ``g``'s Jacobian.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import reference
    >>> np.round(reference.hessian(lambda x: x[0] ** 2 * x[1], np.array([1.0, 3.0])), 6)
    array([[6., 2.],
           [2., 0.]])
    """
    richardson = method == "richardson"
    n = x.size
    if gradient is not None:
        steps = _default_steps(x, h, GRADIENT_RICHARDSON_STEP if richardson else GRADIENT_STEP)
        fine = jacobian(gradient, x, steps)
        fine = (fine + fine.T) * 0.5
        if not richardson:
            return fine
        coarse = jacobian(gradient, x, 2 * steps)
        coarse = (coarse + coarse.T) * 0.5
        result: Floats = (4 * fine - coarse) / 3
        if not full_output:
            return result
        taken = representable(x.reshape(-1), steps.reshape(-1))
        scale = np.abs(_vector(gradient(x)))
        # entry (j, i) of the Jacobian is (g_j(x + h_i e_i) - g_j(x - h_i e_i)) / (2 h_i); symmetrized, a mean
        noise = NOISE * EPS * (scale[:, None] / taken[None, :] + scale[None, :] / taken[:, None]) / 2
        return result, HessianInfo(*_richardson_error(fine, coarse, result, noise), 4 * n + 1, taken)
    assert f is not None
    steps = _default_steps(x, h, RICHARDSON_STEP if richardson else CENTRAL_STEP)
    taken = representable(x.reshape(-1), steps.reshape(-1))
    fine = _hessian_at(f, x, taken)
    if not richardson:
        return fine
    coarse = _hessian_at(f, x, representable(x.reshape(-1), 2 * steps.reshape(-1)))
    result = (4 * fine - coarse) / 3
    if not full_output:
        return result
    noise = NOISE * EPS * abs(float(f(x))) * (1 / np.outer(taken, taken))
    noise.flat[::n + 1] *= 4  # the diagonal's weights 1, 1, -2
    return result, HessianInfo(*_richardson_error(fine, coarse, result, noise), 4 * n * n + 3 if n else 1, taken)


def hessp(f: Function | None, x: Array, p: npt.ArrayLike, h: float | npt.ArrayLike | None = None, *,
          gradient: Function | None = None) -> Floats:
    """The Hessian of ``f`` at ``x`` times ``p``: ``(g(x + e p) - g(x - e p)) / (2e)``, shaped like ``x``.

    ``g``: ``gradient``, or the central gradient of ``f`` at steps ``h`` (default ``5e-4 * max(1, |x_i|)``
    at ``x``). ``e = c * max(1, max|x|) / max|p|``, ``c`` :data:`GRADIENT_STEP` with a gradient, else
    :data:`CENTRAL_STEP`: the largest move is the Hessian's default step. ``x`` is restored.
    """
    direction = np.asarray(p, dtype=np.float64).reshape(x.shape)
    largest = float(np.abs(direction).max(initial=0.0))
    if largest == 0.0:
        return np.zeros(x.shape)
    c = GRADIENT_STEP if gradient is not None else CENTRAL_STEP
    e = c * max(1.0, float(np.abs(x).max())) / largest
    if gradient is None:
        assert f is not None
        steps = _default_steps(x, h, CENTRAL_STEP).reshape(-1)

        def g(point: Array) -> Floats:
            return evaluate(f, point, CENTRAL, steps, exact=True).value.astype(np.float64).reshape(x.shape)
    else:
        def g(point: Array) -> Floats:
            return _vector(gradient(point)).reshape(x.shape)
    saved = x.copy()
    try:
        x[...] = saved + e * direction
        plus = g(x)
        x[...] = saved - e * direction
        minus = g(x)
    finally:
        x[...] = saved
    result: Floats = (plus - minus) / (2 * e)
    return result


def _structure(pattern: Any) -> npt.NDArray[np.bool_]:
    """A pattern (an array, or anything with ``toarray()``) as a dense boolean array."""
    dense = pattern.toarray() if hasattr(pattern, "toarray") else pattern
    nonzero: npt.NDArray[np.bool_] = np.asarray(dense) != 0
    return nonzero


def greedy_coloring(pattern: Any, order: npt.ArrayLike | None = None) -> tuple[npt.NDArray[np.intp], int]:
    """One greedy pass: each column, in ``order`` (default: natural), takes the smallest color no column
    sharing a row with it has yet. Returns the colors and how many.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.jacobians import greedy_coloring
    >>> greedy_coloring(np.eye(4) + np.eye(4, k=1) + np.eye(4, k=-1))
    (array([0, 1, 2, 0]), 3)
    """
    nonzero = _structure(pattern)
    n = nonzero.shape[1]
    columns_of_row = [np.flatnonzero(row) for row in nonzero]
    rows_of_column = [np.flatnonzero(column) for column in nonzero.T]
    colors = np.full(n, -1, dtype=np.intp)
    for column in (range(n) if order is None else np.asarray(order)):
        taken = {int(colors[other]) for r in rows_of_column[column] for other in columns_of_row[r]
                 if colors[other] >= 0}
        color = 0
        while color in taken:
            color += 1
        colors[column] = color
    return colors, int(colors.max(initial=-1)) + 1


def color_columns(pattern: Any, passes: int = 8) -> npt.NDArray[np.intp]:
    """Groups of columns no two of which have a nonzero in a common row: ``groups[j]`` is column ``j``'s.

    The greedy coloring in the natural order; unless it reaches the lower bound (the most nonzeros in a
    row), also in largest-first order (a column's degree: the nonzeros of the rows it is in), keeping the
    fewer colors; then up to ``passes`` greedy passes with the columns ordered by their colors, last color
    first (Culberson's iterated greedy: never more colors), while they remove one. A dense row makes
    every column its own group.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import reference
    >>> reference.color_columns(np.eye(4) + np.eye(4, k=1) + np.eye(4, k=-1))
    array([0, 1, 2, 0])
    """
    nonzero = _structure(pattern)
    n = nonzero.shape[1]
    row_sizes = nonzero.sum(axis=1)
    lower = max(1, int(row_sizes.max(initial=0)))
    if n == 0 or lower == n:
        return np.arange(n, dtype=np.intp)
    colors, used = greedy_coloring(nonzero)
    if used <= lower:
        return colors
    degree = (nonzero * row_sizes[:, None]).sum(axis=0)
    candidate, tried = greedy_coloring(nonzero, np.argsort(-degree, kind="stable"))
    if tried < used:
        colors, used = candidate, tried
    for _ in range(passes):
        if used <= lower:
            break
        candidate, tried = greedy_coloring(nonzero, np.argsort(-colors, kind="stable"))
        if tried >= used:
            break
        colors, used = candidate, tried
    return colors


def sparse_jacobian(F: Function, x: Array, pattern: Any, h: float | npt.ArrayLike = 1e-4,
                    groups: npt.ArrayLike | None = None, *, method: str = "central") -> Floats:
    """Jacobian by column groups, dense, ``(m, x.size)``: the pattern's nonzeros filled, zeros elsewhere.

    The columns of a group (default: :func:`color_columns`) move together, in place, to each point of the
    row (``x[j] = v_j + c_k step_j``, ``step_j = (v_j + h_j) - v_j``); in row ``r`` the weighted sum of
    ``F``'s values over ``d * step_j`` is ``J[r, j]`` for the one column ``j`` of the group that row depends
    on. ``x`` must be C-contiguous.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import reference
    >>> np.round(reference.sparse_jacobian(lambda x: x**2, np.array([1.0, 2.0, 3.0]), np.eye(3)), 6)
    array([[2., 0., 0.],
           [0., 4., 0.],
           [0., 0., 6.]])
    """
    row = ROWS[method]
    nonzero = _structure(pattern)
    colors = color_columns(nonzero) if groups is None else np.asarray(groups)
    flat = x.reshape(-1)  # a view: x is C-contiguous
    steps = _flat_steps(x, h, row)
    taken = ((flat + steps.astype(flat.dtype)) - flat)  # in x's dtype
    at_x = _vector(F(x)) if row.centre_weight else None
    J = np.zeros(nonzero.shape)
    for color in range(int(colors.max(initial=-1)) + 1):
        group = np.flatnonzero(colors == color)
        saved = flat[group].copy()
        values = []
        for offset in row.offsets:
            flat[group] = saved + offset * taken[group]
            try:
                values.append(_vector(F(x)))
            finally:
                flat[group] = saved
        total = weighted_sum(row, values, at_x)
        for j in group:
            rows = np.flatnonzero(nonzero[:, j])
            J[rows, j] = total[rows] / (row.denominator * float(taken[j]))
    return J
