"""Error estimates of finite differences, and the choice between estimates made at different steps.

An estimate ``D(h)`` of ``f'`` errs by truncation (the scheme's ``c h**p + ...``) and by rounding
(each value of ``f`` is only known to about ``eps |f|``, and the scheme divides their weighted sum by
``h``). Both parts are estimated from the values of ``f`` an evaluator recorded:

- **rounding**: ``NOISE * eps * max|f at the points| * sum|weights| / (denominator * h)`` -- the
  worst case of the scheme's sum when each value is off by ``NOISE * eps`` of the largest one
  (``eps`` of x's dtype, at least float64's); and, for a step used as given (a float ``h``, not
  the distance its points take), ``|estimate| * sum|weights * (point - x - offset * h)| / (denominator * h)``
  for the points that rounded away from ``x + offset * h``;
- **truncation of a fixed-order scheme**: from the same scheme at ``h / 2``,
  ``|D(h) - D(h/2)| * 2**p / (2**p - 1)`` (the ``h**p`` term, by Richardson's argument), doubled for
  safety; where the two differ by ``QMAX`` of the estimate or more, the steps are outside the range
  where that argument holds, and the status says the estimate is not reliable;
- **a complex step** (:func:`complex_step`): no subtraction, so no cancellation to bound: the error of
  evaluating ``f'`` through ``f``'s operations, ``NOISE eps (|f'| + |x f''|)`` (``f''`` from a real second
  difference);
- **truncation of an extrapolation** ``R = (2**p D(h/2) - D(h)) / (2**p - 1)`` of order ``r``: its
  ``h**r`` term is not measured by two steps; with ``q = |D(h) - D(h/2)| / |R|`` (the relative size
  of the ``h**p`` term, ~ ``(h / L)**p`` for a function that varies on a scale ``L``) the next term
  is ~ ``q**((r - p) / p)`` times the measured one (``q`` for central differences, ``r = p + 2``;
  ``sqrt(q)`` for one-sided ones, ``r = p + 1``), so that is the estimate. Where ``q`` is not small
  (``>= QMAX``) the step is outside the range where the series holds: the estimate is then the
  whole ``|D(h) - D(h/2)|`` and the status says it is not reliable. That model misses the ``h**r`` term
  where the ``h**p`` term happens to vanish (``f^(3)`` crossing 0): with ``full_output`` the base difference
  is also taken at ``h / 4``, and the extrapolation from ``h / 2`` and ``h / 4``, ``R'``, measures the
  ``h**r`` term directly, ``2 * 2**r / (2**r - 1) |R - R'|`` (Richardson's argument one level up, doubled;
  it holds the rounding of ``R'`` too, which is not taken out: where the vanishing term is what is measured,
  the two are of a size); the larger of the two is the estimate, and ``|R - R'|`` of ``QMAX |R|`` or more is
  not reliable.

The rounding part is a bound, kept even where ``f``'s values happen to be exact (``x + y`` at power-of-two
steps: 5e-12, where numdifftools reports below 1e-13). Nothing in the values tells exact ones from rounded
ones: those of ``sqrt(1 + x**2)`` near ``x = 1e-5`` at the small second step lie exactly on a line too
(each is off by up to half a unit in the last place, in a pattern linear over the points), their
derivative is off by 4 %, and an estimate built on their agreement (numdifftools') says 1e-20.

The rounding term dominates at the automatic steps for most functions, so the estimate sits a few
times above the real error (the accuracy tests check it never sits below it where the error matters).

Status codes follow ``scipy.differentiate``: :data:`CONVERGED` (0), :data:`UNRELIABLE` (-1: the
estimate could not be trusted, the steps were outside the asymptotic range), :data:`NOT_FINITE`
(-3: ``f`` returned inf or NaN at a point, or the estimate is not finite).

The functions here meet infinities and NaNs by design: call them under ``np.errstate(all="ignore")``.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.diff._core.richardson import richardson
from fastgd.diff._core.schemes import Scheme

CONVERGED: int = 0
UNRELIABLE: int = -1
NOT_FINITE: int = -3
#: The status codes of :class:`fastgd.diff.GradientInfo` and :class:`fastgd.diff.HessianInfo`, and what they mean.
STATUS: dict[int, str] = {CONVERGED: "converged", UNRELIABLE: "the error estimate is not reliable",
                          NOT_FINITE: "a value of f, or the estimate, is not finite"}

NOISE: float = 2.0  #: each value of f is taken to be off by up to NOISE * eps of the largest value
QMAX: float = 1e-2  #: the h**p term above this fraction of the estimate: outside the asymptotic range
ACCEPT: float = 2e-9  #: an extrapolation whose relative error estimate exceeds this is tried at a better step
RESCALE: float = 1e3  #: ... at most this factor smaller than the first step
LARGEST: float = 0.125  #: ... and at most this fraction of the scale of x (the first step is eps**(1/(p+1)) of it)
SAFETY: float = 10.0  #: a Hessian's h**4 term taken as SAFETY * q times its measured h**2 term

Floats = npt.NDArray[np.float64]


@dataclass
class Estimates:
    """Estimates of the derivative along each element (flat, C order), with what is known of their error."""

    value: npt.NDArray[np.floating[Any]]  #: the estimate, in the dtype of x
    error: Floats  #: its error estimate (rounding + truncation), or NaN where not estimated
    rounding: Floats  #: the rounding part of ``error``
    truncation: Floats  #: the truncation part of ``error``
    status: npt.NDArray[np.int8]
    step: Floats  #: the step taken (for exact steps: the points' distance over the row's denominator)

    def take(self, other: Estimates, where: npt.NDArray[np.bool_]) -> None:
        """Replace this estimate with ``other``'s where ``where`` is True."""
        for field in fields(self):
            np.copyto(getattr(self, field.name), getattr(other, field.name), where=where)


