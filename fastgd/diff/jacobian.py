"""Jacobians of vector functions on the engine's evaluators: :func:`jacobian` (dense, or sparse through
:class:`fastgd.diff.sparse.SparseJacobian`).

Column ``i`` of the Jacobian is the scheme's estimate along ``x.flat[i]``: for a Python ``F`` the
caller's ``x`` itself is perturbed and restored, element by element in memory order (as
:func:`fastgd.numerical_gradient` does); ``vectorized=True`` and ``workers=`` hand ``F`` perturbed
copies; a C vector function runs without the GIL, on threads. Steps are the representable ones,
``(x + h) - x``, and they divide.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd._typing import Workers
from fastgd.diff._core import progress as progress_bars
from fastgd.diff._core.bounds import rows_within
from fastgd.diff._core.checks import check_finite, check_result, output_array
from fastgd.diff._core.evaluator import known_vector, with_scheme
from fastgd.diff._core.factory import make_evaluator
from fastgd.diff._core.schemes import scheme
from fastgd.diff._core.steps import DEFAULT_H, jacobian_steps
from fastgd.diff.sparse import SparseJacobian

Bounds = tuple[npt.ArrayLike | None, npt.ArrayLike | None]


def jacobian(F: Any, x: npt.NDArray[Any], h: float | npt.ArrayLike = DEFAULT_H, *, method: str = "central",
             m: int | None = None, sparsity: Any = None, bounds: Bounds | None = None, f0: npt.ArrayLike | None = None,
             threads: int | None = None, vectorized: bool = False, chunk_size: int | None = None,
             workers: Workers | None = None, out: npt.NDArray[np.float64] | None = None, progress: bool = False) -> Any:
    """Finite-difference Jacobian of ``F`` at ``x``: ``J[j, i] = dF_j / dx.flat[i]``, shape ``(m, x.size)``.

    Column ``i`` is the scheme's estimate along ``x.flat[i]`` -- central by default,
    ``(F(x + h e_i) - F(x - h e_i)) / (2 h)`` -- with the representable step ``(x + h) - x``
    (in ``x``'s dtype) as ``h``. A Python ``F`` is called with ``x`` itself, each element perturbed
    and restored in turn, as :func:`fastgd.numerical_gradient` does: 2n calls of ``F`` (and one at
    ``x`` to learn ``m``, unless ``m=`` is given).

    Parameters
    ----------
    F : callable or C-level vector function
        ``F(x) -> array`` of ``m`` real values, any shape (flattened in C order), the same size at
        every point. Or a C function ``void F(n, const double *x, m, double *out, void *user_data)``
        (or ``int F(...)`` returning 0, nonzero on error; ``n`` and ``m`` both ``int`` or both
        64-bit) as a numba ``@cfunc``, ctypes or cffi function pointer, ``scipy.LowLevelCallable`` or
        PyCapsule: the loop then runs without the GIL, with ``threads=``. A scalar C objective
        ``double f(n, double *x, void *user_data)`` gives its gradient as a 1-row Jacobian.
    x : numpy.ndarray
        Point, any shape, real floating dtype, writeable, finite; restored bitwise, even if ``F``
        raises (Ctrl-C included). A C function needs a C-contiguous float64 ``x``.
    h : float, array_like or 'auto', optional
        Step: one for every element, or one per element (an array broadcasting to ``x``'s shape);
        finite and > 0. ``'auto'``: ``eps**(1/(p+1)) * max(|x|, 1)`` for a scheme of order ``p``
        (scipy's rule; without :func:`fastgd.numerical_gradient`'s second try for small ``|x|``,
        so give steps where ``|x| << 1``). Every step divides as the representable ``(x + h) - x``.
        For ``'forward'`` and ``'backward'``, per-element steps may be negative: the point moves the other
        way (scipy's ``'2-point'`` steps by the sign of ``x`` and away from a bound so); not with ``bounds=``.
    method : str, optional
        ``'central'``, ``'forward'``, ``'backward'`` or ``'central4'``, as for
        :func:`fastgd.numerical_gradient` (``'complex'`` and ``'richardson'`` are for gradients).
    m : int, optional
        The number of outputs: required for a C vector function; for a Python ``F`` it is checked
        against ``F``'s values and saves the call at ``x``.
    sparsity : scipy.sparse matrix, array_like of bool or SparseJacobian, optional
        The pattern of nonzeros, shape ``(m, x.size)``: columns without a common nonzero row are
        perturbed together (:class:`fastgd.SparseJacobian`, which a repeated Jacobian should keep and
        pass here), and the result is a ``scipy.sparse.csr_array``.
    bounds : (lb, ub), optional
        ``F`` is only evaluated in ``lb <= x <= ub`` (scalars or arrays broadcasting to ``x``; None for
        no bound), as :func:`fastgd.numerical_gradient` takes them: a column whose points would leave the
        box takes the method's one-sided rows of the same order on the side that fits (its step shrunk
        if neither does); ``x`` must lie within. With ``sparsity=``, a group's points move each of its
        columns by its own row.
    f0 : array_like, optional
        ``F(x)``, if it is already known (an optimizer has just computed it): used wherever the method
        needs ``F(x)`` (``'forward'``, ``'backward'``, the one-sided rows beside bounds), which saves that
        call, and to learn ``m`` without a call. Not checked against ``F`` (a C function evaluates ``F(x)``
        itself).
    threads : int, optional
        For a C function: up to this many threads, each with a private copy of ``x``.
    vectorized : bool, optional
        ``F`` takes stacked points, shape ``(k, *x.shape)``, and returns ``k`` rows of ``m`` values.
    chunk_size : int, optional
        Points per vectorized call.
    workers : int or map-like, optional
        Spread the evaluations over a process pool (an int) or any ``map``-like, as for
        :func:`fastgd.numerical_gradient`.
    out : numpy.ndarray, optional
        C-contiguous float64 array of shape ``(m, x.size)`` to fill and return.
    progress : bool, optional
        Show a tqdm bar (tqdm must be installed) once the computation has run for half a second.

    Returns
    -------
    numpy.ndarray or scipy.sparse.csr_array
        float64, shape ``(m, x.size)``.

    Raises
    ------
    TypeError
        ``F`` is not callable or returns something other than real numbers; ``x`` is not a real
        floating array; ``m`` is missing for a C vector function.
    ValueError
        ``x`` is read-only or not finite; ``F`` returns a different number of values at a perturbed
        point, or a non-finite value; a bad ``h``, ``m``, ``out`` or ``sparsity``.
    fastgd.ObjectiveError
        A C function returned NaN or a nonzero status.

    Examples
    --------
    >>> import numpy as np
    >>> import fastgd
    >>> def F(x):
    ...     return np.array([x[0] * x[1], np.sin(x[0]), x[1] ** 2])
    >>> x = np.array([1.0, 2.0])
    >>> np.round(fastgd.jacobian(F, x), 6)
    array([[2.      , 1.      ],
           [0.540302, 0.      ],
           [0.      , 4.      ]])

    Stacked points, one call of ``F``:

    >>> def F_rows(X):
    ...     return np.stack([X[:, 0] * X[:, 1], np.sin(X[:, 0]), X[:, 1] ** 2], axis=1)
    >>> bool(np.allclose(fastgd.jacobian(F_rows, x, vectorized=True), fastgd.jacobian(F, x)))
    True
    """
    if sparsity is not None:
        if out is not None:
            raise ValueError("out= is for dense Jacobians: with sparsity= the result is a new csr_array")
        plan = sparsity if isinstance(sparsity, SparseJacobian) else SparseJacobian(sparsity)
        return plan.jacobian(F, x, h, method=method, m=m, bounds=bounds, f0=f0, threads=threads,
                             vectorized=vectorized, chunk_size=chunk_size, workers=workers, progress=progress)
    row = scheme(method, single_pass=True)
    evaluator = make_evaluator(F, x, threads, vectorized, chunk_size, workers, row, vector=True)
    steps = jacobian_steps(h, x, row, bounds)
    check_finite(x)
    layout = rows_within(x, steps, row, bounds)
    centre = any(part.centre_weight for part, _, _ in layout)
    vector = known_vector(evaluator, f0, m, centre) if f0 is not None else evaluator.vector(x, m, centre)
    result = output_array(out, (vector.m, x.size), x)
    # the evaluations of the points; F(x) too where the evaluator makes it in the run (once per row that uses it)
    total = sum(part.evaluations_per_element * (x.size if where is None else int(np.count_nonzero(where)))
                + bool(part.centre_weight and vector.at_x is None and x.size) for part, where, _ in layout)
    with progress_bars.optional_bar(progress, total, "jacobian") as bar:
        counted = evaluator if bar is None else evaluator.counting(bar)
        for part, where, part_steps in layout:
            with_scheme(counted, part).jacobian(x, part_steps, True, vector, result,
                                                None if where is None else where.reshape(x.shape))
    check_result(result)
    return result

