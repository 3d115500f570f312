"""The in-place evaluator: a Python ``f`` called with the caller's ``x`` itself, each element perturbed and
restored in turn, in memory order (as ``np.nditer``).

Native, aligned float32/float64 arrays take the compiled loops (``src/diff.pyx``); every other float
dtype (float16, longdouble, byte-swapped or unaligned arrays) numpy scalars, with the same operations.
A complex step runs the same loops over the imaginary part of a complex *copy* of ``x`` (complex64 for
float16/float32, complex128 for float64, clongdouble for longdouble), calling ``f`` with that copy: the
caller's ``x`` is then never written. For an ``f`` that is analytic and written with operations that
carry complex numbers, ``Im f(x + i h) / h`` is exact to rounding for any small ``h`` (Squire & Trapp,
SIAM Review 40, 1998; Martins, Sturdza & Alonso, ACM TOMS 29, 2003); ``np.abs``, ``np.real``,
``float()`` and comparisons drop the imaginary part: a TypeError where fastgd can tell.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from fastgd.diff import _kernels
from fastgd.diff._core.evaluator import Base, Mask, Values, steps_in
from fastgd.diff._core.layout import has_typed_kernel, memory_order, visits
from fastgd.diff._core.schemes import Scheme
from fastgd.diff._core.steps import Steps, complex_dtype
from fastgd.diff._core.values import Vector, as_double, imaginary_part, real_value


def moved_error() -> RuntimeError:
    """What a loop raises when ``f`` resized or reallocated ``x`` under it."""
    return RuntimeError("f resized or reallocated x while it was perturbed: its memory cannot be restored; "
                        "f must not change x's shape or memory (it may change values, which are restored)")


class InPlace(Base):
    """A Python ``f`` evaluated at the caller's ``x`` itself, perturbed and restored element by element."""

    def __init__(self, f: Any, scheme: Scheme) -> None:
        self.f = f
        self.scheme = scheme

    def derivative(self, x: npt.NDArray[Any], h: Steps, exact: bool, elements: Mask = None, values: Values = None,
                   out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        if self.scheme.imaginary:
            return self._complex_step(x, h, elements, values)
        out = np.empty(x.shape, dtype=x.dtype) if out is None else out
        self._run(x, out, h, exact, None, elements, values)
        return out

    def _complex_step(self, x: npt.NDArray[Any], h: Steps, elements: Mask, values: Values) -> npt.NDArray[Any]:
        """The loops over the imaginary part of a complex copy of ``x`` (in ``x``'s memory order, so that its
        elements are visited in the same order), ``f`` called with the copy; ``h``: steps already in the copy's
        component type (exact steps do not apply: the imaginary part starts at 0)."""
        point = np.array(x, dtype=complex_dtype(x.dtype), order="K")
        part = point.imag
        out = np.empty(part.shape, dtype=part.dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            try:
                self._run(part, out, h, False, None, elements, values, arg=point)
            except (TypeError, np.exceptions.ComplexWarning) as exc:
                raise TypeError(f"method='complex' calls f with a complex array and needs a complex result "
                                f"(f must not drop the imaginary part): {exc}") from exc
        return out.astype(x.dtype, copy=False)

    def jacobian(self, x: npt.NDArray[Any], h: Steps, exact: bool, vector: Vector,
                 out: npt.NDArray[np.float64] | None = None, elements: Mask = None) -> npt.NDArray[np.float64]:
        out = np.empty((vector.m, x.size)) if out is None else out
        if self.scheme.imaginary:  # on a complex copy, as _complex_step
            point = np.array(x, dtype=complex_dtype(x.dtype), order="K")
            self._run(point.imag, out, h, False, vector, elements, arg=point)
        else:
            self._run(x, out, h, exact, vector, elements)
        return out

    def _run(self, x: npt.NDArray[Any], out: npt.NDArray[Any], h: Steps, exact: bool, vector: Vector | None,
             elements: Mask = None, values: Values = None, arg: npt.NDArray[Any] | None = None) -> None:
        if x.size == 0:
            return
        if not has_typed_kernel(x):
            self._numpy_scalars(x, out, h, exact, vector, elements=elements, record=values, arg=arg)
            return
        offsets, index, n = visits(x, elements)
        scheme = self.scheme
        if vector is None:
            status = _kernels.derivative(self.f, x, out, offsets, index, n, scheme.compiled,
                                         steps_in(h, index), exact, scheme.combine, arg=arg, values=values)
        elif elements is None:
            status = _kernels.derivative(self.f, x, out, offsets, index, x.size, scheme.compiled,
                                         steps_in(h, index), exact, scheme.combine, -1, vector.m, vector.values,
                                         vector.at_x if scheme.centre_weight else None, arg)
        else:  # the visited columns into their own (m, n) block, then to their places
            part = np.empty((vector.m, n))
            status = _kernels.derivative(self.f, x, part, offsets, None, n, scheme.compiled, steps_in(h, index),
                                         exact, scheme.combine, -1, vector.m, vector.values,
                                         vector.at_x if scheme.centre_weight else None, arg)
            if status != _kernels.MOVED:
                out[:, index] = part
        if status == _kernels.MOVED:
            raise moved_error()

    def mixed(self, x: npt.NDArray[Any], h: Steps, exact: bool, inner: Scheme,
              out: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        if not has_typed_kernel(x):
            raise TypeError(f"mixed second differences in place need x as a native float32 or float64 array, got "
                            f"{x.dtype}{'' if x.flags.aligned else ' (unaligned)'}: pass x.astype(np.float64)")
        if x.size > 1:
            offsets, index = memory_order(x)
            status = _kernels.mixed(self.f, x, out, offsets, index, x.size, self.scheme.compiled, inner.compiled,
                                    steps_in(h, index), exact, as_double)
            if status == _kernels.MOVED:
                raise moved_error()
        return out

    def rows(self, X: npt.NDArray[Any], h: Steps, exact: bool) -> npt.NDArray[Any]:
        if X.size == 0:
            return np.empty(X.shape, dtype=X.dtype)
        if not has_typed_kernel(X):
            out = np.empty(X.shape, dtype=X.dtype)
            for row, out_row, h_row in zip(X, out, _rows_of(h, len(X)), strict=True):
                self._numpy_scalars(row, out_row, h_row, exact, None, guarded=X)
            return out
        if isinstance(h, np.ndarray):  # one compiled call per row, each with its own steps
            return super().rows(X, h, exact)
        out = np.empty(X.shape, dtype=X.dtype)
        offsets, index = memory_order(X[0])
        status = _kernels.derivative(self.f, X, out, offsets, index, X.shape[1], self.scheme.compiled,
                                     steps_in(h, index), exact, self.scheme.combine, len(X))
        if status == _kernels.MOVED:
            raise moved_error()
        return out

    def descend(self, x: npt.NDArray[Any], h: Steps, exact: bool, lr: float, step_num: int,
                history: npt.NDArray[Any] | None) -> None:
        if x.size == 0 or not has_typed_kernel(x):
            super().descend(x, h, exact, lr, step_num, history)
            return
        offsets, index = memory_order(x)
        status = _kernels.descend(self.f, x, offsets, index, x.size, self.scheme.compiled, steps_in(h, index),
                                  exact, self.scheme.combine, lr, step_num, history)
        if status == _kernels.MOVED:
            raise moved_error()

    def point_function(self, m: int) -> Callable[[npt.NDArray[Any]], object]:
        return cast("Callable[[npt.NDArray[Any]], object]", self.f)

    def _numpy_scalars(self, x: npt.NDArray[Any], out: npt.NDArray[Any], h: Steps, exact: bool,
                       vector: Vector | None, guarded: npt.NDArray[Any] | None = None, elements: Mask = None,
                       record: Values = None, arg: npt.NDArray[Any] | None = None) -> None:
        """The slow path for float16, longdouble, byte-swapped or unaligned arrays: numpy scalars,
        the reference's operations, in memory order; each element restored if ``f`` raises.
        ``guarded``: the array whose memory ``x`` is (``x`` itself, or the 2-D array of a row);
        ``elements``, ``record`` (values), ``arg``: as :meth:`derivative` takes them."""
        scheme, f, point = self.scheme, self.f, x if arg is None else arg
        guarded = x if guarded is None else guarded
        shape, address = guarded.shape, guarded.__array_interface__["data"][0]
        _, index, _ = visits(x, elements)
        steps = np.broadcast_to(np.asarray(h, dtype=np.float64), x.shape)
        if vector is not None:
            centre: Any = vector.at_x
        else:
            centre = f(point) if scheme.centre_weight else None
        wide = np.longdouble if x.dtype.itemsize > 8 else np.float64  # as steps.offsets measures a point
        for position in range(x.size) if index is None else index:
            idx = np.unravel_index(position, x.shape)
            v, step = x[idx], float(steps[idx])
            divisor = scheme.denominator * step
            values = []
            for k, (offset, widened) in enumerate(zip(scheme.offsets, cast("tuple[bool, ...]", scheme.widened),
                                                      strict=True)):
                x[idx] = float(v) + offset * step if widened else v + offset * step
                if exact:  # the distance taken, as fd_distance sums it
                    term = scheme.weights[k] * float(wide(x[idx]) - wide(v))
                    divisor = term if k == 0 else divisor + term
                try:
                    values.append(f(point))
                finally:
                    if guarded.shape != shape or guarded.__array_interface__["data"][0] != address:
                        raise moved_error()
                    x[idx] = v
            if vector is None:
                out[idx] = scheme.combine(values, centre, divisor)
                if record is not None:
                    value_of = imaginary_part if scheme.imaginary else real_value
                    record[position] = [float(value_of(value)) for value in (*values, centre)[:scheme.value_columns]]
            else:
                out[:, position] = scheme.combine_arrays(np.stack([vector.values(r) for r in values], axis=-1),
                                                         centre, divisor)


def _rows_of(h: Steps, rows: int) -> list[Steps]:
    return list(h) if isinstance(h, np.ndarray) else [h] * rows