def rounding(scheme: Scheme, largest: Floats, step: Floats, eps: float) -> Floats:
    """The rounding part of the error of ``scheme``'s estimate, from the largest ``|f|`` at each element's points."""
    return largest * (NOISE * eps * _gain(scheme)) / step


def misplacement(scheme: Scheme, x: npt.NDArray[Any], step: Floats) -> Floats:
    """The relative error of an estimate whose points rounded away from ``x + offset * step``
    (the textbook's default step, divided by ``denominator * h``), computed as the loops place them."""
    wide = x.astype(np.float64)
    moved = np.zeros(x.shape)
    for offset, weight in zip(scheme.offsets, scheme.weights, strict=True):
        point = (x + (offset * step).astype(x.dtype)).astype(np.float64)
        moved += abs(weight) * np.abs(point - wide - offset * step)
    relative: Floats = moved / (abs(scheme.denominator) * step)
    return relative


def _gain(scheme: Scheme) -> float:
    """How much the scheme magnifies an error in its values: ``sum |weights| / denominator``."""
    hit = _GAINS.get(id(scheme))
    if hit is None or hit[0] is not scheme:  # keyed by identity: hashing a row costs more than this
        gain = float(sum(abs(w) for w in scheme.weights) + abs(scheme.centre_weight)) / abs(scheme.denominator)
        hit = _GAINS[id(scheme)] = (scheme, gain)
    return hit[1]


_GAINS: dict[int, tuple[Scheme, float]] = {}


def _largest(values: Floats) -> Floats:
    """The largest ``|f|`` at each element's points (NaN if one is NaN, inf if one is infinite)."""
    largest: Floats = np.abs(values).max(axis=1)
    return largest


