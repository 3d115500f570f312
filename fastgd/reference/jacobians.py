"""Plain numpy twins of :func:`fastgd.jacobian`, :func:`fastgd.hessian`, :func:`fastgd.hessp`,
:func:`fastgd.color_columns` and :class:`fastgd.SparseJacobian`, written from the formulas.

Every difference divides by the distance its points take (:func:`fastgd.reference.steps.distance`: ``x_+ -
x_-`` for central differences, scipy's ``x2 - x1``). Where fastgd's loops do the same IEEE operations in
the same order, its numbers are these, bit for bit (for functions whose values do not depend on the order
of their calls). A float32 ``x`` gives a float32 Jacobian or Hessian (computed in double, rounded once:
scipy.differentiate's rule).

- Jacobian: column ``i`` is a difference formula (:mod:`fastgd.reference.schemes`) of ``F``'s values
  along ``x.flat[i]``; the complex step ``Im F(x + i h e_i) / h`` on a complex copy of ``x``.
- Hessian from ``f`` alone: the four-point formula off the diagonal and the central second difference on
  it (Abramowitz & Stegun 25.3.23 and 25.3.26), for points ``x_i +- h_i`` that moved ``a_i`` above and
  ``b_i`` below ``x_i`` (``D_i = a_i + b_i``):

      H[i, j] = (f(x + h_i e_i + h_j e_j) - f(x + h_i e_i - h_j e_j)
                 - f(x - h_i e_i + h_j e_j) + f(x - h_i e_i - h_j e_j)) / (D_i D_j),
      H[i, i] = ((f(x + h_i e_i) - f(x)) / a_i + (f(x - h_i e_i) - f(x)) / b_i) / (D_i / 2)

  each pair computed once and written to both halves (the diagonal is the second derivative of the
  parabola through the three points: ``(f+ + f- - 2 f0) / h**2`` where ``a = b = h``).
  ``method='richardson'``: ``(4 H(h) - H(2h)) / 3``, which cancels the ``h**2`` term (its error estimate
  takes ``H(h/2)`` too).
  ``method='complex'``: a complex step along one element and a central difference along the other,
  ``H[i, j] = Im(f(x + i c_i e_i + h_j e_j) - f(x + i c_i e_i - h_j e_j)) / (c_i D_j)`` for ``i <= j``
  (Lai & Crassidis, J. Comput. Appl. Math. 215, 2008). From a gradient ``g``: the central Jacobian of
  ``g``, symmetrized, ``(J + J.T) / 2``.
- Default Hessian steps: the rule ``(256 eps)**(1/4) max(1, |x_i|)`` (a power of two, :data:`RULE`),
  measured against ``f`` along each element (:func:`measured_steps`), then that times the ratio of the
  method's rule to the central one's; from a gradient, ``eps**(1/3)`` (``eps**(1/5)``) times
  ``max(1, |x_i|)``.
- Hessian times ``p``: ``(g(x + e p) - g(x - e p)) / (2e)``.
- Sparse Jacobians: columns with no nonzero in a common row move together (Curtis, Powell & Reid,
  *J. Inst. Maths Applics* 13, 1974), grouped by a greedy coloring (Gebremedhin, Manne & Pothen,
  *SIAM Review* 47, 2005) improved by Culberson's iterated greedy.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.reference.schemes import CENTRAL, COMPLEX, ROWS, Row, complex_dtype, evaluate, weighted_sum
from fastgd.reference.steps import automatic, distance, epsilon, imaginary_steps, moved_by, power_of_two

Array = npt.NDArray[Any]
Floats = npt.NDArray[np.float64]
Function = Callable[[Array], Any]

EPS: float = float(np.finfo(np.float64).eps)
NOISE: float = 2.0  #: each value of f taken to be off by NOISE * eps of the largest (Hessian error estimates)
SAFETY: float = 10.0  #: the h**4 term of an extrapolated Hessian taken as SAFETY * q times the measured h**2 term
QMAX: float = 1e-2  #: a complex-step Hessian whose two steps differ by this fraction is not reliable
#: Each method's Hessian step from f alone as a fraction ``(k eps)**p`` of the scale on which f varies, ``(k, p)``:
#: the truncation error ``~ (h / L)**2`` of a second difference (``(h / L)**4`` extrapolated, ``(h / L)**2`` for the
#: complex step's real first difference) against the rounding ``~ eps |f| / h**2`` (``/ h``), with ``k`` chosen on
#: smooth test functions: 2**-11, 2**-8 and 2**-17 in float64. From a gradient, ``eps**p``.
RULE: dict[str, tuple[float, float]] = {"central": (256.0, 1 / 4), "richardson": (16.0, 1 / 6), "complex": (4.0, 1 / 3)}
GRADIENT_POWER: dict[str, float] = {"central": 1 / 3, "richardson": 1 / 5}
#: Measuring the steps: a step is cut by CUT (at most CUTS times) while (4/3) |D(h) - D(h/2)| is not below
#: FAR times the second difference, and shrunk at most SHRINK below the rule otherwise.
FAR, CUT, CUTS, SHRINK = 0.1, 1 / 16, 3, 2.0**-10


def _vector(r: object) -> Floats:
    """A value of a vector function as a new flat float64 array (C order)."""
    return np.array(r, dtype=np.float64).reshape(-1)


def _values_of(value: object, row: Row) -> Floats:
    """A value of ``F`` at a point of ``row`` as a new flat float64 array: its imaginary part for a complex step."""
    return np.imag(np.asarray(value)).astype(np.float64).reshape(-1) if row.imaginary else _vector(value)


def _dtype(x: Array) -> type[np.floating[Any]]:
    """The dtype of a Jacobian or Hessian at ``x``: float32 for float32, else float64."""
    return np.float32 if x.dtype == np.float32 else np.float64


def _flat_steps(x: Array, h: object, row: Row) -> Floats:
    """``h`` as one step per element, flat: ``'auto'``'s rule (typical scale 1), or as given (None: the
    textbook's 1e-4, ``'auto'`` for the complex step)."""
    if h is None:
        h = "auto" if row.imaginary else 1e-4
    if isinstance(h, str):
        return automatic(x.reshape(-1), row, 1.0)
    return np.broadcast_to(np.asarray(h, dtype=np.float64), x.shape).reshape(-1)


