"""What ``f`` returns, checked: a real scalar, the imaginary part of a complex one, or a vector of ``m`` reals."""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import numpy.typing as npt

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


def as_double(r: object) -> float:
    """``r`` checked as a real scalar (:func:`real_value`), as a Python float."""
    return float(real_value(r))


def imaginary_part(r: object) -> Any:
    """The imaginary part of ``r`` (a 0-d array unwrapped), a complex scalar; else raise TypeError."""
    if isinstance(r, np.ndarray) and r.ndim == 0:
        r = r[()]
    if not isinstance(r, (complex, np.complexfloating)):
        raise TypeError(f"f returned {type(r).__name__} at a complex point, not a complex scalar "
                        "(abs, real, float() and comparisons drop the imaginary part)")
    return r.imag


def as_vector(r: object, m: int | None = None, shape: tuple[int, ...] | None = None,
              what: str = "F returned") -> npt.NDArray[np.float64]:
    """A value of a vector function ``F`` as a C-contiguous float64 vector (flattened in C order); TypeError if
    it is not real numbers, ValueError if it has not ``m`` of them or (given ``x``'s ``shape``) has a shape
    other than a scalar's, ``(m,)`` or ``x``'s own (``what``: how the messages name it)."""
    values = np.asarray(r)
    if values.dtype.kind not in "fiu" or values.dtype == np.bool_:
        raise TypeError(f"F must return real numbers (a scalar, an array of shape (m,) or of x's shape), got "
                        f"{values.dtype}")
    check_shape(values.shape, shape, what)
    values = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    if m is not None and values.size != m:
        raise ValueError(f"F returned {values.size} values at a perturbed point where {m} were expected (F's "
                         "value at x, or m=): its output size must not depend on x")
    return values


def check_shape(got: tuple[int, ...], shape: tuple[int, ...] | None, what: str = "F returned") -> None:
    """ValueError unless a value of ``F`` of shape ``got`` is a scalar, 1-D, or of ``x``'s ``shape`` (None: not
    checked). A second axis is usually ``F`` broadcasting ``x`` where it meant its elements:
    ``np.array([x**2, np.tan(x)])`` is ``(2, 1)`` for ``x`` of shape ``(1,)`` (scipy refuses it too)."""
    if shape is not None and len(got) > 1 and got != shape:
        raise ValueError(f"{what} an array of shape {got}: F must return a scalar, a 1-D array of m values, or "
                         f"an array of x's shape {shape} (flattened in C order)")


class Vector:
    """What a Jacobian's evaluator needs besides the point: the number of outputs ``m``, ``x``'s ``shape`` (the
    outputs' shapes allowed, :func:`check_shape`) and, where the scheme uses it, ``F(x)`` (``at_x``: m float64s;
    None where the evaluator evaluates it itself). ``imaginary``: a complex step, whose values are the imaginary
    parts of ``F``'s complex ones."""

    __slots__ = ("m", "at_x", "shape", "imaginary")

    def __init__(self, m: int, at_x: npt.NDArray[np.float64] | None = None, shape: tuple[int, ...] | None = None,
                 imaginary: bool = False) -> None:
        self.m, self.at_x, self.shape, self.imaginary = m, at_x, shape, imaginary

    def values(self, r: object) -> npt.NDArray[np.float64]:
        """``F``'s value at a point as m float64s (C order), or raise naming what is wrong."""
        if self.imaginary:
            values = np.asarray(r)
            if values.dtype.kind != "c":
                raise TypeError(f"F returned {values.dtype} at a complex point, not complex numbers (abs, real, "
                                "float() and comparisons drop the imaginary part)")
            return as_vector(values.imag, self.m, self.shape)
        return as_vector(r, self.m, self.shape)
