"""Plain numpy twins of :func:`fastgd.jacobian`, :func:`fastgd.hessian`, :func:`fastgd.hessp` and the sparse path,
written to be read. They do the compiled code's IEEE operations in the same order, so for float32
and float64 points the results are bitwise those of :mod:`fastgd` (for functions whose value does not
depend on the order of their calls).

Every step is the representable one: ``step = (v + h) - v`` in ``x``'s dtype.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from fastgd.diff._core.steps import CENTRAL_STEP, RICHARDSON_STEP

Floats = npt.NDArray[np.float64]


def _values(r: object) -> Floats:
    return np.asarray(r, dtype=np.float64).reshape(-1)


def jacobian(F: Callable[[npt.NDArray[Any]], Any], x: npt.NDArray[Any], h: float = 1e-4) -> Floats:
    """Central-difference Jacobian of ``F`` at ``x``, shape ``(m, x.size)``, each element perturbed in place.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import reference
    >>> np.round(reference.jacobian(lambda x: np.array([x[0] * x[1], x[1] ** 2]), np.array([1.0, 2.0])), 8)
    array([[2., 1.],
           [0., 4.]])
    """
    m = _values(F(x)).size  # F(x) tells the number of outputs
    J = np.empty((m, x.size))
    it = np.nditer(x, flags=["multi_index", "zerosize_ok"], op_flags=[["readwrite"]])  # type: ignore[list-item]
    while not it.finished:
        idx = it.multi_index
        tmp_val = x[idx]
        step = (tmp_val + h) - tmp_val
        x[idx] = tmp_val + step
        fxh1 = _values(F(x))
        x[idx] = tmp_val - step
        fxh2 = _values(F(x))
        x[idx] = tmp_val
        J[:, np.ravel_multi_index(idx, x.shape)] = (fxh1 - fxh2) / (2 * step)
        it.iternext()
    return J


def _steps(x: npt.NDArray[Any], h: float | npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The representable steps, in x's dtype, shaped like x."""
    h = np.broadcast_to(np.asarray(h, dtype=np.float64), x.shape).astype(x.dtype)
    steps: npt.NDArray[Any] = (x + h) - x
    return steps


def _hessian_at(f: Callable[[npt.NDArray[Any]], Any], x: npt.NDArray[Any], steps: npt.NDArray[Any]) -> Floats:
    """The four-point formula off the diagonal, central second differences on it."""
    n = x.size
    flat_steps = steps.reshape(-1)
    H = np.empty((n, n))
    f0 = float(f(x))
    for i in range(n):
        xi = np.unravel_index(i, x.shape)
        v, hi = x[xi], flat_steps[i]
        x[xi] = v + hi
        f_plus = float(f(x))
        x[xi] = v - hi
        f_minus = float(f(x))
        x[xi] = v
        H[i, i] = (f_plus + f_minus - 2 * f0) / float(hi) / float(hi)
    for i in range(n):
        for j in range(i + 1, n):
            xi, xj = np.unravel_index(i, x.shape), np.unravel_index(j, x.shape)
            vi, vj, hi, hj = x[xi], x[xj], flat_steps[i], flat_steps[j]
            values = []
            for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                x[xi] = vi + si * hi
                x[xj] = vj + sj * hj
                values.append(float(f(x)))
                x[xi], x[xj] = vi, vj
            f_pp, f_pm, f_mp, f_mm = values
            H[i, j] = H[j, i] = (f_pp - f_pm - f_mp + f_mm) / (4 * float(hi) * float(hj))
    return H


def hessian(f: Callable[[npt.NDArray[Any]], Any], x: npt.NDArray[Any], h: float | npt.NDArray[Any] | None = None,
            method: str = "central") -> Floats:
    """Hessian of ``f`` at ``x`` from its values: ``(x.size, x.size)``, symmetric.

    Off the diagonal, ``(f(x + hi ei + hj ej) - f(x + hi ei - hj ej) - f(x - hi ei + hj ej)
    + f(x - hi ei - hj ej)) / (4 hi hj)``; on it, ``(f(x + hi ei) + f(x - hi ei) - 2 f(x)) / hi / hi``.
    ``method='richardson'``: ``(4 H(h) - H(2 h)) / 3``. Default steps: ``c * max(1, |x|)``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import reference
    >>> np.round(reference.hessian(lambda x: x[0] ** 2 * x[1], np.array([1.0, 3.0])), 6)
    array([[6., 2.],
           [2., 0.]])
    """
    if h is None:
        h = (RICHARDSON_STEP if method == "richardson" else CENTRAL_STEP) * np.maximum(1.0, np.abs(x.astype(float)))
    fine = _hessian_at(f, x, _steps(x, h))
    if method != "richardson":
        return fine
    coarse = _hessian_at(f, x, _steps(x, 2 * np.asarray(h, dtype=np.float64)))
    return (4 * fine - coarse) / 3


