"""Drop-in derivatives for ``scipy.optimize``: callables for ``minimize(jac=, hess=, hessp=)``,
``least_squares(jac=)`` and ``root(jac=)`` that know the optimizer's bounds and its last ``f(x)``.

scipy calls them with its own ``x`` -- sometimes read-only, sometimes an array it keeps -- and the
extra ``args`` it passes to the objective. Each callable copies ``x`` into a buffer of its own, kept
between calls (clipped into the bounds), and perturbs that copy; ``f`` itself receives a new array at
every call, which it may keep. Results are new arrays at every call: scipy keeps gradients and
Jacobians between iterations. A sparse Jacobian's plan (the column groups) is made once, when the
callable is.

The defaults are scipy's own finite differences': forward differences at scipy's steps
(``sqrt(eps) * sign(x) * max(1, |x|)``, turned away from a bound as scipy turns them: the numbers of scipy's
``'2-point'``, bit for bit), which need ``f(x)``. Every adapter's :attr:`~Gradient.fun` is ``f`` with its
last point and value remembered: handed to scipy as the objective, the derivatives take
``f(x)`` from it, so a gradient costs ``n`` calls of ``f``, as scipy's ``'2-point'`` does
(:mod:`fastgd.optimize` wires this for you). ``bounds=`` takes the object scipy takes -- for
:func:`gradient_of`, :func:`hessian_of` and :func:`hessp_of` what ``minimize`` takes (a
``scipy.optimize.Bounds`` or one ``(min, max)`` pair per element), for :func:`jacobian_of` what
``least_squares`` takes (``(lb, ub)`` or a ``Bounds``) -- and ``f`` is then never evaluated outside them.
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from fastgd.diff._core.bounds import signed_within
from fastgd.diff._core.checks import broadcast, check_result
from fastgd.diff._core.factory import make_evaluator
from fastgd.diff._core.objectives import c_objective
from fastgd.diff._core.schemes import Scheme, scheme
from fastgd.diff._core.steps import (
    AUTO,
    hessian_default,
    one_sided,
    scaled_steps,
    step_fraction,
)
from fastgd.diff._core.values import Vector, as_vector
from fastgd.diff.gradient import numerical_gradient
from fastgd.diff.hessian import hessian, hessp
from fastgd.diff.jacobian import jacobian
from fastgd.diff.sparse import SparseJacobian
from fastgd.diff.sparse_hessian import SparseHessian, SumHessian

Floats = npt.NDArray[np.float64]
Limits = tuple[Floats, Floats]
StepRule = Callable[[npt.NDArray[Any], Scheme, Any, Any], Floats]
#: The adapters' default method: scipy's ``'2-point'`` (forward differences, at scipy's steps).
DEFAULT_METHOD: str = "forward"


def scipy_bounds(bounds: object, x: npt.NDArray[Any], pairs: bool) -> Limits | None:
    """scipy's ``bounds`` as flat float64 ``(lb, ub)`` of ``x.size`` values, checked; None if there are none.

    ``bounds``: a ``scipy.optimize.Bounds`` (anything with ``lb`` and ``ub``), or, with ``pairs``, what
    ``minimize`` takes -- one ``(min, max)`` pair per element, None for no bound -- else what
    ``least_squares`` takes, ``(lb, ub)`` (scalars or arrays; ``-inf``/``inf`` for no bound).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.diff.scipy_adapters import scipy_bounds
    >>> scipy_bounds([(0, None), (-1, 1)], np.zeros(2), pairs=True)
    (array([ 0., -1.]), array([inf,  1.]))
    >>> scipy_bounds((0, [1, 2]), np.zeros(2), pairs=False)
    (array([0., 0.]), array([1., 2.]))
    """
    if bounds is None:
        return None
    if hasattr(bounds, "lb") and hasattr(bounds, "ub"):  # scipy.optimize.Bounds
        lower, upper = cast(Any, bounds).lb, cast(Any, bounds).ub
    elif pairs:
        try:
            items = [tuple(cast("tuple[object, object]", pair)) for pair in cast("list[object]", bounds)]
        except TypeError:
            raise TypeError("bounds must be a scipy.optimize.Bounds or one (min, max) pair per element of x") from None
        if len(items) != x.size or any(len(pair) != 2 for pair in items):
            raise ValueError(f"bounds: minimize takes one (min, max) pair per element of x ({x.size}), got "
                             f"{len(items)} items; for (lb, ub) arrays pass scipy.optimize.Bounds(lb, ub)")
        lower = [-np.inf if lo is None else lo for lo, _ in items]
        upper = [np.inf if hi is None else hi for _, hi in items]
    else:
        try:
            lower, upper = cast("tuple[object, object]", bounds)
        except (TypeError, ValueError):
            raise TypeError("bounds must be (lb, ub) or a scipy.optimize.Bounds") from None
    flat = x.reshape(-1)
    lb = broadcast(-np.inf if lower is None else cast("npt.ArrayLike", lower), flat, "bounds' lb")
    ub = broadcast(np.inf if upper is None else cast("npt.ArrayLike", upper), flat, "bounds' ub")
    if np.isnan(lb).any() or np.isnan(ub).any():
        raise ValueError("bounds must not be NaN")
    if np.any(lb > ub):
        i = int(np.argmax(lb > ub))
        raise ValueError(f"bounds: the lower bound of element {i} ({lb[i]}) is above its upper bound ({ub[i]})")
    if np.all(lb == -np.inf) and np.all(ub == np.inf):
        return None
    return lb, ub


def _same(point: npt.NDArray[Any], x: npt.NDArray[Any], args: tuple[Any, ...], other: tuple[Any, ...]) -> bool:
    """``x`` is ``point`` (values and shape) and ``other`` are the same objects as ``args``."""
    return (point.shape == x.shape and len(args) == len(other) and all(a is b for a, b in zip(args, other, strict=True))
            and bool(np.array_equal(point, x)))


class Objective:
    """``f`` as scipy calls it, ``f(x, *args)``, with a new copy of ``x`` at every call and its last point and
    value remembered: hand it to scipy as the objective (``minimize(adapter.fun, x0, jac=adapter)``) and the
    derivatives that need ``f(x)`` take it from here instead of calling ``f`` again.

    Attributes
    ----------
    f : callable
        The function.
    calls : int
        The calls of ``f`` made through this object (by scipy, and by the derivatives for ``f(x)``).
    """

    def __init__(self, f: Any) -> None:
        self.f = f
        self.calls = 0
        self._last: tuple[npt.NDArray[Any], tuple[Any, ...], object] | None = None  # (x, args, f(x))

    def __call__(self, x: npt.ArrayLike, *args: Any) -> Any:
        """``f(x, *args)``, remembered."""
        point = np.array(x)
        value = self.f(point.copy(), *args)  # f may keep or change its array: the key is ours
        self.calls += 1
        self._last = (point, args, value)
        return value

    def known(self, x: npt.NDArray[Any], args: tuple[Any, ...]) -> object | None:
        """``f(x)`` if it is the last value (same point, same args objects), else None."""
        last = self._last
        if last is None or not _same(last[0], x, last[1], args):
            return None
        return last[2]

    def value(self, x: npt.NDArray[Any], args: tuple[Any, ...]) -> object:
        """``f(x)``: the last value where it is one, else a new call (remembered)."""
        known = self.known(x, args)
        return self(x, *args) if known is None else known


class _DropIn:
    """A derivative of ``f`` at scipy's ``x`` (copied into a private float64 buffer) with the given options."""

    #: The options this adapter takes (TypeError for any other, when the adapter is made).
    accepts: frozenset[str] = frozenset()
    #: Its bounds are ``minimize``'s (pairs) or ``least_squares``' (``(lb, ub)``).
    pairs: bool = True

    def __init__(self, f: Any, options: dict[str, Any]) -> None:
        if "out" in options:
            raise TypeError("out= is not taken: scipy keeps each result, so every call returns a new array")
        unknown = sorted(set(options) - self.accepts)
        if unknown:
            raise TypeError(f"{type(self).__name__.lower()} adapter got unexpected options {unknown}; "
                            f"it takes {sorted(self.accepts)}")
        self.f, self.options = f, dict(options)
        self.bounds = self.options.pop("bounds", None)
        self.c_level = f is not None and c_objective(f) is not None
        self.fun = Objective(f)  #: ``f`` remembering its last value: pass it to scipy as the objective
        self.x = np.empty(0)
        self.busy = threading.Lock()

    @contextlib.contextmanager
    def _point(self, x: npt.ArrayLike) -> Iterator[tuple[npt.NDArray[np.float64], Limits | None]]:
        """``x`` copied into the private buffer (made anew only when the shape changes), clipped into the bounds,
        held for one derivative (while another thread holds it, into a new array); and the bounds."""
        values = np.asarray(x)
        if values.dtype.kind not in "biuf":
            raise TypeError(f"x must be real numbers, got {values.dtype}")
        limits = self._limits(values)
        if not self.busy.acquire(blocking=False):
            point = np.array(values, dtype=np.float64)
            yield self._clip(point, limits), limits
            return
        try:
            if self.x.shape != values.shape:
                self.x = np.empty(values.shape)
            self.x[...] = values
            yield self._clip(self.x, limits), limits
        finally:
            self.busy.release()

    def _limits(self, x: npt.NDArray[Any]) -> Limits | None:
        """The bounds for an ``x`` of this shape (converted once per shape: an optimizer keeps its bounds)."""
        cached = self.__dict__.get("_cached_limits")
        if cached is None or cached[0] != x.shape:
            cached = self.__dict__["_cached_limits"] = (x.shape, scipy_bounds(self.bounds, x, self.pairs))
        return cast("Limits | None", cached[1])

    @staticmethod
    def _clip(point: npt.NDArray[np.float64], limits: Limits | None) -> npt.NDArray[np.float64]:
        """An ``x`` outside the bounds (as some optimizers pass it) taken to the nearest point inside."""
        if limits is not None:
            flat = point.reshape(-1)
            np.clip(flat, *limits, out=flat)
        return point

    def _bound(self, f: Any, args: tuple[Any, ...]) -> Any:
        """``f`` with scipy's extra ``args`` after the point (a C function takes none; None stays None)."""
        if not args or f is None:
            return f
        if c_objective(f) is not None:
            raise TypeError("a C-level function takes no extra args (pass its data through user_data)")
        return lambda v: f(v, *args)

    def _fresh(self, f: Any, args: tuple[Any, ...]) -> Any:
        """``f`` as the loops call it: with a new array at every call (``f`` may keep it) and scipy's ``args``.
        Stacked points and maps already hand ``f`` new arrays; a C function reads its pointer."""
        if f is None or c_objective(f) is not None:
            return self._bound(f, args)
        if self.options.get("vectorized") or self.options.get("workers") is not None:
            return self._bound(f, args)
        return lambda v: f(v.copy(), *args)

    def _options(self, args: tuple[Any, ...]) -> dict[str, Any]:
        """The options, a ``gradient`` among them bound to scipy's ``args`` (and given new arrays)."""
        options = dict(self.options)
        if options.get("gradient") is not None:
            options["gradient"] = self._fresh(options["gradient"], args)
        return options


