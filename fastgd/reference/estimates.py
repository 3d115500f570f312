"""Error estimates of the twins' finite differences, written from their derivation.

An estimate ``D(h)`` of ``f'`` errs by truncation (the ``c h**p`` terms of the Taylor series the
formula leaves) and by rounding (``f``'s values are only known to about ``eps |f|``, and the formula
divides their weighted sum by ``h``):

- **rounding**: ``NOISE eps max|f at the points| gain / h``, ``gain = (sum |w_k| + |w_0|) / d``:
  the worst case of the weighted sum when each value is off by ``NOISE eps`` of the largest; and,
  for the textbook's default step (divided by ``d h``, not the points' distance),
  ``|D| sum_k |w_k| |x_k - x - c_k h| / (d h)`` for the points that rounded away from ``x + c_k h``;
- **truncation of a fixed-order formula**, from a second estimate at ``h/2``: with
  ``D(h) - D(h/2) ~ c h**p (1 - 2**-p)``, the ``h**p`` term is ``2**p / (2**p - 1) |D(h) - D(h/2)|``,
  taken twice for safety (Richardson's argument); the estimate is not reliable where the two differ by
  :data:`QMAX` of ``|D|`` or more (the steps are outside the range where the series holds);
- **truncation of an extrapolation** ``R = (2**p D(h/2) - D(h)) / (2**p - 1)`` of order ``r``: with
  ``q = |D(h) - D(h/2)| / |R|`` (the relative size of the ``h**p`` term, ~ ``(h / L)**p`` for a
  function varying on a scale ``L``) the next term is ~ ``q**((r - p) / p)`` times the measured one;
  where ``q >= QMAX`` the whole ``|D(h) - D(h/2)|``, not reliable.

Statuses as ``scipy.differentiate`` names them: :data:`CONVERGED` (0), :data:`UNRELIABLE` (-1),
:data:`NOT_FINITE` (-3, a value of ``f`` or the estimate is not finite).

Richardson's second try (:func:`rescaling`) models the error at ``s`` times the step as
``t s**r + n / s`` (``t``, ``n``: the truncation and rounding parts), least at
``s = (n / (r t))**(1 / (r + 1))``.

The arithmetic is elementwise over flat arrays, in the order written: the values and steps of an
element decide its estimate alone. Call these under ``np.errstate(all="ignore")``.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from fastgd.reference.schemes import Row

Array = npt.NDArray[Any]
Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

CONVERGED: int = 0
UNRELIABLE: int = -1
NOT_FINITE: int = -3

NOISE: float = 2.0  #: each value of f taken to be off by up to NOISE * eps of the largest value
QMAX: float = 1e-2  #: the h**p term beyond this fraction of the estimate: outside the asymptotic range
ACCEPT: float = 2e-9  #: an extrapolation whose error estimate exceeds this fraction of its value is tried again
RESCALE: float = 1e3  #: ... at most this factor smaller a step
LARGEST: float = 0.125  #: ... and at most this fraction of the scale of x


@dataclass
class Estimates:
    """Estimates of the derivative along each element (flat, C order) and what is known of their error."""

    value: Array  #: in x's dtype
    error: Floats  #: rounding + truncation, NaN where not estimated
    rounding: Floats
    truncation: Array
    status: npt.NDArray[np.int8]
    step: Floats

    def take(self, other: Estimates, where: Mask) -> None:
        """``other``'s estimates where ``where`` is True."""
        for field in fields(self):
            np.copyto(getattr(self, field.name), getattr(other, field.name), where=where)

    def improve(self, other: Estimates, where: Mask) -> None:
        """``other``'s estimates where ``where`` is True and they are better (:func:`better`)."""
        with np.errstate(all="ignore"):
            self.take(other, where & better(self, other))

    def add_rounding(self, more: Floats) -> None:
        """Add ``more`` to the rounding part and to the error."""
        self.rounding = self.rounding + more
        self.error = self.error + more


def unset(size: int, dtype: np.dtype[Any]) -> Estimates:
    """``size`` estimates, all NaN and NOT_FINITE, to fill."""
    nan = np.full(size, np.nan)
    return Estimates(nan.astype(dtype), nan.copy(), nan.copy(), nan.copy(), np.full(size, NOT_FINITE, np.int8),
                     nan.copy())


def _largest(values: Floats) -> Floats:
    """The largest ``|f|`` over each element's points (NaN if one is NaN)."""
    largest: Floats = np.abs(values).max(axis=1)
    return largest