def jacobian(F: Function, x: Array, h: float | npt.ArrayLike | None = None, *, method: str = "central") -> Array:
    """Jacobian of ``F`` at ``x``, ``J[j, i] = dF_j / dx.flat[i]``, shape ``(m, x.size)``.

    ``F(x)`` first (it tells ``m``); then, for each element in ``np.nditer``'s order, ``F`` at each point of the
    row (``method``: ``'central'``, ``'forward'``, ``'backward'``, ``'central4'``), the element restored after
    each, and the row's weighted sum of the values over the distance the points took. ``'complex'``: ``F`` at
    a complex copy of ``x`` (its imaginary part must be 0), then ``Im F(x + i h e_i) / h``. ``h``: a float,
    per-element steps or ``'auto'`` (default: 1e-4, ``'auto'`` for ``'complex'``). float32 for a float32 ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import reference
    >>> np.round(reference.jacobian(lambda x: np.array([x[0] * x[1], x[1] ** 2]), np.array([1.0, 2.0])), 8)
    array([[2., 1.],
           [0., 4.]])
    """
    row = ROWS[method]
    steps = _flat_steps(x, h, row)
    if row.imaginary:
        steps = np.asarray(imaginary_steps(x.dtype, steps), dtype=np.float64).reshape(-1)
        point = np.array(x, dtype=complex_dtype(x.dtype), order="K")
        at_x = np.asarray(F(point))
        if np.any(np.imag(at_x) != 0):
            raise TypeError("method='complex' needs a real-valued F")
        m = at_x.size
    else:
        point = x
        at_x = _vector(F(x))
        m = at_x.size
    J = np.empty((m, x.size))
    it = np.nditer(x, flags=["multi_index", "zerosize_ok"])
    for _ in it:
        idx = it.multi_index
        i = int(np.ravel_multi_index(idx, x.shape)) if x.ndim else 0
        v, step = point[idx], float(steps[i])
        values, divisor = [], row.denominator * step  # a complex step: Im F(x + i h) / h
        for k, offset in enumerate(row.offsets):
            point[idx] = v + 1j * (offset * step) if row.imaginary else v + offset * step
            if not row.imaginary:  # the distance the points take, summed as their values are
                term = row.weights[k] * moved_by(v, point[idx])
                divisor = term if k == 0 else divisor + term
            try:
                value = F(point)
            finally:
                point[idx] = v
            values.append(_values_of(value, row))
        J[:, i] = weighted_sum(row, values, at_x) / divisor
    return J.astype(_dtype(x))


