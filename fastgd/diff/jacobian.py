"""Jacobians of vector functions on the engine's evaluators: :func:`jacobian` (dense, or sparse through
:class:`fastgd.diff.sparse.SparseJacobian`).

Column ``i`` of the Jacobian is the scheme's estimate along ``x.flat[i]``: for a Python ``F`` the
caller's ``x`` itself is perturbed and restored, element by element in memory order (as
:func:`fastgd.numerical_gradient` does); ``vectorized=True`` and ``workers=`` hand ``F`` perturbed
copies; a C vector function runs without the GIL, on threads; a complex step evaluates ``F`` at complex
copies. Each column is divided by the distance its points take (``(x + h) - (x - h)`` for central
differences).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd._typing import Workers
from fastgd.diff._core import progress as progress_bars
from fastgd.diff._core.bounds import rows_within
from fastgd.diff._core.checks import check_finite, check_result, output_array, result_dtype
from fastgd.diff._core.complex_step import check_analytic, check_real_at_x, probe_point
from fastgd.diff._core.evaluator import Evaluator, known_vector, with_scheme
from fastgd.diff._core.factory import make_evaluator
from fastgd.diff._core.schemes import scheme
from fastgd.diff._core.steps import check_moves, complex_dtype, component_steps, jacobian_steps
from fastgd.diff._core.values import Vector, check_shape
from fastgd.diff.sparse import SparseJacobian

Bounds = tuple[npt.ArrayLike | None, npt.ArrayLike | None]


def jacobian(F: Any, x: npt.NDArray[Any], h: float | npt.ArrayLike | None = None, *, method: str = "central",
             m: int | None = None, sparsity: Any = None, bounds: Bounds | None = None, f0: npt.ArrayLike | None = None,
             threads: int | None = None, vectorized: bool = False, chunk_size: int | None = None,
             workers: Workers | None = None, out: npt.NDArray[np.float64] | None = None, progress: bool = False) -> Any:
    """Finite-difference Jacobian of ``F`` at ``x``: ``J[j, i] = dF_j / dx.flat[i]``, shape ``(m, x.size)``.

    Column ``i`` is the scheme's estimate along ``x.flat[i]`` -- central by default,
    ``(F(x + h e_i) - F(x - h e_i)) / D_i`` with ``D_i = (x_i + h) - (x_i - h)`` the distance the two
    points take in ``x``'s dtype. A Python ``F`` is called with ``x`` itself, each element perturbed
    and restored in turn, as :func:`fastgd.numerical_gradient` does: 2n calls of ``F`` (and one at
    ``x`` to learn ``m``, unless ``m=`` is given). If ``F`` raises (or a value is not finite), ``out`` is
    filled with NaN before the error propagates: never half-written. (Computing into a scratch array and
    copying would leave it untouched, at the cost of one more pass over ``m * n`` doubles: 11 % of a
    1000 x 1000 Jacobian of ``x**2``.)

    Parameters
    ----------
    F : callable or C-level vector function
        ``F(x) -> array`` of ``m`` real values: a scalar, a 1-D array, or an array of ``x``'s shape
        (flattened in C order), the same size at every point; any other shape is a ValueError (an
        ``F`` of shape ``(3, 1)`` for ``x`` of shape ``(1,)`` usually broadcast ``x`` where it meant
        its elements, as ``np.array([x**2, np.tan(x)])`` does; scipy refuses it too). Or a C function
        ``void F(n, const double *x, m, double *out, void *user_data)``
        (or ``int F(...)`` returning 0, nonzero on error; ``n`` and ``m`` both ``int`` or both
        64-bit) as a numba ``@cfunc``, ctypes or cffi function pointer, ``scipy.LowLevelCallable`` or
        PyCapsule: the loop then runs without the GIL, with ``threads=``. A scalar C objective
        ``double f(n, double *x, void *user_data)`` gives its gradient as a 1-row Jacobian.
    x : numpy.ndarray
        Point, any shape, real floating dtype, writeable, finite; restored bitwise, even if ``F``
        raises (Ctrl-C included). A C function needs a C-contiguous float64 ``x``.
    h : float, array_like or 'auto', optional
        Step: one for every element, or one per element (an array broadcasting to ``x``'s shape);
        finite and > 0, moving every element (a step that vanishes next to ``x``, ``x + h == x``, is
        a ValueError naming it). ``'auto'``: ``eps**(1/(p+1)) * max(|x|, 1)`` for a scheme of order
        ``p``, a power of two (scipy's rule; without :func:`fastgd.numerical_gradient`'s second try
        for small ``|x|``, so give steps where ``|x| << 1``). Default: the textbook's 1e-4, ``'auto'``
        for ``method='complex'``. Each column divides by the distance its points take.
        For ``'forward'`` and ``'backward'``, per-element steps may be negative: the point moves the other
        way (scipy's ``'2-point'`` steps by the sign of ``x`` and away from a bound so); not with ``bounds=``.
    method : str, optional
        ``'central'``, ``'forward'``, ``'backward'``, ``'central4'`` or ``'complex'`` (``Im F(x + i h e_i) / h``:
        ``F`` must take and return complex arrays and be real-valued at ``x``; one call per element, on a
        complex copy of ``x``; not for C functions), as for :func:`fastgd.numerical_gradient`
        (``'richardson'`` is for gradients).
    m : int, optional
        The number of outputs: required for a C vector function; for a Python ``F`` it is checked
        against ``F``'s values and saves the call at ``x``.
    sparsity : scipy.sparse matrix, array_like of bool or SparseJacobian, optional
        The pattern of nonzeros, shape ``(m, x.size)``: columns without a common nonzero row are
        perturbed together (:class:`fastgd.SparseJacobian`, which a repeated Jacobian should keep and
        pass here), and the result is a ``scipy.sparse.csr_array``. A derivative missing from the
        pattern is not detected by the Jacobian (it folds into another entry of its row, as scipy's
        does): :meth:`fastgd.SparseJacobian.check` tests a pattern with two more calls of ``F``.
    bounds : (lb, ub), optional
        ``F`` is only evaluated in ``lb <= x <= ub`` (scalars or arrays broadcasting to ``x``; None for
        no bound), as :func:`fastgd.numerical_gradient` takes them: a column whose points would leave the
        box takes the method's one-sided rows of the same order on the side that fits (its step shrunk
        if neither does); ``x`` must lie within. With ``sparsity=``, a group's points move each of its
        columns by its own row. (``'complex'`` moves ``x`` off the real axis only: always within.)
    f0 : array_like, optional
        ``F(x)``, if it is already known (an optimizer has just computed it): used wherever the method
        needs ``F(x)`` (``'forward'``, ``'backward'``, the one-sided rows beside bounds), which saves that
        call, and to learn ``m`` without a call. Not checked against ``F`` (a C function evaluates ``F(x)``
        itself); not used by ``'complex'`` (which evaluates ``F`` at a complex ``x``).
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
        C-contiguous array of shape ``(m, x.size)`` and the result's dtype to fill and return (NaN
        throughout if the Jacobian fails).
    progress : bool, optional
        Show a tqdm bar (tqdm must be installed) once the computation has run for half a second.

    Returns
    -------
    numpy.ndarray or scipy.sparse.csr_array
        Shape ``(m, x.size)``; float32 for a float32 ``x`` (computed in double, rounded once), else float64.

    Raises
    ------
    TypeError
        ``F`` is not callable or returns something other than real numbers (for ``'complex'``: complex
        ones, with no imaginary part at ``x``); ``x`` is not a real floating array; ``m`` is missing for
        a C vector function.
    ValueError
        ``x`` is read-only or not finite; ``F`` returns a different number of values at a perturbed
        point, a value of a shape it does not take, or a non-finite value; a bad ``h`` (or one that
        vanishes next to ``x``), ``m``, ``out`` or ``sparsity``.
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
    row = scheme(method, jacobian=True)
    evaluator = make_evaluator(F, x, threads, vectorized, chunk_size, workers, row, vector=True)
    steps = jacobian_steps(h, x, row, bounds)
    check_finite(x)
    layout = rows_within(x, steps, row, bounds)
    if row.imaginary:
        layout = [(row, None, component_steps(x, steps))]
        vector = _complex_vector(evaluator, x, m)
    else:
        for part, _, part_steps in layout:
            check_moves(x, part_steps, part)
        centre = any(part.centre_weight for part, _, _ in layout)
        vector = known_vector(evaluator, f0, m, centre, x.shape) if f0 is not None else evaluator.vector(x, m, centre)
    result = output_array(out, (vector.m, x.size), x, result_dtype(x))
    # the evaluations of the points; F(x) too where the evaluator makes it in the run (once per row that uses it)
    total = sum(part.evaluations_per_element * (x.size if where is None else int(np.count_nonzero(where)))
                + bool(part.centre_weight and vector.at_x is None and x.size) for part, where, _ in layout)
    # computed in double: into the result itself, or (float32) a double one rounded once at the end
    work = result if result.dtype == np.float64 else np.empty(result.shape)
    try:
        with progress_bars.optional_bar(progress, total, "jacobian") as bar:
            counted = evaluator if bar is None else evaluator.counting(bar)
            for part, where, part_steps in layout:
                with_scheme(counted, part).jacobian(x, part_steps, True, vector, work,
                                                    None if where is None else where.reshape(x.shape))
        check_result(work)
        if row.imaginary and x.size and not work.any():
            check_analytic(evaluator.value(probe_point(x, np.ones(x.shape, bool), complex_dtype(x.dtype))),
                           evaluator.value(np.array(x, dtype=complex_dtype(x.dtype))))
    except BaseException:
        result.fill(np.nan)  # no column half-written: a failed Jacobian is NaN throughout
        raise
    if work is not result:
        np.copyto(result, work, casting="unsafe")
    return result


def _complex_vector(evaluator: Evaluator, x: npt.NDArray[Any], m: int | None) -> Vector:
    """What a complex-step Jacobian needs: ``F`` at ``x`` (as a complex copy) checked to be real-valued there, and
    its number of outputs."""
    at_x = np.asarray(evaluator.value(np.array(x, dtype=complex_dtype(x.dtype))))
    check_real_at_x(at_x)
    check_shape(at_x.shape, x.shape)
    if m is not None and evaluator.outputs(m) != at_x.size:
        raise ValueError(f"F returned {at_x.size} values at x, but m={m}")
    return Vector(at_x.size, None, x.shape, imaginary=True)
