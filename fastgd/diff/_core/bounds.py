"""Bounds: one-sided points beside a bound, so that ``f`` is never evaluated outside ``[lb, ub]``.

An element whose points (at its step) would leave the box takes one of the row's one-sided rows of the
same order (:attr:`fastgd.diff._core.schemes.Scheme.sides`) on the side that fits; if neither side fits, the
step shrinks to the room on the roomier side, or the row keeps its points on both sides at the step both allow
where that step is no smaller (as scipy's ``approx_derivative`` does). Every point
is then checked as the loops compute it, ``x + offset * step`` in ``x``'s dtype, and a step whose
point rounds past a bound is halved.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.diff._core.checks import box
from fastgd.diff._core.schemes import Scheme
from fastgd.diff._core.steps import Steps, point

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]


def _inside(x: npt.NDArray[Any], scheme: Scheme, steps: Floats, lb: Floats, ub: Floats) -> Mask:
    """Where every point of ``scheme`` at ``steps`` lies in ``[lb, ub]``, computed as the loops compute them."""
    inside = np.ones(x.shape, dtype=bool)
    assert scheme.widened is not None  # set by Scheme.__post_init__
    with np.errstate(over="ignore", invalid="ignore"):
        for offset, widened in zip(scheme.offsets, scheme.widened, strict=True):
            moved = point(x, offset * steps, widened).astype(np.float64)
            inside &= (lb <= moved) & (moved <= ub)
    return inside


def check_room(x: npt.NDArray[Any], elements: Mask, lb: Floats, ub: Floats) -> None:
    """ValueError naming the first of ``elements`` (of flat ``x``) whose bounds hold no value of ``x``'s dtype
    but ``x`` itself (``lb == ub``, or bounds closer than its spacing): no point fits beside it."""
    closed = (elements & (np.nextafter(x, np.inf).astype(np.float64) > ub)
              & (np.nextafter(x, -np.inf).astype(np.float64) < lb))
    if closed.any():
        i = int(np.flatnonzero(closed)[0])
        why = "lb == ub" if lb[i] == ub[i] else f"no value of {x.dtype} lies between them but x"
        raise ValueError(f"bounds: at element {i} (x = {float(x[i])!r} in {x.dtype}) the bounds "
                         f"[{float(lb[i])!r}, {float(ub[i])!r}] leave no room for a step ({why})")


def fit(x: npt.NDArray[Any], steps: Floats, elements: Mask, scheme: Scheme, lb: Floats,
        ub: Floats) -> list[tuple[Scheme, Mask, Floats]]:
    """For the elements of flat ``x`` in ``elements``: ``(row, elements, steps)`` per row used, every point inside
    (``scheme`` where its points fit, else its one-sided rows)."""
    assert scheme.sides is not None  # every row with real points has them (schemes._check_table)
    above, below = scheme.sides
    steps = steps.copy()
    central = elements & _inside(x, scheme, steps, lb, ub)
    up = elements & ~central & _inside(x, above, steps, lb, ub)
    down = elements & ~central & ~up & _inside(x, below, steps, lb, ub)
    neither = elements & ~(central | up | down)
    if neither.any():
        check_room(x, neither, lb, ub)
        room_up, room_down = ub - x, x - lb
        shrink_up = neither & (room_up >= room_down)
        shrink_down = neither & ~shrink_up
        one_sided = np.where(shrink_up, np.minimum(steps, room_up / above.reach[0]),
                             np.minimum(steps, room_down / below.reach[1]))
        # the row itself at the step both sides allow, where that step is no smaller (scipy's adjusted central)
        both = steps.copy()  # a side the row does not reach sets no limit
        for room, reach in ((room_up, scheme.reach[0]), (room_down, scheme.reach[1])):
            if reach:
                both = np.minimum(both, room / reach)
        shrunk = neither & (both >= one_sided) & (both > 0)
        steps[neither] = np.where(shrunk, both, one_sided)[neither]
        central |= shrunk
        up |= shrink_up & ~shrunk
        down |= shrink_down & ~shrunk
    rows = [(scheme, central), (above, up), (below, down)]
    for row, where in rows:
        for _ in range(64):  # a point rounded past a bound: halve its step
            past = where & ~_inside(x, row, steps, lb, ub)
            if not past.any():
                break
            steps[past] /= 2
    return [(row, where, steps) for row, where in rows if where.any()]


def rows_within(x: npt.NDArray[Any], steps: Steps, row: Scheme, bounds: object
                ) -> list[tuple[Scheme, npt.NDArray[np.bool_] | None, Steps]]:
    """``(row, elements, steps)`` for each row a Jacobian runs: ``row`` over every element (elements None) without
    bounds or where its points all fit; else the one-sided rows beside the bounds
    (:func:`fastgd.diff._core.bounds.fit`), steps shaped like ``x``."""
    limits = box(bounds, x)
    if limits is None or x.size == 0 or row.imaginary:  # a complex step moves x off the real axis alone
        return [(row, None, steps)]
    flat = x.reshape(-1)
    full = np.broadcast_to(np.asarray(steps, dtype=np.float64), x.shape).reshape(-1)
    layout = fit(flat, full, np.ones(x.size, dtype=bool), row, *limits)
    if len(layout) == 1 and layout[0][0] is row and np.array_equal(layout[0][2], full):
        return [(row, None, steps)]
    return [(part, where, part_steps.reshape(x.shape)) for part, where, part_steps in layout]


def signed_within(x: npt.NDArray[Any], steps: Floats, lb: Floats, ub: Floats) -> Floats:
    """Signed steps of a one-sided row (``steps``: flat, of either sign, nonzero) turned to keep ``x + h`` in
    ``[lb, ub]`` (flat), as scipy's ``'2-point'`` turns them (``approx_derivative``): an element whose point
    leaves the box steps the other way if its step fits there, else to the roomier side by all its room;
    then, as the loops compute the point (``x + ((x + h) - x)``), a step whose point rounds past a bound is
    halved. ValueError where the bounds leave no room (:func:`check_room`).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.diff._core.bounds import signed_within
    >>> signed_within(np.array([0.0, 1.0, 0.5]), np.array([0.1, 0.1, 2.0]), np.zeros(3), np.ones(3)).tolist()
    [0.1, -0.1, 0.5]
    """
    flat = x.reshape(-1).astype(np.float64)
    h = np.array(steps, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        point = flat + h
        violated = (point < lb) | (point > ub)
        if not violated.any():  # every point inside (as the loops compute it: x + ((x + h) - x) is x + h)
            return h
    check_room(x.reshape(-1), violated, lb, ub)
    room_up, room_down = ub - flat, flat - lb
    with np.errstate(invalid="ignore"):
        fitting = np.abs(h) <= np.maximum(room_up, room_down)
        h[violated & fitting] *= -1
        up = (room_up >= room_down) & ~fitting
        h[up] = room_up[up]
        down = (room_up < room_down) & ~fitting
        h[down] = -room_down[down]
        for _ in range(64):  # a point rounded past a bound: halve its step
            taken = (flat + h) - flat
            point = flat + taken
            past = (point < lb) | (point > ub)
            if not past.any():
                break
            h[past] /= 2
    return h