def _second(f: Function, x: Array, steps: Floats, elements: Any, known: dict[tuple[int, float], tuple[float, float]]
            ) -> int:
    """The second difference along each element of ``elements`` (flat indices) at its step, with the largest
    ``|f|`` at its points, into ``known[(i, step)]``; elements measured before at that step are not evaluated
    again. ``f(x)`` once if any is. The evaluations made."""
    todo = [i for i in elements if (i, float(steps[i])) not in known]
    if not todo:
        return 0
    f0 = float(f(x))
    flat_index = {int(np.ravel_multi_index(it.multi_index, x.shape)) if x.ndim else 0: it.multi_index
                  for it in _visits(x)}
    order = [i for i in (int(np.ravel_multi_index(it.multi_index, x.shape)) if x.ndim else 0 for it in _visits(x))
             if i in set(todo)]
    for i in order:
        idx, h = flat_index[i], float(steps[i])
        v = x[idx]
        values = []
        for sign in (1.0, -1.0):
            x[idx] = v + sign * h
            moved = moved_by(v, x[idx])
            try:
                values.append(float(f(x)))
            finally:
                x[idx] = v
            if sign > 0:
                above = moved
            else:
                below = moved
        plus, minus = values
        second = ((plus - f0) / above - (minus - f0) / below) / ((above - below) / 2)
        known[(i, h)] = (second, max(abs(plus), abs(minus), abs(f0)))
    return 2 * len(todo) + 1


def fraction(dtype: np.dtype[Any], method: str) -> float:
    """A method's Hessian step as a fraction of the scale of ``x``: ``(k eps)**p`` (:data:`RULE`)."""
    k, p = RULE[method]
    return float((k * epsilon(dtype)) ** p)


def measured_steps(f: Function, x: Array, known: dict[tuple[int, float], tuple[float, float]]) -> tuple[Floats, int]:
    """The central second difference's step of each element (flat), measured against ``f``, and the
    evaluations made.

    Start at ``h = (256 eps)**(1/4) max(1, |x_i|)`` (a power of two) and take the second differences ``D(h)`` and
    ``D(h/2)``. Their change shows the ``h**2`` term, ``c h**2 = (4/3) |D(h) - D(h/2)|``, where it exceeds
    the rounding bound of both, ``NOISE eps max|f| 4 / h**2`` (the weights 1, 1, -2): the error
    ``c h**2 s**2 + n / s**2`` at ``s h`` is least at ``s = (n / (c h**2))**(1/4)``, kept in
    ``[SHRINK, 1]`` and rounded to a power of two. Where the ``h**2`` term is not below ``FAR`` times
    ``|D(h/2)|``, ``h`` is beyond the scale on which ``f`` varies: cut by ``CUT`` and measured again (at
    most ``CUTS`` times).
    """
    eps = epsilon(x.dtype)
    flat = x.reshape(-1)
    steps = power_of_two(fraction(x.dtype, "central") * np.maximum(1.0, np.abs(flat.astype(np.float64))))
    chosen = steps.copy()
    todo = list(range(flat.size))
    calls = 0
    for cut in range(CUTS + 1):
        calls += _second(f, x, steps, todo, known)
        calls += _second(f, x, steps / 2, todo, known)
        again = []
        for i in todo:
            h = float(steps[i])
            coarse, coarse_largest = known[(i, h)]
            fine, fine_largest = known[(i, h / 2)]
            noise = NOISE * eps * 4 * coarse_largest / h**2
            change = abs(coarse - fine)
            shows = change > noise + NOISE * eps * 4 * fine_largest / (h / 2) ** 2
            truncation = 4 / 3 * change
            if cut < CUTS and shows and np.isfinite(truncation) and not truncation < FAR * abs(fine):
                again.append(i)
                continue
            if shows:
                balance = min(max((noise / truncation) ** 0.25, SHRINK), 1.0) if truncation > 0 else 1.0
                chosen[i] = power_of_two(np.array([h * balance]))[0]
            else:
                chosen[i] = h
        todo = again
        if not todo:
            break
        for i in todo:
            steps[i] = steps[i] * CUT
    return chosen, calls


