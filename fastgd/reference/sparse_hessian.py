"""Plain-loop twins of :class:`fastgd.SparseHessian` and :func:`fastgd.color_symmetric`, written from the
published rules (numpy and the standard library only; nothing of :mod:`fastgd.diff`).

- :func:`star_coloring`: Gebremedhin, Manne & Pothen's greedy star coloring (*SIAM Review* 47, 2005,
  Algorithm 4.1) of a symmetric pattern's adjacency graph, vertex by vertex in a given order; and
  :func:`is_star_coloring`, the definition checked by brute force (adjacent vertices differ; every path on
  four vertices takes three colors or more).
- :func:`from_gradient`: the Hessian from central (or forward) differences of a gradient along each color's
  columns moved together, each entry ``H[i, j]`` read where ``j`` is the only column of its color next to ``i``
  (Powell & Toint, *SIAM J. Numer. Anal.* 16, 1979), averaged with ``H[j, i]`` where both are so.
- :func:`from_terms`: the Hessian of ``sum(F(x))`` from the values of its terms ``F`` at groups of columns
  moved together (no term sees two columns of a group): each term's second differences along one or two
  groups are its own second derivatives, summed over the terms in order.
- :func:`from_values`: the Hessian from ``f`` alone on the pattern's entries,
  ``H[i, i] = (f(x + t_i e_i) + f(x - t_i e_i) - 2 f(x)) / t_i / t_i`` and
  ``H[i, j] = (f(x + t_i e_i + t_j e_j) + f(x - t_i e_i - t_j e_j) - f(x + t_i e_i) - f(x - t_i e_i)
  - f(x + t_j e_j) - f(x - t_j e_j) + 2 f(x)) / (2 t_i t_j)`` (second order; Taylor's odd terms cancel).

From a gradient, each color's difference divides by the distance its points take (``(x + h) - (x - h)`` summed as
the rows do, :func:`fastgd.reference.steps.distance`); from values, steps are the representable ones,
``t = (x + h) - x``. The sums run in the order written, as fastgd's do.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.reference.schemes import ROWS
from fastgd.reference.steps import distance

Floats = npt.NDArray[np.float64]


def neighbours(pattern: npt.ArrayLike) -> list[list[int]]:
    """Each vertex's neighbours in the graph of ``P | P.T`` (no self-loops), increasing."""
    P = np.asarray(pattern) != 0
    P = P | P.T
    return [[j for j in range(P.shape[0]) if P[i, j] and j != i] for i in range(P.shape[0])]


def star_coloring(pattern: npt.ArrayLike, order: Sequence[int] | None = None) -> list[int]:
    """GMP's greedy star coloring (Algorithm 4.1) in ``order`` (default: natural): each vertex ``v`` takes the
    smallest color none of these has -- a neighbour ``w``; for each neighbour ``w`` and each colored ``x`` next to
    it: ``x`` if ``w`` is uncolored, else ``x`` if ``x`` has a neighbour ``y != w`` of ``w``'s color."""
    adjacent = neighbours(pattern)
    n = len(adjacent)
    colors = [-1] * n
    for v in range(n) if order is None else order:
        forbidden = set()
        for w in adjacent[v]:
            if colors[w] >= 0:
                forbidden.add(colors[w])
            for x in adjacent[w]:
                if x == v or colors[x] < 0:
                    continue
                if colors[w] < 0 or any(y != w and colors[y] == colors[w] for y in adjacent[x]):
                    forbidden.add(colors[x])
        colors[v] = next(c for c in itertools.count() if c not in forbidden)
    return colors


def is_star_coloring(pattern: npt.ArrayLike, colors: Sequence[int]) -> bool:
    """The definition, by brute force: adjacent vertices differ, and no path on four vertices takes two colors."""
    adjacent = neighbours(pattern)
    for v, near in enumerate(adjacent):
        if any(colors[w] == colors[v] for w in near):
            return False
    for a, near in enumerate(adjacent):
        for b in near:
            for c in adjacent[b]:
                if c == a:
                    continue
                for d in adjacent[c]:
                    if d in (a, b):
                        continue
                    if len({colors[a], colors[b], colors[c], colors[d]}) == 2:
                        return False
    return True


def _taken(x: Floats, h: npt.ArrayLike) -> Floats:
    steps = np.broadcast_to(np.asarray(h, dtype=np.float64), x.shape)
    return (x + steps) - x


