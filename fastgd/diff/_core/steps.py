"""Step rules, one per kind: the textbook's fixed ``h``, given steps, ``'auto'`` (from the scheme's order and the
scale of ``x``), the Hessians' relative defaults, the complex step's; and the representable step ``(x + h) - x``.

The automatic rule (Dennis & Schnabel, *Numerical Methods for Unconstrained Optimization and
Nonlinear Equations*, 1983, section 5.4; Gill, Murray & Wright, *Practical Optimization*, 1981,
section 8.6; the rule scipy's ``approx_derivative`` uses with ``typical_x = 1``) balances a
scheme's truncation error, ``~ h**p`` for order ``p``, against the rounding error of ``f``,
``~ eps / h``::

    h = eps ** (1 / (p + 1)) * max(|x|, typical_x)

so ``eps**(1/2) * scale`` for forward and backward differences, ``eps**(1/3)`` for central ones,
``eps**(1/5)`` for the fourth-order ones; ``eps`` is the machine epsilon of ``x``'s dtype (at least
float64's). ``typical_x`` (default 1) is the scale below which ``|x|`` is not trusted to be the
scale on which ``f`` varies: at ``x = 0`` nothing else is known, and many functions (``exp``,
``sin``, ``log1p``) keep a scale of 1 near 0.

That floor is what fails for a function whose scale *is* ``|x|`` (``x**3``, ``log(x)``, ``1/x``) at
``|x| << typical_x``: its step is then far larger than ``x``. So an element with
``0 < |x| < SMALL * typical_x`` is also evaluated at the step the rule gives without the floor,
``eps ** (1 / (p + 1)) * |x|``, and of the two estimates the one with the smaller error is kept
(:mod:`fastgd.diff._core.estimates`): two more evaluations for those elements only.

A complex step has no cancellation, so its step only needs to make the truncation error
``h**2 f''' / 6`` vanish, whatever the scale: ``eps * max(|x|, eps * typical_x)`` (relative to
``x``, down to a floor that keeps ``h * f'`` clear of underflow).

The step actually taken is the representable one, ``(x + h) - x`` in ``x``'s dtype (:func:`representable`,
the loops' ``fd_exact_step``), and it is what divides ("exact" steps), for every step but the textbook's
fixed float ``h``.

Hessians take relative steps, ``c * max(1, |x|)`` (:func:`scaled_steps`), with ``c`` chosen on smooth test
functions (sums of squares, sines, Rosenbrock, quadratic forms, log-sum-exp, exponentials, n = 10 and
100) to balance the truncation error (``~ c**2``, ``~ c**4`` extrapolated) against the rounding error of
``f`` (``~ eps |f| / c**2``) in the normwise error of the whole matrix: :data:`CENTRAL_STEP` and
:data:`RICHARDSON_STEP` from ``f`` alone; from a gradient, the usual rule for central first differences,
``eps**(1/3)`` (:data:`GRADIENT_STEP`), and ``eps**(1/5)`` extrapolated.
"""
from __future__ import annotations

from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from fastgd._validate import positive_number
from fastgd.diff._core.checks import broadcast, typical_scale
from fastgd.diff._core.schemes import Scheme

AUTO: Literal["auto"] = "auto"
#: Elements with ``0 < |x| < SMALL * typical_x`` are also tried at a step relative to ``|x|`` alone.
SMALL: float = 1e-3
DEFAULT_H: float = 1e-4  # the textbook's step, the default of method='central'
EPS: float = float(np.finfo(np.float64).eps)
CENTRAL_STEP: float = 5e-4  #: default relative step of a Hessian from f alone
RICHARDSON_STEP: float = 5e-3  #: ... and of its extrapolation (steps c and 2c)
GRADIENT_STEP: float = EPS ** (1 / 3)  #: default relative step of a Hessian from central differences of a gradient
GRADIENT_RICHARDSON_STEP: float = EPS ** (1 / 5)  #: ... extrapolated