def _hessian_at(f: Function, x: Array, steps: Floats, known: dict[tuple[int, float], tuple[float, float]]
                ) -> tuple[Floats, int]:
    """The four-point formula off the diagonal, the second differences on it (from ``known``, measured where
    missing), at ``steps`` (flat, C order); the pairs in ``np.nditer``'s order. The evaluations made."""
    n = x.size
    H = np.empty((n, n))
    order = [it.multi_index for it in _visits(x)]
    calls = _second(f, x, steps, range(n), known)
    for i in range(n):
        H[i, i] = known[(i, float(steps[i]))][0]
    for a, ia in enumerate(order):
        for ib in order[a + 1:]:
            i, j = (int(np.ravel_multi_index(idx, x.shape)) for idx in (ia, ib))
            vi, vj, hi, hj = x[ia], x[ib], float(steps[i]), float(steps[j])
            values = []
            for si, sj in ((1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)):
                x[ia] = vi + si * hi
                x[ib] = vj + sj * hj
                try:
                    values.append(float(f(x)))
                finally:
                    x[ia], x[ib] = vi, vj
            f_pp, f_pm, f_mp, f_mm = values
            Di = moved_by(vi, vi + hi) - moved_by(vi, vi - hi)
            Dj = moved_by(vj, vj + hj) - moved_by(vj, vj - hj)
            H[i, j] = H[j, i] = (f_pp - f_pm - f_mp + f_mm) / (Di * Dj)
            calls += 4
    return H, calls


def _complex_hessian(f: Function, x: Array, imaginary: Floats, real: Floats) -> tuple[Floats, Floats]:
    """The complex-step Hessian: pairs ``i <= j`` (C order), ``Im(f(x + i c_i e_i + h_j e_j) - f(x + i c_i e_i -
    h_j e_j)) / (c_i D_j)``; and the largest ``|Im f| / c_i`` of each entry."""
    flat = x.reshape(-1)
    n = flat.size
    H, largest = np.empty((n, n)), np.zeros((n, n))
    D = distance(flat, real, CENTRAL)
    for i in range(n):
        for j in range(i, n):
            parts = []
            for sign in (1.0, -1.0):
                point = flat.astype(complex_dtype(x.dtype))
                point[j] = flat[j] + sign * float(real[j])
                point[i] = point[i] + 1j * float(imaginary[i])
                value = f(point.reshape(x.shape))
                if not isinstance(value, (complex, np.complexfloating)):
                    value = np.asarray(value)[()]
                parts.append(float(np.imag(value)))
            H[i, j] = H[j, i] = (parts[0] - parts[1]) / (float(imaginary[i]) * D[j])
            largest[i, j] = largest[j, i] = max(abs(parts[0]), abs(parts[1])) / float(imaginary[i])
    return H, largest


def _visits(x: Array) -> Any:
    it = np.nditer(x, flags=["multi_index", "zerosize_ok"])
    for _ in it:
        yield it


@dataclass(frozen=True)
class HessianInfo:
    """The twin of :class:`fastgd.HessianInfo`."""

    error: Floats  #: estimate of the absolute error of each entry
    status: npt.NDArray[np.int8]  #: 0 converged; -1 the steps look outside the range where the estimate holds
    calls: int  #: every evaluation of f (or of the gradient)
    step: Floats  #: each element's (smaller) step: half the distance its points take


def _richardson_error(fine: Floats, coarse: Floats, result: Floats, noise: Floats,
                      finer: Floats | None = None) -> tuple[Floats, npt.NDArray[np.int8]]:
    """The error estimate and status of ``R = (4 fine - coarse) / 3`` (steps h, 2h; ``noise``: ``fine``'s
    rounding bound).

    Rounding: ``(4 noise + noise / 4) / 3 = 17/12 noise``. Truncation: with ``q = |fine - coarse| / |R|``
    (the relative size of the ``h**2`` term) the ``h**4`` term is ~ ``q`` times the measured one;
    taken as ``min(SAFETY q, 1) |fine - coarse|`` (mixed entries' cross terms make it larger).
    Not reliable where that is the whole difference and exceeds the rounding bound. With ``finer`` (the
    Hessian at ``h / 2``): ``R' = (4 finer - fine) / 3``, and ``|R - R'| = (15/16) |h**4 term of R|``, so
    the truncation is at least ``2 (16/15) |R - R'|``; not reliable where ``|R - R'|`` is beyond ``QMAX |R|``
    and the rounding bounds of ``R`` and ``R'`` (``17/12`` and ``(16 noise + noise) / 3``).
    """
    difference = np.abs(fine - coarse)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(difference > 0, difference / np.abs(result), 0.0)
    truncation = np.minimum(SAFETY * q, 1.0) * difference
    rounding = noise * (17 / 12)
    unreliable = (SAFETY * q >= 1.0) & (truncation > rounding)
    if finer is not None:
        later = (4 * finer - fine) / 3
        measured = np.abs(result - later)
        truncation = np.maximum(truncation, 2 * 16 / 15 * measured)
        unreliable |= ~(measured < QMAX * np.abs(result)) & (measured > noise * (17 / 12 + 17 / 3))
    status = np.where(unreliable, -1, 0).astype(np.int8)
    return rounding + truncation, status