def from_gradient(g: Callable[[Floats], Any], x: Floats, pattern: npt.ArrayLike, colors: Sequence[int],
                  h: npt.ArrayLike, method: str = "central") -> Floats:
    """The Hessian (dense) from ``g`` along each color's columns (see the module docstring), 1-D float64 ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference import sparse_hessian
    >>> P = np.eye(4) + np.eye(4, k=1) + np.eye(4, k=-1)
    >>> colors = sparse_hessian.star_coloring(P)
    >>> H = sparse_hessian.from_gradient(lambda v: 2 * v + np.roll(v, 1) * 0, np.ones(4), P, colors, 1e-3)
    >>> np.round(H, 6)
    array([[2., 0., 0., 0.],
           [0., 2., 0., 0.],
           [0., 0., 2., 0.],
           [0., 0., 0., 2.]])
    """
    n = x.size
    adjacent = neighbours(pattern)
    steps = np.broadcast_to(np.asarray(h, dtype=np.float64), x.shape)
    divisor = distance(x, steps, ROWS[method])  # the distance the points take, as every difference divides
    g0 = None if method == "central" else np.asarray(g(x.copy()), dtype=np.float64).reshape(-1)
    differences = {}
    for c in sorted(set(colors)):
        columns = [j for j in range(n) if colors[j] == c]
        plus = x.copy()
        plus[columns] = x[columns] + steps[columns]
        g_plus = np.asarray(g(plus), dtype=np.float64).reshape(-1)
        if method == "central":
            minus = x.copy()
            minus[columns] = x[columns] + -1.0 * steps[columns]
            differences[c] = 1.0 * g_plus + -1.0 * np.asarray(g(minus), dtype=np.float64).reshape(-1)
        else:
            assert g0 is not None
            differences[c] = 1.0 * g_plus + -1.0 * g0

    def direct(i: int, j: int) -> float | None:
        """``H[i, j]`` from color ``colors[j]``'s difference, if ``j`` is the only column of that color at ``i``."""
        near = [w for w in [i, *adjacent[i]] if colors[w] == colors[j]]
        if near != [j]:
            return None
        return float(differences[colors[j]][i] / divisor[j])

    H = np.zeros((n, n))
    for i in range(n):
        for j in [i, *adjacent[i]]:
            a, b = direct(i, j), direct(j, i)
            a = b if a is None else a
            b = a if b is None else b
            assert a is not None and b is not None, "not a star coloring"
            H[i, j] = 0.5 * (a + b)
    return H


def from_values(f: Callable[[Floats], Any], x: Floats, pattern: npt.ArrayLike, h: npt.ArrayLike) -> Floats:
    """The Hessian (dense) from ``f`` alone on the pattern's entries (see the module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference import sparse_hessian
    >>> P = np.eye(3) + np.eye(3, k=1) + np.eye(3, k=-1)
    >>> H = sparse_hessian.from_values(lambda v: v[0] * v[1] + v[2] ** 2, np.ones(3), P, 0.5)
    >>> H.tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 2.0]]
    """
    n = x.size
    t = _taken(x, h)

    def at(moves: dict[int, float]) -> float:
        point = x.copy()
        for i, sign in moves.items():
            point[i] = x[i] + sign * t[i]
        return float(f(point))

    centre = at({})
    plus = [at({i: 1.0}) for i in range(n)]
    minus = [at({i: -1.0}) for i in range(n)]
    H = np.zeros((n, n))
    for i in range(n):
        H[i, i] = (plus[i] + minus[i] - 2 * centre) / t[i] / t[i]
    for i, near in enumerate(neighbours(pattern)):
        for j in near:
            if j > i:
                both = at({i: 1.0, j: 1.0}) + at({i: -1.0, j: -1.0})
                H[i, j] = H[j, i] = ((both - plus[i] - minus[i] - plus[j] - minus[j] + 2 * centre)
                                     / (2 * t[i] * t[j]))
    return H


def from_terms(F: Callable[[Floats], Any], x: Floats, pattern: npt.ArrayLike, colors: Sequence[int],
               h: npt.ArrayLike) -> Floats:
    """The Hessian (dense) of ``sum(F(x))`` from ``F``'s values (see the module docstring); ``pattern``: ``F``'s
    Jacobian pattern ``(m, n)``, ``colors``: a grouping of its columns with no two in a row.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference import sparse_hessian
    >>> P = np.array([[1, 1, 0], [0, 1, 1]])  # term 0 of x0, x1; term 1 of x1, x2
    >>> F = lambda v: np.array([v[0] * v[1], v[1] * v[2] ** 2])
    >>> np.round(sparse_hessian.from_terms(F, np.ones(3), P, [0, 1, 0], 1e-3), 6)
    array([[0., 1., 0.],
           [1., 0., 2.],
           [0., 2., 2.]])
    """
    P = np.asarray(pattern) != 0
    m, n = P.shape
    k = max(colors) + 1 if len(colors) else 0
    t = _taken(x, h)

    def at(groups: tuple[int, ...], sign: float) -> Floats:
        point = x.copy()
        for a in groups:
            for j in range(n):
                if colors[j] == a:
                    point[j] = x[j] + sign * t[j]
        return np.asarray(F(point), dtype=np.float64).reshape(-1)

    centre = at((), 0.0)
    plus = [at((a,), 1.0) for a in range(k)]
    minus = [at((a,), -1.0) for a in range(k)]
    both = {(a, b): (at((a, b), 1.0), at((a, b), -1.0)) for a in range(k) for b in range(a + 1, k)}
    H = np.zeros((n, n))
    for r in range(m):
        column = {colors[j]: j for j in range(n) if P[r, j]}
        for a in range(k):
            for b in range(a, k):
                if a not in column or b not in column:
                    continue
                i, j = column[a], column[b]
                if a == b:
                    value = (plus[a][r] + minus[a][r] - 2 * centre[r]) / t[i] / t[i]
                    H[i, i] += value
                else:
                    up, down = both[(a, b)]
                    value = ((up[r] + down[r] - plus[a][r] - minus[a][r] - plus[b][r] - minus[b][r] + 2 * centre[r])
                             / (2 * t[i] * t[j]))
                    H[i, j] += value
                    H[j, i] += value
    return H
