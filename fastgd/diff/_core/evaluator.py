"""The evaluator protocol: what every way of evaluating ``f`` around ``x`` offers the derivatives.

An evaluator holds ``f`` (a Python callable, or a C-level objective) and a scheme row
(:attr:`Evaluator.scheme`), and runs the row over some or all elements of ``x`` at given steps.
:func:`fastgd.diff._core.factory.make_evaluator` chooses one from the arguments, once; everything above
it (the gradient's passes, Jacobians, sparse Jacobians, Hessians) is written against this protocol
alone, never against a kind of evaluator. The kinds:

- :class:`~fastgd.diff._core.in_place.InPlace`: a Python ``f`` called with the caller's ``x`` itself,
  each element perturbed and restored in turn, in memory order (a complex step: on a complex copy);
- :class:`~fastgd.diff._core.c_level.COnThreads`: a C-level objective, without the GIL, on one or
  more threads with private copies of ``x``;
- :class:`~fastgd.diff._core.on_copies.Batched`: ``f`` called once per chunk of stacked perturbed
  copies (``vectorized=True``);
- :class:`~fastgd.diff._core.on_copies.Mapped`: every point handed to a ``map`` (``workers=``).

Arguments shared by the methods: ``h`` is a float or a float64 array shaped like ``x`` (one step per
element); ``exact`` divides by the distance the points take (``(x + h) - (x - h)`` for central differences,
:func:`fastgd.diff._core.steps.distances`) instead of ``denominator * h``; ``elements``
(a boolean mask shaped like ``x``) limits the work to those elements (the others are left unset);
``values`` (float64, ``(x.size, scheme.value_columns)``) receives the values of ``f`` at each visited
element's points (row = its C-order position), then ``f(x)`` if the scheme uses it, for error
estimates. How many evaluations a run makes follows from the scheme (``evaluations_per_element`` per
visited element, and ``f(x)`` once where ``centre_weight`` is not 0): the callers count them so.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from fastgd._validate import count
from fastgd.diff._core.progress import Progress
from fastgd.diff._core.schemes import Scheme
from fastgd.diff._core.steps import Steps
from fastgd.diff._core.values import Vector, as_vector

Mask = npt.NDArray[np.bool_] | None
"""The elements to visit (shaped like ``x``), or None for all of them."""
Values = npt.NDArray[np.float64] | None
"""Where to record the values at each element's points, or None."""
E = TypeVar("E", bound="Evaluator")