def hessian(f: Function | None, x: Array, h: float | npt.ArrayLike | None = None, *, method: str = "central",
            gradient: Function | None = None, full_output: bool = False) -> Array | tuple[Array, HessianInfo]:
    """Hessian of ``f`` at ``x``, ``(x.size, x.size)``, symmetric (see the module's formulas); float32 for a
    float32 ``x``.

    Steps ``h`` (a float or per-element steps; default: measured, :func:`measured_steps`) divide as the
    distance their points take. ``method='richardson'``: ``(4 H(h) - H(2h)) / 3``; ``'complex'``: the mixed
    complex-step Hessian (``f(x)`` checked real first); with ``full_output``, the error estimate.
    ``gradient=g``: from ``g``'s Jacobian.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import reference
    >>> np.round(reference.hessian(lambda x: x[0] ** 2 * x[1], np.array([1.0, 3.0])), 6)
    array([[6., 2.],
           [2., 0.]])
    """
    richardson = method == "richardson"
    n = x.size
    eps = epsilon(x.dtype)
    dtype = _dtype(x)
    if gradient is not None:
        steps = (power_of_two(eps ** GRADIENT_POWER[method] * np.maximum(1.0, np.abs(x.astype(np.float64))))
                 if h is None or isinstance(h, str) else np.broadcast_to(np.asarray(h, dtype=np.float64), x.shape))
        fine = jacobian(gradient, x, steps).astype(np.float64)
        fine = (fine + fine.T) * 0.5
        if not richardson:
            return fine.astype(dtype)
        coarse = jacobian(gradient, x, 2 * steps).astype(np.float64)
        coarse = (coarse + coarse.T) * 0.5
        result: Floats = (4 * fine - coarse) / 3
        if not full_output:
            return result.astype(dtype)
        half = distance(x.reshape(-1), steps.reshape(-1), CENTRAL) / 2
        scale = np.abs(_vector(gradient(x)))
        # entry (j, i) of the Jacobian is (g_j(x + h_i e_i) - g_j(x - h_i e_i)) / D_i; symmetrized, a mean
        noise = NOISE * eps * (scale[:, None] / half[None, :] + scale[None, :] / half[:, None]) / 2
        return result.astype(dtype), HessianInfo(*_richardson_error(fine, coarse, result, noise), 4 * n + 1, half)
    assert f is not None
    known: dict[tuple[int, float], tuple[float, float]] = {}
    calls = 0
    if method == "complex":
        at_x = f(np.array(x, dtype=complex_dtype(x.dtype)))
        if np.imag(at_x) != 0:
            raise TypeError("method='complex' needs a real-valued f")
        calls += 1
    if h is None or isinstance(h, str):
        measured, calls_measuring = measured_steps(f, x, known)
        calls += calls_measuring
        flat_steps = power_of_two(measured * (fraction(x.dtype, method) / fraction(x.dtype, "central")))
    else:
        flat_steps = np.broadcast_to(np.asarray(h, dtype=np.float64), x.shape).reshape(-1).copy()
    half = distance(x.reshape(-1), flat_steps, CENTRAL) / 2
    if method == "complex":
        imaginary = np.asarray(imaginary_steps(x.dtype, automatic(x.reshape(-1), COMPLEX, 1.0)), dtype=np.float64)
        fine, largest = _complex_hessian(f, x, imaginary, flat_steps)
        calls += n * (n + 1)
        if not full_output:
            return fine.astype(dtype)
        coarse, _ = _complex_hessian(f, x, imaginary, 2 * flat_steps)
        calls += n * (n + 1)
        noise = NOISE * eps * largest * 2 / half[None, :]
        difference = np.abs(fine - coarse)
        status = np.where(difference < QMAX * np.abs(fine), 0, -1).astype(np.int8)
        return fine.astype(dtype), HessianInfo(noise + 2 * 4 / 3 * difference, status, calls, half)
    fine, more = _hessian_at(f, x, flat_steps, known)
    calls += more
    if not richardson:
        return fine.astype(dtype)
    coarse, more = _hessian_at(f, x, 2 * flat_steps, known)
    calls += more
    result = (4 * fine - coarse) / 3
    if not full_output:
        return result.astype(dtype)
    finer, more = _hessian_at(f, x, flat_steps / 2, known)
    calls += more
    largest_f = max((value[1] for value in known.values() if not np.isnan(value[1])), default=0.0)
    noise = NOISE * eps * largest_f * (1 / np.outer(2 * half, 2 * half)) * 4  # four values over D_i D_j
    noise.flat[::n + 1] = NOISE * eps * largest_f * 4 / half**2  # the diagonal's weights 1, 1, -2
    return result.astype(dtype), HessianInfo(*_richardson_error(fine, coarse, result, noise, finer), calls, half)


