"""Hessians: from ``f`` alone (the four-point formula off the diagonal, central second differences on
it), from a gradient function (central differences of ``g``, symmetrized), Richardson extrapolation
with an error estimate, the complex step, and Hessian-vector products without the matrix.

From ``f`` alone, for elements ``i != j`` with steps ``h_i``, ``h_j``, the points ``x_i +- h_i`` as
stored in ``x``'s dtype and ``D_i = (x_i + h_i) - (x_i - h_i)`` the distance they take:

    H[i, j] = H[j, i] = (f(x + h_i e_i + h_j e_j) - f(x + h_i e_i - h_j e_j)
                         - f(x - h_i e_i + h_j e_j) + f(x - h_i e_i - h_j e_j)) / (D_i D_j)
    H[i, i] = ((f(x + h_i e_i) - f(x)) / a_i + (f(x - h_i e_i) - f(x)) / b_i) / ((a_i + b_i) / 2)

(``a_i``, ``b_i``: how far the points moved above and below ``x_i``; ``h_i`` each where they are exact, and
then the diagonal is ``(f(x + h) + f(x - h) - 2 f(x)) / h**2`` up to its rounding), computed once per
pair, so the result is symmetric by construction (an evaluator's mixed second differences,
:meth:`fastgd.diff._core.evaluator.Evaluator.mixed`, and the values of the row
:data:`fastgd.diff._core.schemes.SECOND`). ``method='richardson'`` computes it at ``h`` and ``2 h`` and
combines them (:func:`fastgd.diff._core.richardson.richardson`), ``(4 H(h) - H(2 h)) / 3``, which cancels
the ``h**2`` error term (with ``full_output``, at ``h / 2`` too: the error estimate measures the
extrapolation's own error, :func:`fastgd.diff._core.estimates.hessian_extrapolation`).
``method='complex'`` takes a complex step along one element and a central difference along the other
(the mixed complex-step/finite-difference Hessian of Lai & Crassidis, J. Comput. Appl. Math. 215, 2008;
numdifftools' ``Hessian(method='complex')``):

    H[i, j] = H[j, i] = Im(f(x + i c_i e_i + h_j e_j) - f(x + i c_i e_i - h_j e_j)) / (c_i D_j),  j >= i

(``n (n + 1)`` evaluations): no second difference, so the real steps are those of a first difference.

Default steps (``h=None``, from ``f`` alone) start from the rule of :mod:`fastgd.diff._core.steps`,
``(256 eps)**(1/4) max(1, |x_i|)`` (``2**-11 max(1, |x_i|)`` in float64), and adapt to how ``f`` varies
along each element: the second differences at that step and at half of it (``4 n + 2`` evaluations, reused
where a later step is one of them) tell the ``h**2`` term apart from the rounding of ``f``; where the
``h**2`` term shows, the step that balances the two is taken (smaller), and where it is not small beside the
estimate (the step is beyond the scale on which ``f`` varies: ``sin`` at ``|x| = 1266``) the step is cut by
16 and measured again. Every default step is a power of two (points ``x +- h`` exact: a quadratic's Hessian
comes out exact). The other methods take that step times the ratio of their rule to the central one
(:data:`fastgd.diff._core.steps.HESSIAN_RULE`).

For a float32 ``x`` the Hessian is float32 (computed in double, rounded once), its steps chosen for
float32's rounding.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast, overload

import numpy as np
import numpy.typing as npt

from fastgd._typing import Workers
from fastgd._validate import check_float_array
from fastgd.diff._core import progress as progress_bars
from fastgd.diff._core.checks import check_distinct, check_finite, check_result, output_array, result_dtype
from fastgd.diff._core.complex_step import check_real_at_x, imaginary_values
from fastgd.diff._core.estimates import CONVERGED, NOISE, QMAX, UNRELIABLE, hessian_extrapolation, second_differences
from fastgd.diff._core.evaluator import Evaluator, with_scheme
from fastgd.diff._core.factory import make_evaluator
from fastgd.diff._core.in_place import moved_error
from fastgd.diff._core.on_copies import LazyPoints
from fastgd.diff._core.richardson import richardson as extrapolate
from fastgd.diff._core.schemes import SCHEMES, SECOND
from fastgd.diff._core.steps import (
    GRADIENT_POWER,
    auto_steps,
    check_moves,
    complex_dtype,
    component_steps,
    distances,
    epsilon,
    hessian_fraction,
    hessian_steps,
    offsets,
    point,
    power_of_two,
    scaled_steps,
)
from fastgd.diff._core.values import as_vector
from fastgd.diff.jacobian import jacobian

Floats = npt.NDArray[np.float64]
CENTRAL = SCHEMES["central"]
COMPLEX = SCHEMES["complex"]
#: Where ``(4/3) |D(h) - D(h/2)|`` reaches this fraction of the second difference, the step is beyond the
#: scale on which ``f`` varies: it is cut by :data:`CUT` and measured again, at most :data:`CUTS` times.
FAR: float = 0.1
CUT: float = 1 / 16
CUTS: int = 3
#: A measured step is at most this factor below the rule's (the rounding grows as its square's inverse).
SHRINK: float = 2.0**-10


@dataclass(frozen=True)
class HessianInfo:
    """What ``hessian(..., full_output=True)`` reports beside the Hessian (``method='richardson'`` or
    ``'complex'``).

    Examples
    --------
    >>> import numpy as np
    >>> import fastgd
    >>> H, info = fastgd.hessian(lambda x: np.sum(np.sin(x)), np.array([0.5, 1.0]), method="richardson",
    ...                          full_output=True)
    >>> bool(np.all(np.abs(H - np.diag(-np.sin([0.5, 1.0]))) <= info.error)), bool(info.success.all())
    (True, True)
    """

    error: npt.NDArray[np.float64]  #: estimate of the absolute error of each entry
    status: npt.NDArray[np.int8]  #: 0 converged; -1 the steps look outside the range where the estimate holds
    calls: int  #: every evaluation of f (or of the gradient function)
    step: npt.NDArray[np.float64]  #: each element's (smaller) step, half the distance its points take

    @property
    def success(self) -> npt.NDArray[np.bool_]:
        """``status == 0``."""
        success: npt.NDArray[np.bool_] = self.status == CONVERGED
        return success


class _Seconds:
    """Second differences along the elements of ``x`` (flat, C order), counted, and kept by step for reuse."""

    def __init__(self, evaluator: Evaluator, x: npt.NDArray[Any]) -> None:
        self.evaluator, self.x, self.flat = with_scheme(evaluator, SECOND), x, x.reshape(-1)
        self.calls = 0
        self.known: list[tuple[Floats, Floats, Floats]] = []  # (steps, second differences, largest |f|)

    def at(self, steps: Floats, elements: npt.NDArray[np.bool_] | None = None) -> tuple[Floats, Floats]:
        """The second difference along each element at ``steps`` (flat) and the largest ``|f|`` at its points;
        NaN outside ``elements``. Values measured before at the same step are reused."""
        n = self.flat.size
        wanted = np.ones(n, dtype=bool) if elements is None else elements.copy()
        second, largest = np.full(n, np.nan), np.full(n, np.nan)
        for known_steps, known_second, known_largest in self.known:
            reuse = wanted & (known_steps == steps) & ~np.isnan(known_second)
            second[reuse], largest[reuse] = known_second[reuse], known_largest[reuse]
            wanted &= ~reuse
        if wanted.any():
            values = np.full((n, SECOND.value_columns), np.nan)
            self.evaluator.derivative(self.x, steps.reshape(self.x.shape), False,
                                      None if wanted.all() else wanted.reshape(self.x.shape), values,
                                      out=np.empty(self.x.shape))
            self.calls += 2 * int(np.count_nonzero(wanted)) + 1
            above, below = offsets(self.flat, steps, CENTRAL)
            with np.errstate(all="ignore"):
                measured = second_differences(values, above, below)[0]
            biggest = np.abs(values).max(axis=1)
            check_result(np.where(wanted, biggest, 0.0)[None, :], "f")  # a non-finite value: the error it is below
            second[wanted], largest[wanted] = measured[wanted], biggest[wanted]
            self.known.append((steps.copy(), np.where(wanted, measured, np.nan), biggest))
        return second, largest


def _measured_steps(seconds: _Seconds, x: npt.NDArray[Any]) -> Floats:
    """The central second difference's step for each element (flat), adapted to how ``f`` varies along it (see
    the module docstring)."""
    eps = epsilon(x.dtype)
    steps = scaled_steps(x, hessian_fraction(x.dtype, "central")).reshape(-1)
    chosen = steps.copy()
    todo = np.ones(steps.size, dtype=bool)
    for cut in range(CUTS + 1):
        coarse, coarse_largest = seconds.at(steps, todo)
        fine, fine_largest = seconds.at(steps / 2, todo)
        with np.errstate(all="ignore"):
            noise = NOISE * eps * 4 * coarse_largest / steps**2  # the weights 1, 1, -2: 4 eps |f| / h**2
            change = np.abs(coarse - fine)
            truncation = 4 / 3 * change  # the h**2 term at the coarse step: D(h) - D(h/2) = 3/4 c h**2
            shows = change > noise + NOISE * eps * 4 * fine_largest / (steps / 2) ** 2
            far = todo & shows & ~(truncation < FAR * np.abs(fine)) & np.isfinite(truncation)
            if cut == CUTS:
                far[:] = False
            settled = todo & ~far
            balance = np.clip((noise / truncation) ** 0.25, SHRINK, 1.0)
            chosen[settled] = np.where(shows, power_of_two(steps * balance), steps)[settled]
        todo = far
        if not todo.any():
            break
        steps = np.where(far, steps * CUT, steps)
    return chosen


def _at(evaluator: Evaluator, seconds: _Seconds, x: npt.NDArray[Any], steps: Floats, out: Floats) -> Floats:
    """The Hessian from ``f`` alone at ``steps`` (flat) into ``out`` (float64): the mixed second differences off
    the diagonal, the second differences on it."""
    n = x.size
    if n:
        evaluator.mixed(x, steps.reshape(x.shape), True, CENTRAL, out)
        out.flat[::n + 1] = seconds.at(steps)[0]
    return out


class _ComplexPairs(LazyPoints):
    """The points of the complex-step Hessian: for each pair ``i <= j`` (C order), ``x + 1j c_i e_i +- h_j e_j``."""

    def __init__(self, x: npt.NDArray[Any], imaginary: Floats, real: Floats) -> None:
        self.flat, self.shape = np.ascontiguousarray(x).reshape(-1), x.shape
        self.complex_type = complex_dtype(x.dtype)
        self.imaginary, self.real = imaginary, real
        self.above, self.below = point(self.flat, real), point(self.flat, -real)
        self.first, self.second = np.triu_indices(x.size)
        self.length = 2 * self.first.size

    def point(self, item: int) -> npt.NDArray[Any]:
        """Point ``item``."""
        pair, side = divmod(item, 2)
        i, j = int(self.first[pair]), int(self.second[pair])
        moved: npt.NDArray[Any] = self.flat.astype(self.complex_type)
        moved[j] = (self.below if side else self.above)[j]
        moved[i] = moved[i] + 1j * self.imaginary[i]
        return moved.reshape(self.shape)


def _complex_at(evaluator: Evaluator, x: npt.NDArray[Any], imaginary: Floats, real: Floats, out: Floats
                ) -> tuple[Floats, Floats]:
    """The complex-step Hessian at steps ``imaginary`` (along the first element of a pair) and ``real`` (the
    second) into ``out``; and the largest ``|Im f| / c_i`` of each entry (the rounding's scale)."""
    points = _ComplexPairs(x, imaginary, real)
    values = imaginary_values(evaluator.values(points), len(points)).reshape(-1, 2)
    distance = distances(points.flat, real, CENTRAL)
    first, second = points.first, points.second
    scale = imaginary[first]
    out[first, second] = out[second, first] = (values[:, 0] - values[:, 1]) / (scale * distance[second])
    largest = np.zeros(out.shape)
    largest[first, second] = largest[second, first] = np.abs(values).max(axis=1) / scale
    return out, largest


@overload
def hessian(f: Any, x: npt.NDArray[Any], h: float | npt.ArrayLike | None = None, *,
            method: Literal["central", "richardson", "complex"] = "central",
            gradient: Any = None, threads: int | None = None, vectorized: bool = False,
            chunk_size: int | None = None, workers: Workers | None = None,
            out: npt.NDArray[np.floating[Any]] | None = None, full_output: Literal[False] = False,
            progress: bool = False) -> npt.NDArray[np.floating[Any]]: ...
@overload
def hessian(f: Any, x: npt.NDArray[Any], h: float | npt.ArrayLike | None = None, *,
            method: Literal["central", "richardson", "complex"] = "central",
            gradient: Any = None, threads: int | None = None, vectorized: bool = False,
            chunk_size: int | None = None, workers: Workers | None = None,
            out: npt.NDArray[np.floating[Any]] | None = None, full_output: Literal[True],
            progress: bool = False) -> tuple[npt.NDArray[np.floating[Any]], HessianInfo]: ...
def hessian(f: Any, x: npt.NDArray[Any], h: float | npt.ArrayLike | None = None, *,
            method: Literal["central", "richardson", "complex"] = "central",
            gradient: Any = None, threads: int | None = None, vectorized: bool = False,
            chunk_size: int | None = None, workers: Workers | None = None,
            out: npt.NDArray[np.floating[Any]] | None = None, full_output: bool = False,
            progress: bool = False
            ) -> npt.NDArray[np.floating[Any]] | tuple[npt.NDArray[np.floating[Any]], HessianInfo]:
    """Finite-difference Hessian of a scalar ``f`` at ``x``, shape ``(x.size, x.size)``, symmetric.

    From ``f`` alone: the four-point formula for each pair of elements, computed once and written
    to both ``H[i, j]`` and ``H[j, i]``, and central second differences on the diagonal
    (``2 n**2 + 1`` evaluations at given steps, ``x`` perturbed in place and restored, as
    :func:`fastgd.numerical_gradient` does; the default steps measure ``f`` first, ``4 n + 2`` more).
    With ``gradient=g``: central differences of ``g`` (``2 n`` calls), symmetrized, ``(J + J.T) / 2``.
    Every difference is divided by the distance its points take (see :mod:`fastgd.diff.hessian`).

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
        > 0 (``'richardson'``: steps ``h`` and ``2 h``; ``'complex'``: the real steps). Default (None
        or ``'auto'``): a power of two near ``(256 eps)**(1/4) max(1, |x_i|)`` adapted to how ``f``
        varies along each element, then scaled to the method (``eps`` of ``x``'s dtype); with
        ``gradient=``, ``eps**(1/3) max(1, |x_i|)`` (``eps**(1/5)`` extrapolated), not adapted.
    method : {'central', 'richardson', 'complex'}, optional
        ``'richardson'``: ``(4 H(h) - H(2 h)) / 3``. ``'complex'``: a complex step along one element of
        each pair and a central difference along the other (``f`` must take and return complex numbers;
        ``n (n + 1)`` evaluations on complex copies of ``x``; not for C objectives or ``gradient=``).
    gradient : callable or C-level vector function, optional
        ``g(x) -> gradient`` (``x.size`` values), as :func:`fastgd.jacobian` takes ``F``.
    threads : int, optional
        For a C function: up to this many threads, each with a private copy of ``x``.
    vectorized, chunk_size, workers
        ``f`` (or ``gradient``) on copies of ``x``: stacked points, ``(k, *x.shape)`` -> ``k`` values,
        or every point through a map, in bounded chunks, as :func:`fastgd.numerical_gradient` takes
        them; the same numbers as in place.
    out : numpy.ndarray, optional
        C-contiguous array of shape ``(x.size, x.size)`` and the result's dtype to fill and return. It is
        written only once the Hessian is complete: if ``f`` raises, ``out`` is untouched.
    full_output : bool, optional
        With ``method='richardson'`` or ``'complex'``: also return a :class:`HessianInfo` (an error
        estimate per entry; the complex step then evaluates at ``h`` and ``2 h``).
    progress : bool, optional
        Show a tqdm bar once the computation has run for half a second.

    Returns
    -------
    H : numpy.ndarray
        float32 for a float32 ``x``, else float64; ``(x.size, x.size)``, symmetric.
    info : HessianInfo
        With ``full_output=True``.

    Raises
    ------
    TypeError
        ``f`` is not callable or returns something other than a real scalar (a complex one where its
        imaginary part is not 0, for ``'complex'``); bad ``x``.
    ValueError
        ``x`` is read-only or not finite; ``f`` returns a non-finite value near ``x``; bad ``h``,
        ``out``, ``method``; a step that vanishes next to ``x``.
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

    A quadratic is exact (power-of-two steps):

    >>> fastgd.hessian(lambda x: np.sum(x**2), np.arange(1.0, 4.0))
    array([[2., 0., 0.],
           [0., 2., 0.],
           [0., 0., 2.]])

    From the gradient, and extrapolated with an error estimate:

    >>> H = fastgd.hessian(None, x, gradient=lambda x: np.array([2 * x[0] * x[1], x[0] ** 2 + np.exp(x[1])]))
    >>> np.round(H, 8)
    array([[0., 2.],
           [2., 1.]])
    >>> H, info = fastgd.hessian(f, x, method="richardson", full_output=True)
    >>> bool(np.all(np.abs(H - [[0, 2], [2, 1]]) <= info.error))
    True
    """
    if method not in ("central", "richardson", "complex"):
        raise ValueError(f"method must be 'central', 'richardson' or 'complex', got {method!r}")
    if full_output and method == "central":
        raise ValueError("full_output=True needs method='richardson' or 'complex': the central method makes no "
                         "error estimate")
    if gradient is not None:
        if method == "complex":
            raise ValueError("method='complex' is for a Hessian from f alone; with gradient=, take its Jacobian by "
                             "fastgd.jacobian(gradient, x, method='complex')")
        return cast("npt.NDArray[np.floating[Any]] | tuple[npt.NDArray[np.floating[Any]], HessianInfo]",
                    _from_gradient(gradient, x, h, method == "richardson", threads, vectorized, chunk_size, workers,
                                   out, full_output, progress))
    given = hessian_steps(h, x)
    evaluator = make_evaluator(f, x, threads, vectorized, chunk_size, workers, COMPLEX if method == "complex"
                               else CENTRAL)
    check_finite(x)
    check_distinct(x)
    n = x.size
    result = output_array(out, (n, n), x, result_dtype(x))
    if not n:  # an empty x: answered at once, on every method
        return (result, _nothing_evaluated()) if full_output else result
    with progress_bars.optional_bar(progress, _expected_calls(n, method, given is None, full_output),
                                    "hessian") as bar:
        counted = evaluator if bar is None else evaluator.counting(bar)
        real = with_scheme(counted, CENTRAL)
        seconds = _Seconds(real, x)
        calls = 0
        if method == "complex":
            calls = 1
            check_real_at_x(counted.value(x))  # f must be real-valued: its value at x has no imaginary part
        steps = _measured_steps(seconds, x) if given is None else np.broadcast_to(
            np.asarray(given, dtype=np.float64), x.shape).reshape(-1).copy()
        if given is None:
            steps = power_of_two(steps * (hessian_fraction(x.dtype, method) / hessian_fraction(x.dtype, "central")))
        check_moves(x, steps, CENTRAL)
        scratch = np.empty((n, n))
        if method == "complex":
            imaginary = np.asarray(component_steps(x.reshape(-1), auto_steps(x.reshape(-1), COMPLEX, 1.0)))
            fine, largest = _complex_at(counted, x, imaginary, steps, scratch)
            calls += n * (n + 1)
            if full_output:
                coarse, _ = _complex_at(counted, x, imaginary, 2 * steps, np.empty((n, n)))
                calls += n * (n + 1)
        else:
            fine = _at(real, seconds, x, steps, scratch)
            calls += 2 * n * (n - 1)
            if method == "richardson":
                coarse = _at(real, seconds, x, 2 * steps, np.empty((n, n)))
                calls += 2 * n * (n - 1)
                if full_output:  # a third step measures the extrapolation's own error
                    finer = _at(real, seconds, x, steps / 2, np.empty((n, n)))
                    calls += 2 * n * (n - 1)
        calls += seconds.calls
        if bar is not None:
            bar.settle()  # the measuring of the steps made the total known only now
    check_result(fine, "f")
    if method != "central" and (method == "richardson" or full_output):
        check_result(coarse, "f")
    half = distances(x.reshape(-1), steps, CENTRAL) / 2  # each element's step as its points take it
    eps = epsilon(x.dtype)
    if method == "richardson":
        numerator, divisor = extrapolate(fine, coarse, order=2)
        estimate = numerator / divisor
    else:
        estimate = fine
    np.copyto(result, estimate, casting="unsafe")  # float32 for a float32 x: rounded once
    if not full_output:
        return result
    if method == "complex":
        noise = NOISE * eps * largest * 2 / half[None, :]  # Im f / c_i off by eps, through a central difference
        difference = np.abs(fine - coarse)
        truncation = 2 * 4 / 3 * difference  # the h**2 term of H(h), from H(2h) - H(h) = 3 c h**2, doubled
        status = np.where(difference < QMAX * np.abs(fine), CONVERGED, UNRELIABLE).astype(np.int8)
        return result, HessianInfo(noise + truncation, status, calls, half)
    largest_f = float(np.nanmax(np.concatenate([known[2] for known in seconds.known]), initial=0.0))
    noise = NOISE * eps * largest_f * (1 / np.outer(2 * half, 2 * half)) * 4  # four values over D_i D_j
    noise.flat[::n + 1] = NOISE * eps * largest_f * 4 / half**2  # the diagonal's weights: 1, 1, -2
    return result, HessianInfo(*hessian_extrapolation(fine, coarse, estimate, noise, finer), calls, half)


def _nothing_evaluated() -> HessianInfo:
    """The report on the Hessian of an empty ``x``: no entries, no calls."""
    return HessianInfo(np.zeros((0, 0)), np.zeros((0, 0), dtype=np.int8), 0, np.zeros(0))


def _expected_calls(n: int, method: str, measured: bool, full_output: bool) -> int:
    """The evaluations a Hessian is expected to make (for a progress bar: the measuring may add some)."""
    if not n:
        return 0
    probe = 4 * n + 2 if measured else 0
    if method == "complex":
        return probe + 1 + n * (n + 1) * (2 if full_output else 1)
    per_pass = 2 * n * n + 1
    return probe + per_pass * ((3 if full_output else 2) if method == "richardson" else 1)


def _from_gradient(gradient: Any, x: npt.NDArray[Any], h: object, richardson: bool, threads: int | None,
                   vectorized: bool, chunk_size: int | None, workers: Workers | None, out: object,
                   full_output: bool, progress: bool) -> Any:
    """The Hessian as the symmetrized Jacobian of ``gradient`` (see :func:`hessian`)."""
    n = x.size
    check_float_array(x)
    given = hessian_steps(h, x)
    power = GRADIENT_POWER["richardson" if richardson else "central"]
    steps = scaled_steps(x, epsilon(x.dtype) ** power) if given is None else given
    options: dict[str, Any] = {"m": n, "threads": threads, "vectorized": vectorized, "chunk_size": chunk_size,
                               "workers": workers, "progress": progress}
    result = output_array(out, (n, n), x, result_dtype(x))
    fine = jacobian(gradient, x, steps, **options).astype(np.float64)
    fine = (fine + fine.T) * 0.5
    if not richardson:
        np.copyto(result, fine, casting="unsafe")
        return result
    coarse = jacobian(gradient, x, 2 * np.asarray(steps), **options).astype(np.float64)
    coarse = (coarse + coarse.T) * 0.5
    numerator, divisor = extrapolate(fine, coarse, order=2)
    estimate = numerator / divisor
    np.copyto(result, estimate, casting="unsafe")
    if not full_output:
        return result
    if not n:
        return result, _nothing_evaluated()
    half = distances(x.reshape(-1), np.broadcast_to(np.asarray(steps, dtype=np.float64), x.shape).reshape(-1),
                     CENTRAL) / 2
    scale = np.abs(_gradient_values(gradient, x, threads, vectorized, chunk_size, workers)()).reshape(-1)
    # entry (j, i) of the Jacobian: (g_j(x + h_i e_i) - g_j(x - h_i e_i)) / D_i; symmetrized: the mean of two
    eps = epsilon(x.dtype)
    noise = NOISE * eps * (scale[:, None] / half[None, :] + scale[None, :] / half[:, None]) / 2
    return result, HessianInfo(*hessian_extrapolation(fine, coarse, estimate, noise), 4 * n + 1, half)


def hessp(f: Any, x: npt.NDArray[Any], p: npt.ArrayLike, h: float | npt.ArrayLike | None = None, *,
          gradient: Any = None, threads: int | None = None, vectorized: bool = False,
          chunk_size: int | None = None, workers: Workers | None = None) -> npt.NDArray[np.float64]:
    """The Hessian of ``f`` at ``x`` times ``p``, without forming the Hessian: ``(g(x + e p) - g(x - e p)) / (2 e)``.

    ``g`` is ``gradient`` (2 calls) or the central gradient of ``f`` (``4 n`` evaluations); ``x`` is
    moved to ``x +- e p`` in place and restored bitwise. ``e`` makes the largest move
    ``c * max(1, max|x|)``, with ``c = (256 eps)**(1/4)`` (``eps**(1/3)`` with ``gradient=``), a power of two.

    Parameters
    ----------
    f : callable or C-level objective
        As :func:`hessian` takes it (None with ``gradient=``).
    x : numpy.ndarray
        Point, any shape, real floating dtype, writeable, finite.
    p : array_like
        The vector, ``x.size`` finite values (any shape).
    h : float or array_like, optional
        Steps of the gradient of ``f`` (default: ``(256 eps)**(1/4) max(1, |x_i|)``, a power of two);
        checked, and not used, with ``gradient=``.
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
    given = hessian_steps(h, x)  # checked with a gradient too
    direction = np.asarray(p, dtype=np.float64)
    if direction.size != x.size:
        raise ValueError(f"p must have x.size = {x.size} values, got shape {direction.shape}")
    direction = direction.reshape(x.shape)
    if not np.isfinite(direction).all():
        raise ValueError("p must be finite")
    largest = float(np.abs(direction).max(initial=0.0))
    if largest == 0.0:
        return np.zeros(x.shape)
    fraction = (epsilon(x.dtype) ** GRADIENT_POWER["central"] if gradient is not None
                else hessian_fraction(x.dtype, "central"))
    e = float(scaled_steps(np.array([np.abs(x).max()], dtype=x.dtype), fraction)[0]) / largest
    if gradient is not None:
        evaluate = _gradient_values(gradient, x, threads, vectorized, chunk_size, workers)
    else:
        steps = scaled_steps(x, hessian_fraction(x.dtype, "central")) if given is None else given
        evaluator = make_evaluator(f, x, threads, vectorized, chunk_size, workers)

        def evaluate() -> npt.NDArray[np.float64]:
            try:  # jacobian's and hessian's check, at the point the gradient is taken
                check_moves(x, steps, CENTRAL)
            except ValueError as exc:
                raise ValueError(f"{exc} (x here: x +- e p, where hessp takes the gradient)") from None
            return evaluator.derivative(x, steps, True).astype(np.float64).reshape(x.shape)
    # x itself moved to x +- e p, as every derivative moves it (an f may read it elsewhere, as the book's
    # closures read a net's weights), and restored bitwise; an f that resized it has had its RuntimeError
    saved = x.copy()

    def moved(move: Floats) -> npt.NDArray[np.float64]:
        if x.shape != saved.shape:
            raise moved_error()
        x[...] = saved + move
        return evaluate()
    try:
        plus = moved(e * direction)
        minus = moved(-e * direction)
    finally:
        if x.shape == saved.shape:
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

