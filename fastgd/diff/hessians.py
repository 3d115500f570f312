"""Hessians: from ``f`` alone (the four-point formula off the diagonal, central second differences on
it), from a gradient function (central differences of ``g``, symmetrized), Richardson extrapolation
with an error estimate, and Hessian-vector products without the matrix.

From ``f`` alone, for elements ``i != j`` with steps ``h_i``, ``h_j`` (the representable ones):

    H[i, j] = H[j, i] = (f(x + h_i e_i + h_j e_j) - f(x + h_i e_i - h_j e_j)
                         - f(x - h_i e_i + h_j e_j) + f(x - h_i e_i - h_j e_j)) / (4 h_i h_j)
    H[i, i] = (f(x + h_i e_i) + f(x - h_i e_i) - 2 f(x)) / h_i / h_i

computed once per pair, so the result is symmetric by construction: ``2 n**2 + 1`` evaluations
(the engine's mixed loops: :meth:`fastgd.diff.evaluators.InPlace.mixed`,
:meth:`fastgd.diff.evaluators.COnThreads.mixed`). ``method='richardson'`` computes it at ``h`` and
``2 h`` and combines them, ``(4 H(h) - H(2 h)) / 3``, which cancels the ``h**2`` error term:
``4 n**2 + 2`` evaluations (and ``f(x)`` once more for the error estimate of ``full_output``).

Default steps (``h=None``) are relative, ``c * max(1, |x_i|)``, with ``c`` chosen on smooth test
functions (sums of squares, sines, Rosenbrock, quadratic forms, log-sum-exp, exponentials, n = 10 and
100) to balance the truncation error (``~ c**2``, ``~ c**4`` extrapolated) against the rounding
error of ``f`` (``~ eps |f| / c**2``) in the normwise error of the whole matrix:
:data:`CENTRAL_STEP` and :data:`RICHARDSON_STEP` for ``f`` alone; for ``gradient=``, the usual rule
for central first differences, ``eps**(1/3)``, and ``eps**(1/5)`` extrapolated.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast, overload

import numpy as np
import numpy.typing as npt

from fastgd._typing import Workers
from fastgd.diff import progress as progress_bars
from fastgd.diff.api import _real_evaluator
from fastgd.diff.c_calls import CFunction
from fastgd.diff.evaluators import CHUNK_BYTES, Batched, COnThreads, InPlace, LazyPoints, Mapped, Steps
from fastgd.diff.jacobians import check_finite, check_result, jacobian, output_array, progress_of
from fastgd.diff.layout import has_typed_kernel
from fastgd.diff.schemes import SCHEMES, Scheme, real_value
from fastgd.diff.steps import AUTO, given_steps

EPS: float = float(np.finfo(np.float64).eps)
CENTRAL_STEP: float = 5e-4  #: default relative step of a Hessian from f alone
RICHARDSON_STEP: float = 5e-3  #: ... and of its extrapolation (steps c and 2c)
GRADIENT_STEP: float = EPS ** (1 / 3)  #: default relative step of central differences of a gradient
GRADIENT_RICHARDSON_STEP: float = EPS ** (1 / 5)  #: ... extrapolated
NOISE: float = 2.0  #: each value of f taken to be off by up to NOISE * eps * |f(x)| (error estimates)
SAFETY: float = 10.0  #: the h**4 term of an extrapolation taken as SAFETY * q times the measured h**2 term

CONVERGED: int = 0
UNRELIABLE: int = -1

CENTRAL = SCHEMES["central"]


@dataclass(frozen=True)
class _InDoubles(Scheme):
    """A scheme whose values are combined as Python floats, whatever real type ``f`` returns them in."""

    def combine(self, values: Any, centre: object, h: float) -> Any:
        return super().combine([float(real_value(v)) for v in values],
                               None if centre is None else float(real_value(centre)), h)


#: ``(f(x + h e_i) + f(x - h e_i) - 2 f(x)) / h``: divided by ``h`` once more, the second difference.
SECOND = _InDoubles("second difference", offsets=(1.0, -1.0), weights=(1, 1), denominator=1, centre_weight=-2)


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


def relative_steps(x: npt.NDArray[Any], c: float) -> npt.NDArray[np.float64]:
    """``c * max(1, |x|)``, elementwise, float64."""
    return c * np.maximum(1.0, np.abs(x.astype(np.float64)))


def representable(x: npt.NDArray[Any], steps: Steps) -> npt.NDArray[np.float64]:
    """The steps the loops take with exact steps: ``(x + h) - x`` in ``x``'s dtype, as float64, flat (C order)."""
    h = np.broadcast_to(np.asarray(steps, dtype=np.float64), x.shape).astype(x.dtype)
    taken: npt.NDArray[np.float64] = ((x + h) - x).astype(np.float64).reshape(-1)
    return taken