def hessp(f: Function | None, x: Array, p: npt.ArrayLike, h: float | npt.ArrayLike | None = None, *,
          gradient: Function | None = None) -> Floats:
    """The Hessian of ``f`` at ``x`` times ``p``: ``(g(x + e p) - g(x - e p)) / (2e)``, shaped like ``x``.

    ``g``: ``gradient``, or the central gradient of ``f`` at steps ``h`` (default ``(256 eps)**(1/4) max(1,
    |x_i|)``, a power of two). ``e = c max(1, max|x|) / max|p|``, ``c max(1, max|x|)`` a power of two, with
    ``c = eps**(1/3)`` with a gradient, else ``(256 eps)**(1/4)``: the largest move is the Hessian's rule.
    ``x`` is restored.
    """
    direction = np.asarray(p, dtype=np.float64).reshape(x.shape)
    largest = float(np.abs(direction).max(initial=0.0))
    if largest == 0.0:
        return np.zeros(x.shape)
    eps = epsilon(x.dtype)
    c = eps ** GRADIENT_POWER["central"] if gradient is not None else fraction(x.dtype, "central")
    e = float(power_of_two(np.array([c * max(1.0, float(np.abs(x).max()))]))[0]) / largest
    if gradient is None:
        assert f is not None
        steps = (power_of_two(fraction(x.dtype, "central") * np.maximum(1.0, np.abs(x.astype(np.float64))))
                 if h is None else np.broadcast_to(np.asarray(h, dtype=np.float64), x.shape)).reshape(-1)

        def g(point: Array) -> Floats:
            return evaluate(f, point, CENTRAL, steps, exact=True).value.astype(np.float64).reshape(x.shape)
    else:
        def g(point: Array) -> Floats:
            return _vector(gradient(point)).reshape(x.shape)
    saved = x.copy()
    try:
        x[...] = saved + e * direction
        plus = g(x)
        x[...] = saved - e * direction
        minus = g(x)
    finally:
        x[...] = saved
    result: Floats = (plus - minus) / (2 * e)
    return result


def _structure(pattern: Any) -> npt.NDArray[np.bool_]:
    """A pattern (an array, or anything with ``toarray()``) as a dense boolean array."""
    dense = pattern.toarray() if hasattr(pattern, "toarray") else pattern
    nonzero: npt.NDArray[np.bool_] = np.asarray(dense) != 0
    return nonzero


def greedy_coloring(pattern: Any, order: npt.ArrayLike | None = None) -> tuple[npt.NDArray[np.intp], int]:
    """One greedy pass: each column, in ``order`` (default: natural), takes the smallest color no column
    sharing a row with it has yet. Returns the colors and how many.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.jacobians import greedy_coloring
    >>> greedy_coloring(np.eye(4) + np.eye(4, k=1) + np.eye(4, k=-1))
    (array([0, 1, 2, 0]), 3)
    """
    nonzero = _structure(pattern)
    n = nonzero.shape[1]
    columns_of_row = [np.flatnonzero(row) for row in nonzero]
    rows_of_column = [np.flatnonzero(column) for column in nonzero.T]
    colors = np.full(n, -1, dtype=np.intp)
    for column in (range(n) if order is None else np.asarray(order)):
        taken = {int(colors[other]) for r in rows_of_column[column] for other in columns_of_row[r]
                 if colors[other] >= 0}
        color = 0
        while color in taken:
            color += 1
        colors[column] = color
    return colors, int(colors.max(initial=-1)) + 1