def _levels(scheme: Scheme) -> tuple[Floats, Floats, float]:
    """For an extrapolated row: ``D(h) - D(h/2)`` and ``D(h/2)`` as weights over its value columns (divide by
    ``h``), and the exponent of ``q`` in its truncation estimate."""
    hit = _LEVELS.get(id(scheme))
    if hit is None or hit[0] is not scheme:
        assert scheme.levels is not None
        coarse, fine = (np.array([*level.weights, level.centre_weight][:scheme.value_columns], dtype=np.float64)
                        for level in scheme.levels)
        denominator = scheme.levels[0].denominator
        base = scheme.levels[0].order
        hit = _LEVELS[id(scheme)] = (scheme, (coarse - fine) / denominator, fine / denominator,
                                     (scheme.order - base) / base)
    return hit[1], hit[2], hit[3]


_LEVELS: dict[int, tuple[Scheme, Floats, Floats, float]] = {}


def _status(value: Floats, largest: Floats, reliable: npt.NDArray[np.bool_]) -> npt.NDArray[np.int8]:
    """CONVERGED where ``reliable``, else UNRELIABLE; NOT_FINITE where the value or a value of ``f`` is not finite."""
    status: npt.NDArray[np.int8] = reliable.view(np.int8) - np.int8(1)
    status[~np.isfinite(largest * 0.0 + value)] = NOT_FINITE
    return status


def extrapolation(scheme: Scheme, value: Floats, values: Floats, step: Floats, eps: float,
                  quarter: Floats | None = None) -> Estimates:
    """The estimates of an extrapolated row (:func:`fastgd.diff._core.schemes.extrapolated`) and their errors;
    ``quarter``: the row's base at ``h / 4`` (for a measured truncation, see the module docstring)."""
    weights, fine_weights, exponent = _levels(scheme)
    difference = values @ weights / step  # D(h) - D(h/2)
    change = np.abs(difference)
    q = change / np.abs(value)
    reliable = q < QMAX
    truncation = np.where(reliable, (q if exponent == 1 else q**exponent) * change, change)
    largest = _largest(values)
    noise = rounding(scheme, largest, step, eps)
    if quarter is not None:
        assert scheme.base is not None  # an extrapolated row knows its base
        half = values @ fine_weights / step  # D(h/2)
        numerator, divisor = richardson(quarter, half, scheme.base.order)
        later = numerator / divisor  # the extrapolation from h/2 and h/4
        gain = 2.0**scheme.order
        measured = np.abs(value - later)
        truncation = np.maximum(truncation, 2 * gain / (gain - 1) * measured)
        reliable &= measured < QMAX * np.abs(value)
    return Estimates(value, noise + truncation, noise, truncation, _status(value, largest, reliable), step)


def two_steps(scheme: Scheme, value: Floats, values: Floats, half: Floats, half_values: Floats, step: Floats,
              eps: float) -> Estimates:
    """The estimates ``value`` of a fixed-order ``scheme`` at ``step``, with their errors from the
    same scheme at ``step / 2`` (``half``, from ``half_values``)."""
    gain = 2.0**scheme.order
    change = np.abs(value - half)
    truncation = 2 * gain / (gain - 1) * change
    reliable = change < QMAX * np.abs(value)
    largest = _largest(values)
    noise = rounding(scheme, largest, step, eps)
    return Estimates(value, noise + truncation, noise, truncation,
                     _status(value, np.maximum(largest, _largest(half_values)), reliable), step)


def second_differences(values: Floats, first: Floats, second: Floats) -> tuple[Floats, Floats]:
    """``f''`` from ``f`` at ``x + t1``, ``x + t2`` and ``x`` (``values`` columns; ``first`` = ``t1``, ``second`` =
    ``t2``, the points' distances from ``x``, on either side): the second derivative of the parabola through
    the three points, ``((f1 - f0) / t1 - (f2 - f0) / t2) / ((t1 - t2) / 2)`` -- ``(f+ + f- - 2 f0) / h**2`` where
    ``t1 = h = -t2``; and how much it magnifies an error in the values, ``|a1| + |a2| + |a1 + a2|`` for
    ``f'' = a1 f1 + a2 f2 - (a1 + a2) f0``."""
    plus, minus, centre = values[:, 0], values[:, 1], values[:, 2]
    estimate: Floats = ((plus - centre) / first - (minus - centre) / second) / ((first - second) / 2)
    a1, a2 = 2 / (first * (first - second)), -2 / (second * (first - second))
    gain: Floats = np.abs(a1) + np.abs(a2) + np.abs(a1 + a2)
    return estimate, gain