def scipy_steps(x: npt.NDArray[Any], row: Scheme, rel_step: npt.ArrayLike | None = None,
                abs_step: npt.ArrayLike | None = None) -> Floats:
    """scipy's steps (``approx_derivative``) for ``row``: ``eps**(1/(p+1)) * sign(x) * max(1, |x|)`` (sign +1 at 0),
    or ``rel_step * sign(x) * |x|``, or ``abs_step`` as given, each where it moves ``x`` (the first elsewhere);
    flat, float64. Signed for a one-sided row (scipy's ``'2-point'``), magnitudes for the others."""
    flat = x.reshape(-1).astype(np.float64, copy=False)
    magnitude = np.abs(flat)
    negative = flat < 0
    steps = step_fraction(x.dtype, row) * np.maximum(magnitude, 1.0)
    if one_sided(row):
        np.negative(steps, out=steps, where=negative)
    if abs_step is not None:
        given = np.array(np.broadcast_to(np.asarray(abs_step, dtype=np.float64), flat.shape))
    elif rel_step is not None:
        given = np.broadcast_to(np.asarray(rel_step, dtype=np.float64), flat.shape) * magnitude
        np.negative(given, out=given, where=negative)
    else:
        return steps
    steps = np.where((flat + given) - flat == 0, steps, given)
    return steps if one_sided(row) else np.abs(steps)


