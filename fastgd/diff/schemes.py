"""Finite-difference schemes: the points to evaluate around ``x`` and how their values combine.

A scheme is a row of data, written once: every evaluator (:mod:`fastgd.diff.evaluators`) runs
any scheme, and the compiled loops read the same numbers through :attr:`Scheme.compiled`.
"""
from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.diff import _kernels

#: What ``f`` may return: a real number (a 0-d array holding one is unwrapped first).
_REAL_SCALARS = (numbers.Real, np.integer, np.floating)


def real_value(r: object) -> Any:
    """``r`` (a 0-d array unwrapped) if it is a real scalar, else raise TypeError."""
    if isinstance(r, np.ndarray):
        if r.ndim != 0:
            raise TypeError(f"f must return a real scalar, got an array of shape {r.shape}")
        r = r[()]
    if isinstance(r, (bool, np.bool_)) or not isinstance(r, _REAL_SCALARS):
        raise TypeError(f"f must return a real scalar, got {type(r).__name__}")
    return r


@dataclass(frozen=True)
class Scheme:
    """How to estimate a derivative along ``e_i`` from values of ``f``.

    ``f`` is evaluated at ``x + offsets[k] * h * e_i`` for each point ``k`` (and at ``x`` itself
    when ``centre_weight`` is not 0); the estimate is
    ``(weights[0] * f_0 + weights[1] * f_1 + ... + centre_weight * f(x)) / (denominator * h)``,
    summed left to right. Integer weights keep numpy's scalar rules: multiplying a float32 value
    by 1 or -1 leaves it a float32, so the textbook's central difference,
    ``(f(x + h) - f(x - h)) / (2 * h)``, is this sum bit for bit.

    Attributes
    ----------
    name : str
        The ``method=`` that selects it.
    offsets : tuple of float
        Point ``k`` is ``x + offsets[k] * h * e_i``.
    weights : tuple of int or float
        Weight of ``f`` at point ``k``.
    denominator : int or float
        The weighted sum is divided by ``denominator * h``.
    centre_weight : int or float, optional
        Weight of ``f(x)``, evaluated once per point ``x`` (0: not evaluated).
    widened : tuple of bool, optional
        Point ``k`` computed in double precision and then rounded to ``x``'s dtype
        (``float(v) + h``, as the textbook's Korean edition writes it), instead of numpy's
        ``v + h`` in ``x``'s dtype. Only float32 arrays tell the two apart.

    Examples
    --------
    >>> from fastgd.diff.schemes import SCHEMES
    >>> central = SCHEMES["central"]
    >>> central.offsets, central.weights, central.denominator
    ((1.0, -1.0), (1, -1), 2)
    >>> central.combine([4.0, 1.0], None, 0.5)  # (4 - 1) / (2 * 0.5)
    3.0
    """

    name: str
    offsets: tuple[float, ...]
    weights: tuple[int | float, ...]
    denominator: int | float
    centre_weight: int | float = 0
    widened: tuple[bool, ...] | None = None

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
    def compiled(self) -> _kernels.Scheme:
        """The scheme as the compiled loops take it (made once per scheme)."""
        compiled = self.__dict__.get("_compiled")
        if compiled is None:
            assert self.widened is not None  # set by __post_init__
            compiled = _kernels.Scheme(self.offsets, self.weights, self.widened, float(self.centre_weight),
                                       float(self.denominator))
            object.__setattr__(self, "_compiled", compiled)
        return compiled

    def __getstate__(self) -> dict[str, Any]:
        """The row of data, without the compiled copy (which does not pickle): a Scheme ships to workers."""
        return {key: value for key, value in self.__dict__.items() if key != "_compiled"}

    def combine(self, values: Sequence[object], centre: object, h: float) -> Any:
        """The estimate from the values at the points (and ``f(x)``), with numpy's scalar rules.

        Each value is checked to be a real scalar (TypeError otherwise); a float32 value keeps
        the sum in float32, as the textbook's ``(fxh1 - fxh2) / (2*h)`` does.
        """
        total = self.weights[0] * real_value(values[0])
        for weight, value in zip(self.weights[1:], values[1:], strict=True):
            total = total + weight * real_value(value)
        if self.centre_weight:
            total = total + self.centre_weight * real_value(centre)
        return total / (self.denominator * h)

    def combine_arrays(self, values: npt.NDArray[Any], centre: Any, h: Any) -> Any:
        """:meth:`combine` over stacked values: ``values[..., k]`` at point ``k``, elementwise."""
        total = self.weights[0] * values[..., 0]
        for k, weight in enumerate(self.weights[1:], start=1):
            total = total + weight * values[..., k]
        if self.centre_weight:
            total = total + self.centre_weight * centre
        divisor = np.asarray(self.denominator * h)
        if total.dtype.kind == "f":  # as a Python float divides a numpy float: in the value's type (NEP 50)
            divisor = divisor.astype(total.dtype)
        return total / divisor


#: The schemes by ``method=`` name.
SCHEMES: dict[str, Scheme] = {
    scheme.name: scheme
    for scheme in (
        Scheme("central", offsets=(1.0, -1.0), weights=(1, -1), denominator=2),
    )
}
