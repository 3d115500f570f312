"""Step sizes and bounds for the twins of :mod:`fastgd.reference.schemes`, written from the published rules.

The automatic step balances a formula's truncation error, ``~ h**p`` for order ``p``, against the
rounding error of ``f``'s values, ``~ eps |f| / h`` (Dennis & Schnabel, *Numerical Methods for
Unconstrained Optimization and Nonlinear Equations*, 1983, section 5.4; Gill, Murray & Wright,
*Practical Optimization*, 1981, section 8.6): the error is least near ``h = eps**(1/(p+1))`` times
the scale on which ``f`` varies, taken as ``max(|x|, typical_x)``. It is scipy's rule
(``scipy.optimize._numdiff._compute_absolute_step``: ``EPS**(1/s) * sign(x) * max(1, |x|)``, ``s = 2``
for ``'2-point'``, 3 for ``'3-point'``). ``eps`` is that of ``x``'s dtype, at least float64's
(``f`` is usually computed in double precision whatever ``x`` holds).

A complex step has no subtraction, so no cancellation to balance: its step only needs the truncation
error ``h**2 |f'''| / 6`` to vanish, ``eps * max(|x|, eps * typical_x)``.

Where ``0 < |x| < SMALL * typical_x`` the scale of ``f`` may be ``|x|`` itself (``x**3``, ``log x``):
fastgd also tries the step without the floor, ``eps**(1/(p+1)) * |x|`` (:func:`relative`), and keeps
the better estimate.

The automatic steps are rounded to the nearest power of two (:func:`power_of_two`): then ``x +- h`` are
exact for almost every ``x``, the points sit symmetrically, and a quadratic whose values are exact
differentiates exactly (FiniteDiff.jl's issue 185 asks this of Hessians).

What divides is the distance the points actually take (:func:`distance`): point ``k`` is
``x_k = x + c_k h`` as stored in ``x``'s dtype, and the divisor ``sum_k w_k (x_k - x)`` -- scipy's
``x2 - x1`` for the central difference (``scipy.optimize._numdiff._dense_difference``), ``(x + h) - x``
for a forward one. Only the textbook's default step (``h=None`` with the central difference) divides by
``2 h``, as the book does.

Beside bounds (:func:`fit`): a formula whose points leave ``[lb, ub]`` gives way to the one-sided
formula of the same order on the side that fits; if neither fits, the step shrinks to the room on the
roomier side (scipy's ``_adjust_scheme_to_bounds``); a step whose point still rounds past a bound
is halved.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from fastgd.reference.schemes import Row

Array = npt.NDArray[Any]
Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

#: Elements with ``0 < |x| < SMALL * typical_x`` are also tried at :func:`relative` steps.
SMALL: float = 1e-3
#: At most this many halvings of a step whose point rounds past a bound.
HALVINGS: int = 64


def epsilon(dtype: np.dtype[Any]) -> float:
    """The relative rounding error assumed for ``f``'s values at an ``x`` of ``dtype``: its machine epsilon,
    at least float64's."""
    return max(float(np.finfo(dtype).eps), float(np.finfo(np.float64).eps))


def fraction(dtype: np.dtype[Any], row: Row) -> float:
    """The automatic step as a fraction of the scale: ``eps**(1/(p+1))`` (``eps`` for a complex step)."""
    eps = epsilon(dtype)
    return eps if row.imaginary else eps ** (1 / (row.order + 1))


def typical(typical_x: npt.ArrayLike | None, x: Array) -> float | Floats:
    """``|typical_x|`` flat (C order), one per element of ``x``; 1.0 if not given."""
    if typical_x is None:
        return 1.0
    scale: Floats = np.abs(np.broadcast_to(np.asarray(typical_x, dtype=np.float64), x.shape)).reshape(-1)
    return scale


def power_of_two(h: Floats) -> Floats:
    """Each positive finite step as the power of two nearest to it in ratio (``2**e`` for ``h`` in
    ``[2**e / sqrt(2), 2**e sqrt(2))``), by ``math.frexp``; other steps as they are."""
    rounded = np.array(h, dtype=np.float64)
    flat = rounded.reshape(-1)
    for i, step in enumerate(flat):
        if math.isfinite(step) and step > 0:
            mantissa, exponent = math.frexp(step)  # step = mantissa * 2**exponent, 0.5 <= mantissa < 1
            flat[i] = math.ldexp(1.0, exponent if mantissa >= math.sqrt(0.5) else exponent - 1)
    return rounded


def automatic(flat: Array, row: Row, scale: float | Floats) -> Floats:
    """The automatic step of each element: ``fraction * max(|x|, scale)`` (``scale * eps`` for a complex step),
    a power of two for a real one."""
    floor = epsilon(flat.dtype) * scale if row.imaginary else scale
    steps: Floats = fraction(flat.dtype, row) * np.maximum(np.abs(flat.astype(np.float64)), floor)
    return steps if row.imaginary else power_of_two(steps)


def relative(flat: Array, row: Row) -> Floats:
    """The automatic step without the floor: ``fraction * |x|``, a power of two."""
    return power_of_two(fraction(flat.dtype, row) * np.abs(flat.astype(np.float64)))