def _steps_within(point: npt.NDArray[np.float64], row: Scheme, h: Any, given: tuple[Any, Any], limits: Limits | None,
                  rule: StepRule) -> tuple[Any, Limits | None]:
    """``(steps, bounds)`` for :func:`fastgd.jacobian`: a given ``h`` with the bounds (the rows beside them); else
    ``rule``'s steps (:func:`scipy_steps`; ``given``: scipy's ``rel_step`` and ``abs_step``), signed and turned
    within the bounds for a one-sided row (no ``bounds=`` needed then)."""
    if sum(value is not None for value in (h, *given)) > 1:
        raise TypeError("give one of h=, rel_step= and abs_step=")
    if h is not None:
        return h, limits
    steps = rule(point, row, *given)
    if not one_sided(row):
        return steps.reshape(point.shape), limits
    if limits is not None:
        steps = signed_within(point, steps, *limits)
    return steps.reshape(point.shape), None


class _Differences(_DropIn):
    """A Jacobian-like derivative (a gradient is a 1-row one) by the single-pass rows, with ``f(x)`` from
    :attr:`fun` where the method needs it. Without ``h``, :attr:`rule`'s steps (scipy's, :func:`scipy_steps`):
    forward differences then are scipy's ``'2-point'``, the same numbers."""

    def rule(self, x: npt.NDArray[Any], row: Scheme, rel_step: Any, abs_step: Any) -> Floats:
        """The steps without ``h``: scipy's (:func:`scipy_steps`), flat, signed for one-sided rows."""
        return scipy_steps(x, row, rel_step, abs_step)

    _last: tuple[npt.NDArray[Any], tuple[Any, ...], Any] | None = None  # (x, args, result): the last result

    def _difference(self, x: npt.ArrayLike, args: tuple[Any, ...], m: int | None, sparsity: Any) -> Any:
        """The derivative at ``x``; a copy of the last one where ``x`` (and ``args``) are the last ones: scipy's
        ``root`` checks the shape of ``jac(x0)`` before MINPACK asks for it at ``x0``."""
        last = self._last
        if last is not None and _same(last[0], np.asarray(x), last[1], args):
            return last[2].copy()
        result = self._compute(x, args, m, sparsity)
        self._last = (np.array(x), args, result.copy())
        return result

    def _compute(self, x: npt.ArrayLike, args: tuple[Any, ...], m: int | None, sparsity: Any) -> Any:
        with self._point(x) as (point, limits):
            options = dict(self.options)
            row = scheme(options.pop("method", DEFAULT_METHOD), jacobian=True)
            h, given = options.pop("h", None), (options.pop("rel_step", None), options.pop("abs_step", None))
            f0: npt.NDArray[np.float64] | None = None
            if not self.c_level:
                value = self.fun.value(point, args) if row.centre_weight else self.fun.known(point, args)
                if value is not None:
                    f0 = _at_x(value, point, m)
            F = self._fresh(self.f, args)
            if limits is not None and np.any(limits[0] == limits[1]):
                return _with_fixed(F, point, h, given, row, m, limits, f0, options, self.rule)
            steps, bounds = _steps_within(point, row, h, given, limits, self.rule)
            if sparsity is None and bounds is None and f0 is not None and not options:
                return _short_road(F, point, steps, row, f0)
            return jacobian(F, point, steps, method=row.name, m=m, sparsity=sparsity, bounds=bounds,
                            f0=f0, **options)


