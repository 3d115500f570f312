"""Finite-difference schemes: the points to evaluate around ``x``, how their values combine, and every
other fact about a scheme, on its row.

A scheme is a row of data, written once: every evaluator runs any row, and the compiled loops read
the same numbers through :attr:`Scheme.compiled`. :data:`SCHEMES` holds the rows ``method=`` names;
:data:`Method` is their names for the type checker (checked against the table when this module loads,
as is every row's behaviour beside bounds). Adding a method is adding its row here (and its twin in
:mod:`fastgd.reference`): the public functions, the tests and the benchmarks read the table.
"""
from __future__ import annotations

import typing
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from fastgd.diff import _kernels
from fastgd.diff._core.richardson import richardson
from fastgd.diff._core.values import imaginary_part, real_value


@dataclass(frozen=True)
class Scheme:
    """How to estimate a derivative along ``e_i`` from values of ``f``.

    ``f`` is evaluated at ``x + offsets[k] * h * e_i`` for each point ``k`` (and at ``x`` itself
    when ``centre_weight`` is not 0); the estimate is
    ``(weights[0] * f_0 + weights[1] * f_1 + ... + centre_weight * f(x)) / divisor``, summed left to
    right, where the divisor is the distance the points take, ``weights[0] * (x_0 - x) + ...``
    (:func:`fastgd.diff._core.steps.distances`: ``(x + h) - (x - h)`` for the central difference),
    or, for the textbook's default step, ``denominator * h``. Integer weights keep numpy's scalar
    rules: multiplying a float32 value by 1 or -1 leaves it a float32, so the textbook's central
    difference, ``(f(x + h) - f(x - h)) / (2 * h)``, is this sum bit for bit.

    Attributes
    ----------
    name : str
        The ``method=`` that selects it.
    offsets : tuple of float
        Point ``k`` is ``x + offsets[k] * h * e_i``.
    weights : tuple of int or float
        Weight of ``f`` at point ``k``.
    denominator : int or float
        ``sum_k weights[k] * offsets[k]``: the weighted sum is divided by ``denominator * h`` at the
        textbook's default step (and the points' distance is ``denominator * h`` where they are exact).
    centre_weight : int or float, optional
        Weight of ``f(x)``, evaluated once per point ``x`` (0: not evaluated).
    widened : tuple of bool, optional
        Point ``k`` computed in double precision and then rounded to ``x``'s dtype
        (``float(v) + h``, as the textbook's Korean edition writes it), instead of numpy's
        ``v + h`` in ``x``'s dtype. Only float32 arrays tell the two apart.
    order : int, optional
        The estimate's error shrinks as ``h**order`` (for small ``h``): it sets the automatic
        step and the factor of the error estimate.
    imaginary : bool, optional
        A complex step: point ``k`` is ``x + 1j * offsets[k] * h * e_i`` and each value is the
        imaginary part of ``f``'s complex result. Its points never leave ``x``'s real values, so
        bounds do not concern it.
    levels : tuple of two Scheme, optional
        For an extrapolated row (:func:`extrapolated`): the two difference quotients it
        combines, at ``h`` and ``h / 2``, as rows over this row's points, for the error estimate.
    base : Scheme, optional
        For an extrapolated row: the row it extrapolates (its difference quotient at ``h / 4`` measures
        the extrapolation's own error, :func:`fastgd.diff._core.estimates.extrapolation`).
    sides : tuple of two Scheme, optional
        The rows of the same order used beside a bound: ``(points above x, points below x)``. Every
        row of :data:`SCHEMES` with real points has them (checked when the table is made).
    doubles : bool, optional
        The values are combined as Python floats whatever real type ``f`` returns them in (the
        Hessian's second differences), not with numpy's scalar rules.

    Examples
    --------
    >>> from fastgd.diff._core.schemes import SCHEMES
    >>> central = SCHEMES["central"]
    >>> central.offsets, central.weights, central.denominator
    ((1.0, -1.0), (1, -1), 2)
    >>> central.combine([4.0, 1.0], None, 2 * 0.5)  # (4 - 1) / (2 * 0.5)
    3.0
    >>> [row.name for row in central.sides]
    ['forward3', 'backward3']
    """

    name: str
    offsets: tuple[float, ...]
    weights: tuple[int | float, ...]
    denominator: int | float
    centre_weight: int | float = 0
    widened: tuple[bool, ...] | None = None
    order: int = 2
    imaginary: bool = False
    levels: tuple[Scheme, Scheme] | None = None
    sides: tuple[Scheme, Scheme] | None = field(default=None, compare=False, repr=False)
    base: Scheme | None = field(default=None, compare=False, repr=False)
    doubles: bool = False

    def __post_init__(self) -> None:
        if not 0 < len(self.offsets) <= _kernels.MAX_POINTS or len(self.weights) != len(self.offsets):
            raise ValueError(f"scheme {self.name!r} needs 1 to {_kernels.MAX_POINTS} points, each with a weight")
        if self.widened is None:
            object.__setattr__(self, "widened", (False,) * len(self.offsets))

    @property
    def evaluations_per_element(self) -> int:
        """Calls of ``f`` per element of ``x`` (``f(x)`` itself, once per point, not counted)."""
        return len(self.offsets)

    @property
    def reach(self) -> tuple[float, float]:
        """How far the points go above and below ``x``, in steps: ``(max offset, -min offset)``, each >= 0."""
        return max(0.0, *self.offsets), max(0.0, *(-o for o in self.offsets))

    @property
    def value_columns(self) -> int:
        """Columns of the values an evaluator records per element: one per point, then ``f(x)`` if used."""
        return len(self.offsets) + bool(self.centre_weight)

    @property
    def single_pass(self) -> bool:
        """One pass of the loops at given real steps is the whole estimate: not a complex step (its steps live
        in a complex copy), not an extrapolation (it retries at better steps). The compiled descent takes
        these rows (Jacobians take the complex step too, on a complex copy)."""
        return not self.imaginary and self.levels is None

    @property
    def compiled(self) -> _kernels.Scheme:
        """The scheme as the compiled loops take it (made once per scheme)."""
        compiled = self.__dict__.get("_compiled")
        if compiled is None:
            assert self.widened is not None  # set by __post_init__
            compiled = _kernels.Scheme(self.offsets, self.weights, self.widened, float(self.centre_weight),
                                       float(self.denominator), self.imaginary)
            object.__setattr__(self, "_compiled", compiled)
        return compiled

    def __getstate__(self) -> dict[str, Any]:
        """The row of data, without the compiled copy (which does not pickle): a Scheme ships to workers."""
        return {key: value for key, value in self.__dict__.items() if key != "_compiled"}

    def combine(self, values: Sequence[object], centre: object, divisor: float) -> Any:
        """The estimate from the values at the points (and ``f(x)``), with numpy's scalar rules, over ``divisor``
        (a Python float: ``denominator * h``, or the points' distance).

        Each value is checked to be a real scalar (TypeError otherwise; the imaginary part of a
        complex one for a complex step); a float32 value keeps the sum in float32, as the
        textbook's ``(fxh1 - fxh2) / (2*h)`` does (unless the row combines ``doubles``).
        """
        value_of = imaginary_part if self.imaginary else real_value
        if self.doubles:
            values = [float(value_of(v)) for v in values]
            centre = None if centre is None else float(real_value(centre))
        total = self.weights[0] * value_of(values[0])
        for weight, value in zip(self.weights[1:], values[1:], strict=True):
            total = total + weight * value_of(value)
        if self.centre_weight:
            total = total + self.centre_weight * real_value(centre)
        return total / divisor

    def combine_arrays(self, values: npt.NDArray[Any], centre: Any, divisor: Any) -> Any:
        """:meth:`combine` over stacked values: ``values[..., k]`` at point ``k``, elementwise.

        For a complex step, ``values`` are ``f``'s complex results (their imaginary parts are combined), or
        those imaginary parts already.
        """
        if self.imaginary and values.dtype.kind == "c":
            values = values.imag
        if self.doubles:
            values = values.astype(np.float64, copy=False)
        total = self.weights[0] * values[..., 0]
        for k, weight in enumerate(self.weights[1:], start=1):
            total = total + weight * values[..., k]
        if self.centre_weight:
            total = total + self.centre_weight * centre
        divisor = np.asarray(divisor)
        if total.dtype.kind == "f":  # as a Python float divides a numpy float: in the value's type (NEP 50)
            divisor = divisor.astype(total.dtype)
        return total / divisor