def small(flat: Array, scale: float | Floats) -> Mask | None:
    """Where ``0 < |x| < SMALL * scale`` (None if nowhere)."""
    magnitude = np.abs(flat.astype(np.float64))
    where: Mask = (magnitude < SMALL * scale) & (magnitude > 0)
    return where if where.any() else None


def moved_by(v: Any, point: Any) -> float:
    """How far a point moved the element ``v``: ``point - v``, computed in double (in ``v``'s own type if wider)."""
    wide = np.longdouble if np.dtype(type(v)).itemsize > 8 else np.float64
    return float(wide(point) - wide(v))


def distance(flat: Array, h: float | Floats, row: Row) -> Floats:
    """The distance each element's points take, ``sum_k w_k (x_k - x)`` summed left to right, the points
    ``x_k = x + c_k h`` as numpy stores them in ``x``'s dtype."""
    steps = np.broadcast_to(np.asarray(h, dtype=np.float64), flat.shape)
    result = np.empty(flat.shape)
    for i, v in enumerate(flat):
        total = 0.0
        for k, (offset, weight) in enumerate(zip(row.offsets, row.weights, strict=True)):
            term = weight * moved_by(v, v + offset * float(steps[i]))
            total = term if k == 0 else total + term
        result[i] = total
    return result


def moves(flat: Array, h: float | Floats, row: Row) -> Mask:
    """Where every point of ``row`` at steps ``h`` moves the element (``x + c_k h != x`` in ``x``'s dtype)."""
    steps = np.broadcast_to(np.asarray(h, dtype=np.float64), flat.shape)
    return np.array([all(v + offset * float(steps[i]) != v for offset in row.offsets) for i, v in enumerate(flat)],
                    dtype=bool)


def imaginary_steps(dtype: np.dtype[Any], h: float | Floats) -> float | Floats:
    """Complex-step steps as the imaginary part of ``dtype``'s complex type holds them (float32 for float32)."""
    part = np.finfo(np.result_type(dtype.newbyteorder("="), np.complex64)).dtype
    rounded = np.asarray(h, dtype=np.float64).astype(part).astype(np.float64)
    return float(rounded) if rounded.ndim == 0 else rounded


def box(bounds: object, x: Array) -> tuple[Floats, Floats] | None:
    """``bounds = (lb, ub)`` as flat float64 arrays, ``None`` meaning unbounded; None if nothing is bounded."""
    if bounds is None:
        return None
    lower, upper = cast("tuple[Any, Any]", bounds)
    lb = np.broadcast_to(np.asarray(-np.inf if lower is None else lower, dtype=np.float64), x.shape).reshape(-1)
    ub = np.broadcast_to(np.asarray(np.inf if upper is None else upper, dtype=np.float64), x.shape).reshape(-1)
    if np.all(lb == -np.inf) and np.all(ub == np.inf):
        return None
    return lb, ub


def _inside(v: Any, row: Row, step: float, lb: float, ub: float) -> bool:
    """Whether every point of ``row`` around the element ``v`` (x's dtype) lies in ``[lb, ub]``, as the loop
    places them."""
    return all(lb <= float(v + v.dtype.type(offset * step)) <= ub for offset in row.offsets)


def fit(flat: Array, h: Floats, elements: Mask, row: Row, sides: tuple[Row, Row], lb: Floats,
        ub: Floats) -> list[tuple[Row, Mask, Floats]]:
    """For each element in ``elements``: the row and step that keep every point in ``[lb, ub]``.

    ``row`` if its points fit; else the one-sided row with points above ``x`` (``sides[0]``), else the
    one below; if neither fits, the step shrinks to the room on the roomier side, ``room / reach``, unless
    ``row`` fits both sides at a step no smaller (``min(room_up / reach_up, room_down / reach_down)``). A
    step whose point rounds past a bound is halved (at most :data:`HALVINGS` times). Returns
    ``(row, elements, steps)`` for each row used (the steps of all elements, one array).
    """
    above, below = sides
    steps = np.array(h, dtype=np.float64)
    choice = np.full(flat.size, -1)
    rows = (row, above, below)
    for i in np.flatnonzero(elements):
        v = flat[i]
        for k, candidate in enumerate(rows):
            if _inside(v, candidate, steps[i], lb[i], ub[i]):
                choice[i] = k
                break
        else:
            room_up, room_down = ub[i] - float(v), float(v) - lb[i]
            if room_up == 0 and room_down == 0:
                raise ValueError("bounds: lb == ub leaves no room for a step")
            if room_up >= room_down:
                choice[i], one_sided = 1, min(steps[i], room_up / above.reach[0])
            else:
                choice[i], one_sided = 2, min(steps[i], room_down / below.reach[1])
            both = min([float(steps[i])] + [room / reach for room, reach in ((room_up, row.reach[0]),
                                                                        (room_down, row.reach[1])) if reach])
            if both >= one_sided and both > 0:  # the row itself fits at a step no smaller
                choice[i], steps[i] = 0, both
            else:
                steps[i] = one_sided
        for _ in range(HALVINGS):
            if _inside(v, rows[choice[i]], steps[i], lb[i], ub[i]):
                break
            steps[i] /= 2
    return [(candidate, choice == k, steps) for k, candidate in enumerate(rows) if np.any(choice == k)]