StepsArg: TypeAlias = float | npt.ArrayLike | Literal["auto"] | None
"""What ``h=`` takes: a float, an array of per-element steps, ``'auto'``, or None (the method's default)."""
Steps: TypeAlias = float | npt.NDArray[np.float64]
"""Steps as the evaluators take them: one for every element, or one per element (shaped like ``x``)."""


def representable(x: npt.NDArray[Any], h: float | npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The steps the loops take with exact steps: ``(x + h) - x`` in ``x``'s dtype, as float64, shaped like
    ``x`` (broadcast with ``h``). The compiled loops compute the same in ``fd_exact_step``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.diff._core.steps import representable
    >>> representable(np.array([1.0, 1e8]), 1e-9).tolist()  # the spacing of floats near 1e8 is 1.5e-8
    [1.000000082740371e-09, 0.0]
    """
    if x.dtype.kind == "c":
        raise TypeError("exact steps are for real x")
    moved = x + np.asarray(h, dtype=np.float64).astype(x.dtype)
    return np.asarray(moved - x, dtype=np.float64)


def epsilon(dtype: np.dtype[Any]) -> float:
    """The relative rounding error the step rule assumes for ``f`` at an ``x`` of ``dtype``."""
    if dtype not in _EPSILON:
        _EPSILON[dtype] = max(float(np.finfo(dtype).eps), EPS)
    return _EPSILON[dtype]


_EPSILON: dict[np.dtype[Any], float] = {}


def auto_steps(x: npt.NDArray[Any], scheme: Scheme, scale: float | npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The automatic step of every element of ``x`` for ``scheme`` (see the module's rule).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.diff._core.schemes import SCHEMES
    >>> from fastgd.diff._core.steps import auto_steps
    >>> x = np.array([0.0, 1e-8, 3.0, -1e12])
    >>> auto_steps(x, SCHEMES["central"], 1.0) / np.finfo(float).eps ** (1 / 3)
    array([1.e+00, 1.e+00, 3.e+00, 1.e+12])
    """
    floor = epsilon(x.dtype) * scale if scheme.imaginary else scale
    steps: npt.NDArray[np.float64] = step_fraction(x.dtype, scheme) * np.maximum(np.abs(x, dtype=np.float64), floor)
    return steps


def relative_steps(x: npt.NDArray[Any], scheme: Scheme) -> npt.NDArray[np.float64]:
    """The automatic step without the ``typical_x`` floor: ``eps ** (1 / (p + 1)) * |x|``."""
    steps: npt.NDArray[np.float64] = step_fraction(x.dtype, scheme) * np.abs(x, dtype=np.float64)
    return steps


def step_fraction(dtype: np.dtype[Any], scheme: Scheme) -> float:
    """The automatic step as a fraction of the scale of ``x``: ``eps ** (1 / (p + 1))`` (``eps`` for a complex step)."""
    eps = epsilon(dtype)
    return eps if scheme.imaginary else eps ** (1 / (scheme.order + 1))


def small_elements(x: npt.NDArray[Any], scale: float | npt.NDArray[np.float64]) -> npt.NDArray[np.bool_] | None:
    """Where ``0 < |x| < SMALL * typical_x``: the elements also tried at :func:`relative_steps`; None if none."""
    magnitude = np.abs(x, dtype=np.float64)
    if isinstance(scale, float) and magnitude.min(initial=np.inf) >= SMALL * scale:
        return None
    small = magnitude < SMALL * scale
    if not small.any():
        return None
    small &= magnitude > 0
    return small if small.any() else None


def given_steps(h: object, x: npt.NDArray[Any]) -> Steps:
    """``h`` checked: a finite float > 0, or an array of them that broadcasts to ``x``'s shape."""
    if isinstance(h, (np.ndarray, list, tuple)):
        steps = broadcast(h, x, "h")
        if not (np.all(np.isfinite(steps)) and np.all(steps > 0)):
            raise ValueError("h must be finite and > 0 in every element")
        return steps
    if isinstance(h, str):
        raise TypeError(f"h must be a number, an array of steps or 'auto', got {h!r}")
    return positive_number(h, "h")


def resolved_steps(h: object, x: npt.NDArray[Any], scheme: Scheme, typical_x: npt.ArrayLike | None = None) -> Steps:
    """The steps ``h`` names for ``scheme`` at ``x``: ``'auto'``'s rule (:func:`auto_steps`), else
    :func:`given_steps`. (:func:`fastgd.numerical_gradient` adds a second step for small ``|x|``.)"""
    if isinstance(h, str) and h == AUTO:
        return auto_steps(x, scheme, typical_scale(typical_x, x))
    return given_steps(h, x)


def one_sided(scheme: Scheme) -> bool:
    """Whether every point of ``scheme`` lies on one side of ``x`` (forward and backward differences): then a
    negative step is the same row on the other side, as scipy's ``'2-point'`` takes it beside an upper bound."""
    return not scheme.imaginary and min(scheme.reach) == 0


def signed_steps(h: object, x: npt.NDArray[Any]) -> npt.NDArray[np.float64] | None:
    """``h`` as per-element steps of either sign (finite, nonzero, broadcast to ``x``'s shape) if it is an array
    with a negative step, else None (the usual rules apply)."""
    if not isinstance(h, (np.ndarray, list, tuple)):
        return None
    steps = broadcast(h, x, "h")
    if not np.any(steps < 0):
        return None
    if not (np.all(np.isfinite(steps)) and np.all(steps != 0)):
        raise ValueError("h must be finite and nonzero in every element")
    return steps


def scaled_steps(x: npt.NDArray[Any], c: float) -> npt.NDArray[np.float64]:
    """``c * max(1, |x|)``, elementwise, float64: the Hessians' relative steps."""
    return c * np.maximum(1.0, np.abs(x.astype(np.float64)))


def hessian_steps(h: object, x: npt.NDArray[Any], c: float) -> Steps:
    """``h`` checked (a float, or an array of per-element steps), or for ``None`` and ``'auto'`` the
    Hessians' relative rule :func:`scaled_steps` with fraction ``c``."""
    if h is None or (isinstance(h, str) and h == AUTO):
        return scaled_steps(x, c)
    return given_steps(h, x)


def complex_dtype(dtype: np.dtype[Any]) -> np.dtype[Any]:
    """The native complex dtype a complex step evaluates ``f`` in: complex64 for float16/float32,
    complex128 for float64, clongdouble for longdouble."""
    if dtype not in _COMPLEX:
        complex_type = np.result_type(dtype.newbyteorder("="), np.complex64)
        _COMPLEX[dtype] = complex_type, np.finfo(complex_type).dtype
    return _COMPLEX[dtype][0]


_COMPLEX: dict[np.dtype[Any], tuple[np.dtype[Any], np.dtype[Any]]] = {}  # dtype -> (complex, its components)


def component_steps(x: npt.NDArray[Any], h: Steps) -> Steps:
    """Complex-step steps as stored in the imaginary part of ``x``'s complex copy: rounded to its component type."""
    complex_dtype(x.dtype)
    component = _COMPLEX[x.dtype][1]
    if component == np.float64:
        return h
    steps = np.asarray(h, dtype=np.float64).astype(component)
    if not (np.all(steps > 0) and np.all(np.isfinite(steps))):
        raise ValueError(f"h must be finite and > 0 in {component} for a complex step")
    return float(steps) if steps.ndim == 0 else steps.astype(np.float64)


def jacobian_steps(h: object, x: npt.NDArray[Any], scheme: Scheme, bounds: object) -> Steps:
    """A Jacobian's steps: :func:`resolved_steps`, or for a one-sided ``scheme`` per-element steps of either sign
    (:func:`signed_steps`; they choose each element's side themselves, so not with ``bounds``)."""
    signed = signed_steps(h, x)
    if signed is None:
        return resolved_steps(h, x, scheme)
    if not one_sided(scheme):
        raise ValueError(f"h must be > 0 for method={scheme.name!r}; negative steps are for 'forward' and 'backward'")
    if bounds is not None:
        raise ValueError("negative steps choose each element's side themselves: give them without bounds= "
                         "(or give steps > 0 and bounds=)")
    return signed