class _PairPoints(LazyPoints):
    """The points of a Hessian from ``f`` alone, on copies of ``x``: ``x`` itself, each element's two points
    (``+-`` its step), then each pair's four (``i < j`` in C order; ``++``, ``+-``, ``-+``, ``--``), moved as
    the compiled loops move elements."""

    SIGNS = ((1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0))

    def __init__(self, x: npt.NDArray[Any], taken: npt.NDArray[np.float64]) -> None:
        self.flat, self.shape, self.taken = np.ascontiguousarray(x).reshape(-1), x.shape, taken
        self.first, self.second = np.triu_indices(x.size, 1)
        self.length = 1 + 2 * x.size + 4 * self.first.size

    def _move(self, point: npt.NDArray[Any], i: int, sign: float) -> None:
        point[i] = self.flat[i] + np.asarray(sign * self.taken[i]).astype(point.dtype)

    def point(self, k: int) -> npt.NDArray[Any]:
        """Point ``k``."""
        point: npt.NDArray[Any] = self.flat.copy()
        n = self.flat.size
        if 0 < k <= 2 * n:
            self._move(point, (k - 1) // 2, 1.0 if k % 2 else -1.0)
        elif k > 2 * n:
            pair, signs = divmod(k - 1 - 2 * n, 4)
            self._move(point, int(self.first[pair]), self.SIGNS[signs][0])
            self._move(point, int(self.second[pair]), self.SIGNS[signs][1])
        return point.reshape(self.shape)


class _FromF:
    """A Hessian from the values of a scalar ``f``: in place (the mixed loop, then the diagonal; Python or C), or
    on copies of ``x`` (stacked with ``vectorized=True``, or through ``workers=``' map)."""

    def __init__(self, f: Any, x: npt.NDArray[Any], threads: int | None, vectorized: bool, chunk_size: int | None,
                 workers: Workers | None, bar: Any) -> None:
        self.evaluator = _real_evaluator(f, x, threads, vectorized, chunk_size, workers, CENTRAL)
        self.x, self.n, self.bar, self.counted = x, x.size, bar, None
        if isinstance(self.evaluator, InPlace) and not has_typed_kernel(x):
            raise TypeError(f"hessian needs x as a native float32 or float64 array, got {x.dtype}"
                            f"{'' if x.flags.aligned else ' (unaligned)'}: pass x.astype(np.float64)")
        if bar is not None:
            self.counted = progress_of(self.evaluator, bar)
        self.calls = 0

    def value(self) -> float:
        """``|f(x)|`` (one more evaluation), the scale of the rounding error of f's values."""
        self.calls += 1
        evaluator = self.evaluator
        if isinstance(evaluator, COnThreads):
            return abs(float(CFunction(evaluator.objective)(self.x)[0]))
        if isinstance(evaluator, (Batched, Mapped)):
            return abs(float(self._values(_PairPoints(self.x, np.ones(self.n)), 1)[0]))
        return abs(float(real_value(evaluator.f(self.x))))

    def _values(self, points: _PairPoints, count: int) -> npt.NDArray[np.float64]:
        """f at the first ``count`` points, as float64s (stacked, or through the map)."""
        evaluator = self.evaluator
        if isinstance(evaluator, Batched):
            per_call = evaluator.chunk_size or max(1, CHUNK_BYTES // max(self.x.nbytes, 1))
            chunks = [evaluator._values(np.stack(points[start:min(count, start + per_call)]), None)[:, 0]
                      for start in range(0, count, per_call)]
            return np.concatenate(chunks).astype(np.float64) if chunks else np.empty(0)
        assert isinstance(evaluator, Mapped)
        results = list(evaluator.map(evaluator.f, points[:count] if count < len(points) else points))
        if len(results) != count:
            raise ValueError(f"workers returned {len(results)} values for {count} points")
        return np.array([float(real_value(r)) for r in results])

    def _on_copies(self, taken: npt.NDArray[np.float64], out: npt.NDArray[np.float64]) -> None:
        """``out``, from f at every point on copies of x: the kernels' sums and divisions, in numpy."""
        n, points = self.n, _PairPoints(self.x, taken)
        values = self._values(points, len(points))
        f_x, plus, minus = values[0], values[1:2 * n + 1:2], values[2:2 * n + 1:2]
        out.flat[::n + 1] = ((plus + minus) + -2.0 * f_x) / taken / taken
        v = values[2 * n + 1:].reshape(-1, 4)
        divisors = (2.0 * taken[points.first]) * (2.0 * taken[points.second])
        mixed = (((v[:, 0] - v[:, 1]) - v[:, 2]) + v[:, 3]) / divisors
        out[points.first, points.second] = out[points.second, points.first] = mixed

    def at(self, steps: Steps, out: npt.NDArray[np.float64], pass_: int) -> npt.NDArray[np.float64]:
        """The Hessian at ``steps`` into ``out``; ``pass_`` (0, 1): which of the passes the bar shows."""
        x, n = self.x, self.n
        evaluator = self.evaluator
        if isinstance(evaluator, (Batched, Mapped)):
            if n:
                self._on_copies(representable(x, steps), out)
            self._counted(pass_)
            return out
        if isinstance(evaluator, COnThreads):
            done = None if self.bar is None else _rows_done(self.bar, n, pass_ * (2 * n * n + 1))
            evaluator.mixed(x, steps, True, CENTRAL, out, done)
        else:
            evaluator.mixed(x, steps, True, CENTRAL, out)
        if isinstance(evaluator, COnThreads):
            diagonal = COnThreads(evaluator.objective, SECOND, evaluator.threads).derivative(x, steps, True)
        else:
            diagonal = InPlace(evaluator.f, SECOND).derivative(x, steps, True, out=np.empty(x.shape))
        out.flat[::n + 1] = diagonal.reshape(-1) / representable(x, steps)
        self._counted(pass_)
        return out

    def _counted(self, pass_: int) -> None:
        """Count a pass's evaluations (and bring the bar up to them)."""
        n = self.n
        if self.counted is not None:
            self.counted.flush()
        elif self.bar is not None:
            self.bar.update((pass_ + 1) * (2 * n * n + 1) - self.bar.n)
        self.calls += 2 * n * n + 1 if n else 0  # f(x), when there is a diagonal


def _rows_done(bar: Any, n: int, before: int) -> Any:
    """``progress(rows done)`` of the mixed loop (row i: 4 (n - 1 - i) evaluations) moving ``bar``."""
    def update(rows: int) -> None:
        bar.update(before + 4 * (rows * (n - 1) - rows * (rows - 1) // 2) - bar.n)
    return update


def _estimates(fine: npt.NDArray[np.float64], coarse: npt.NDArray[np.float64], result: npt.NDArray[np.float64],
               noise: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int8]]:
    """The error estimate and status of Richardson's ``R = (4 fine - coarse) / 3`` (``result``; steps h and 2h).

    ``noise``: the rounding error bound of ``fine``. The extrapolation's rounding error is at most
    ``(4 noise + noise / 4) / 3``; its truncation error, the ``h**4`` term, is not measured by two
    steps: with ``q = |fine - coarse| / |R|`` (the relative size of the ``h**2`` term, ``~ (h/L)**2``
    for a function varying on a scale ``L``) it is about ``q`` times the measured term; mixed entries'
    cross terms make it larger, so the estimate is ``SAFETY * q |fine - coarse|``, at most the whole
    difference. Where it is the whole difference and exceeds the rounding bound, the steps are outside
    the range where the series holds: status UNRELIABLE.
    """
    difference = np.abs(fine - coarse)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(difference > 0, difference / np.abs(result), 0.0)
    truncation = np.minimum(SAFETY * q, 1.0) * difference
    rounding = noise * (17 / 12)
    status = np.where((SAFETY * q >= 1.0) & (truncation > rounding), UNRELIABLE, CONVERGED).astype(np.int8)
    return rounding + truncation, status


def _steps(h: object, x: npt.NDArray[Any], c: float) -> float | npt.NDArray[np.float64]:
    """``h`` checked (a float, or an array of per-element steps), or for ``None`` and ``'auto'`` the
    Hessian's relative rule :func:`relative_steps` with fraction ``c``."""
    if h is None or (isinstance(h, str) and h == AUTO):
        return relative_steps(x, c)
    return given_steps(h, x)


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
    steps = _steps(h, x, RICHARDSON_STEP if richardson else CENTRAL_STEP)
    hessian_of: _FromF | None = None
    with progress_bars.optional_bar(progress, (2 if richardson else 1) * (2 * x.size * x.size + 1),
                                    "hessian") as bar:
        hessian_of = _FromF(f, x, threads, vectorized, chunk_size, workers, bar)
        check_finite(x)
        result = output_array(out, (x.size, x.size), x)
        if not richardson:
            hessian_of.at(steps, result, 0)
            check_result(result, "f")
            return result
        fine = hessian_of.at(steps, np.empty_like(result), 0)
        coarse = hessian_of.at(2 * np.asarray(steps), np.empty_like(result), 1)
        check_result(fine, "f")
        check_result(coarse, "f")
        np.subtract(4 * fine, coarse, out=result)
        result /= 3
        if not full_output:
            return result
        taken = representable(x, steps)
        noise = NOISE * EPS * hessian_of.value() * (1 / np.outer(taken, taken))
        noise.flat[::x.size + 1] *= 4  # the diagonal's weights: 1, 1, -2
    return result, HessianInfo(*_estimates(fine, coarse, result, noise), hessian_of.calls, taken)


def _from_gradient(gradient: Any, x: npt.NDArray[Any], h: object, richardson: bool, threads: int | None,
                   vectorized: bool, chunk_size: int | None, workers: Workers | None, out: object,
                   full_output: bool, progress: bool) -> Any:
    """The Hessian as the symmetrized Jacobian of ``gradient`` (see :func:`hessian`)."""
    n = x.size
    steps = _steps(h, x, GRADIENT_RICHARDSON_STEP if richardson else GRADIENT_STEP)
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
    np.subtract(4 * fine, coarse, out=result)
    result /= 3
    if not full_output:
        return result
    taken = representable(x, steps)
    scale = np.abs(_gradient_values(gradient, x, threads, vectorized, chunk_size, workers)()).reshape(-1)
    # entry (j, i) of the Jacobian: (g_j(x + h_i e_i) - g_j(x - h_i e_i)) / (2 h_i); symmetrized: the mean of two
    noise = NOISE * EPS * (scale[:, None] / taken[None, :] + scale[None, :] / taken[:, None]) / 2
    return result, HessianInfo(*_estimates(fine, coarse, result, noise), 4 * n + 1, taken)


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
    from fastgd._validate import check_float_array

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
        steps = _steps(h, x, CENTRAL_STEP)
        evaluator = _real_evaluator(f, x, threads, vectorized, chunk_size, workers)

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
    from fastgd.diff.evaluators import Batched, Mapped, as_vector
    from fastgd.diff.jacobians import values_at

    evaluator = _real_evaluator(gradient, x, threads, vectorized, chunk_size, workers, vector=True)
    if isinstance(evaluator, COnThreads):
        call = CFunction(evaluator.objective, x.size)
        return lambda: call(x).reshape(x.shape)
    if isinstance(evaluator, (Batched, Mapped)):
        return lambda: values_at(evaluator, gradient, x).reshape(x.shape)

    def evaluate() -> npt.NDArray[np.float64]:
        values: npt.NDArray[np.float64] = as_vector(gradient(x), x.size).reshape(x.shape).copy()
        return values
    return evaluate