class Evaluator(Protocol):
    """What the derivatives ask of an evaluator (see the module docstring for the arguments)."""

    scheme: Scheme  #: the row it runs; :func:`with_scheme` gives the same evaluator for another row

    def derivative(self, x: npt.NDArray[Any], h: Steps, exact: bool, elements: Mask = None, values: Values = None,
                   out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        """The estimate along each element of ``x``, shaped and typed like ``x`` (or into ``out``, shaped like
        ``x``, float32 or float64, C-contiguous) -- a scalar ``f``'s gradient."""
        ...

    def jacobian(self, x: npt.NDArray[Any], h: Steps, exact: bool, vector: Vector,
                 out: npt.NDArray[np.float64] | None = None, elements: Mask = None) -> npt.NDArray[np.float64]:
        """Each output's estimate along each element: float64, ``(vector.m, x.size)`` (x in C order), into
        ``out`` if given; ``vector`` from :meth:`vector`; ``elements``: only those columns are written."""
        ...

    def mixed(self, x: npt.NDArray[Any], h: Steps, exact: bool, inner: Scheme,
              out: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Mixed second derivatives of a scalar ``f``: the scheme along each element of ``inner``'s estimates
        along each other one, into ``out[i, j]`` and ``out[j, i]`` (C positions; float64 ``(x.size, x.size)``,
        C-contiguous; the diagonal is left alone). Rows without ``f(x)``."""
        ...

    def rows(self, X: npt.NDArray[Any], h: Steps, exact: bool) -> npt.NDArray[Any]:
        """The estimate at each row ``X[r]`` of a 2-D ``X`` (``f`` is called with the row)."""
        ...

    def descend(self, x: npt.NDArray[Any], h: Steps, exact: bool, lr: float, step_num: int,
                history: npt.NDArray[Any] | None) -> None:
        """``step_num`` times: the point into ``history[k]`` (if given), then ``x -= lr * estimate``."""
        ...

    def value(self, x: npt.NDArray[Any], m: int | None = None) -> object:
        """``f`` at ``x`` itself, as this evaluator calls ``f`` (``m``: a C vector function's outputs)."""
        ...

    def values(self, points: Sequence[npt.NDArray[Any]], m: int | None = None) -> Iterable[object]:
        """``f`` at each of ``points`` (copies of ``x``, made when asked for), in order."""
        ...

    def outputs(self, m: object, default: int | None = None) -> int | None:
        """The number of outputs of ``F``: ``m`` checked, else ``default`` (None: learn it from ``F(x)``)."""
        ...

    def vector(self, x: npt.NDArray[Any], m: object, centre: bool) -> Vector:
        """What :meth:`jacobian` needs: ``F``'s outputs and, if ``centre`` (the scheme uses ``F(x)``) and this
        evaluator does not evaluate it in the run, ``F(x)`` (checked finite)."""
        ...

    def point_function(self, m: int) -> Callable[[npt.NDArray[Any]], object] | None:
        """A callable evaluating ``f`` at the caller's ``x`` perturbed in place (for the sparse groups), or
        None where this evaluator evaluates on copies (then :meth:`values`)."""
        ...

    def counting(self: E, progress: Progress) -> E:
        """The same evaluator, its evaluations counted on ``progress`` as they return."""
        ...


def steps_in(h: Steps, index: npt.NDArray[np.intp] | None) -> Steps:
    """``h`` as the kernels take it: a float, or a float64 step per element in visiting order."""
    if isinstance(h, np.ndarray):
        flat = np.ascontiguousarray(h, dtype=np.float64).reshape(-1)
        return np.ascontiguousarray(flat[index]) if index is not None else flat
    return h


def with_scheme(evaluator: E, scheme: Scheme) -> E:
    """``evaluator`` for another scheme row (every evaluator keeps its row in ``.scheme``)."""
    if evaluator.scheme is scheme:
        return evaluator
    other = copy.copy(evaluator)
    other.scheme = scheme
    return other


class Base:
    """What the kinds of evaluators share: a Python ``f`` (or none), generic rows, descent and vectors."""

    scheme: Scheme
    f: Any

    def derivative(self, x: npt.NDArray[Any], h: Steps, exact: bool, elements: Mask = None, values: Values = None,
                   out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        raise NotImplementedError

    def value(self, x: npt.NDArray[Any], m: int | None = None) -> object:
        return self.f(x)

    def values(self, points: Sequence[npt.NDArray[Any]], m: int | None = None) -> Iterable[object]:
        return map(self.f, points)

    def rows(self, X: npt.NDArray[Any], h: Steps, exact: bool) -> npt.NDArray[Any]:
        out = np.empty(X.shape, dtype=X.dtype)
        for r in range(len(X)):
            out[r] = self.derivative(X[r], h[r] if isinstance(h, np.ndarray) else h, exact)
        return out

    def descend(self, x: npt.NDArray[Any], h: Steps, exact: bool, lr: float, step_num: int,
                history: npt.NDArray[Any] | None) -> None:
        for k in range(step_num if x.size else 0):
            if history is not None:
                history[k] = x
            x -= lr * self.derivative(x, h, exact)

    def outputs(self, m: object, default: int | None = None) -> int | None:
        return default if m is None else count(m, "m")

    def vector(self, x: npt.NDArray[Any], m: object, centre: bool) -> Vector:
        outputs = self.outputs(m)
        if outputs is not None and not centre:
            return Vector(outputs, None, x.shape)  # F(x) is not needed: its size is checked at every point
        at_x = np.array(as_vector(self.value(x), None, x.shape))  # a copy: F may return its own buffer, or x itself
        if not np.isfinite(at_x).all():
            raise ValueError(f"F returned non-finite values at x (output {int(np.argmin(np.isfinite(at_x)))})")
        if outputs is not None and outputs != at_x.size:
            raise ValueError(f"F returned {at_x.size} values at x, but m={m}")
        return Vector(at_x.size, at_x, x.shape)

    def point_function(self, m: int) -> Callable[[npt.NDArray[Any]], object] | None:
        return None

    def counting(self: E, progress: Progress) -> E:
        other = copy.copy(self)
        other.f = progress.counted(self.f)  # type: ignore[attr-defined]
        return other


def known_vector(evaluator: Evaluator, f0: npt.ArrayLike, m: object, centre: bool, shape: tuple[int, ...]) -> Vector:
    """What an evaluator's Jacobian needs, from a known ``F(x)`` (``f0``, checked finite, of ``m`` values if given,
    shaped as ``F``'s values may be for ``x`` of ``shape``: :func:`fastgd.diff._core.values.check_shape`)."""
    at_x = np.array(as_vector(f0, None, shape, "f0 is"))  # a copy: the caller may change its array
    if not np.isfinite(at_x).all():
        raise ValueError(f"f0 has non-finite values (output {int(np.argmin(np.isfinite(at_x)))})")
    outputs = evaluator.outputs(m, default=at_x.size)
    if outputs != at_x.size:
        raise ValueError(f"f0 has {at_x.size} values, but m={m}")
    return Vector(at_x.size, at_x if centre else None, shape)
