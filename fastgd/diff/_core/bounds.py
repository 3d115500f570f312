"""Bounds: one-sided points beside a bound, so that ``f`` is never evaluated outside ``[lb, ub]``.

An element whose points (at its step) would leave the box takes one of the row's one-sided rows of the
same order (:attr:`fastgd.diff._core.schemes.Scheme.sides`) on the side that fits; if neither side fits, the
step shrinks to the room on the roomier side (as scipy's ``approx_derivative`` does). Every point
is then checked as the loops compute it, ``x + offset * step`` in ``x``'s dtype, and a step whose
point rounds past a bound is halved.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.diff._core.schemes import Scheme
from fastgd.diff._core.steps import point

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
        room_up, room_down = ub - x, x - lb
        if np.any(neither & (room_up == 0) & (room_down == 0)):
            raise ValueError("bounds: lb == ub leaves no room for a step at some element")
        shrink_up = neither & (room_up >= room_down)
        shrink_down = neither & ~shrink_up
        steps[shrink_up] = np.minimum(steps, room_up / above.reach[0])[shrink_up]
        steps[shrink_down] = np.minimum(steps, room_down / below.reach[1])[shrink_down]
        up |= shrink_up
        down |= shrink_down
    rows = [(scheme, central), (above, up), (below, down)]
    for row, where in rows:
        for _ in range(64):  # a point rounded past a bound: halve its step
            past = where & ~_inside(x, row, steps, lb, ub)
            if not past.any():
                break
            steps[past] /= 2
    return [(row, where, steps) for row, where in rows if where.any()]