def _at_x(value: object, point: npt.NDArray[np.float64], m: int | None) -> npt.NDArray[np.float64]:
    """``f``'s value at the optimizer's ``point`` as float64s, checked as ``f``'s (not as a caller's ``f0=``):
    a real scalar where ``m`` is 1 (a gradient), else real numbers of a shape :func:`fastgd.jacobian` takes,
    ``m`` of them if given; all finite."""
    values = np.asarray(value)
    if m == 1 and values.size != 1:
        raise TypeError(f"f must return a real scalar, got an array of shape {values.shape}")
    at_x = np.array(as_vector(values, None, point.shape))
    if m is not None and at_x.size != m:
        raise ValueError(f"F returned {at_x.size} values at x, but m={m}")
    finite = np.isfinite(at_x)
    if not finite.all():
        raise ValueError(f"f returned a non-finite value (output {int(np.argmin(finite))}) at the optimizer's point "
                         f"x = {point!r}: no difference quotient there")
    return at_x


def _short_road(F: Any, point: npt.NDArray[np.float64], steps: Any, row: Scheme, at_x: npt.NDArray[np.float64]
                ) -> npt.NDArray[np.float64]:
    """The dense Jacobian at steps made here (finite, nonzero) with ``F(x)`` known and checked (:func:`_at_x`):
    straight to the evaluator, without :func:`fastgd.jacobian`'s checks of what the caller gives (about 20 us of
    a small gradient)."""
    evaluator = make_evaluator(F, point, scheme=row, vector=True)
    result = np.empty((at_x.size, point.size))
    evaluator.jacobian(point, steps, True, Vector(at_x.size, at_x if row.centre_weight else None, point.shape),
                       result)
    check_result(result)
    return result


