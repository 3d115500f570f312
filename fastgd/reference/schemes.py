"""Plain numpy loops for every ``method=`` of :func:`fastgd.numerical_gradient`, written from the formulas.

A difference formula estimates ``f'`` along ``e_i`` from values of ``f`` at points ``x + c_k h e_i``
(and at ``x`` itself)::

    f'(x) ~ (w_1 f(x + c_1 h e_i) + ... + w_K f(x + c_K h e_i) + w_0 f(x)) / (d h)

Each :class:`Row` below is one such formula, its numbers written out by hand from the Taylor
series (Fornberg, "Generation of finite difference formulas on arbitrarily spaced grids",
Math. Comp. 51, 1988, gives the same weights): the centred two-point difference (the textbook's),
the one-sided first-order ones, the five-point centred one (fourth order), the complex step
``Im f(x + i h) / h`` (Squire & Trapp, SIAM Review 40, 1998), and Richardson's extrapolation of
a second-order difference ``D`` from steps ``h`` and ``h/2``, ``(4 D(h/2) - D(h)) / 3`` (Richardson,
Phil. Trans. R. Soc. A 210, 1911). Beside a bound, a method takes the one-sided row of the same
order (:data:`ONE_SIDED`).

:func:`evaluate` is the textbook's loop (``np.nditer``'s order, each element moved in place to
``v + c_k h``, ``f`` called, the element restored) with any row; :func:`numerical_gradient` is the
twin of ``fastgd.numerical_gradient(f, x, h, method=..., typical_x=..., bounds=...,
full_output=...)``: the step rules and bounds of :mod:`fastgd.reference.steps`, the error
estimates of :mod:`fastgd.reference.estimates`. Nothing here calls fastgd's own code: where
fastgd's loops do the same IEEE operations in the same order, its numbers are these, bit for bit.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.reference import estimates
from fastgd.reference import steps as step_rules

Array = npt.NDArray[Any]
Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
Objective = Callable[[Array], Any]


@dataclass(frozen=True)
class Row:
    """One difference formula: ``(sum_k weights[k] f(x + offsets[k] h e_i) + centre_weight f(x)) / (denominator h)``.

    ``order``: the error shrinks as ``h**order``. ``imaginary``: the points are ``x + 1j offsets[k] h e_i``
    and the values the imaginary parts of ``f``. ``levels``: for an extrapolated row, the two
    differences it combines, ``D(h)`` and ``D(h/2)``, as rows over its own points (for the error estimate).
    """

    name: str
    offsets: tuple[float, ...]
    weights: tuple[int, ...]
    denominator: int
    centre_weight: int = 0
    order: int = 2
    imaginary: bool = False
    levels: tuple[Row, Row] | None = None

    @property
    def columns(self) -> int:
        """The values recorded per element: one per point, then ``f(x)`` if the row uses it."""
        return len(self.offsets) + bool(self.centre_weight)

    @property
    def gain(self) -> float:
        """How much the row magnifies an error in its values: ``(sum |w_k| + |w_0|) / d``."""
        return float(sum(abs(w) for w in self.weights) + abs(self.centre_weight)) / abs(self.denominator)

    @property
    def reach(self) -> tuple[float, float]:
        """How many steps the points go above and below ``x``."""
        return max(0.0, *self.offsets), max(0.0, *(-c for c in self.offsets))


# f'(x) = (f(x + h) - f(x - h)) / (2h) + O(h**2): the textbook's.
CENTRAL = Row("central", (1.0, -1.0), (1, -1), 2)
# (f(x + h) - f(x)) / h and (f(x) - f(x - h)) / h + O(h).
FORWARD = Row("forward", (1.0,), (1,), 1, centre_weight=-1, order=1)
BACKWARD = Row("backward", (-1.0,), (-1,), 1, centre_weight=1, order=1)
# (-f(x + 2h) + 8 f(x + h) - 8 f(x - h) + f(x - 2h)) / (12h) + O(h**4).
CENTRAL4 = Row("central4", (2.0, 1.0, -1.0, -2.0), (-1, 8, -8, 1), 12, order=4)
# Im f(x + ih) / h + O(h**2), no subtraction.
COMPLEX = Row("complex", (1.0,), (1,), 1, imaginary=True)
# With D(h) = (f(x + h) - f(x - h)) / (2h) and D(h/2) = (2 f(x + h/2) - 2 f(x - h/2)) / (2h):
# (4 D(h/2) - D(h)) / 3 = (-f(x + h) + f(x - h) + 8 f(x + h/2) - 8 f(x - h/2)) / (6h) + O(h**4).
RICHARDSON = Row("richardson", (1.0, -1.0, 0.5, -0.5), (-1, 1, 8, -8), 6, order=4,
                 levels=(Row("D(h)", (1.0, -1.0, 0.5, -0.5), (1, -1, 0, 0), 2),
                         Row("D(h/2)", (1.0, -1.0, 0.5, -0.5), (0, 0, 2, -2), 2)))

# One-sided rows for points beside a bound, of the same order as the method they stand in for.
# (-3 f(x) + 4 f(x + h) - f(x + 2h)) / (2h) + O(h**2), and its mirror.
FORWARD3 = Row("forward3", (1.0, 2.0), (4, -1), 2, centre_weight=-3)
BACKWARD3 = Row("backward3", (-1.0, -2.0), (-4, 1), 2, centre_weight=3)
# (-25 f(x) + 48 f(x + h) - 36 f(x + 2h) + 16 f(x + 3h) - 3 f(x + 4h)) / (12h) + O(h**4), and its mirror.
FORWARD5 = Row("forward5", (1.0, 2.0, 3.0, 4.0), (48, -36, 16, -3), 12, centre_weight=-25, order=4)
BACKWARD5 = Row("backward5", (-1.0, -2.0, -3.0, -4.0), (-48, 36, -16, 3), 12, centre_weight=25, order=4)
# Richardson on the three-point one-sided rows: D(h) = (-3 f0 + 4 f(h) - f(2h)) / (2h),
# D(h/2) = (-6 f0 + 8 f(h/2) - 2 f(h)) / (2h); (4 D(h/2) - D(h)) / 3 cancels the h**2 term, leaving h**3:
# (-21 f0 - 12 f(h) + f(2h) + 32 f(h/2)) / (6h).
RICHARDSON_FORWARD = Row("richardson forward", (1.0, 2.0, 0.5), (-12, 1, 32), 6, centre_weight=-21, order=3,
                         levels=(Row("D(h)", (1.0, 2.0, 0.5), (4, -1, 0), 2, centre_weight=-3),
                                 Row("D(h/2)", (1.0, 2.0, 0.5), (-2, 0, 8), 2, centre_weight=-6)))
RICHARDSON_BACKWARD = Row("richardson backward", (-1.0, -2.0, -0.5), (12, -1, -32), 6, centre_weight=21, order=3,
                          levels=(Row("D(h)", (-1.0, -2.0, -0.5), (-4, 1, 0), 2, centre_weight=3),
                                  Row("D(h/2)", (-1.0, -2.0, -0.5), (2, 0, -8), 2, centre_weight=6)))

#: The rows by ``method=`` name.
ROWS: dict[str, Row] = {row.name: row for row in (CENTRAL, FORWARD, BACKWARD, CENTRAL4, COMPLEX, RICHARDSON)}
#: ``f(x + h) + f(x - h) - 2 f(x)``: the values of a second difference (its ``f''`` is formed from the
#: distances the points took: :func:`fastgd.reference.estimates.second_derivative`).
SECOND = Row("second difference", (1.0, -1.0), (1, 1), 1, centre_weight=-2)
#: ``f(x + 2h) - 2 f(x + h) + f(x)`` and its mirror: from one side, beside a bound.
SECOND_ABOVE = Row("second difference above", (1.0, 2.0), (-2, 1), 1, centre_weight=1)
SECOND_BELOW = Row("second difference below", (-1.0, -2.0), (-2, 1), 1, centre_weight=1)

#: The formula each extrapolation extrapolates (its value at a quarter of the step measures the extrapolation's
#: own error).
BASES: dict[str, Row] = {"richardson": CENTRAL, "richardson forward": FORWARD3, "richardson backward": BACKWARD3}

#: For each method, the rows used beside a bound: (points above x, points below x). The complex step
#: never leaves x's real values and has none.
ONE_SIDED: dict[str, tuple[Row, Row]] = {
    "central": (FORWARD3, BACKWARD3),
    "forward": (FORWARD, BACKWARD),
    "backward": (FORWARD, BACKWARD),
    "central4": (FORWARD5, BACKWARD5),
    "richardson": (RICHARDSON_FORWARD, RICHARDSON_BACKWARD),
}


@dataclass
class Evaluation:
    """What one loop over the elements of ``x`` gives: per element (flat, C order), NaN where not visited."""

    value: Array  #: the estimate, in x's dtype
    values: Floats  #: f's values at the element's points, then f(x) if the row uses it (float64)
    step: Floats  #: the step the points took: the divisor over the row's denominator


def weighted_sum(row: Row, values: list[Any], centre: Any) -> Any:
    """``w_1 v_1 + ... + w_K v_K + w_0 centre``, left to right, with numpy's rules for the values' types
    (``centre`` is not used where ``w_0`` is 0)."""
    total = row.weights[0] * values[0]
    for weight, value in zip(row.weights[1:], values[1:], strict=True):
        total = total + weight * value
    if row.centre_weight:
        total = total + row.centre_weight * centre
    return total


def _scalar(r: Any) -> Any:
    """``r``, a 0-d array unwrapped to its scalar."""
    return r[()] if isinstance(r, np.ndarray) and r.ndim == 0 else r


def complex_dtype(dtype: np.dtype[Any]) -> np.dtype[Any]:
    """The complex dtype a complex step evaluates ``f`` in: complex64 for float16/float32, complex128 for
    float64, clongdouble for longdouble."""
    return np.result_type(dtype.newbyteorder("="), np.complex64)


def evaluate(f: Objective, x: Array, row: Row, h: float | Floats, exact: bool,
             elements: Mask | None = None) -> Evaluation:
    """``row``'s estimate along each element of ``x`` (where ``elements``, flat in C order, is True).

    In ``np.nditer``'s order: ``v = x[i]``, ``step = h`` (or ``h[i]``, ``h`` flat in C order); for each point
    ``x[i] = v + c_k step`` (numpy's scalar rules: in ``x``'s dtype), ``f(x)``, ``x[i] = v``; then
    ``(w_1 f_1 + ... + w_K f_K + w_0 f(x)) / divisor``, summed left to right, where the divisor is, if
    ``exact``, the distance the points took, ``w_1 (x_1 - v) + ... + w_K (x_K - v)``
    (:func:`fastgd.reference.steps.moved_by`, left to right), else ``d * step``. A complex step does the
    same on a complex copy of ``x`` (``x`` is not touched), moving the imaginary part: ``step`` is then
    ``h`` rounded to that part's precision, the divisor ``d * step``, and the values are the imaginary
    parts of ``f``'s results.
    """
    n = x.size
    flat_steps = np.broadcast_to(np.asarray(h, dtype=np.float64), (n,))
    grad = np.zeros(x.shape, dtype=x.dtype)
    values = np.full((n, row.columns), np.nan)
    taken = np.full(n, np.nan)
    point = np.array(x, dtype=complex_dtype(x.dtype), order="K") if row.imaginary else x
    part = np.finfo(point.dtype).dtype if row.imaginary else None  # the precision of the imaginary part
    centre: Any = _scalar(f(point)) if row.centre_weight else None
    it = np.nditer(x, flags=["multi_index", "zerosize_ok"])
    for _ in it:
        idx = it.multi_index
        i = int(np.ravel_multi_index(idx, x.shape)) if x.ndim else 0
        if elements is not None and not elements[i]:
            continue
        v, step = point[idx], float(flat_steps[i])
        if part is not None:
            step = float(part.type(step))
        divisor = row.denominator * step
        results = []
        for k, offset in enumerate(row.offsets):
            point[idx] = v + 1j * (offset * step) if row.imaginary else v + offset * step
            if exact:
                term = row.weights[k] * step_rules.moved_by(v, point[idx])
                divisor = term if k == 0 else divisor + term
            try:
                results.append(_scalar(f(point)))
            finally:
                point[idx] = v
        if row.imaginary:
            results = [r.imag for r in results]
        grad[idx] = weighted_sum(row, results, centre) / divisor
        values[i] = [float(r) for r in (*results, centre)[:row.columns]]
        taken[i] = divisor / row.denominator
    return Evaluation(grad.reshape(-1), values, taken)


def difference(f: Objective, x: Array, row: Row, h: float | npt.ArrayLike, exact: bool = False) -> Array:
    """:func:`evaluate`'s estimates, shaped like ``x`` (``h``: a float, or steps shaped like ``x``).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.schemes import ROWS, difference
    >>> difference(lambda x: np.sum(x**2), np.array([3.0, 4.0]), ROWS["central4"], 0.5)
    array([6., 8.])
    """
    steps = h if isinstance(h, float) else np.broadcast_to(np.asarray(h, dtype=np.float64), x.shape).reshape(-1)
    return evaluate(f, x, row, steps, exact).value.reshape(x.shape)


def forward_difference(f: Objective, x: Array, h: float | npt.ArrayLike) -> Array:
    """``(f(x + h) - f(x)) / ((x + h) - x)`` at each element."""
    return difference(f, x, FORWARD, h, exact=True)


def backward_difference(f: Objective, x: Array, h: float | npt.ArrayLike) -> Array:
    """``(f(x) - f(x - h)) / (x - (x - h))`` at each element."""
    return difference(f, x, BACKWARD, h, exact=True)


def central4_difference(f: Objective, x: Array, h: float | npt.ArrayLike) -> Array:
    """``(-f(x + 2h) + 8 f(x + h) - 8 f(x - h) + f(x - 2h)) / (12h)`` at each element (``12 h``: the distance
    its points take, ``-(x_2 - x) + 8 (x_1 - x) - ...``)."""
    return difference(f, x, CENTRAL4, h, exact=True)


def complex_step(f: Objective, x: Array, h: float | npt.ArrayLike) -> Array:
    """``Im f(x + ih) / h`` at each element, on a complex copy of ``x``."""
    return difference(f, x, COMPLEX, h)


def richardson(f: Objective, x: Array, h: float | npt.ArrayLike) -> Array:
    """``(8 (f(x + h/2) - f(x - h/2)) - (f(x + h) - f(x - h))) / (6h)``: the central differences at
    ``h`` and ``h/2`` extrapolated, at each element (no error estimate, no second try; ``6 h``: the distance
    its points take)."""
    return difference(f, x, RICHARDSON, h, exact=True)


@dataclass(frozen=True)
class GradientInfo:
    """The twin of :class:`fastgd.diff.GradientInfo`: arrays shaped like ``x``, and the calls of ``f``."""

    error: Floats  #: estimate of the absolute error of each element
    status: npt.NDArray[np.int8]  #: 0 converged, -1 not reliable, -3 a value of f (or the estimate) not finite
    nfev: npt.NDArray[np.intp]  #: evaluations of f made for each element
    calls: int  #: every call of f, f(x) included
    step: Floats  #: the step of each element's estimate

    @property
    def success(self) -> Mask:
        """``status == 0``."""
        success: Mask = self.status == estimates.CONVERGED
        return success


class _Passes:
    """The passes of one gradient: each a loop of :func:`evaluate` over some elements, counted, with estimates."""

    def __init__(self, f: Objective, x: Array, exact: bool, box: tuple[Floats, Floats] | None,
                 measured: bool = False, room: tuple[Floats, Floats] | None = None) -> None:
        """``measured``: an extrapolation's error measured at a third step; ``room``: the bounds a complex step's
        real second difference (its error estimate) must keep to."""
        self.f, self.x, self.exact, self.box = f, x, exact, box
        self.measured, self.room = measured, room
        self.flat = x.reshape(-1)
        self.eps = step_rules.epsilon(x.dtype)
        self.nfev = np.zeros(x.size, dtype=np.intp)
        self.calls = 0

    def run(self, row: Row, h: float | Floats, elements: Mask | None, kind: str) -> estimates.Estimates:
        """``row`` (or, beside a bound, its one-sided rows) at steps ``h`` over ``elements`` (None: all).

        ``kind``: ``"value"`` (no estimate), ``"single"`` (the rounding error only), ``"two steps"``
        (the truncation error from a second loop at half the step), ``"complex"`` (a real second difference
        for the complex step's estimate) or ``"extrapolation"`` (with ``measured``: the base formula at a
        quarter of the step too).
        """
        if self.box is None or row.name not in ONE_SIDED:
            return self._loop(row, h, elements, kind)
        everywhere = np.ones(self.x.size, dtype=bool) if elements is None else elements
        h = np.broadcast_to(np.asarray(h, dtype=np.float64), (self.x.size,))
        layout = step_rules.fit(self.flat, h, everywhere, row, ONE_SIDED[row.name], *self.box)
        result = estimates.unset(self.x.size, self.x.dtype)
        for one_row, where, row_steps in layout:
            result.take(self._loop(one_row, row_steps, None if elements is None and where.all() else where, kind),
                        where)
        return result

    def _loop(self, row: Row, h: float | Floats, elements: Mask | None, kind: str) -> estimates.Estimates:
        done = evaluate(self.f, self.x, row, h, self.exact, elements)
        self._count(row, elements)
        if not self.exact and isinstance(h, np.ndarray):
            done.step = h.copy()  # as given, for the elements not visited too
        elif not self.exact:
            done.step = np.full(self.x.size, h)
        quarter = None
        if kind == "extrapolation" and self.measured:
            base = BASES[row.name]
            quarter = evaluate(self.f, self.x, base, h / 4, self.exact, elements).value
            self._count(base, elements)
        with np.errstate(all="ignore"):
            if kind == "value":
                return estimates.without_estimate(done.value, done.step)
            if kind == "single":
                result = estimates.rounding_only(row, done.value, done.values, done.step, self.eps)
            elif kind == "extrapolation":
                result = estimates.extrapolation(row, done.value, done.values, done.step, self.eps, quarter)
            else:
                half = evaluate(self.f, self.x, row, h / 2, self.exact, elements)
                self._count(row, elements)
                result = estimates.two_steps(row, done.value, done.values, half.value, half.values, done.step,
                                             self.eps)
                if kind == "complex":
                    return self._complex(result, elements)
            if not self.exact and not row.imaginary:  # a given step: the points may not be x + c_k h
                result.add_rounding(np.abs(done.value) * estimates.misplacement(row, self.flat, done.step))
        return result

    def _complex(self, two_step: estimates.Estimates, elements: Mask | None) -> estimates.Estimates:
        """The complex step's estimates, ``f''`` from a real second difference at ``(256 eps)**(1/4) max(1, |x|)``
        (a power of two); beside a bound, from the side with more room, at no more than half of it (nowhere,
        where neither side has room)."""
        flat = self.flat
        delta = step_rules.power_of_two(float((256 * self.eps) ** 0.25) * np.maximum(1.0, np.abs(flat.astype(float))))
        wanted = np.ones(flat.size, dtype=bool) if elements is None else elements
        rows = np.where(wanted, 0, -1)  # 0: both sides, 1: above, 2: below, -1: none
        if self.room is not None:
            for i in np.flatnonzero(wanted):
                up, down = self.room[1][i] - flat[i], flat[i] - self.room[0][i]
                if up >= delta[i] and down >= delta[i]:
                    continue
                if up >= down and up > 0:
                    rows[i], delta[i] = 1, min(delta[i], up / 2)
                elif down > 0:
                    rows[i], delta[i] = 2, min(delta[i], down / 2)
                else:
                    rows[i] = -1
        second = np.full(flat.size, np.nan)
        noise = np.full(flat.size, np.nan)
        for k, row in enumerate((SECOND, SECOND_ABOVE, SECOND_BELOW)):
            where = rows == k
            if not where.any():
                continue
            values = evaluate(self.f, self.x, row, delta, False, None if where.all() else where).values
            self._count(row, None if where.all() else where)
            with np.errstate(all="ignore"):
                for i in np.flatnonzero(where):
                    t1, t2 = (step_rules.moved_by(flat[i], flat[i] + offset * float(delta[i]))
                              for offset in row.offsets)
                    second[i], gain = estimates.second_derivative(values[i, 0], values[i, 1], values[i, 2], t1, t2)
                    noise[i] = estimates.NOISE * self.eps * gain * np.abs(values[i]).max()
        with np.errstate(all="ignore"):
            return estimates.complex_step(two_step, second, noise, flat, self.eps)

    def _count(self, row: Row, elements: Mask | None) -> None:
        visited = self.x.size if elements is None else int(np.count_nonzero(elements))
        if elements is None:
            self.nfev += len(row.offsets)
        else:
            self.nfev[elements] += len(row.offsets)
        self.calls += visited * len(row.offsets) + bool(row.centre_weight)


def numerical_gradient(f: Objective, x: Array, h: object = None, *, method: str = "central",
                       typical_x: npt.ArrayLike | None = None, bounds: object = None,
                       full_output: bool = False) -> Array | tuple[Array, GradientInfo]:
    """The twin of ``fastgd.numerical_gradient(f, x, h, method=..., ...)`` for a Python ``f``.

    The steps: ``h`` as given (a float, or per-element steps), or ``'auto'`` (default for every method
    but ``'central'``, whose default is the textbook's ``1e-4``): :func:`fastgd.reference.steps.automatic`,
    plus a second estimate at :func:`fastgd.reference.steps.relative` for elements far below
    ``typical_x``, the better of the two kept. Every estimate divides by the distance its points take,
    but the textbook's default (``h=None``, central: ``2 h``). Beside ``bounds``, the one-sided rows of
    the same order (:func:`fastgd.reference.steps.fit`). ``'richardson'`` estimates its error from its
    own points and tries a better step where the estimate asks for one; with ``full_output``, it also
    takes its base formula at a quarter of the step, the fixed-order methods evaluate the row again at
    half the step, and the complex step a real second difference too. A complex step first checks
    ``f(x)`` is real, and where it gives exactly 0, that ``f`` carries the imaginary part.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference import schemes
    >>> x = np.array([0.5, 2.0])
    >>> g, info = schemes.numerical_gradient(lambda v: np.sum(v**3), x, method="richardson", full_output=True)
    >>> bool(np.all(np.abs(g - 3 * x**2) <= info.error)), info.status.tolist()
    (True, [0, 0])
    """
    row = ROWS[method]
    textbook = h is None and method == "central"  # the book's own call: divided by 2 h, as the book does
    if h is None:
        h = 1e-4 if method == "central" else "auto"
    auto = isinstance(h, str)
    typical = step_rules.typical(typical_x, x)
    flat = x.reshape(-1)
    steps: float | Floats
    if auto:
        steps = step_rules.automatic(flat, row, typical)
    elif isinstance(h, (np.ndarray, list, tuple)):
        steps = np.broadcast_to(np.asarray(h, dtype=np.float64), x.shape).reshape(-1)
    else:
        steps = float(h)  # type: ignore[arg-type]
    exact = not textbook and not row.imaginary
    small = step_rules.small(flat, typical) if auto and not row.imaginary else None
    if small is not None:
        relative = step_rules.relative(flat, row)
        small &= step_rules.moves(flat, relative, row)
        small = small if small.any() else None
    box = None if row.imaginary else step_rules.box(bounds, x)
    at_x = None
    if row.imaginary:
        steps = step_rules.imaginary_steps(x.dtype, steps)
        at_x = _real_valued(f, x)
    if row.levels is None and not full_output and small is None and box is None:
        grad = evaluate(f, x, row, steps, exact).value.reshape(x.shape)
        if at_x is not None:
            _analytic(f, x, grad, at_x)
        return grad

    passes = _Passes(f, x, exact, box, full_output, step_rules.box(bounds, x) if row.imaginary else None)
    if row.levels is not None:
        best = passes.run(row, steps, None, "extrapolation")
        if small is not None:
            best.improve(passes.run(row, relative, small, "extrapolation"), small)
        with np.errstate(all="ignore"):
            retry, factor = estimates.rescaling(best, row.order, step_rules.fraction(x.dtype, row))
        if factor is not None and retry.any():
            best.improve(passes.run(row, step_rules.power_of_two(best.step * factor), retry, "extrapolation"), retry)
    else:
        kind = ("complex" if row.imaginary else "two steps") if full_output else (
            "single" if small is not None else "value")
        best = passes.run(row, steps, None, kind)
        if small is not None:
            other = passes.run(row, relative, small, kind)
            with np.errstate(all="ignore"):
                best.take(other, small & estimates.smaller_step_wins(best, other))
    grad = best.value.reshape(x.shape)
    if at_x is not None:
        passes.calls += 1 + _analytic(f, x, grad, at_x)
    if not full_output:
        return grad
    return grad, GradientInfo(best.error.reshape(x.shape), best.status.reshape(x.shape), passes.nfev.reshape(x.shape),
                              passes.calls, best.step.reshape(x.shape))


def _real_valued(f: Objective, x: Array) -> complex:
    """``f`` at ``x`` (as a complex copy): a complex step needs an ``f`` real on real points (numdifftools refuses
    a complex-valued ``f`` the same way, before any perturbation)."""
    value = _scalar(f(np.array(x, dtype=complex_dtype(x.dtype))))
    if isinstance(value, (complex, np.complexfloating)) and value.imag != 0 and not np.isnan(value.imag):
        raise TypeError(f"method='complex' needs a real-valued f; f(x) = {value!r}")
    return complex(value)


def _analytic(f: Objective, x: Array, grad: Array, at_x: complex) -> int:
    """Where the complex step gave exactly 0, ``f`` at ``x + (1 + 1j) s`` along those elements (``s = 2**-10
    max(1, |x|)``): an analytic ``f`` is not real there unless it is constant, so an imaginary part of 0 with a
    real part that moved means ``f`` dropped the imaginary part (TypeError). The evaluations made."""
    zero = grad == 0
    if not zero.any():
        return 0
    probe = np.array(x, dtype=complex_dtype(x.dtype))
    step = 2.0**-10 * np.maximum(1.0, np.abs(x.astype(np.float64)))
    probe[zero] += (1 + 1j) * step[zero]
    value = complex(_scalar(f(probe)))
    if value.imag == 0 and value.real != at_x.real:
        raise TypeError("method='complex': f drops the imaginary part of its argument")
    return 1