def complex_step(two_step: Estimates, second: Floats, second_noise: Floats, x: npt.NDArray[Any],
                 eps: float) -> Estimates:
    """A complex step's estimates and errors: those of :func:`two_steps` (its truncation ``h**2 |f^(3)| / 6``
    from the step and its half, and the rounding of ``Im f``, ``NOISE eps |f'|``) and the rounding of ``x``
    inside ``f``: a complex step differentiates ``f`` as its operations compute it, and one that rounds ``x``
    (``10 x``, ``x + c``: ``x (1 + eps)``) moves ``f'`` by ``eps |x f''|``. So ``NOISE eps |x| (|f''| + its
    noise)`` is added, ``f''`` from a real second difference (``second``, its rounding bound ``second_noise``;
    NaN where it could not be taken: not reliable there)."""
    curvature = np.abs(second) + second_noise
    known = np.isfinite(curvature)
    moved = NOISE * eps * np.abs(x.astype(np.float64)) * np.where(known, curvature, 0.0)
    status = np.where(known, two_step.status, np.minimum(two_step.status, UNRELIABLE)).astype(np.int8)
    return Estimates(two_step.value, two_step.error + moved, two_step.rounding + moved, two_step.truncation, status,
                     two_step.step)


def single(scheme: Scheme, value: Floats, values: Floats, step: Floats, eps: float) -> Estimates:
    """Estimates whose truncation error is not measured (NaN): only the rounding part is known."""
    largest = _largest(values)
    nan = np.full(value.shape, np.nan)
    return Estimates(value, nan, rounding(scheme, largest, step, eps), nan.copy(),
                     _status(value, largest, np.ones(value.shape, bool)), step)


def improves(current: Estimates, candidate: Estimates) -> npt.NDArray[np.bool_]:
    """Where ``candidate`` is the better estimate: finite where ``current`` is not, reliable where
    ``current`` is not, else a smaller error estimate."""
    finite, finite_new = current.status != NOT_FINITE, candidate.status != NOT_FINITE
    reliable, reliable_new = current.status == CONVERGED, candidate.status == CONVERGED
    smaller = candidate.error < current.error
    better: npt.NDArray[np.bool_] = (finite_new & ~finite) | (
        finite_new & (reliable_new & ~reliable | (reliable_new == reliable) & smaller))
    return better


def smaller_step_wins(current: Estimates, candidate: Estimates) -> npt.NDArray[np.bool_]:
    """For a fixed-order scheme tried at a large step (``current``) and a small one (``candidate``):
    where the small step's estimate is the better one. It is where the two differ by more than their
    rounding errors can explain (so the large step's truncation error shows), or where they agree
    and the small step's rounding error is the smaller, or where only the small step's is finite."""
    agree = np.abs(current.value - candidate.value) <= current.rounding + candidate.rounding
    quieter = candidate.rounding < current.rounding
    wins: npt.NDArray[np.bool_] = (candidate.status != NOT_FINITE) & (~agree | quieter)
    return wins