def _with_fixed(F: Any, point: npt.NDArray[np.float64], h: Any, given: tuple[Any, Any], row: Scheme, m: int | None,
                limits: Limits, f0: object, options: dict[str, Any], rule: StepRule) -> npt.NDArray[np.float64]:
    """The Jacobian along the elements the bounds leave free; 0 along those they fix (``lb == ub``: there is no
    room for a step, and an optimizer projects those components away)."""
    flat = point.reshape(-1)
    free = limits[0] < limits[1]
    result = np.zeros((1 if m is None else m, flat.size))
    if not free.any():
        return result

    def on_free(z: npt.NDArray[np.float64]) -> object:
        full = flat.copy()
        full[free] = z
        return F(full)
    h, *given_free = (value if value is None or isinstance(value, str) or np.ndim(value) == 0 else
                      np.broadcast_to(np.asarray(value, dtype=np.float64), point.shape).reshape(-1)[free]
                      for value in (h, *given))
    z = flat[free].copy()
    steps, bounds = _steps_within(z, row, h, (given_free[0], given_free[1]), (limits[0][free], limits[1][free]), rule)
    part = jacobian(on_free, z, steps, method=row.name, m=m, bounds=bounds, f0=cast("npt.ArrayLike | None", f0),
                    **options)
    if part.shape[0] != result.shape[0]:
        result = np.zeros((part.shape[0], flat.size))
    result[:, free] = part
    return result


class Gradient(_Differences):
    """``x -> gradient of f at x``: ``minimize(f, x0, jac=Gradient(f))`` (see :func:`gradient_of`)."""

    accepts = frozenset({"h", "rel_step", "abs_step", "method", "bounds", "threads", "vectorized", "chunk_size",
                         "workers"})

    def __init__(self, f: Any, options: dict[str, Any]) -> None:
        super().__init__(f, options)
        method = self.options.get("method", DEFAULT_METHOD)
        if method not in ("complex", "richardson"):
            scheme(method, jacobian=True)  # a bad method is named now, not at scipy's first call

    def __call__(self, x: npt.ArrayLike, *args: Any) -> npt.NDArray[np.float64]:
        method = self.options.get("method", DEFAULT_METHOD)
        if method in ("complex", "richardson"):  # the gradient's own passes (no f(x) to share)
            with self._point(x) as (point, limits):
                options = dict(self.options)
                if options.pop("rel_step", None) is not None or options.pop("abs_step", None) is not None:
                    raise TypeError(f"rel_step= and abs_step= are scipy's, for finite differences: method={method!r} "
                                    "takes h")
                h = options.pop("h", AUTO)
                gradient: npt.NDArray[np.float64] = numerical_gradient(
                    self._fresh(self.f, args), point, h, bounds=limits, **options)
                return gradient
        shape = np.shape(x)
        return cast("npt.NDArray[np.float64]", self._difference(x, args, 1, None)).reshape(shape)


class Jacobian(_Differences):
    """``x -> Jacobian of F at x``, dense or (with ``sparsity``) a ``csr_array`` (see :func:`jacobian_of`)."""

    accepts = frozenset({"h", "rel_step", "abs_step", "method", "m", "sparsity", "bounds", "threads", "vectorized",
                         "chunk_size", "workers"})
    pairs = False

    def __init__(self, F: Any, options: dict[str, Any]) -> None:
        sparsity = options.get("sparsity")
        if sparsity is not None and not isinstance(sparsity, SparseJacobian):
            options = {**options, "sparsity": SparseJacobian(sparsity)}  # the groups, made once
        super().__init__(F, options)
        self.sparsity = self.options.pop("sparsity", None)
        self.m: int | None = self.options.pop("m", None)
        scheme(self.options.get("method", DEFAULT_METHOD), jacobian=True)

    def __call__(self, x: npt.ArrayLike, *args: Any) -> Any:
        result = self._difference(x, args, self.m, self.sparsity)
        self.m = result.shape[0]  # F's outputs, known from now on: no call to learn them
        return result