def extrapolated(name: str, base: Scheme, order: int, sides: tuple[Scheme, Scheme] | None = None) -> Scheme:
    """Richardson's extrapolation of ``base`` from steps ``h`` and ``h / 2``, as one row.

    With ``D(h) = f' + c h**p + ...`` (``p = base.order``), ``(2**p D(h/2) - D(h)) / (2**p - 1)``
    cancels the ``h**p`` term (:func:`fastgd.diff._core.richardson.richardson`, applied to the
    weights). The row's points are the union of both steps' points, its weights integers;
    :attr:`Scheme.levels` keeps ``D(h)`` and ``D(h/2)`` for the error estimate. ``order``: the
    extrapolation's own order (``p + 2`` for a symmetric ``base``, ``p + 1`` otherwise).

    Examples
    --------
    >>> from fastgd.diff._core.schemes import SCHEMES, extrapolated
    >>> row = extrapolated("richardson", SCHEMES["central"], order=4)
    >>> row.offsets, row.weights, row.denominator  # (8 (f(h/2) - f(-h/2)) - (f(h) - f(-h))) / (6 h)
    ((1.0, -1.0, 0.5, -0.5), (-1, 1, 8, -8), 6)
    >>> row.levels[1].weights  # D(h/2) = (f(h/2) - f(-h/2)) / h, over the same points
    (0, 0, 2, -2)
    """
    fine = tuple(offset / 2 for offset in base.offsets)
    offsets = tuple(dict.fromkeys(base.offsets + fine))  # the union, in order
    coarse_weights: list[int | float] = [0] * len(offsets)
    fine_weights: list[int | float] = [0] * len(offsets)
    for offset, fine_offset, weight in zip(base.offsets, fine, base.weights, strict=True):
        coarse_weights[offsets.index(offset)] += weight
        fine_weights[offsets.index(fine_offset)] += 2 * weight  # D(h/2): the sum over h/2 = 2 * sum over h
    weights = tuple(richardson(f, c, base.order)[0] for c, f in zip(coarse_weights, fine_weights, strict=True))
    centre, divisor = richardson(2 * base.centre_weight, base.centre_weight, base.order)
    levels = (Scheme(f"{name}: D(h)", offsets, tuple(coarse_weights), base.denominator, base.centre_weight,
                     order=base.order),
              Scheme(f"{name}: D(h/2)", offsets, tuple(fine_weights), base.denominator, 2 * base.centre_weight,
                     order=base.order))
    return Scheme(name, offsets, weights, divisor * base.denominator, centre, order=order, levels=levels,
                  sides=sides, base=base)