def color_columns(pattern: Any, passes: int = 8) -> npt.NDArray[np.intp]:
    """Groups of columns no two of which have a nonzero in a common row: ``groups[j]`` is column ``j``'s.

    The greedy coloring in the natural order; unless it reaches the lower bound (the most nonzeros in a
    row), also in largest-first order (a column's degree: the nonzeros of the rows it is in), keeping the
    fewer colors; then up to ``passes`` greedy passes with the columns ordered by their colors, last color
    first (Culberson's iterated greedy: never more colors), while they remove one. A dense row makes
    every column its own group.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import reference
    >>> reference.color_columns(np.eye(4) + np.eye(4, k=1) + np.eye(4, k=-1))
    array([0, 1, 2, 0])
    """
    nonzero = _structure(pattern)
    n = nonzero.shape[1]
    row_sizes = nonzero.sum(axis=1)
    lower = max(1, int(row_sizes.max(initial=0)))
    if n == 0 or lower == n:
        return np.arange(n, dtype=np.intp)
    colors, used = greedy_coloring(nonzero)
    if used <= lower:
        return colors
    degree = (nonzero * row_sizes[:, None]).sum(axis=0)
    candidate, tried = greedy_coloring(nonzero, np.argsort(-degree, kind="stable"))
    if tried < used:
        colors, used = candidate, tried
    for _ in range(passes):
        if used <= lower:
            break
        candidate, tried = greedy_coloring(nonzero, np.argsort(-colors, kind="stable"))
        if tried >= used:
            break
        colors, used = candidate, tried
    return colors


def sparse_jacobian(F: Function, x: Array, pattern: Any, h: float | npt.ArrayLike | None = None,
                    groups: npt.ArrayLike | None = None, *, method: str = "central") -> Array:
    """Jacobian by column groups, dense, ``(m, x.size)``: the pattern's nonzeros filled, zeros elsewhere
    (float32 for a float32 ``x``).

    The columns of a group (default: :func:`color_columns`) move together, in place, to each point of the
    row (``x[j] = v_j + c_k h_j``); in row ``r`` the weighted sum of ``F``'s values over the distance column
    ``j``'s points took is ``J[r, j]`` for the one column ``j`` of the group that row depends on. ``x`` must be
    C-contiguous. ``'complex'``: the group's imaginary parts move, on a complex copy, over ``h_j``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import reference
    >>> np.round(reference.sparse_jacobian(lambda x: x**2, np.array([1.0, 2.0, 3.0]), np.eye(3)), 6)
    array([[2., 0., 0.],
           [0., 4., 0.],
           [0., 0., 6.]])
    """
    row = ROWS[method]
    nonzero = _structure(pattern)
    colors = color_columns(nonzero) if groups is None else np.asarray(groups)
    steps = _flat_steps(x, h, row)
    if row.imaginary:
        steps = np.asarray(imaginary_steps(x.dtype, steps), dtype=np.float64).reshape(-1)
        flat = x.reshape(-1).astype(complex_dtype(x.dtype))
        point = flat.reshape(x.shape)
        divisors = steps.copy()
    else:
        flat = x.reshape(-1)  # a view: x is C-contiguous
        point = x
        divisors = distance(flat, steps, row)
    at_x = _vector(F(x)) if row.centre_weight else None
    J = np.zeros(nonzero.shape)
    for color in range(int(colors.max(initial=-1)) + 1):
        group = np.flatnonzero(colors == color)
        saved = flat[group].copy()
        values = []
        for offset in row.offsets:
            if row.imaginary:
                flat[group] = saved + 1j * (offset * steps[group]).astype(flat.real.dtype)
            else:
                flat[group] = saved + (offset * steps[group]).astype(flat.dtype)
            try:
                value = F(point)
            finally:
                flat[group] = saved
            values.append(_values_of(value, row))
        total = weighted_sum(row, values, at_x)
        for j in group:
            rows = np.flatnonzero(nonzero[:, j])
            J[rows, j] = total[rows] / float(divisors[j])
    return J.astype(_dtype(x))