class Hessian(_DropIn):
    """``x -> Hessian of f at x`` (see :func:`hessian_of`): dense, or with ``sparsity`` a ``csr_array``."""

    accepts = frozenset({"h", "method", "gradient", "sparsity", "bounds", "threads", "vectorized", "chunk_size",
                         "workers"})

    def __init__(self, f: Any, options: dict[str, Any]) -> None:
        sparsity = options.get("sparsity")
        if sparsity is not None and not isinstance(sparsity, (SparseHessian, SumHessian)):
            options = {**options, "sparsity": SparseHessian(sparsity)}  # the coloring, made once
        super().__init__(f, options)
        self.sparsity = self.options.pop("sparsity", None)

    def __call__(self, x: npt.ArrayLike, *args: Any) -> Any:
        with self._point(x) as (point, limits):
            options = self._options(args)
            if limits is not None:
                options["h"] = _inward(point, limits, *self._steps(point, options))
            if isinstance(self.sparsity, SumHessian):  # f: the terms
                return self.sparsity.hessian(self._fresh(self.f, args), point, **options)
            if self.sparsity is not None:
                known = None if self.c_level or self.f is None or limits is not None else self.fun.known(point, args)
                return self.sparsity.hessian(self._fresh(self.f, args), point, f0=known, **options)
            result: npt.NDArray[np.float64] = hessian(self._fresh(self.f, args), point, **options)
            return result

    def _steps(self, point: npt.NDArray[np.float64], options: dict[str, Any]) -> tuple[Floats, float]:
        """The steps this Hessian takes at ``point`` (given, or its default rule) and how many of them its points
        move an element at most (2 for Richardson's steps ``h`` and ``2 h``)."""
        richardson = options.get("method") == "richardson"
        if options.get("h") is not None:
            steps = broadcast(options["h"], point, "h")
        else:
            from_gradient = options.get("gradient") is not None
            if self.sparsity is not None:
                method = "forward" if from_gradient and options.get("method") == "forward" else "central"
            else:
                method = "richardson" if richardson else "central"
            fraction = hessian_default(point.dtype, method, from_gradient)
            steps = scaled_steps(point, fraction)
        return steps, 2.0 if richardson and self.sparsity is None else 1.0


class HessianVectorProduct(_DropIn):
    """``(x, p) -> Hessian of f at x times p`` (see :func:`hessp_of`)."""

    accepts = frozenset({"h", "gradient", "bounds", "threads", "vectorized", "chunk_size", "workers"})

    def __call__(self, x: npt.ArrayLike, p: npt.ArrayLike, *args: Any) -> npt.NDArray[np.float64]:
        with self._point(x) as (point, limits):
            options = self._options(args)
            if limits is not None:  # x +- e p (its largest move: hessp's fraction of max(1, max|x|)), and f's steps
                from_gradient = options.get("gradient") is not None
                largest = np.array([np.abs(point).max()])  # hessp's move: its default step at max |x|
                move = float(scaled_steps(largest, hessian_default(point.dtype, gradient=from_gradient))[0])
                inner = np.zeros(point.shape)
                if not from_gradient:
                    given = options.get("h")
                    inner = (scaled_steps(point, hessian_default(point.dtype)) if given is None
                             else broadcast(given, point, "h"))
                _inward(point, limits, move + inner, 1.0)
            return hessp(self._fresh(self.f, args), point, p, **options)


def _inward(point: npt.NDArray[np.float64], limits: Limits, steps: Floats, reach: float) -> Floats:
    """``point`` moved (in place) to the nearest point whose second differences -- every element moved by up to
    ``reach`` times its step -- stay in the bounds (beside a bound, the Hessian a step inside it: an error of the
    order of the step times f's third derivatives); the steps. ValueError where the box is narrower than that."""
    lb, ub = limits
    flat = point.reshape(-1)
    margin = np.asarray(steps, dtype=np.float64).reshape(-1) * reach * 1.001  # clear of rounding at the bound
    narrow = ub - lb < 2 * margin
    if narrow.any():
        i = int(np.argmax(narrow))
        raise ValueError(f"bounds: element {i}'s box [{lb[i]}, {ub[i]}] is narrower than the Hessian's points need "
                         f"({2 * margin[i]:.3g}): pass a smaller h")
    np.clip(flat, lb + margin, ub - margin, out=flat)
    return np.asarray(steps, dtype=np.float64)