def rescaling(estimates: Estimates, order: int, power: float) -> tuple[npt.NDArray[np.bool_], Floats | None]:
    """Where an extrapolation is worth another try, and by what factor to scale its step there.

    The error at ``s`` times the step is modelled as ``truncation * s**order + rounding / s``,
    least at ``s = (rounding / (order * truncation)) ** (1 / (order + 1))``, between ``1 / RESCALE`` and
    ``LARGEST / power`` (``power``: the first step's fraction of the scale of ``x``, so that a larger step
    stays within ``LARGEST`` of that scale). An element is tried again if its error estimate exceeds
    :data:`ACCEPT` times its value, or the median value if that is larger (an element of a sum whose
    derivative is far below the others' is limited by the rounding of the whole sum: a second try
    there costs four more evaluations for little), and the model promises at most half the error.
    """
    magnitude = np.abs(estimates.value)
    retry = ~(estimates.error <= ACCEPT * magnitude) & (estimates.status != NOT_FINITE)
    if not retry.any():
        return retry, None
    middle = magnitude.size // 2
    retry &= ~(estimates.error <= ACCEPT * np.partition(magnitude, middle)[middle])  # the median value
    if not retry.any():
        return retry, None
    t, r = estimates.truncation, estimates.rounding
    scale = np.minimum(np.maximum((r / (order * t)) ** (1.0 / (order + 1)), 1 / RESCALE), max(1.0, LARGEST / power))
    promised = t * scale**order + r / scale
    return retry & (promised < 0.5 * estimates.error), np.where(np.isfinite(scale), scale, 1.0)


def empty(size: int, dtype: np.dtype[Any]) -> Estimates:
    """Estimates of ``size`` elements (values of ``dtype``), all NaN: filled pass by pass."""
    nan = np.full(size, np.nan)
    return Estimates(nan.astype(dtype), nan.copy(), nan.copy(), nan.copy(), np.full(size, NOT_FINITE, np.int8),
                     nan.copy())


def hessian_extrapolation(fine: Floats, coarse: Floats, result: Floats, noise: Floats, finer: Floats | None = None
                          ) -> tuple[Floats, npt.NDArray[np.int8]]:
    """The error estimate and status of a Hessian's Richardson extrapolation ``R = (4 fine - coarse) / 3``
    (``result``; steps h and 2h).

    ``noise``: the rounding error bound of ``fine``. The extrapolation's rounding error is at most
    ``(4 noise + noise / 4) / 3``; its truncation error, the ``h**4`` term, is not measured by two
    steps: with ``q = |fine - coarse| / |R|`` (the relative size of the ``h**2`` term, ``~ (h/L)**2``
    for a function varying on a scale ``L``) it is about ``q`` times the measured term; mixed entries'
    cross terms make it larger, so the estimate is ``SAFETY * q |fine - coarse|``, at most the whole
    difference. Where it is the whole difference and exceeds the rounding bound, the steps are outside
    the range where the series holds: status UNRELIABLE. That model misses the ``h**4`` term where the
    ``h**2`` one happens to vanish; ``finer`` (the Hessian at ``h / 2``, with ``full_output``) measures it: the
    extrapolation from ``h / 2`` and ``h``, ``R'``, gives ``2 * 16/15 |R - R'|`` (Richardson's argument one level
    up, doubled; the rounding of ``R'`` it holds is not taken out), and the estimate is the larger of the two;
    where ``|R - R'|`` is beyond both ``QMAX |R|`` and the rounding bounds of ``R`` and ``R'`` (``17/12`` and
    ``17/3`` noise), UNRELIABLE.
    """
    difference = np.abs(fine - coarse)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(difference > 0, difference / np.abs(result), 0.0)
    truncation = np.minimum(SAFETY * q, 1.0) * difference
    rounding = noise * (17 / 12)
    unreliable = (SAFETY * q >= 1.0) & (truncation > rounding)
    if finer is not None:
        numerator, divisor = richardson(finer, fine, 2)
        measured = np.abs(result - numerator / divisor)
        truncation = np.maximum(truncation, 2 * 16 / 15 * measured)
        unreliable |= ~(measured < QMAX * np.abs(result)) & (measured > noise * (17 / 12 + 17 / 3))
    status = np.where(unreliable, UNRELIABLE, CONVERGED).astype(np.int8)
    return rounding + truncation, status
