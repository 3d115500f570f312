"""Plain-loop twins of fastgd's derivatives within bounds and at an optimizer's steps: written from the
published rules, sharing no code with :mod:`fastgd.diff` (numpy and the standard library only).

- :func:`jacobian`: a finite-difference Jacobian whose points stay in ``[lb, ub]``: each column by the
  method's own points where they fit, else by the one-sided formula of the same order on the side that fits
  (Fornberg's one-sided weights), its step shrunk to the room on the roomier side if neither does, and
  halved while a point, computed as ``x + offset * step``, rounds past a bound. The twin of
  :func:`fastgd.jacobian` with ``bounds=`` (and ``f0=``).
- :func:`two_point`: scipy's ``'2-point'`` (``scipy.optimize._numdiff.approx_derivative``): forward
  differences at ``sqrt(eps) * sign(x) * max(1, |x|)``, a step turned to the other side where its point leaves
  the box and fits there, else to the roomier side by all its room. The twin of the adapters' default.
- :func:`minpack_forward`: MINPACK's ``fdjac1``/``fdjac2`` steps, ``sqrt(eps) * |x_j|`` (``sqrt(eps)`` at 0),
  forward; divided, as every fastgd step, by the step actually taken, ``(x + h) - x``. The twin of
  :func:`fastgd.optimize.root`'s Jacobian.

Every estimate is ``(sum_k w_k F(x + o_k t e_j) + c F(x)) / (d t)`` summed left to right, ``t = (x_j + h) - x_j``
the representable step: the IEEE operations of fastgd's loops, so float64 results are bitwise fastgd's.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
EPS = float(np.finfo(np.float64).eps)

#: ``method -> (offsets, weights, denominator, centre weight)``, and its one-sided rows above and below ``x``.
ROWS: dict[str, tuple[tuple[float, ...], tuple[int, ...], int, int]] = {
    "central": ((1.0, -1.0), (1, -1), 2, 0),
    "forward": ((1.0,), (1,), 1, -1),
    "backward": ((-1.0,), (-1,), 1, 1),
    "central4": ((2.0, 1.0, -1.0, -2.0), (-1, 8, -8, 1), 12, 0),
    # (-3 F(x) + 4 F(x + t) - F(x + 2t)) / (2t) and its mirror
    "forward3": ((1.0, 2.0), (4, -1), 2, -3),
    "backward3": ((-1.0, -2.0), (-4, 1), 2, 3),
    # (-25 F(x) + 48 F(x + t) - 36 F(x + 2t) + 16 F(x + 3t) - 3 F(x + 4t)) / (12t) and its mirror
    "forward5": ((1.0, 2.0, 3.0, 4.0), (48, -36, 16, -3), 12, -25),
    "backward5": ((-1.0, -2.0, -3.0, -4.0), (-48, 36, -16, 3), 12, 25),
}
SIDES = {"central": ("forward3", "backward3"), "forward": ("forward", "backward"),
         "backward": ("forward", "backward"), "central4": ("forward5", "backward5")}


def _vector(r: object) -> Floats:
    return np.asarray(r, dtype=np.float64).reshape(-1)


def _inside(v: float, t: float, offsets: tuple[float, ...], lo: float, hi: float) -> bool:
    return all(lo <= v + o * t <= hi for o in offsets)


def _column(F: Callable[[Floats], Any], x: Floats, j: int, t: float, row: str, f0: Floats | None) -> Floats:
    """Column ``j`` by ``row`` at the representable step ``t``: F at each point (x moved in a copy), combined."""
    offsets, weights, denominator, centre = ROWS[row]
    total: Floats | None = None
    for o, w in zip(offsets, weights, strict=True):
        point = x.copy()
        point[j] = x[j] + o * t
        term = w * _vector(F(point))
        total = term if total is None else total + term
    assert total is not None
    if centre:
        assert f0 is not None
        total = total + centre * f0
    column: Floats = total / (denominator * t)
    return column


def jacobian(F: Callable[[Floats], Any], x: Floats, h: float | npt.ArrayLike, method: str = "central",
             lb: npt.ArrayLike = -np.inf, ub: npt.ArrayLike = np.inf, f0: npt.ArrayLike | None = None) -> Floats:
    """The Jacobian of ``F`` at a 1-D float64 ``x`` with every point in ``[lb, ub]`` (see the module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference import within_bounds
    >>> x = np.array([0.0, 0.5])
    >>> J = within_bounds.jacobian(lambda v: np.sqrt(v), x + 1.0, 1e-5, "central", lb=1.0)
    >>> np.round(J, 6)  # the first column one-sided: sqrt is not evaluated below 1
    array([[0.5     , 0.      ],
           [0.      , 0.408248]])
    """
    n = x.size
    steps = np.broadcast_to(np.asarray(h, dtype=np.float64), (n,))
    lows = np.broadcast_to(np.asarray(lb, dtype=np.float64), (n,))
    highs = np.broadcast_to(np.asarray(ub, dtype=np.float64), (n,))
    centre = None if f0 is None else _vector(f0)
    columns = []
    for j in range(n):
        v, lo, hi = float(x[j]), float(lows[j]), float(highs[j])
        step = float(steps[j])
        above, below = SIDES[method]
        t = (v + step) - v
        if _inside(v, t, ROWS[method][0], lo, hi):
            row = method
        elif _inside(v, t, ROWS[above][0], lo, hi):
            row = above
        elif _inside(v, t, ROWS[below][0], lo, hi):
            row = below
        else:  # the step shrinks to the room on the roomier side, or to both sides' if no smaller
            reach_up = max(ROWS[above][0])
            reach_down = -min(ROWS[below][0])
            if hi - v >= v - lo:
                row, one_sided = above, min(step, (hi - v) / reach_up)
            else:
                row, one_sided = below, min(step, (v - lo) / reach_down)
            offsets = ROWS[method][0]
            reaches = ((hi - v, max(0.0, *offsets)), (v - lo, max(0.0, *(-o for o in offsets))))
            both = min([step] + [room / reach for room, reach in reaches if reach])
            row, step = (method, both) if both >= one_sided and both > 0 else (row, one_sided)
        for _ in range(64):
            t = (v + step) - v
            if _inside(v, t, ROWS[row][0], lo, hi):
                break
            step /= 2
        if ROWS[row][3] and centre is None:
            centre = _vector(F(x.copy()))
        columns.append(_column(F, x, j, t, row, centre))
    return np.stack(columns, axis=1) if columns else np.empty((0, 0))


def _signed(F: Callable[[Floats], Any], x: Floats, h: Floats, f0: Floats) -> Floats:
    """Forward differences at signed steps: ``(F(x + t e_j) - F(x)) / t``, ``t = (x_j + h_j) - x_j``."""
    columns = []
    for j in range(x.size):
        t = (float(x[j]) + float(h[j])) - float(x[j])
        point = x.copy()
        point[j] = x[j] + t
        columns.append((_vector(F(point)) + -1 * f0) / (1 * t))
    return np.stack(columns, axis=1)


def two_point(F: Callable[[Floats], Any], x: Floats, lb: npt.ArrayLike = -np.inf, ub: npt.ArrayLike = np.inf,
              f0: npt.ArrayLike | None = None, rel_step: npt.ArrayLike | None = None) -> Floats:
    """scipy's ``'2-point'`` Jacobian of ``F`` at a 1-D float64 ``x`` within ``[lb, ub]`` (module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference import within_bounds
    >>> J = within_bounds.two_point(lambda v: v ** 2, np.array([1.0, -2.0]), ub=1.0)
    >>> np.round(J, 6) + 0.0  # x_0 on its upper bound: stepped down
    array([[ 2.,  0.],
           [ 0., -4.]])
    """
    n = x.size
    lows = np.broadcast_to(np.asarray(lb, dtype=np.float64), (n,))
    highs = np.broadcast_to(np.asarray(ub, dtype=np.float64), (n,))
    sign = np.where(x >= 0, 1.0, -1.0)
    default = EPS ** 0.5 * sign * np.maximum(1.0, np.abs(x))
    if rel_step is None:
        h = default
    else:
        h = np.asarray(rel_step, dtype=np.float64) * sign * np.abs(x)
        h = np.where((x + h) - x == 0, default, h)
    h = np.array(h, dtype=np.float64)
    for j in range(n):  # scipy's _adjust_scheme_to_bounds, '1-sided', one step
        v, lo, hi = float(x[j]), float(lows[j]), float(highs[j])
        up, down = hi - v, v - lo
        fits = abs(h[j]) <= max(up, down)
        if not lo <= v + h[j] <= hi and fits:
            h[j] = -h[j]
        elif not fits:
            h[j] = up if up >= down else -down
        for _ in range(64):  # fastgd's guard: a point rounded past a bound halves its step
            t = (v + h[j]) - v
            if lo <= v + t <= hi:
                break
            h[j] /= 2
    centre = _vector(F(x.copy())) if f0 is None else _vector(f0)
    return _signed(F, x, h, centre)


def minpack_forward(F: Callable[[Floats], Any], x: Floats, f0: npt.ArrayLike | None = None,
                    epsfcn: float | None = None) -> Floats:
    """MINPACK's forward-difference Jacobian steps (``fdjac1``: ``sqrt(max(epsfcn, eps)) * |x_j|``, that fraction
    itself where ``x_j`` is 0), divided by the step taken.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference import within_bounds
    >>> np.round(within_bounds.minpack_forward(lambda v: v ** 3, np.array([0.0, 2.0])), 6)
    array([[ 0.,  0.],
           [ 0., 12.]])
    """
    fraction = np.sqrt(max(EPS if epsfcn is None else float(epsfcn), EPS))
    h = fraction * np.abs(x)
    h = np.where(h == 0, fraction, h)
    centre = _vector(F(x.copy())) if f0 is None else _vector(f0)
    return _signed(F, x, h, centre)
