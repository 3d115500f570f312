"""Argument checks shared by the public API: clear exceptions that name the argument."""
from __future__ import annotations

import math
import numbers
import operator
import sys
from collections.abc import Callable
from typing import SupportsIndex, cast

import numpy as np


# Callable | object is any object, as object is; spelt as a union, callable(f) below needs no synthesised
# "<callable subtype of object>", which stubtest would then look for at run time.
def check_callable(f: Callable[..., object] | object, name: str = "f") -> None:
    """Raise TypeError unless ``f`` is callable."""
    if not callable(f):
        raise TypeError(f"{name} must be callable, got {type(f).__name__}")


def check_float_array(x: object, name: str = "x") -> None:
    """Raise unless ``x`` is a writeable numpy array of a real floating dtype.

    Raises
    ------
    TypeError
        ``x`` is not an ndarray, or its dtype is not real floating (integer, bool,
        complex and object arrays would silently truncate or mis-compute ``x + h``).
    ValueError
        ``x`` is read-only, so it cannot be perturbed or updated in place.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"{name} must be a numpy.ndarray of floats (it is perturbed in place), "
            f"got {type(x).__name__}"
        )
    if x.dtype.kind != "f":
        raise TypeError(
            f"{name} must have a real floating dtype (float32 or float64), got {x.dtype}"
        )
    if not x.flags.writeable:
        raise ValueError(f"{name} is read-only; it must be writeable to be updated in place")


def real_number(value: object, name: str) -> float:
    """Return ``value`` as a Python float, or raise TypeError if it is not a real number.

    Raises ValueError for an integer too large for a float (``10**400``).
    """
    if type(value) is float:
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{name} must be finite, got an integer too large for a float") from None


def finite_number(value: object, name: str) -> float:
    """Return ``value`` as a finite Python float; TypeError or ValueError otherwise."""
    if type(value) is float and math.isfinite(value):
        return value
    value = real_number(value, name)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def positive_number(value: object, name: str) -> float:
    """Return ``value`` as a finite Python float > 0; TypeError or ValueError otherwise."""
    if type(value) is float and 0 < value < math.inf:
        return value
    value = finite_number(value, name)
    if not value > 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def count(value: object, name: str, least: int = 0) -> int:
    """Return ``value`` as an int in [least, sys.maxsize] (a C size); TypeError or ValueError otherwise."""
    if type(value) is int and least <= value <= sys.maxsize:
        return value
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    try:
        value = operator.index(cast(SupportsIndex, value))  # TypeError below if it is not one
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}") from None
    if value < least:
        raise ValueError(f"{name} must be >= {least}, got {value}")
    if value > sys.maxsize:
        raise ValueError(f"{name} must be at most {sys.maxsize}, got {value}")
    return value


def optional_positive_count(value: object, name: str) -> int | None:
    """Return ``value`` as an int >= 1, or None; TypeError or ValueError otherwise."""
    if value is None:
        return None
    return count(value, name, 1)