def hessp(gradient: Callable[[npt.NDArray[Any]], Any], x: npt.NDArray[Any], p: npt.NDArray[Any],
          e: float) -> Floats:
    """The Hessian times ``p`` from a gradient function: ``(g(x + e p) - g(x - e p)) / (2 e)``, shaped like ``x``."""
    saved = x.copy()
    x[...] = saved + e * p
    plus = np.asarray(gradient(x), dtype=np.float64).reshape(x.shape)
    x[...] = saved - e * p
    minus = np.asarray(gradient(x), dtype=np.float64).reshape(x.shape)
    x[...] = saved
    return (plus - minus) / (2 * e)


def color_columns(pattern: npt.ArrayLike, order: npt.ArrayLike | None = None) -> npt.NDArray[np.intp]:
    """Greedy coloring of a dense pattern's columns, in ``order`` (default: natural): each column takes the
    smallest color no column sharing a row with it has yet.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import reference
    >>> reference.color_columns(np.eye(4) + np.eye(4, k=1) + np.eye(4, k=-1))
    array([0, 1, 2, 0])
    """
    nonzero = np.asarray(pattern) != 0
    n = nonzero.shape[1]
    colors = np.full(n, -1, dtype=np.intp)
    for column in (range(n) if order is None else np.asarray(order)):
        rows = nonzero[:, column]
        neighbours = np.any(nonzero[rows], axis=0)  # columns sharing a row with this one
        taken = set(colors[neighbours & (colors >= 0)].tolist())
        color = 0
        while color in taken:
            color += 1
        colors[column] = color
    return colors


def sparse_jacobian(F: Callable[[npt.NDArray[Any]], Any], x: npt.NDArray[Any], pattern: npt.ArrayLike,
                    h: float = 1e-4, groups: npt.ArrayLike | None = None) -> Any:
    """Central-difference Jacobian by column groups, as a ``scipy.sparse.csr_array`` with ``pattern``'s nonzeros.

    The columns of a group (default: :func:`color_columns`) move together, in place:
    ``(F(x + step_g) - F(x - step_g)) / (2 step_j)`` in row ``i`` is ``J[i, j]`` for the one column ``j`` of
    the group that row ``i`` depends on.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import reference
    >>> J = reference.sparse_jacobian(lambda x: x**2, np.array([1.0, 2.0, 3.0]), np.eye(3))
    >>> np.round(J.toarray(), 6)
    array([[2., 0., 0.],
           [0., 4., 0.],
           [0., 0., 6.]])
    """
    import scipy.sparse  # type: ignore[import-untyped, unused-ignore]

    nonzero = np.asarray(cast(Any, pattern).toarray() if scipy.sparse.issparse(pattern) else pattern) != 0
    colors = color_columns(nonzero) if groups is None else np.asarray(groups)
    flat = x.reshape(-1)  # a view: x is C-contiguous here
    steps = _steps(x, h).reshape(-1)
    rows, columns = np.nonzero(nonzero)
    data = np.empty(rows.size)
    for color in range(colors.max(initial=-1) + 1):
        group = np.flatnonzero(colors == color)
        saved = flat[group].copy()
        flat[group] = saved + steps[group]
        plus = _values(F(x))
        flat[group] = saved - steps[group]
        minus = _values(F(x))
        flat[group] = saved
        for k in np.flatnonzero(colors[columns] == color):
            data[k] = (plus[rows[k]] - minus[rows[k]]) / (2 * float(steps[columns[k]]))
    return scipy.sparse.csr_array((data, (rows, columns)), shape=nonzero.shape)
