"""The complex step: ``f'(x) = Im f(x + i h) / h``, with no subtraction, so no cancellation.

For an ``f`` that is analytic and written with operations that carry complex numbers
(arithmetic, ``np.exp``, ``np.sin``, ``np.log1p``...), the estimate is exact to rounding for
any small ``h`` (Squire & Trapp, "Using complex variables to estimate derivatives of real
functions", SIAM Review 40, 1998; Martins, Sturdza & Alonso, "The complex-step derivative
approximation", ACM TOMS 29, 2003). ``np.abs``, ``np.real``, ``float()``, comparisons and
``max``/``min`` drop the imaginary part: such an ``f`` gets a wrong result, or a TypeError where
fastgd can tell (a real result, a ``ComplexWarning`` from numpy).

:class:`ComplexStep` runs the compiled in-place loop over the imaginary part of a complex
*copy* of ``x`` (complex64 for float16/float32, complex128 for float64, clongdouble for
longdouble), calling ``f`` with that copy: the caller's ``x`` is never written.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.diff.evaluators import InPlace, Mask, Steps, Values
from fastgd.diff.schemes import Scheme
from fastgd.diff.steps import complex_dtype


def complex_copy(x: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """A native complex copy of ``x`` in ``x``'s memory order (its elements are visited in the same order)."""
    return np.array(x, dtype=complex_dtype(x.dtype), order="K")


class ComplexStep:
    """A Python ``f`` at a complex copy of ``x``, the imaginary part of each element stepped in turn."""

    def __init__(self, f: Any, scheme: Scheme) -> None:
        self.inner = InPlace(f, scheme)

    @property
    def scheme(self) -> Scheme:
        return self.inner.scheme

    def derivative(self, x: npt.NDArray[Any], h: Steps, exact: bool, elements: Mask = None,
                   values: Values = None) -> npt.NDArray[Any]:
        """The estimate at ``x``, shaped and typed like ``x``; ``h``: steps already in the copy's
        component type (``exact`` is not used: the imaginary part starts at 0)."""
        point = complex_copy(x)
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            try:
                out = self.inner.derivative(point.imag, h, False, elements, values, arg=point)
            except (TypeError, np.exceptions.ComplexWarning) as exc:
                raise TypeError(f"method='complex' calls f with a complex array and needs a complex result "
                                f"(f must not drop the imaginary part): {exc}") from exc
        return out.astype(x.dtype, copy=False)
