"""Step rules, one per kind: the textbook's fixed ``h``, given steps, ``'auto'`` (from the scheme's order and the
scale of ``x``), the Hessians' defaults, the complex step's; and the distance the points take, which divides.

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

The automatic steps are rounded to the nearest power of two (:func:`power_of_two`, at most a factor
``sqrt(2)`` off the rule, which changes its error by less than that): a point ``x +- 2**k`` is then exact
for every ``x`` whose last bit is coarser than ``2**k`` (almost all of them), so the points sit
symmetrically around ``x`` and a quadratic with exactly computed values differentiates exactly.

What divides is the distance the points actually take (:func:`distances`, the loops' ``fd_distance``):
point ``k`` is ``x_k = x + offsets[k] * h`` as stored in ``x``'s dtype, and the divisor is
``sum_k weights[k] * (x_k - x)`` -- ``(x + h) - (x - h)`` for a central difference (scipy's
``x2 - x1``), ``(x + h) - x`` for a forward one -- for every step but the textbook's default
(``numerical_gradient(f, x)``, ``h=None``), which divides by ``2 * h`` as the book does.

Hessians balance the truncation error of a second difference (``~ (h / L)**2`` for an ``f`` varying on a
scale ``L``, ``(h / L)**4`` extrapolated) against the rounding of ``f`` (``~ eps |f| / h**2``): the best
step is ``(k eps)**(1/4) L`` (central), ``(k eps)**(1/6) L`` (Richardson), ``(k eps)**(1/3) L`` for the
real difference of a complex-step Hessian (:data:`HESSIAN_RULE`). The constants ``k`` -- 256, 16 and 4:
``2**-11``, ``2**-8`` and ``2**-17`` in float64 -- were chosen on smooth test functions (sums of squares,
sines, Rosenbrock, quadratic forms, log-sum-exp, exponentials, a cosine chain; n = 8 to 100) for the
error of the whole matrix: the four-point formula's truncation is a few times the diagonal's, and actual
rounding errors sit below their bound, which move the best step in opposite directions. ``L`` is first
taken as ``max(1, |x|)`` (:func:`scaled_steps`); from ``f`` alone, :mod:`fastgd.diff.hessian` then
measures how ``f`` varies along each element (its second differences at that step and at half of it)
and shrinks the step where ``f`` varies faster (``sin`` at ``|x| = 1266`` varies on a scale of 1, not
1266). From a gradient: ``eps**(1/3)`` and ``eps**(1/5)`` (extrapolated) times ``max(1, |x|)``, the
first-difference rules. Every default step is a power of two.
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
#: A Hessian's default step from f alone, as a fraction ``(k eps)**p`` of the scale on which f varies, by method:
#: ``(k, p)`` (see the module docstring); from a gradient, ``eps**p``.
HESSIAN_RULE: dict[str, tuple[float, float]] = {"central": (256.0, 1 / 4), "richardson": (16.0, 1 / 6),
                                                "complex": (4.0, 1 / 3)}
GRADIENT_POWER: dict[str, float] = {"central": 1 / 3, "richardson": 1 / 5}


def hessian_fraction(dtype: np.dtype[Any], method: str) -> float:
    """A Hessian's default step from ``f`` alone by ``method``, as a fraction of the scale on which ``f`` varies:
    ``(k eps)**p`` (:data:`HESSIAN_RULE`, ``eps`` of ``dtype``)."""
    k, p = HESSIAN_RULE[method]
    return float((k * epsilon(dtype)) ** p)

StepsArg: TypeAlias = float | npt.ArrayLike | Literal["auto"] | None
"""What ``h=`` takes: a float, an array of per-element steps, ``'auto'``, or None (the method's default)."""
Steps: TypeAlias = float | npt.NDArray[np.float64]
"""Steps as the evaluators take them: one for every element, or one per element (shaped like ``x``)."""


def point(x: npt.NDArray[Any], step: float | npt.NDArray[np.float64], widened: bool = False) -> npt.NDArray[Any]:
    """``x`` moved by ``step`` (float64) as the loops store a point: ``x + step`` in ``x``'s dtype (numpy's rule
    for a Python float), or computed in double and then rounded where the row ``widened`` it."""
    if widened:
        return (x.astype(np.float64) + step).astype(x.dtype)
    moved: npt.NDArray[Any] = x + np.asarray(step, dtype=np.float64).astype(x.dtype, copy=False)
    return moved


def representable(x: npt.NDArray[Any], h: float | npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The steps a one-sided point ``x + h`` takes: ``(x + h) - x`` in ``x``'s dtype, as float64, shaped like ``x``
    (broadcast with ``h``): the distance a forward difference divides by (:func:`distances`), and the steps the
    sparse Hessians' points are built from.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.diff._core.steps import representable
    >>> representable(np.array([1.0, 1e8]), 1e-9).tolist()  # the spacing of floats near 1e8 is 1.5e-8
    [1.000000082740371e-09, 0.0]
    """
    if x.dtype.kind == "c":
        raise TypeError("exact steps are for real x")
    return np.asarray(point(x, h) - x, dtype=np.float64)


def _wide(dtype: np.dtype[Any]) -> type[np.floating[Any]]:
    """The type the distance of a point from ``x`` is computed in: double, or ``x``'s own if wider."""
    return np.longdouble if dtype.itemsize > 8 else np.float64


def offsets(x: npt.NDArray[Any], h: float | npt.NDArray[np.float64], scheme: Scheme) -> list[npt.NDArray[np.float64]]:
    """How far each point of ``scheme`` at steps ``h`` is from ``x``, as the loops place it: ``x_k - x``, float64."""
    wide = _wide(x.dtype)
    base = x.astype(wide, copy=False)
    steps = np.asarray(h, dtype=np.float64)
    assert scheme.widened is not None  # set by Scheme.__post_init__
    return [np.asarray(point(x, offset * steps, widened).astype(wide, copy=False) - base, dtype=np.float64)
            for offset, widened in zip(scheme.offsets, scheme.widened, strict=True)]


def distances(x: npt.NDArray[Any], h: float | npt.NDArray[np.float64], scheme: Scheme) -> npt.NDArray[np.float64]:
    """The distance ``scheme``'s points at steps ``h`` take, shaped like ``x`` (broadcast with ``h``): ``sum_k
    weights[k] * (x_k - x)``, left to right, as the loops compute it (``fd_distance``) and divide by.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.diff._core.schemes import SCHEMES
    >>> from fastgd.diff._core.steps import distances
    >>> distances(np.array([1.0, 3.0]), 2.0**-10, SCHEMES["central"]) * 2**9  # (x + h) - (x - h) = 2 h
    array([1., 1.])
    >>> d = distances(np.array([1.0]), 1.49e-8, SCHEMES["central"])  # x + h rounds on a coarser grid than x - h
    >>> bool(d[0] == (1 + 1.49e-8) - (1 - 1.49e-8)), bool(d[0] == 2 * 1.49e-8)
    (True, False)
    """
    total: npt.NDArray[np.float64] | None = None
    for weight, moved in zip(scheme.weights, offsets(x, h, scheme), strict=True):
        term = weight * moved
        total = term if total is None else total + term
    assert total is not None  # a row has at least one point
    return total


def still(x: npt.NDArray[Any], h: float | npt.NDArray[np.float64], scheme: Scheme) -> npt.NDArray[np.bool_]:
    """Where a point of ``scheme`` at steps ``h`` does not move a finite element of ``x`` (the step vanishes next
    to it). A step beyond ``eps |x|`` (and a normal number of ``x``'s dtype) moves it for sure: only where one
    is not are the points computed."""
    info = np.finfo(x.dtype)
    magnitude = np.abs(x, dtype=np.float64)
    reach = min(abs(offset) for offset in scheme.offsets) * np.abs(np.asarray(h, dtype=np.float64))
    if np.all((reach > float(info.eps) * magnitude) & (reach >= float(info.smallest_normal))):
        return np.zeros(x.shape, dtype=bool)
    bad = np.zeros(x.shape, dtype=bool)
    for moved in offsets(x, h, scheme):
        bad |= moved == 0
    return bad & np.isfinite(magnitude)


def check_moves(x: npt.NDArray[Any], h: float | npt.NDArray[np.float64], scheme: Scheme) -> None:
    """ValueError naming the first element of ``x`` (C order) next to which a step of ``h`` vanishes: a point
    that does not move it (``x + h == x`` in ``x``'s dtype) would divide by nothing."""
    flat = x.reshape(-1)
    vanishing = still(flat, np.asarray(h, dtype=np.float64).reshape(-1) if np.ndim(h) else h, scheme)
    if vanishing.any():
        i = int(np.flatnonzero(vanishing)[0])
        step = float(np.broadcast_to(np.asarray(h, dtype=np.float64).reshape(-1), flat.shape)[i])
        raise ValueError(f"the step h = {step:g} vanishes next to x at element {i} ({flat[i]!r} in {x.dtype}): "
                         "x + h == x there; take a larger h (or h='auto')")


def power_of_two(h: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each step rounded to the nearest power of two (in ratio: ``2**e`` for ``h`` in ``[2**e / sqrt(2),
    2**e * sqrt(2))``); zero, infinite and NaN steps unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.diff._core.steps import power_of_two
    >>> (power_of_two(np.array([6.055e-6, 0.7, 0.75])) * 2**17).tolist()  # eps**(1/3) -> 2**-17
    [1.0, 65536.0, 131072.0]
    """
    mantissa, exponent = np.frexp(h)
    rounded: npt.NDArray[np.float64] = np.ldexp(1.0, exponent - (mantissa < _SQRT_HALF))
    return np.where(np.isfinite(h) & (h > 0), rounded, h)


_SQRT_HALF: float = 0.5**0.5


def epsilon(dtype: np.dtype[Any]) -> float:
    """The relative rounding error the step rule assumes for ``f`` at an ``x`` of ``dtype``."""
    if dtype not in _EPSILON:
        _EPSILON[dtype] = max(float(np.finfo(dtype).eps), EPS)
    return _EPSILON[dtype]


_EPSILON: dict[np.dtype[Any], float] = {}


def auto_steps(x: npt.NDArray[Any], scheme: Scheme, scale: float | npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The automatic step of every element of ``x`` for ``scheme`` (see the module's rule): a power of two for
    a real step.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.diff._core.schemes import SCHEMES
    >>> from fastgd.diff._core.steps import auto_steps
    >>> x = np.array([0.0, 1e-8, 3.0, -1e12])
    >>> np.log2(auto_steps(x, SCHEMES["central"], 1.0)).tolist()  # eps**(1/3) * max(|x|, 1) = 2**-17.3 * ...
    [-17.0, -17.0, -16.0, 23.0]
    """
    floor = epsilon(x.dtype) * scale if scheme.imaginary else scale
    steps: npt.NDArray[np.float64] = step_fraction(x.dtype, scheme) * np.maximum(np.abs(x, dtype=np.float64), floor)
    return steps if scheme.imaginary else power_of_two(steps)


def relative_steps(x: npt.NDArray[Any], scheme: Scheme) -> npt.NDArray[np.float64]:
    """The automatic step without the ``typical_x`` floor: ``eps ** (1 / (p + 1)) * |x|`` (a power of two)."""
    return power_of_two(step_fraction(x.dtype, scheme) * np.abs(x, dtype=np.float64))


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
    :func:`given_steps`; None is the textbook's :data:`DEFAULT_H`, ``'auto'`` for a complex step.
    (:func:`fastgd.numerical_gradient` adds a second step for small ``|x|``.)"""
    if h is None:
        h = AUTO if scheme.imaginary else DEFAULT_H
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


def scaled_steps(x: npt.NDArray[Any], fraction: float) -> npt.NDArray[np.float64]:
    """``fraction * max(1, |x|)`` rounded to a power of two, elementwise, float64: the Hessians' relative steps."""
    return power_of_two(fraction * np.maximum(1.0, np.abs(x, dtype=np.float64)))


def hessian_default(dtype: np.dtype[Any], method: str = "central", gradient: bool = False) -> float:
    """A Hessian's default relative step (a fraction of ``max(1, |x|)``, before :func:`power_of_two`): from ``f``
    alone :func:`hessian_fraction`; from a gradient ``eps**p`` (:data:`GRADIENT_POWER`; ``'forward'``:
    ``eps**(1/2)``)."""
    if not gradient:
        return hessian_fraction(dtype, method)
    return float(epsilon(dtype) ** (0.5 if method == "forward" else GRADIENT_POWER[method]))


def hessian_steps_or_default(h: object, x: npt.NDArray[Any], method: str = "central",
                             gradient: bool = False) -> Steps:
    """:func:`hessian_steps`, with the rule's steps (:func:`hessian_default`) for ``None`` and ``'auto'``."""
    given = hessian_steps(h, x)
    return scaled_steps(x, hessian_default(x.dtype, method, gradient)) if given is None else given


def hessian_steps(h: object, x: npt.NDArray[Any]) -> Steps | None:
    """``h`` checked (a float, or an array of per-element steps), or None for ``None`` and ``'auto'`` (the
    Hessians' own rule)."""
    if h is None or (isinstance(h, str) and h == AUTO):
        return None
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