# The one-sided rows used beside bounds. Forward and backward differences take each other's row there.
_FORWARD_SIDES = (Scheme("forward", offsets=(1.0,), weights=(1,), denominator=1, centre_weight=-1, order=1),
                  Scheme("backward", offsets=(-1.0,), weights=(-1,), denominator=1, centre_weight=1, order=1))
_FORWARD, _BACKWARD = (replace(row, sides=_FORWARD_SIDES) for row in _FORWARD_SIDES)
# (-3 f(x) + 4 f(x + h) - f(x + 2h)) / (2h) and its mirror
_FORWARD3 = Scheme("forward3", offsets=(1.0, 2.0), weights=(4, -1), denominator=2, centre_weight=-3)
_BACKWARD3 = Scheme("backward3", offsets=(-1.0, -2.0), weights=(-4, 1), denominator=2, centre_weight=3)
# (-25 f(x) + 48 f(x + h) - 36 f(x + 2h) + 16 f(x + 3h) - 3 f(x + 4h)) / (12h) and its mirror
_FORWARD5 = Scheme("forward5", (1.0, 2.0, 3.0, 4.0), (48, -36, 16, -3), 12, -25, order=4)
_BACKWARD5 = Scheme("backward5", (-1.0, -2.0, -3.0, -4.0), (-48, 36, -16, 3), 12, 25, order=4)
_CENTRAL = Scheme("central", offsets=(1.0, -1.0), weights=(1, -1), denominator=2, sides=(_FORWARD3, _BACKWARD3))

