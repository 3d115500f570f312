"""The methods of :func:`fastgd.numerical_gradient` beyond the textbook's fixed-step central difference.

:func:`gradient` runs a method (a row of :data:`fastgd.diff._core.schemes.SCHEMES`) over an evaluator
(:mod:`fastgd.diff._core.evaluator`): the steps (a float, one per element, or ``'auto'``,
:mod:`fastgd.diff._core.steps`), the one-sided rows beside bounds (:mod:`fastgd.diff._core.bounds`), the
second step ``'auto'`` tries for small ``|x|``, Richardson's second try at a better step, and the
error estimates of ``full_output`` (:mod:`fastgd.diff._core.estimates`). Each pass is one call of an
evaluator over some elements; the evaluations of ``f`` are counted.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeAlias, cast, overload

import numpy as np
import numpy.typing as npt

from fastgd._typing import FloatT
from fastgd.diff._core import estimates
from fastgd.diff._core.bounds import fit
from fastgd.diff._core.checks import box, typical_scale
from fastgd.diff._core.complex_step import check_analytic, check_real_at_x, probe_point
from fastgd.diff._core.estimates import Estimates
from fastgd.diff._core.evaluator import with_scheme
from fastgd.diff._core.schemes import SCHEMES, SECOND, SECOND_SIDES, Scheme
from fastgd.diff._core.steps import (
    AUTO,
    DEFAULT_H,
    auto_steps,
    check_moves,
    complex_dtype,
    component_steps,
    distances,
    epsilon,
    given_steps,
    hessian_fraction,
    offsets,
    power_of_two,
    relative_steps,
    small_elements,
    step_fraction,
    still,
)

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
Kind: TypeAlias = str  # what a pass estimates: "value", "single", "two steps", "complex" or "extrapolation"


@dataclass(frozen=True)
class GradientInfo:
    """What ``numerical_gradient(..., full_output=True)`` reports beside the gradient.

    The fields follow ``scipy.differentiate``'s result: arrays shaped like ``x``, one entry per
    element.

    The estimates take each value of ``f`` to be accurate to a few ``eps |f|``. An ``f`` that loses
    more inside (``g(x) + 1e6 - 1e6``, large terms that cancel, an iterative solver's tolerance)
    returns values on a coarser grid, which its values do not show: at the step and its half a
    grid's errors repeat, so the estimate can sit far below the real error with status 0 (see
    "Accuracy and error estimates" in the documentation). Give such an ``f`` a step ``h`` well
    above its noise over its derivative.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import numerical_gradient
    >>> x = np.array([0.5, -2.0, 3.0])
    >>> grad, info = numerical_gradient(lambda x: np.sum(np.exp(x)), x, method="richardson", full_output=True)
    >>> bool(np.all(np.abs(grad - np.exp(x)) <= info.error)), bool(np.all(info.error < 1e-9 * np.exp(x)))
    (True, True)
    >>> info.success.tolist(), info.nfev.tolist(), info.calls  # 4 points per element, 2 more for the estimate
    ([True, True, True], [6, 6, 6], 18)
    """

    error: Floats  #: estimate of the absolute error of each element of the gradient
    status: npt.NDArray[np.int8]  #: 0 converged; -1 the estimate is not reliable; -3 a non-finite value
    nfev: npt.NDArray[np.intp]  #: the evaluations of f made for each element
    calls: int  #: every call of f, f(x) included
    step: Floats  #: the step of each element's returned estimate (the points' distance over the row's denominator)

    @property
    def success(self) -> npt.NDArray[np.bool_]:
        """``status == 0``."""
        success: npt.NDArray[np.bool_] = self.status == estimates.CONVERGED
        return success


class _Passes:
    """The passes of one gradient over flat ``x``: each a row over some elements at some steps."""

    def __init__(self, evaluator: Any, x: npt.NDArray[Any], exact: bool, limits: tuple[Floats, Floats] | None,
                 measured: bool = False, box: tuple[Floats, Floats] | None = None):
        """``measured``: an extrapolation's truncation measured at a third step (``full_output``); ``box``: the
        bounds a complex step's estimate must keep its real points in."""
        self.evaluator, self.x, self.exact, self.limits = evaluator, x, exact, limits
        self.measured, self.box = measured, box
        self.flat = x.reshape(-1)  # read only: a copy for a strided x
        self.eps = epsilon(x.dtype)
        self.nfev = np.zeros(x.size, dtype=np.intp)
        self.calls = 0

    def evaluate(self, scheme: Scheme, steps: float | Floats, elements: Mask | None, kind: Kind) -> Estimates:
        """``scheme`` (or its one-sided rows beside a bound) at ``steps`` over ``elements`` (None: all)."""
        if self.limits is None or scheme.sides is None:
            if elements is None:
                return self._pass(scheme, steps, None, kind)
            layout: list[tuple[Scheme, Mask, float | Floats]] = [(scheme, elements, steps)]
        else:
            mask = np.ones(self.x.size, dtype=bool) if elements is None else elements
            full = np.broadcast_to(np.asarray(steps, dtype=np.float64), self.flat.shape)
            layout = list(fit(self.flat, full, mask, scheme, *self.limits))
        result = estimates.empty(self.x.size, self.x.dtype)
        for row, where, row_steps in layout:
            result.take(self._pass(row, row_steps, None if elements is None and where.all() else where, kind), where)
        return result

    def _pass(self, scheme: Scheme, steps: float | Floats, where: Mask | None, kind: Kind) -> Estimates:
        """One scheme at ``steps`` over the elements ``where`` (None: all), with what ``kind`` estimates."""
        value, values = self._call(scheme, steps, where, kind != "value")
        if self.exact:  # the step the points take: their distance over the row's denominator
            taken = distances(self.flat, steps, scheme) / scheme.denominator
        else:
            taken = np.array(np.broadcast_to(steps, value.shape), float)
        if kind == "value":
            nan = np.full(value.shape, np.nan)
            return Estimates(value, nan, nan, nan, np.zeros(value.shape, np.int8), taken)
        if kind in ("two steps", "complex"):
            half, half_values = self._call(scheme, steps / 2, where, True)
        quarter = None
        if kind == "extrapolation" and self.measured:
            assert scheme.base is not None  # an extrapolated row knows its base
            quarter = self._call(scheme.base, steps / 4, where, False)[0]
        with np.errstate(all="ignore"):
            if kind == "extrapolation":
                result = estimates.extrapolation(scheme, value, values, taken, self.eps, quarter)
            elif kind in ("two steps", "complex"):
                result = estimates.two_steps(scheme, value, values, half, half_values, taken, self.eps)
                if kind == "complex":
                    result = self._complex(result, where)
            else:
                result = estimates.single(scheme, value, values, taken, self.eps)
            if not self.exact and not scheme.imaginary:  # steps used as given: points may have rounded off
                misplaced = np.abs(value) * estimates.misplacement(scheme, self.flat, taken)
                result.rounding += misplaced
                result.error += misplaced
        return result

    def _complex(self, two_step: Estimates, where: Mask | None) -> Estimates:
        """A complex step's estimates (:func:`~fastgd.diff._core.estimates.complex_step`), with ``f''`` from a real
        second difference at the Hessian's step; beside a bound, from one side at no more than half the room
        there (not reliable where a bound leaves no room on either side)."""
        wide = np.abs(self.flat.astype(np.float64))
        delta = power_of_two(hessian_fraction(self.x.dtype, "central") * np.maximum(1.0, wide))
        wanted = np.ones(self.x.size, dtype=bool) if where is None else where
        layout = [(SECOND, wanted)]
        if self.box is not None:
            up, down = self.box[1] - self.flat, self.flat - self.box[0]
            both = wanted & (up >= delta) & (down >= delta)
            above = wanted & ~both & (up >= down) & (up > 0)
            below = wanted & ~both & ~above & (down > 0)
            delta = np.where(above, np.minimum(delta, up / 2), np.where(below, np.minimum(delta, down / 2), delta))
            layout = [(SECOND, both), (SECOND_SIDES[0], above), (SECOND_SIDES[1], below)]
        second = np.full(self.x.size, np.nan)
        second_noise = np.full(self.x.size, np.nan)
        for row, elements in layout:
            if not elements.any():
                continue
            values = self._call(row, delta, None if elements.all() else elements, True, exact=False)[1]
            first, other = offsets(self.flat, delta, row)
            with np.errstate(all="ignore"):
                estimate, gain = estimates.second_differences(values, first, other)
                noise = estimates.NOISE * self.eps * gain * np.abs(values).max(axis=1)
            second = np.where(elements, estimate, second)
            second_noise = np.where(elements, noise, second_noise)
        with np.errstate(all="ignore"):
            return estimates.complex_step(two_step, second, second_noise, self.flat, self.eps)

    def _call(self, scheme: Scheme, steps: float | Floats, where: Mask | None,
              record: bool, exact: bool | None = None) -> tuple[npt.NDArray[Any], Floats]:
        shape = (self.x.size, scheme.value_columns) if record else (0, 0)
        values = np.empty(shape) if where is None else np.full(shape, np.nan)
        h = steps if isinstance(steps, float) else np.asarray(steps).reshape(self.x.shape)
        value = with_scheme(self.evaluator, scheme).derivative(
            self.x, h, self.exact if exact is None else exact, None if where is None else where.reshape(self.x.shape),
            values if record else None)
        if where is None:
            self.nfev += scheme.evaluations_per_element
            visited = self.x.size
        else:
            self.nfev[where] += scheme.evaluations_per_element
            visited = int(np.count_nonzero(where))
        self.calls += visited * scheme.evaluations_per_element + bool(scheme.centre_weight)
        return value.reshape(-1), values


