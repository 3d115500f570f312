"""The complex step's checks on ``f``: real-valued at ``x``, and analytic where its derivative looks like 0.

The complex step ``Im f(x + i h) / h`` differentiates an ``f`` that is real on real points and analytic
near them (Squire & Trapp, SIAM Review 40, 1998). Two ways it goes silently wrong are refused here:

- an ``f`` with complex values at real points (``(1 + 1j) * x**2``): the imaginary part is then not a
  derivative. ``f(x)`` itself must have an imaginary part of 0 (numdifftools checks the same, before any
  perturbation);
- an ``f`` that drops the imaginary part of its argument and returns a complex type anyway
  (``np.abs(x)**2 + 0j``): every imaginary part is then 0 and so is the "derivative". Where every value
  has an imaginary part of exactly 0, ``f`` is evaluated once more, at ``x + (1 + 1j) s`` along those
  elements (``s`` a small real step): an analytic ``f`` that is not constant there has a nonzero
  imaginary part at such a point (an analytic function real on an open set of the complex plane is
  constant); if it has none while its real part moved, ``f`` is not analytic, and a TypeError says so.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

#: The probe's step along the elements whose derivative looked like 0, relative to max(1, |x|).
PROBE: float = 2.0**-10


def check_real_at_x(value: object) -> None:
    """TypeError unless ``f``'s value at the real point ``x`` is a real or complex scalar with imaginary part 0."""
    scalar = value[()] if isinstance(value, np.ndarray) and value.ndim == 0 else value
    # (a NaN imaginary part comes from a NaN in x or f, not from a complex-valued f)
    if isinstance(scalar, (complex, np.complexfloating)) and scalar.imag != 0 and scalar.imag == scalar.imag:
        raise TypeError(f"method='complex' needs a real-valued f: f(x) = {scalar!r} has an imaginary part at the "
                        "real point x (a complex-valued f is not differentiated)")
    if (isinstance(scalar, np.ndarray) and scalar.dtype.kind == "c"
            and np.any((scalar.imag != 0) & ~np.isnan(scalar.imag))):
        raise TypeError("method='complex' needs a real-valued F: F(x) has imaginary parts at the real point x "
                        "(a complex-valued F is not differentiated)")


def imaginary_values(results: Iterable[object], count: int) -> npt.NDArray[np.float64]:
    """The imaginary parts of ``count`` complex scalars ``f`` returned at complex points (TypeError for others)."""
    parts = np.empty(count)
    k = -1
    for k, value in enumerate(results):
        scalar = value[()] if isinstance(value, np.ndarray) and value.ndim == 0 else value
        if not isinstance(scalar, (complex, np.complexfloating)):
            raise TypeError(f"f returned {type(scalar).__name__} at a complex point, not a complex scalar (abs, real, "
                            "float() and comparisons drop the imaginary part)")
        parts[k] = scalar.imag
    if k + 1 != count:
        raise ValueError(f"{k + 1} values for {count} points")
    return parts


def probe_point(x: npt.NDArray[Any], where: npt.NDArray[np.bool_], complex_type: np.dtype[Any]) -> npt.NDArray[Any]:
    """``x`` moved to ``x + (1 + 1j) s`` along the elements ``where`` (shaped like ``x``), as a complex array."""
    point = np.array(x, dtype=complex_type)
    step = PROBE * np.maximum(1.0, np.abs(x.astype(np.float64)))
    point[where] += (1 + 1j) * step[where]
    return point


def check_analytic(at_probe: object, at_x: object) -> None:
    """TypeError if ``f`` (or each output of ``F``) at the probe point has an imaginary part of 0 while its real part
    moved from ``f(x)``."""
    probe, centre = np.asarray(at_probe), np.asarray(at_x)
    if probe.shape != centre.shape:
        return  # the values' sizes are checked where they are used
    if np.all(np.imag(probe) == 0) and np.any(np.real(probe) != np.real(centre)):
        raise TypeError("method='complex': f drops the imaginary part of its argument (abs, real, float() or a "
                        "comparison) and returns a complex type anyway: every imaginary part is 0, so is every "
                        "derivative it would give. Write f with operations that carry complex numbers, or take "
                        "method='central4' or 'richardson'")
