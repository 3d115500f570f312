"""The nets' random numbers: the book's own ``np.random`` calls, or the same draws from a generator passed as ``rng``.

With ``rng=None`` a draw is the call the book makes (``np.random.randn`` for the weights,
``np.random.rand`` for the dropout masks), so ``np.random.seed(s)`` gives the book's nets and
masks and leaves the global generator where the book leaves it.
"""
from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

Rng: TypeAlias = np.random.Generator | np.random.RandomState | None
"""Where the draws come from: ``None`` for numpy's global generator (the book's ``np.random``)."""


def checked(rng: object) -> Rng:
    """``rng`` itself if it is None, a ``numpy.random.Generator`` or a ``RandomState``; else TypeError."""
    if rng is None or isinstance(rng, (np.random.Generator, np.random.RandomState)):
        return rng
    raise TypeError(f"rng must be a numpy.random.Generator or RandomState (or None), got {type(rng).__name__}")


def normal(rng: Rng, *shape: int) -> npt.NDArray[np.float64]:
    """Standard normal draws of ``shape``: the book's ``np.random.randn(*shape)`` when ``rng`` is None."""
    return np.random.randn(*shape) if rng is None else rng.standard_normal(shape)  # noqa: NPY002 - the book's


def uniform(rng: Rng, *shape: int) -> npt.NDArray[np.float64]:
    """Uniform draws in [0, 1) of ``shape``: the book's ``np.random.rand(*shape)`` when ``rng`` is None.

    One stream: ``a`` draws then ``b`` are the first ``a + b`` draws, split (what lets the compiled
    gradient draw many evaluations' dropout masks at once).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn._draws import uniform
    >>> a, b = uniform(np.random.default_rng(0), 2, 3), uniform(np.random.default_rng(0), 10)
    >>> bool(np.array_equal(a.ravel(), b[:6]))
    True
    """
    return np.random.rand(*shape) if rng is None else rng.random(shape)  # noqa: NPY002 - the book's


__all__ = ["Rng", "checked", "normal", "uniform"]