@overload
def gradient(evaluator: Any, x: npt.NDArray[FloatT], method: str, h: object, typical_x: npt.ArrayLike | None,
             bounds: object, full_output: Literal[False] = False) -> npt.NDArray[FloatT]: ...
@overload
def gradient(evaluator: Any, x: npt.NDArray[FloatT], method: str, h: object, typical_x: npt.ArrayLike | None,
             bounds: object, full_output: bool) -> npt.NDArray[FloatT] | tuple[npt.NDArray[FloatT], GradientInfo]: ...
def gradient(evaluator: Any, x: npt.NDArray[FloatT], method: str, h: object, typical_x: npt.ArrayLike | None,
             bounds: object, full_output: bool = False
             ) -> npt.NDArray[FloatT] | tuple[npt.NDArray[FloatT], GradientInfo]:
    """The gradient of the evaluator's ``f`` at ``x`` by ``method`` (checked by the caller), shaped
    and typed like ``x``; with ``full_output``, and a :class:`GradientInfo`."""
    scheme = SCHEMES[method]
    textbook = h is None and method == "central"  # the book's default: divided by 2 * h, as the book does
    if h is None:
        h = DEFAULT_H if method == "central" else AUTO
    auto = isinstance(h, str) and h == AUTO
    if typical_x is not None and not auto:
        raise ValueError("typical_x sets the scale of h='auto'; it does nothing with a given h")
    scale = typical_scale(typical_x, x)
    flat = x.reshape(-1)
    steps: float | Floats = auto_steps(flat, scheme, scale) if auto else given_steps(h, x)
    if isinstance(steps, np.ndarray):
        steps = steps.reshape(-1)
    exact = not textbook and not scheme.imaginary
    if exact and not (auto and typical_x is None):  # (automatic steps are above eps**(1/2) max(|x|, 1): they move x)
        check_moves(flat, steps, scheme)
    at_x = None
    if scheme.imaginary:
        steps = component_steps(flat, steps)
        at_x = evaluator.value(np.array(x, dtype=complex_dtype(x.dtype)))  # checked before any point is made
        check_real_at_x(at_x)
    small = small_elements(flat, scale) if auto and not scheme.imaginary else None
    if small is not None:  # the second, relative step; none where it is too small to move x
        relative = relative_steps(flat, scheme)
        small &= ~still(flat, relative, scheme)
        small = small if small.any() else None
    limits = None if scheme.imaginary else box(bounds, x)
    if scheme.levels is None and not full_output and small is None and limits is None:  # one pass, no estimate
        grad = evaluator.derivative(x, steps if isinstance(steps, float) else steps.reshape(x.shape), exact)
        if at_x is not None:
            _analytic(evaluator, x, grad, at_x)
        return cast("npt.NDArray[FloatT]", grad)

    passes = _Passes(evaluator, x, exact, limits, full_output, box(bounds, x) if scheme.imaginary else None)
    if scheme.levels is not None:
        best = passes.evaluate(scheme, steps, None, "extrapolation")
        if small is not None:
            _improve(best, passes.evaluate(scheme, relative, small, "extrapolation"), small)
        with np.errstate(all="ignore"):
            retry, factor = estimates.rescaling(best, scheme.order, step_fraction(x.dtype, scheme))
        if factor is not None and retry.any():
            _improve(best, passes.evaluate(scheme, power_of_two(best.step * factor), retry, "extrapolation"), retry)
    else:
        kind: Kind = ("complex" if scheme.imaginary else "two steps") if full_output else (
            "single" if small is not None else "value")
        best = passes.evaluate(scheme, steps, None, kind)
        if small is not None:
            other = passes.evaluate(scheme, relative, small, kind)
            with np.errstate(all="ignore"):
                best.take(other, small & estimates.smaller_step_wins(best, other))
    grad = cast("npt.NDArray[FloatT]", best.value.reshape(x.shape))
    if at_x is not None:
        passes.calls += 1 + _analytic(evaluator, x, grad, at_x)
    if not full_output:
        return grad
    return grad, GradientInfo(best.error.reshape(x.shape), best.status.reshape(x.shape),
                              passes.nfev.reshape(x.shape), passes.calls, best.step.reshape(x.shape))


def _analytic(evaluator: Any, x: npt.NDArray[Any], grad: npt.NDArray[Any], at_x: object) -> int:
    """Where the complex step gave exactly 0, ``f`` at one more point shows whether it is analytic
    (:mod:`fastgd.diff._core.complex_step`); the evaluations made (0 or 1)."""
    zero = grad == 0
    if not zero.any():
        return 0
    check_analytic(evaluator.value(probe_point(x, zero, complex_dtype(x.dtype))), at_x)
    return 1


def _improve(best: Estimates, other: Estimates, where: Mask) -> None:
    with np.errstate(all="ignore"):
        best.take(other, where & estimates.improves(best, other))
