"""Hessians: from ``f`` alone (the four-point formula off the diagonal, central second differences on
it), from a gradient function (central differences of ``g``, symmetrized), Richardson extrapolation
with an error estimate, and Hessian-vector products without the matrix.

From ``f`` alone, for elements ``i != j`` with steps ``h_i``, ``h_j`` (the representable ones):

    H[i, j] = H[j, i] = (f(x + h_i e_i + h_j e_j) - f(x + h_i e_i - h_j e_j)
                         - f(x - h_i e_i + h_j e_j) + f(x - h_i e_i - h_j e_j)) / (4 h_i h_j)
    H[i, i] = (f(x + h_i e_i) + f(x - h_i e_i) - 2 f(x)) / h_i / h_i

computed once per pair, so the result is symmetric by construction: ``2 n**2 + 1`` evaluations
(an evaluator's mixed second differences, :meth:`fastgd.diff._core.evaluator.Evaluator.mixed`, and the
row :data:`fastgd.diff._core.schemes.SECOND` on the diagonal). ``method='richardson'`` computes it at
``h`` and ``2 h`` and combines them (:func:`fastgd.diff._core.richardson.richardson`),
``(4 H(h) - H(2 h)) / 3``, which cancels the ``h**2`` error term: ``4 n**2 + 2`` evaluations (and
``f(x)`` once more for the error estimate of ``full_output``).

Default steps (``h=None``) are relative, ``c * max(1, |x_i|)``: :mod:`fastgd.diff._core.steps` says how
``c`` was chosen.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast, overload

import numpy as np
import numpy.typing as npt

from fastgd._typing import Workers
from fastgd._validate import check_float_array
from fastgd.diff._core import progress as progress_bars
from fastgd.diff._core.checks import check_finite, check_result, output_array
from fastgd.diff._core.estimates import CONVERGED, NOISE, hessian_extrapolation
from fastgd.diff._core.evaluator import Evaluator, with_scheme
from fastgd.diff._core.factory import make_evaluator
from fastgd.diff._core.richardson import richardson as extrapolate
from fastgd.diff._core.schemes import SCHEMES, SECOND
from fastgd.diff._core.steps import (
    CENTRAL_STEP,
    EPS,
    GRADIENT_RICHARDSON_STEP,
    GRADIENT_STEP,
    RICHARDSON_STEP,
    Steps,
    hessian_steps,
    representable,
)
from fastgd.diff._core.values import as_vector
from fastgd.diff.jacobian import jacobian

CENTRAL = SCHEMES["central"]


@dataclass(frozen=True)
class HessianInfo:
    """What ``hessian(..., method='richardson', full_output=True)`` reports beside the Hessian.

    Examples
    --------
    >>> import numpy as np
    >>> import fastgd
    >>> H, info = fastgd.hessian(lambda x: np.sum(np.sin(x)), np.array([0.5, 1.0]), method="richardson",
    ...                          full_output=True)
    >>> bool(np.all(np.abs(H - np.diag(-np.sin([0.5, 1.0]))) <= info.error)), bool(info.success.all())
    (True, True)
    >>> info.calls  # 4 n**2 + 3
    19
    """

    error: npt.NDArray[np.float64]  #: estimate of the absolute error of each entry
    status: npt.NDArray[np.int8]  #: 0 converged; -1 the steps look outside the range where the estimate holds
    calls: int  #: every evaluation of f (or of the gradient function)
    step: npt.NDArray[np.float64]  #: the smaller of the two steps of each element (the representable one)

    @property
    def success(self) -> npt.NDArray[np.bool_]:
        """``status == 0``."""
        success: npt.NDArray[np.bool_] = self.status == CONVERGED
        return success


def _at(evaluator: Evaluator, x: npt.NDArray[Any], steps: Steps, out: npt.NDArray[np.float64]
        ) -> npt.NDArray[np.float64]:
    """The Hessian from ``f`` alone at ``steps`` into ``out``: the mixed second differences off the diagonal,
    the second differences on it."""
    n = x.size
    if n:
        evaluator.mixed(x, steps, True, CENTRAL, out)
        diagonal = with_scheme(evaluator, SECOND).derivative(x, steps, True, out=np.empty(x.shape))
        out.flat[::n + 1] = diagonal.reshape(-1) / representable(x, steps).reshape(-1)
    return out


@overload
def hessian(f: Any, x: npt.NDArray[Any], h: float | npt.ArrayLike | None = None, *,
            method: Literal["central", "richardson"] = "central",
            gradient: Any = None, threads: int | None = None, vectorized: bool = False,
            chunk_size: int | None = None, workers: Workers | None = None,
            out: npt.NDArray[np.float64] | None = None, full_output: Literal[False] = False,
            progress: bool = False) -> npt.NDArray[np.float64]: ...
@overload
def hessian(f: Any, x: npt.NDArray[Any], h: float | npt.ArrayLike | None = None, *,
            method: Literal["central", "richardson"] = "central",
            gradient: Any = None, threads: int | None = None, vectorized: bool = False,
            chunk_size: int | None = None, workers: Workers | None = None,
            out: npt.NDArray[np.float64] | None = None, full_output: Literal[True],
            progress: bool = False) -> tuple[npt.NDArray[np.float64], HessianInfo]: ...
def hessian(f: Any, x: npt.NDArray[Any], h: float | npt.ArrayLike | None = None, *,
            method: Literal["central", "richardson"] = "central",
            gradient: Any = None, threads: int | None = None, vectorized: bool = False,
            chunk_size: int | None = None, workers: Workers | None = None,
            out: npt.NDArray[np.float64] | None = None, full_output: bool = False,
            progress: bool = False) -> npt.NDArray[np.float64] | tuple[npt.NDArray[np.float64], HessianInfo]:
    """Finite-difference Hessian of a scalar ``f`` at ``x``, shape ``(x.size, x.size)``, symmetric.

    From ``f`` alone: the four-point formula for each pair of elements, computed once and written
    to both ``H[i, j]`` and ``H[j, i]``, and central second differences on the diagonal
    (``2 n**2 + 1`` evaluations, ``x`` perturbed in place and restored, as
    :func:`fastgd.numerical_gradient` does). With ``gradient=g``: central differences of ``g``
    (``2 n`` calls), symmetrized, ``(J + J.T) / 2``.

    Parameters
    ----------
    f : callable or C-level objective
        ``f(x) -> real scalar``, or a C function ``double f(n, double *x, void *user_data)`` (or the
        status variant) as :func:`fastgd.numerical_gradient` takes it: the loops then run without
        the GIL, with ``threads=``. Not called when ``gradient`` is given (pass None).
    x : numpy.ndarray
        Point, any shape, float32 or float64 (from ``f`` alone: native, aligned), writeable, finite;
        restored bitwise, even if ``f`` raises. A C function needs a C-contiguous float64 ``x``.
    h : float or array_like, optional
        Step: one for every element or one per element (broadcast to ``x``'s shape), finite and
        > 0. Default: ``c * max(1, |x_i|)``, with ``c`` 5e-4 (``'central'``) or 5e-3
        (``'richardson'``, steps ``h`` and ``2 h``) from ``f`` alone, ``eps**(1/3)`` or ``eps**(1/5)``
        with ``gradient=``.
    method : {'central', 'richardson'}, optional
        ``'richardson'``: ``(4 H(h) - H(2 h)) / 3``, with an error estimate (``full_output``).
    gradient : callable or C-level vector function, optional
        ``g(x) -> gradient`` (``x.size`` values), as :func:`fastgd.jacobian` takes ``F``.
    threads : int, optional
        For a C function: up to this many threads, each with a private copy of ``x``.
    vectorized, chunk_size, workers
        ``f`` (or ``gradient``) on copies of ``x``: stacked points, ``(k, *x.shape)`` -> ``k`` values,
        or every point through a map, as :func:`fastgd.numerical_gradient` takes them; the same numbers
        as in place.
    out : numpy.ndarray, optional
        C-contiguous float64 array of shape ``(x.size, x.size)`` to fill and return.
    full_output : bool, optional
        With ``method='richardson'``: also return a :class:`HessianInfo` (error estimate per entry).
    progress : bool, optional
        Show a tqdm bar once the computation has run for half a second.

    Returns
    -------
    H : numpy.ndarray
        float64, ``(x.size, x.size)``, symmetric.
    info : HessianInfo
        With ``full_output=True``.

    Raises
    ------
    TypeError
        ``f`` is not callable or returns something other than a real scalar; bad ``x``.
    ValueError
        ``x`` is read-only or not finite; ``f`` returns a non-finite value near ``x``; bad ``h``,
        ``out``, ``method``.
    fastgd.ObjectiveError
        A C function returned NaN or a nonzero status.

    Examples
    --------
    >>> import numpy as np
    >>> import fastgd
    >>> def f(x):
    ...     return x[0] ** 2 * x[1] + np.exp(x[1])
    >>> x = np.array([1.0, 0.0])
    >>> np.round(fastgd.hessian(f, x), 6)  # [[2 x1, 2 x0], [2 x0, exp(x1)]]
    array([[0., 2.],
           [2., 1.]])

    From the gradient, and extrapolated with an error estimate:

    >>> H = fastgd.hessian(None, x, gradient=lambda x: np.array([2 * x[0] * x[1], x[0] ** 2 + np.exp(x[1])]))
    >>> np.round(H, 8)
    array([[0., 2.],
           [2., 1.]])
    >>> H, info = fastgd.hessian(f, x, method="richardson", full_output=True)
    >>> bool(np.all(np.abs(H - [[0, 2], [2, 1]]) <= info.error))
    True
    """
    if method not in ("central", "richardson"):
        raise ValueError(f"method must be 'central' or 'richardson', got {method!r}")
    if full_output and method != "richardson":
        raise ValueError("full_output=True needs method='richardson': the central method makes no error estimate")
    richardson = method == "richardson"
    if gradient is not None:
        return cast("npt.NDArray[np.float64] | tuple[npt.NDArray[np.float64], HessianInfo]",
                    _from_gradient(gradient, x, h, richardson, threads, vectorized, chunk_size, workers, out,
                                   full_output, progress))
    steps = hessian_steps(h, x, RICHARDSON_STEP if richardson else CENTRAL_STEP)
    passes = 2 if richardson else 1
    per_pass = 2 * x.size * x.size + 1 if x.size else 0
    evaluator = make_evaluator(f, x, threads, vectorized, chunk_size, workers, CENTRAL)
    check_finite(x)
    result = output_array(out, (x.size, x.size), x)
    with progress_bars.optional_bar(progress, passes * per_pass, "hessian") as bar:
        counted = evaluator if bar is None else evaluator.counting(bar)
        if not richardson:
            _at(counted, x, steps, result)
            check_result(result, "f")
            return result
        fine = _at(counted, x, steps, np.empty_like(result))
        coarse = _at(counted, x, 2 * np.asarray(steps), np.empty_like(result))
    check_result(fine, "f")
    check_result(coarse, "f")
    numerator, divisor = extrapolate(fine, coarse, order=2)
    np.divide(numerator, divisor, out=result)
    if not full_output:
        return result
    taken = representable(x, steps).reshape(-1)
    scale = abs(float(as_vector(evaluator.value(x), 1)[0]))  # |f(x)|, the scale of the rounding error of f's values
    noise = NOISE * EPS * scale * (1 / np.outer(taken, taken))
    noise.flat[::x.size + 1] *= 4  # the diagonal's weights: 1, 1, -2
    return result, HessianInfo(*hessian_extrapolation(fine, coarse, result, noise), passes * per_pass + 1, taken)


def _from_gradient(gradient: Any, x: npt.NDArray[Any], h: object, richardson: bool, threads: int | None,
                   vectorized: bool, chunk_size: int | None, workers: Workers | None, out: object,
                   full_output: bool, progress: bool) -> Any:
    """The Hessian as the symmetrized Jacobian of ``gradient`` (see :func:`hessian`)."""
    n = x.size
    steps = hessian_steps(h, x, GRADIENT_RICHARDSON_STEP if richardson else GRADIENT_STEP)
    options: dict[str, Any] = {"m": n, "threads": threads, "vectorized": vectorized, "chunk_size": chunk_size,
                               "workers": workers, "progress": progress}
    fine = jacobian(gradient, x, steps, **options)
    result = output_array(out, (n, n), x)
    if not richardson:
        np.add(fine, fine.T, out=result)
        result *= 0.5
        return result
    coarse = jacobian(gradient, x, 2 * np.asarray(steps), **options)
    fine = (fine + fine.T) * 0.5
    coarse = (coarse + coarse.T) * 0.5
    numerator, divisor = extrapolate(fine, coarse, order=2)
    np.divide(numerator, divisor, out=result)
    if not full_output:
        return result
    taken = representable(x, steps).reshape(-1)
    scale = np.abs(_gradient_values(gradient, x, threads, vectorized, chunk_size, workers)()).reshape(-1)
    # entry (j, i) of the Jacobian: (g_j(x + h_i e_i) - g_j(x - h_i e_i)) / (2 h_i); symmetrized: the mean of two
    noise = NOISE * EPS * (scale[:, None] / taken[None, :] + scale[None, :] / taken[:, None]) / 2
    return result, HessianInfo(*hessian_extrapolation(fine, coarse, result, noise), 4 * n + 1, taken)


def hessp(f: Any, x: npt.NDArray[Any], p: npt.ArrayLike, h: float | npt.ArrayLike | None = None, *,
          gradient: Any = None, threads: int | None = None, vectorized: bool = False,
          chunk_size: int | None = None, workers: Workers | None = None) -> npt.NDArray[np.float64]:
    """The Hessian of ``f`` at ``x`` times ``p``, without forming the Hessian: ``(g(x + e p) - g(x - e p)) / (2 e)``.

    ``g`` is ``gradient`` (2 calls) or the central gradient of ``f`` (``4 n`` evaluations); ``x`` is
    moved to ``x +- e p`` in place and restored bitwise. ``e`` makes the largest move
    ``c * max(1, max|x|)``, with ``c`` as :func:`hessian`'s default steps (``CENTRAL_STEP``, or
    ``GRADIENT_STEP`` with ``gradient=``).

    Parameters
    ----------
    f : callable or C-level objective
        As :func:`hessian` takes it (None with ``gradient=``).
    x : numpy.ndarray
        Point, any shape, real floating dtype, writeable, finite.
    p : array_like
        The vector, ``x.size`` finite values (any shape).
    h : float or array_like, optional
        Steps of the gradient of ``f`` (default: :func:`hessian`'s).
    gradient, threads, vectorized, chunk_size, workers
        As :func:`hessian` takes them (``vectorized``/``workers`` apply to ``f`` or ``gradient``).

    Returns
    -------
    numpy.ndarray
        float64, shaped like ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> import fastgd
    >>> x = np.array([1.0, 2.0, 3.0])
    >>> np.round(fastgd.hessp(lambda x: np.sum(x ** 3), x, np.array([1.0, 0.0, -1.0])), 6)  # 6 x * p
    array([  6.,   0., -18.])
    """
    check_float_array(x)
    check_finite(x)
    direction = np.asarray(p, dtype=np.float64)
    if direction.size != x.size:
        raise ValueError(f"p must have x.size = {x.size} values, got shape {direction.shape}")
    direction = direction.reshape(x.shape)
    if not np.isfinite(direction).all():
        raise ValueError("p must be finite")
    largest = float(np.abs(direction).max(initial=0.0))
    if largest == 0.0:
        return np.zeros(x.shape)
    c = GRADIENT_STEP if gradient is not None else CENTRAL_STEP
    e = c * max(1.0, float(np.abs(x).max())) / largest
    if gradient is not None:
        evaluate = _gradient_values(gradient, x, threads, vectorized, chunk_size, workers)
    else:
        steps = hessian_steps(h, x, CENTRAL_STEP)
        evaluator = make_evaluator(f, x, threads, vectorized, chunk_size, workers)

        def evaluate() -> npt.NDArray[np.float64]:
            return evaluator.derivative(x, steps, True).astype(np.float64).reshape(x.shape)
    saved = x.copy()
    try:
        x[...] = saved + e * direction
        plus = evaluate()
        x[...] = saved - e * direction
        minus = evaluate()
    finally:
        np.copyto(x, saved)
    result: npt.NDArray[np.float64] = (plus - minus) / (2 * e)
    if not np.isfinite(result).all():
        raise ValueError("the gradient is not finite at x +- e p (x is restored)")
    return result


def _gradient_values(gradient: Any, x: npt.NDArray[Any], threads: int | None, vectorized: bool,
                     chunk_size: int | None, workers: Workers | None) -> Any:
    """``() -> gradient(x)`` as float64 shaped like ``x`` (a C vector function, stacked points or the map as
    :func:`fastgd.jacobian` calls them)."""
    evaluator = make_evaluator(gradient, x, threads, vectorized, chunk_size, workers, vector=True)

    def evaluate() -> npt.NDArray[np.float64]:
        values: npt.NDArray[np.float64] = as_vector(evaluator.value(x, x.size), x.size).reshape(x.shape).copy()
        return values
    return evaluate