def gradient_of(f: Any, **options: Any) -> Gradient:
    """``x -> gradient of f at x`` for ``minimize(jac=)``, on a private copy of ``x``, within ``bounds``.

    Forward differences at scipy's ``'2-point'`` step by default; they need ``f(x)``, which the adapter takes
    from its :attr:`~Gradient.fun` when scipy has just called that at the same ``x`` -- pass it as the
    objective, ``minimize(grad.fun, x0, jac=grad)``, and a gradient costs ``n`` calls of ``f`` (``n + 1``
    otherwise). :func:`fastgd.optimize.minimize` does this for you.

    Parameters
    ----------
    f : callable or C-level objective
        ``f(x, *args) -> real scalar`` (``args``: what scipy passes, ``minimize(args=...)``), called with a new
        array each time; or a C function as :func:`fastgd.numerical_gradient` takes it.
    **options
        ``method`` (``'forward'`` by default; ``'central'`` and ``'central4'`` -- scipy's ``'3-point'`` and
        beyond --, ``'backward'``, ``'complex'``, ``'richardson'``), ``h`` (``'auto'`` by default: scipy's
        steps for the method's order, or a float or per-element steps), ``rel_step`` (scipy's: steps
        ``rel_step * max(1, |x|)``), ``bounds`` (what ``minimize`` takes: a ``scipy.optimize.Bounds`` or one
        ``(min, max)`` pair per element; ``f`` is then never evaluated outside them, and an ``x`` outside is
        taken to the nearest point inside; an element fixed by ``min == max`` has derivative 0), ``threads``,
        ``vectorized``, ``chunk_size``, ``workers`` (as :func:`fastgd.numerical_gradient` takes them).
        The default is scipy's ``'2-point'`` bit for bit, at ``n`` calls of ``f`` per gradient (``f(x)`` shared
        through ``.fun``); its error, ``~ sqrt(eps) |f''|`` (7.5e-6 at ``rosen``'s minimum), is the size of
        BFGS's ``gtol=1e-5``, so BFGS may end in "precision loss" as it does with scipy's own; ``'central'``
        (``2 n`` calls, 1e-8 there) suits a tight ``gtol``.

    Returns
    -------
    Gradient
        ``gradient(x, *args)``: a new float64 array shaped like ``x`` at every call; ``gradient.fun``: ``f``
        remembering its last value.

    Raises
    ------
    TypeError
        An option it does not take (when the adapter is made).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.optimize import minimize, rosen
    >>> import fastgd
    >>> x0 = np.array([1.3, 0.7, 0.8, 1.9, 1.2])
    >>> grad = fastgd.gradient_of(rosen)
    >>> result = minimize(grad.fun, x0, method="BFGS", jac=grad)  # n calls of rosen per gradient
    >>> bool(np.allclose(result.x, 1, atol=1e-4)), result.nit == minimize(rosen, x0, method="BFGS").nit
    (True, True)

    Within bounds, given as scipy takes them:

    >>> def entropy(x):
    ...     return np.sum(x - np.log(x))  # not defined below 0
    >>> bounds = [(0, None)] * 2
    >>> grad = fastgd.gradient_of(entropy, bounds=bounds)
    >>> result = minimize(grad.fun, [1e-5, 3], method="L-BFGS-B", jac=grad, bounds=bounds)
    >>> bool(result.success), bool(np.allclose(result.x, 1, atol=1e-5))
    (True, True)
    """
    return Gradient(f, options)


def jacobian_of(F: Any, **options: Any) -> Jacobian:
    """``x -> Jacobian of F at x`` for ``least_squares(jac=)`` and ``root(jac=)``, on a private copy of ``x``,
    within ``bounds``.

    Forward differences at scipy's ``'2-point'`` step by default, with ``F(x)`` from :attr:`~Jacobian.fun` when
    scipy has just called that at the same ``x`` (``least_squares(jac.fun, x0, jac=jac)``): ``n`` calls of
    ``F`` per dense Jacobian (MINPACK's count in ``root``), one per column group with ``sparsity=``. The number
    of outputs is learnt once. With ``sparsity=`` the column groups are made once, here, and every call
    returns a ``scipy.sparse.csr_array`` (which ``least_squares`` takes with ``tr_solver='lsmr'``).

    Parameters
    ----------
    F : callable or C-level vector function
        ``F(x, *args) -> array`` of m values, called with a new array each time; or a C function as
        :func:`fastgd.jacobian` takes it.
    **options
        ``method``, ``h``, ``rel_step`` as :func:`gradient_of` takes them (not ``'complex'``/``'richardson'``),
        ``m``, ``sparsity`` (a pattern or a :class:`fastgd.SparseJacobian`), ``bounds`` (what
        ``least_squares`` takes: ``(lb, ub)`` or a ``scipy.optimize.Bounds``), ``threads``, ``vectorized``,
        ``chunk_size``, ``workers`` (as :func:`fastgd.jacobian` takes them).

    Returns
    -------
    Jacobian
        ``jac(x, *args)``: a new ``(m, n)`` array (or ``csr_array``) at every call; ``jac.fun``: ``F``
        remembering its last value.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from scipy.optimize import least_squares
    >>> import fastgd
    >>> def broyden(x):  # a tridiagonal Jacobian
    ...     f = (3 - 2 * x) * x + 1
    ...     f[1:] -= x[:-1]
    ...     f[:-1] -= 2 * x[1:]
    ...     return f
    >>> n = 1000
    >>> pattern = sp.diags_array([1.0, 1.0, 1.0], offsets=[-1, 0, 1], shape=(n, n))
    >>> jac = fastgd.jacobian_of(broyden, sparsity=pattern, bounds=(-2, 0))
    >>> result = least_squares(jac.fun, -np.ones(n), jac=jac, bounds=(-2, 0), tr_solver="lsmr")
    >>> bool(result.cost < 1e-15), result.njev  # each Jacobian: 3 calls (3 groups), F(x) from jac.fun
    (True, 7)
    """
    return Jacobian(F, options)


