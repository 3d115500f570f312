"""Plain numpy loops for every ``method=`` of :func:`fastgd.numerical_gradient`: the twins of its compiled loops.

:func:`difference` evaluates one scheme row (:data:`fastgd.diff.schemes.SCHEMES`) element by
element, in ``np.nditer``'s order, perturbing ``x`` in place and restoring it -- the textbook's
loop with the row's points and weights. The named functions below are its formulas, for reading
(``central`` is :func:`fastgd.reference.numerical_gradient`, the textbook's).

:func:`numerical_gradient` is the twin of ``fastgd.numerical_gradient(..., method=...)``: the
step rule, the one-sided rows beside bounds, the second step of ``h='auto'``, Richardson's
second try and the error estimates are fastgd's own numpy code (:mod:`fastgd.diff.methods`);
only the loops that evaluate ``f`` are these plain ones. Where the loops do the same IEEE
operations in the same order, fastgd's results are bitwise equal to these.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd._typing import FloatT, PythonObjective
from fastgd.diff._core.methods import GradientInfo, gradient
from fastgd.diff._core.schemes import SCHEMES, Scheme
from fastgd.diff._core.steps import StepsArg, complex_dtype
from fastgd.diff._core.values import imaginary_part


def difference(f: PythonObjective, x: npt.NDArray[FloatT], scheme: Scheme, h: float | npt.ArrayLike,
               exact: bool, elements: npt.NDArray[np.bool_] | None = None,
               values: npt.NDArray[np.float64] | None = None) -> npt.NDArray[FloatT]:
    """``scheme``'s estimate of the derivative along each element of ``x``, in a plain loop.

    For each element (where ``elements`` is True), in ``np.nditer``'s order: ``v = x[i]``; the
    step ``h[i]``, or ``(v + h[i]) - v`` if ``exact``; ``f`` at ``x[i] = v + offset * step`` for
    each point, ``x[i] = v`` after each; the estimate
    ``(w_0 f_0 + w_1 f_1 + ... + centre_weight f(x)) / (denominator * step)``, summed left to
    right. A complex step does the same on a complex copy of ``x``, moving the imaginary part and
    summing imaginary parts. ``values`` (optional): each element's values of ``f``, row = its C
    position, then ``f(x)``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.diff._core.schemes import SCHEMES
    >>> from fastgd.reference.schemes import difference
    >>> difference(lambda x: np.sum(x**2), np.array([3.0, 4.0]), SCHEMES["central4"], 0.5, exact=False)
    array([6., 8.])
    """
    point = np.array(x, dtype=complex_dtype(x.dtype)) if scheme.imaginary else x
    grad = np.zeros_like(x)
    steps = np.broadcast_to(np.asarray(h, dtype=np.float64), x.shape)
    centre: Any = f(point) if scheme.centre_weight else None
    it = np.nditer(x, flags=["multi_index", "zerosize_ok"])
    for _ in it:
        idx = it.multi_index
        if elements is not None and not elements[idx]:
            continue
        v, step = point[idx], float(steps[idx])
        if exact:
            step = float((v + step) - v)
        results = []
        for offset in scheme.offsets:
            point[idx] = v + 1j * (offset * step) if scheme.imaginary else v + offset * step
            try:
                results.append(f(point))
            finally:
                point[idx] = v
        if scheme.imaginary:
            results = [imaginary_part(r) for r in results]
        total = scheme.weights[0] * results[0]
        for weight, value in zip(scheme.weights[1:], results[1:], strict=True):
            total = total + weight * value
        if scheme.centre_weight:
            total = total + scheme.centre_weight * centre
        grad[idx] = total / (scheme.denominator * step)
        if values is not None:
            values[np.ravel_multi_index(idx, x.shape)] = [*results, centre][:scheme.value_columns]
    return grad


class PlainLoops:
    """An evaluator (as :mod:`fastgd.diff.evaluators` defines them) made of :func:`difference`."""

    def __init__(self, f: PythonObjective, scheme: Scheme) -> None:
        self.f = f
        self.scheme = scheme

    def derivative(self, x: npt.NDArray[Any], h: float | npt.NDArray[np.float64], exact: bool,
                   elements: npt.NDArray[np.bool_] | None = None,
                   values: npt.NDArray[np.float64] | None = None) -> npt.NDArray[Any]:
        return difference(self.f, x, self.scheme, h, exact, elements, values)


def numerical_gradient(f: PythonObjective, x: npt.NDArray[FloatT], h: StepsArg = None, *, method: str = "central",
                       typical_x: npt.ArrayLike | None = None, bounds: object = None, full_output: bool = False
                       ) -> npt.NDArray[FloatT] | tuple[npt.NDArray[FloatT], GradientInfo]:
    """The twin of ``fastgd.numerical_gradient(f, x, h, method=..., ...)`` for a Python ``f``.

    Examples
    --------
    >>> import numpy as np
    >>> import fastgd
    >>> from fastgd.reference import schemes
    >>> def f(x):
    ...     return np.sum(np.sin(x) * x)
    >>> x = np.linspace(-1.0, 1.0, 5)
    >>> for method in ("forward", "central4", "complex", "richardson"):
    ...     fast = fastgd.numerical_gradient(f, x, "auto", method=method)
    ...     print(method, bool(np.array_equal(fast, schemes.numerical_gradient(f, x, "auto", method=method))))
    forward True
    central4 True
    complex True
    richardson True
    """
    return gradient(PlainLoops(f, SCHEMES[method]), x, method, h, typical_x, bounds, full_output)


def forward_difference(f: PythonObjective, x: npt.NDArray[FloatT], h: float | npt.ArrayLike) -> npt.NDArray[FloatT]:
    """``(f(x + h) - f(x)) / h`` at each element (an array of steps divides by the representable ones)."""
    return difference(f, x, SCHEMES["forward"], h, exact=isinstance(h, np.ndarray))


def backward_difference(f: PythonObjective, x: npt.NDArray[FloatT], h: float | npt.ArrayLike) -> npt.NDArray[FloatT]:
    """``(f(x) - f(x - h)) / h`` at each element (an array of steps divides by the representable ones)."""
    return difference(f, x, SCHEMES["backward"], h, exact=isinstance(h, np.ndarray))


def central4_difference(f: PythonObjective, x: npt.NDArray[FloatT], h: float | npt.ArrayLike) -> npt.NDArray[FloatT]:
    """``(-f(x + 2h) + 8 f(x + h) - 8 f(x - h) + f(x - 2h)) / (12h)`` at each element."""
    return difference(f, x, SCHEMES["central4"], h, exact=isinstance(h, np.ndarray))


def complex_step(f: PythonObjective, x: npt.NDArray[FloatT], h: float | npt.ArrayLike) -> npt.NDArray[FloatT]:
    """``Im f(x + ih) / h`` at each element, on a complex copy of ``x``."""
    return difference(f, x, SCHEMES["complex"], h, exact=False)


def richardson(f: PythonObjective, x: npt.NDArray[FloatT], h: float | npt.ArrayLike) -> npt.NDArray[FloatT]:
    """``(8 (f(x + h/2) - f(x - h/2)) - (f(x + h) - f(x - h))) / (6h)``: the central differences at
    ``h`` and ``h/2`` extrapolated, at each element (no error estimate, no second try)."""
    return difference(f, x, SCHEMES["richardson"], h, exact=isinstance(h, np.ndarray))