def _status(value: Array, largest: Floats, reliable: Mask) -> npt.NDArray[np.int8]:
    """CONVERGED where ``reliable``, else UNRELIABLE; NOT_FINITE where the estimate or a value is not finite."""
    status = np.where(reliable, CONVERGED, UNRELIABLE).astype(np.int8)
    status[~np.isfinite(largest * 0.0 + value)] = NOT_FINITE
    return status


def rounding(row: Row, largest: Floats, step: Floats, eps: float) -> Floats:
    """The rounding part: ``largest * (NOISE eps gain) / step``."""
    noise: Floats = largest * (NOISE * eps * row.gain) / step
    return noise


def misplacement(row: Row, flat: Array, step: Floats) -> Floats:
    """``sum_k |w_k| |x_k - x - c_k h| / (|d| h)``: how far a given step's points ``x_k`` (computed in x's
    dtype) fell from ``x + c_k h``, relative to the estimate."""
    wide = flat.astype(np.float64)
    moved = np.zeros(flat.shape)
    for offset, weight in zip(row.offsets, row.weights, strict=True):
        point = (flat + (offset * step).astype(flat.dtype)).astype(np.float64)
        moved += abs(weight) * np.abs(point - wide - offset * step)
    relative: Floats = moved / (abs(row.denominator) * step)
    return relative


def without_estimate(value: Array, step: Floats) -> Estimates:
    """Estimates with no error estimate (status 0)."""
    nan = np.full(value.shape, np.nan)
    return Estimates(value, nan, nan, nan, np.zeros(value.shape, np.int8), step)


def rounding_only(row: Row, value: Array, values: Floats, step: Floats, eps: float) -> Estimates:
    """Estimates whose truncation error is not measured: the error is NaN, the rounding part is known."""
    largest = _largest(values)
    nan = np.full(value.shape, np.nan)
    return Estimates(value, nan, rounding(row, largest, step, eps), nan.copy(),
                     _status(value, largest, np.ones(value.shape, bool)), step)


def two_steps(row: Row, value: Array, values: Floats, half: Array, half_values: Floats, step: Floats,
              eps: float) -> Estimates:
    """A fixed-order row's estimates at ``step`` with their truncation error from the same row at ``step / 2``."""
    gain = 2.0**row.order
    change = np.abs(value - half)  # in x's dtype, as the estimates are
    truncation = 2 * gain / (gain - 1) * change
    reliable = change < QMAX * np.abs(value)
    largest = _largest(values)
    noise = rounding(row, largest, step, eps)
    return Estimates(value, noise + truncation, noise, truncation,
                     _status(value, np.maximum(largest, _largest(half_values)), reliable), step)


def extrapolation(row: Row, value: Array, values: Floats, step: Floats, eps: float,
                  quarter: Floats | None = None) -> Estimates:
    """An extrapolated row's estimates and their errors, from ``D(h) - D(h/2)`` over the same values; with
    ``quarter`` (the base formula at ``h/4``), also from the extrapolation at ``h/2`` and ``h/4``,
    ``R' = (2**p D(h/4) - D(h/2)) / (2**p - 1)``: ``R - R' = (1 - 2**-r) c h**r`` measures ``R``'s own
    ``h**r`` term, ``2**r / (2**r - 1) |R - R'|``, doubled; the estimate is the larger of the two models, and
    not reliable where ``|R - R'|`` is ``QMAX |R|`` or more."""
    assert row.levels is not None
    coarse, fine = row.levels
    columns = row.columns
    fine_weights = np.array([*fine.weights, fine.centre_weight][:columns], dtype=np.float64)
    weights = (np.array([*coarse.weights, coarse.centre_weight][:columns], dtype=np.float64)
               - fine_weights) / coarse.denominator
    exponent = (row.order - coarse.order) / coarse.order
    change = np.abs(values @ weights) / step  # |D(h) - D(h/2)|
    q = change / np.abs(value)
    reliable = q < QMAX
    next_term = q if exponent == 1 else np.sqrt(q) if exponent == 0.5 else q**exponent
    truncation = np.where(reliable, next_term * change, change)
    largest = _largest(values)
    noise = rounding(row, largest, step, eps)
    if quarter is not None:
        half = values @ (fine_weights / fine.denominator) / step  # D(h/2)
        power = 2**coarse.order
        later = (power * quarter - half) / (power - 1)
        gain = 2.0**row.order
        measured = np.abs(value - later)
        truncation = np.maximum(truncation, 2 * gain / (gain - 1) * measured)
        reliable = reliable & (measured < QMAX * np.abs(value))
    return Estimates(value, noise + truncation, noise, truncation, _status(value, largest, reliable), step)