#: The ``method=`` names, for the type checker: the keys of :data:`SCHEMES` (checked below).
# A union of one-value Literals, not Literal[...] of all: at run time a Union, as stubtest expects of an alias.
Method: TypeAlias = (Literal["central"] | Literal["forward"] | Literal["backward"] | Literal["central4"]
                     | Literal["complex"] | Literal["richardson"])

#: The schemes by ``method=`` name.
SCHEMES: dict[str, Scheme] = {
    scheme.name: scheme
    for scheme in (
        _CENTRAL,  # (f(x + h) - f(x - h)) / (2h): the textbook's
        _FORWARD,  # (f(x + h) - f(x)) / h
        _BACKWARD,  # (f(x) - f(x - h)) / h
        # (-f(x + 2h) + 8 f(x + h) - 8 f(x - h) + f(x - 2h)) / (12h)
        Scheme("central4", offsets=(2.0, 1.0, -1.0, -2.0), weights=(-1, 8, -8, 1), denominator=12, order=4,
               sides=(_FORWARD5, _BACKWARD5)),
        # Im f(x + ih) / h
        Scheme("complex", offsets=(1.0,), weights=(1,), denominator=1, imaginary=True),
        extrapolated("richardson", _CENTRAL, order=4,
                     sides=(extrapolated("richardson forward", _FORWARD3, order=3),
                            extrapolated("richardson backward", _BACKWARD3, order=3))),
    )
}

#: ``(f(x + h e_i) + f(x - h e_i) - 2 f(x)) / h``: divided by ``h`` once more, the Hessian's second
#: difference on its diagonal (values combined as Python floats). Not a ``method=``.
SECOND = Scheme("second difference", offsets=(1.0, -1.0), weights=(1, 1), denominator=1, centre_weight=-2,
                doubles=True)
#: ``(f(x + 2h e_i) - 2 f(x + h e_i) + f(x)) / h`` and its mirror: second differences from one side, where a
#: bound leaves no room on the other (the complex step's error estimate).
SECOND_SIDES = (Scheme("second difference above", offsets=(1.0, 2.0), weights=(-2, 1), denominator=1,
                       centre_weight=1, doubles=True),
                Scheme("second difference below", offsets=(-1.0, -2.0), weights=(-2, 1), denominator=1,
                       centre_weight=1, doubles=True))


def _check_table() -> None:
    """Every name of :data:`Method` has a row and every row a name; every row with real points says what it
    does beside a bound (its one-sided rows), so a new row cannot silently ignore ``bounds=``."""
    names = {typing.get_args(alias)[0] for alias in typing.get_args(Method)}
    if names != set(SCHEMES):
        raise RuntimeError(f"Method and SCHEMES name different rows: {sorted(names ^ set(SCHEMES))}")
    for row in SCHEMES.values():
        if not row.imaginary and row.sides is None:
            raise RuntimeError(f"scheme {row.name!r} has real points but no one-sided rows for bounds (sides=)")


_check_table()


def scheme(method: object, jacobian: bool = False) -> Scheme:
    """The row ``method=`` names; ValueError for any other (with ``jacobian``, for a row Jacobians do not take:
    an extrapolation, whose retries and estimates are a gradient's)."""
    row = SCHEMES.get(method) if isinstance(method, str) else None
    if row is None:
        raise ValueError(f"method must be one of {', '.join(map(repr, SCHEMES))}, got {method!r}")
    if jacobian and row.levels is not None:
        taken = ", ".join(repr(name) for name, other in SCHEMES.items() if other.levels is None)
        raise ValueError(f"method={method!r} is for gradients (numerical_gradient); Jacobians take {taken}")
    return row
