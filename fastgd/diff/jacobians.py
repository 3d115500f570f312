"""Jacobians of vector functions on the engine's evaluators: :func:`jacobian`, and the option checks
that :mod:`fastgd.diff.hessians`, :mod:`fastgd.diff.sparse` and the scipy drop-ins share.

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
from fastgd._validate import count
from fastgd.diff import progress as progress_bars
from fastgd.diff.api import _INT_MAX, RealEvaluator, _real_evaluator, _scheme
from fastgd.diff.evaluators import Batched, COnThreads, InPlace, Mapped, Vector, as_vector
from fastgd.diff.objectives import CObjective
from fastgd.diff.schemes import SCHEMES, Scheme
from fastgd.diff.steps import DEFAULT_H, resolved_steps


def scheme_of(method: object) -> Scheme:
    """The scheme ``method=`` names for a Jacobian: a row of :data:`fastgd.diff.schemes.SCHEMES` with real
    points of one step (ValueError for ``'complex'`` and ``'richardson'``, which only gradients take)."""
    scheme = _scheme(method)
    if scheme.imaginary or scheme.levels is not None:
        taken = ", ".join(repr(name) for name, row in SCHEMES.items() if not (row.imaginary or row.levels))
        raise ValueError(f"method={method!r} is for gradients (numerical_gradient); Jacobians take {taken}")
    return scheme


def check_finite(x: npt.NDArray[Any]) -> None:
    """ValueError unless every element of ``x`` is finite."""
    if not np.isfinite(x).all():
        raise ValueError("x must be finite: it has inf or NaN elements")


def output_count(m: object, objective: CObjective) -> int:
    """The number of outputs of a C objective: ``m``, required for a vector function (1 for a scalar one)."""
    if not objective.vector:
        if m is not None and count(m, "m") != 1:
            raise ValueError(f"this C function is a scalar objective (one output), but m={m} outputs are asked for")
        return 1
    if m is None:
        raise TypeError("m= is required for a C vector function F(n, x, m, out, user_data): "
                        "the number of values it writes to out")
    m = count(m, "m")
    if not objective.wide_n and m > _INT_MAX:
        raise ValueError(f"m={m} is more than the C function's int m can count")
    return m


def values_at(evaluator: RealEvaluator, F: Any, x: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    """``F(x)`` as a float64 vector, evaluated as the evaluator evaluates ``F`` (a stacked point for a
    vectorized ``F``, through the map for ``workers=``); ValueError if it is not finite."""
    if isinstance(evaluator, Batched):
        rows = np.asarray(F(x[None].copy()))
        if rows.shape[:1] != (1,):
            raise TypeError(f"with vectorized=True, F must return one row of values per point: for points of "
                            f"shape {(1, *x.shape)} it returned shape {rows.shape}")
        values = as_vector(rows[0])
    elif isinstance(evaluator, Mapped):
        values = as_vector(next(iter(evaluator.map(F, [x.copy()]))))
    else:
        values = as_vector(F(x))
    values = np.array(values)  # F may return its own buffer, or x itself, and change it at the next point
    if not np.isfinite(values).all():
        raise ValueError(f"F returned non-finite values at x (output {int(np.argmin(np.isfinite(values)))})")
    return values


def output_array(out: object, shape: tuple[int, ...], x: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    """``out`` checked to be a writeable, C-contiguous float64 array of ``shape`` apart from ``x``
    (or a new one for None)."""
    if out is None:
        return np.empty(shape)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy.ndarray, got {type(out).__name__}")
    if out.dtype != np.float64 or not out.dtype.isnative:
        raise TypeError(f"out must be a float64 array, got {out.dtype}")
    if out.shape != shape:
        raise ValueError(f"out must have shape {shape}, got {out.shape}")
    if not (out.flags.c_contiguous and out.flags.writeable and out.flags.aligned):
        raise ValueError("out must be C-contiguous and writeable")
    if np.shares_memory(out, x):
        raise ValueError("out must not share memory with x")
    return out


def check_result(result: npt.NDArray[np.float64], what: str = "F") -> None:
    """ValueError naming the first element along which a derivative is not finite."""
    finite = np.isfinite(result)
    if not finite.all():
        column = int(np.argmin(finite.all(axis=0)))
        raise ValueError(f"{what} returned a non-finite value at a point around element {column} of x "
                         "(x is restored)")


def progress_of(evaluator: RealEvaluator, bar: Any) -> Any:
    """Count ``evaluator``'s evaluations of ``F`` on ``bar``: its ``f`` or its map wrapped; returns what to
    flush at the end (or None)."""
    if isinstance(evaluator, (InPlace, Batched)):
        counted = progress_bars.Counted(evaluator.f, bar, stacked=isinstance(evaluator, Batched))
        evaluator.f = counted
        return counted
    if isinstance(evaluator, Mapped):
        evaluator.map = progress_bars.counted_map(evaluator.map, bar)
    return None


def jacobian(F: Any, x: npt.NDArray[Any], h: float | npt.ArrayLike = DEFAULT_H, *, method: str = "central",
             m: int | None = None, sparsity: Any = None, threads: int | None = None, vectorized: bool = False,
             chunk_size: int | None = None, workers: Workers | None = None,
             out: npt.NDArray[np.float64] | None = None, progress: bool = False) -> Any:
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
        from fastgd.diff.sparse import SparseJacobian

        if out is not None:
            raise ValueError("out= is for dense Jacobians: with sparsity= the result is a new csr_array")
        plan = sparsity if isinstance(sparsity, SparseJacobian) else SparseJacobian(sparsity)
        return plan.jacobian(F, x, h, method=method, m=m, threads=threads, vectorized=vectorized,
                             workers=workers, progress=progress)
    scheme = scheme_of(method)
    evaluator = _real_evaluator(F, x, threads, vectorized, chunk_size, workers, scheme, vector=True)
    steps = resolved_steps(h, x, scheme)
    check_finite(x)
    n = x.size
    if isinstance(evaluator, COnThreads):
        rows = output_count(m, evaluator.objective)
        result = output_array(out, (rows, n), x)
        with progress_bars.optional_bar(progress, scheme.evaluations_per_element * n, "jacobian") as bar:
            done = None if bar is None else _elements_done(bar, scheme.evaluations_per_element)
            evaluator.jacobian(x, steps, True, rows, result, done)
    else:
        if m is not None and not scheme.centre_weight:
            vector = Vector(np.empty(count(m, "m")))  # F(x) is not needed: its size is checked at every point
        else:
            vector = Vector(values_at(evaluator, F, x))
            if m is not None and count(m, "m") != vector.m:
                raise ValueError(f"F returned {vector.m} values at x, but m={m}")
        result = output_array(out, (vector.m, n), x)
        with progress_bars.optional_bar(progress, scheme.evaluations_per_element * n, "jacobian") as bar:
            counted = None if bar is None else progress_of(evaluator, bar)
            evaluator.jacobian(x, steps, True, vector, result)
            if counted is not None:
                counted.flush()
    check_result(result)
    return result


def _elements_done(bar: Any, per_element: int) -> Any:
    """A ``progress(elements done)`` callback moving ``bar`` to ``per_element`` evaluations per element."""
    def update(elements: int) -> None:
        bar.update(elements * per_element - bar.n)
    return update