def hessian_of(f: Any, **options: Any) -> Hessian:
    """``x -> hessian(f, x, **options)`` on a private copy of ``x``: ``minimize(f, x0, jac=..., hess=hessian_of(f))``.

    With ``sparsity=`` (the Hessian's pattern, or a :class:`fastgd.SparseHessian`) the plan is made once and
    every call returns a ``scipy.sparse.csr_array`` (``trust-constr`` and ``Newton-CG`` take it): from a
    ``gradient`` by a star coloring, a few gradient calls; from ``f`` alone by second differences over the
    pattern's entries (see :class:`fastgd.SparseHessian`). With ``sparsity=`` a :class:`fastgd.SumHessian`,
    ``f`` is the *terms* of the objective (``F(x)`` whose sum it is), and a Hessian costs a handful of calls.

    Parameters
    ----------
    f : callable or C-level objective, or None
        As :func:`fastgd.hessian` takes it (None with ``gradient=``); ``f(x, *args)``, called with a new
        array each time.
    **options
        :func:`fastgd.hessian`'s keyword arguments (``h``, ``method``, ``gradient``, ``threads``,
        ``vectorized``, ``chunk_size``, ``workers``), ``sparsity``, and ``bounds`` (what ``minimize`` takes:
        neither ``f`` nor ``gradient`` is then evaluated outside them -- beside a bound the Hessian is taken at
        the nearest point whose points fit, a step or two inside); a ``gradient`` is called with scipy's
        ``args`` too.

    Returns
    -------
    Hessian
        ``hess(x, *args)``: a new ``(n, n)`` array (or ``csr_array``) at every call.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.optimize import minimize, rosen, rosen_der
    >>> import fastgd
    >>> result = minimize(rosen, np.array([1.3, 0.7, 0.8, 1.9, 1.2]), method="trust-exact", jac=rosen_der,
    ...                   hess=fastgd.hessian_of(rosen))
    >>> bool(result.success), bool(np.allclose(result.x, 1))
    (True, True)
    """
    return Hessian(f, options)


def hessp_of(f: Any, **options: Any) -> HessianVectorProduct:
    """``(x, p) -> hessp(f, x, p, **options)`` on a private copy of ``x``: ``minimize(..., hessp=hessp_of(f))``.

    The road for ``Newton-CG``, ``trust-ncg`` and ``trust-krylov``: a product costs two calls of a
    ``gradient`` (or ``4 n`` of ``f`` alone), never the ``2 n**2 + 1`` of a whole Hessian from ``f``.

    Parameters
    ----------
    f : callable or C-level objective, or None
        As :func:`fastgd.hessp` takes it (None with ``gradient=``); ``f(x, *args)``.
    **options
        :func:`fastgd.hessp`'s keyword arguments (``h``, ``gradient``, ``threads``, ``vectorized``,
        ``chunk_size``, ``workers``), and ``bounds`` (what ``minimize`` takes: beside a bound the product is
        taken at the nearest point whose points fit).

    Returns
    -------
    HessianVectorProduct
        ``hessp(x, p, *args)``: a new array shaped like ``x`` at every call.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.optimize import minimize, rosen, rosen_der
    >>> import fastgd
    >>> x0 = np.array([1.3, 0.7, 0.8, 1.9, 1.2])
    >>> result = minimize(rosen, x0, method="Newton-CG", jac=rosen_der, hessp=fastgd.hessp_of(None, gradient=rosen_der))
    >>> bool(result.success), bool(np.allclose(result.x, 1, atol=1e-3)), result.nit  # rosen_hess_prod: 21 too
    (True, True, 21)
    """
    return HessianVectorProduct(f, options)
