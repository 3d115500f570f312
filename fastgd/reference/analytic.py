"""Objectives with known gradients, at points of any scale: the accuracy suite of the tests and benchmarks.

Each :class:`Analytic` is a sum over the elements of ``x`` (its last axis, so the same function
takes a stack of points, and complex points for a complex step) with its exact gradient. A point
at scale ``s`` has elements ``s * u``, ``u`` drawn from ``[0.5, 2]`` with random signs (positive
for functions of positive ``x``): every element has the same magnitude, so the gradient is well
defined in relative terms.

Some rows are hard for any finite difference *by design*, and say so in ``conditioned``: the
ill-conditioned quadratic (curvatures 1 ... 1e8, the small ones lost in the rounding of the large
ones), ``sqrt(1 + x**2)`` at ``|x| << 1`` and ``arctan`` at ``|x| >> 1`` (a derivative far below
``|f| / |x|``). A complex step is exact on all of them.

:func:`broyden` is a vector function with a known, tridiagonal Jacobian (:func:`broyden_diagonals`):
the sparse Jacobians' case.

Examples
--------
>>> import numpy as np
>>> from fastgd.reference.analytic import SUITE, point
>>> cubes = SUITE["cubes"]
>>> x = point(cubes, 1e-8, 4)
>>> bool(np.all((np.abs(x) >= 0.5e-8) & (np.abs(x) <= 2e-8)))
True
>>> np.allclose(cubes.gradient(x), 3 * x**2)
True
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

SCALES: tuple[float, ...] = (1e-8, 1e-4, 1.0, 1e4, 1e8, 1e12)

Array = npt.NDArray[Any]


@dataclass(frozen=True)
class Analytic:
    """A sum over the last axis of ``x`` and its gradient."""

    name: str
    f: Callable[[Array], Any]  #: the value at each point of a stack (the last axis is one point)
    gradient: Callable[[Array], Array]  #: the exact gradient at one point
    positive: bool = False  #: defined for x > 0 only
    largest: float = 1e12  #: the largest scale at which the function is finite and meaningful
    conditioned: tuple[float, float] = (0.0, np.inf)  #: scales at which finite differences can reach 1e-9

    def __call__(self, x: Array) -> Any:
        return self.f(x)

    def scales(self) -> tuple[float, ...]:
        """The scales of :data:`SCALES` this function is tried at."""
        return tuple(s for s in SCALES if s <= self.largest)

    def well_conditioned(self, scale: float) -> bool:
        """True where a finite difference can reach a relative error of about 1e-9."""
        return self.conditioned[0] <= scale <= self.conditioned[1]


def _curvatures(n: int) -> Array:
    return np.logspace(0, 8, n)


SUITE: dict[str, Analytic] = {row.name: row for row in (
    Analytic("cubes", lambda x: np.sum(x**3, axis=-1), lambda x: 3 * x**2),
    Analytic("log1p_squares", lambda x: np.sum(np.log1p(x**2), axis=-1), lambda x: 2 * x / (1 + x**2)),
    Analytic("sqrt_1p_squares", lambda x: np.sum(np.sqrt(1 + x**2), axis=-1), lambda x: x / np.sqrt(1 + x**2),
             conditioned=(1.0, np.inf)),
    Analytic("reciprocal", lambda x: np.sum(1 / x, axis=-1), lambda x: -1 / x**2, positive=True),
    Analytic("x_log_x", lambda x: np.sum(x * np.log(x), axis=-1), lambda x: np.log(x) + 1, positive=True),
    Analytic("exp", lambda x: np.sum(np.exp(x), axis=-1), np.exp, largest=1.0),
    Analytic("sin", lambda x: np.sum(np.sin(x), axis=-1), np.cos, largest=1e-4),  # cos has zeros from pi/2
    Analytic("tanh", lambda x: np.sum(np.tanh(x), axis=-1), lambda x: 1 / np.cosh(x)**2, largest=1.0),
    Analytic("sin_10x", lambda x: np.sum(np.sin(10 * x), axis=-1), lambda x: 10 * np.cos(10 * x), largest=1e-4),
    Analytic("arctan", lambda x: np.sum(np.arctan(x), axis=-1), lambda x: 1 / (1 + x**2), conditioned=(0.0, 1.0)),
    Analytic("ill_conditioned_quadratic", lambda x: 0.5 * np.sum(_curvatures(x.shape[-1]) * x**2, axis=-1),
             lambda x: _curvatures(x.size) * x, conditioned=(np.inf, np.inf)),
)}


def point(function: Analytic, scale: float, n: int, seed: int = 0) -> npt.NDArray[np.float64]:
    """A point of ``n`` elements at ``scale`` for ``function``: ``scale * u``, ``|u|`` in ``[0.5, 2]``."""
    rng = np.random.default_rng(seed)
    u = rng.uniform(0.5, 2.0, n)
    if not function.positive:
        u *= rng.choice([-1.0, 1.0], n)
    return scale * u


def relative_error(estimate: npt.ArrayLike, exact: Array) -> Array:
    """``|estimate - exact| / |exact|``, elementwise."""
    return np.abs(np.asarray(estimate) - exact) / np.abs(exact)


def broyden(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The tridiagonal Broyden function, ``F_i = (3 - 2 x_i) x_i - x_{i-1} - 2 x_{i+1} + 1``: a vector
    function whose Jacobian is tridiagonal (the sparse Jacobians' test and benchmark case)."""
    f = (3 - 2 * x) * x + 1
    f[1:] -= x[:-1]
    f[:-1] -= 2 * x[1:]
    return f


#: The diagonals :func:`broyden_diagonals` returns: below, on and above the main diagonal.
BROYDEN_OFFSETS: tuple[int, int, int] = (-1, 0, 1)


def broyden_diagonals(x: npt.NDArray[np.float64]) -> tuple[Array, Array, Array]:
    """The exact Jacobian of :func:`broyden` at ``x`` as its three diagonals (:data:`BROYDEN_OFFSETS`):
    ``dF_i/dx_{i-1} = -1``, ``dF_i/dx_i = 3 - 4 x_i``, ``dF_i/dx_{i+1} = -2``. For a sparse matrix,
    ``scipy.sparse.diags_array(broyden_diagonals(x), offsets=BROYDEN_OFFSETS)``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.analytic import broyden_diagonals
    >>> [d.tolist() for d in broyden_diagonals(np.array([0.0, 1.0, 2.0]))]
    [[-1.0, -1.0], [3.0, -1.0, -5.0], [-2.0, -2.0]]
    """
    n = x.size
    return -np.ones(n - 1), 3 - 4 * x, -2 * np.ones(n - 1)