def second_derivative(f1: Any, f2: Any, f0: Any, t1: Any, t2: Any) -> tuple[Any, Any]:
    """``f''`` from ``f`` at ``x + t1``, ``x + t2`` and ``x`` (the points' distances from ``x``, either side): the
    second derivative of the parabola through them, ``((f1 - f0) / t1 - (f2 - f0) / t2) / ((t1 - t2) / 2)``; and
    ``|a1| + |a2| + |a1 + a2|``, how much it magnifies errors in the values (``f'' = a1 f1 + a2 f2 - (a1 + a2)
    f0``, ``a1 = 2 / (t1 (t1 - t2))``, ``a2 = -2 / (t2 (t1 - t2))``)."""
    second = ((f1 - f0) / t1 - (f2 - f0) / t2) / ((t1 - t2) / 2)
    a1, a2 = 2 / (t1 * (t1 - t2)), -2 / (t2 * (t1 - t2))
    return second, abs(a1) + abs(a2) + abs(a1 + a2)


def complex_step(two_step: Estimates, second: Floats, second_noise: Floats, flat: Array, eps: float) -> Estimates:
    """The complex step's estimates and their errors: :func:`two_steps`' (the truncation from the step and its
    half, the rounding ``NOISE eps |f'|`` of ``Im f``), plus the rounding of ``x`` inside ``f`` -- ``eps |x|``
    moves ``f'`` by ``eps |x f''|``: ``NOISE eps |x| (|f''| + its noise)``; not reliable where ``f''`` is not
    known (NaN)."""
    curvature = np.abs(second) + second_noise
    known = np.isfinite(curvature)
    moved = NOISE * eps * np.abs(flat.astype(np.float64)) * np.where(known, curvature, 0.0)
    status = np.where(known, two_step.status, np.minimum(two_step.status, UNRELIABLE)).astype(np.int8)
    return Estimates(two_step.value, two_step.error + moved, two_step.rounding + moved, two_step.truncation, status,
                     two_step.step)


def better(current: Estimates, candidate: Estimates) -> Mask:
    """Where ``candidate`` is better: finite where ``current`` is not; else, finite, converged where
    ``current`` is not, or as converged and with a smaller error estimate."""
    finite, finite_new = current.status != NOT_FINITE, candidate.status != NOT_FINITE
    converged, converged_new = current.status == CONVERGED, candidate.status == CONVERGED
    smaller = candidate.error < current.error
    wins: Mask = (finite_new & ~finite) | (finite_new & ((converged_new & ~converged)
                                                         | ((converged_new == converged) & smaller)))
    return wins


def smaller_step_wins(current: Estimates, candidate: Estimates) -> Mask:
    """Of a fixed-order estimate at a large step (``current``) and at a small one: where the small one wins.

    Where the two differ by more than their rounding errors explain, the large step's truncation error
    shows; where they agree, the quieter one wins; a non-finite small-step estimate never does.
    """
    agree = np.abs(current.value - candidate.value) <= current.rounding + candidate.rounding
    quieter = candidate.rounding < current.rounding
    wins: Mask = (candidate.status != NOT_FINITE) & (~agree | quieter)
    return wins


def rescaling(best: Estimates, order: int, power: float) -> tuple[Mask, Floats | None]:
    """Where an extrapolation is tried again, and the factor on its step there (None: nowhere).

    Tried again: an error estimate above :data:`ACCEPT` of ``|value|`` and of the median ``|value|``
    (an element whose derivative is far below the others' is limited by the rounding of the whole sum),
    where the model promises at most half the error. The factor ``(n / (r t))**(1/(r+1))`` is kept
    between ``1 / RESCALE`` and ``max(1, LARGEST / power)`` (``power``: the first step's fraction of the
    scale of x).
    """
    magnitude = np.abs(best.value)
    retry = ~(best.error <= ACCEPT * magnitude) & (best.status != NOT_FINITE)
    if not retry.any():
        return retry, None
    middle = magnitude.size // 2
    median = np.partition(magnitude, middle)[middle]
    retry &= ~(best.error <= ACCEPT * median)
    if not retry.any():
        return retry, None
    t, n = best.truncation, best.rounding
    scale = np.minimum(np.maximum((n / (order * t)) ** (1.0 / (order + 1)), 1 / RESCALE),
                       max(1.0, LARGEST / power))
    promised = t * scale**order + n / scale
    return retry & (promised < 0.5 * best.error), np.where(np.isfinite(scale), scale, 1.0)
