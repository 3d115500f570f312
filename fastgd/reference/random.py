"""Where the nets' random numbers come from: numpy's global generator, as in the book, or one you pass.

With ``rng=None`` every draw is the book's own call on ``np.random`` (``randn``, ``rand``,
``permutation``), so ``np.random.seed(s)`` reproduces the book's weights, dropout masks and
shuffles and leaves the global generator where the book leaves it. A ``numpy.random.Generator``
(or ``RandomState``) passed as ``rng`` is used instead, for the same draws in the same order.
"""
from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

Rng: TypeAlias = np.random.Generator | np.random.RandomState | None
"""A source of random numbers: ``None`` for numpy's global generator (the book's ``np.random``)."""


def normal(rng: Rng, shape: tuple[int, ...]) -> npt.NDArray[np.float64]:
    """Standard normal draws: ``np.random.randn(*shape)``, or ``rng.standard_normal(shape)``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.random import normal
    >>> np.random.seed(0)
    >>> a = normal(None, (2, 3))
    >>> np.random.seed(0)
    >>> bool(np.array_equal(a, np.random.randn(2, 3)))
    True
    """
    if rng is None:
        return np.random.randn(*shape)  # noqa: NPY002 - the book's global generator, on purpose
    return rng.standard_normal(shape)


def uniform(rng: Rng, shape: tuple[int, ...] | int) -> npt.NDArray[np.float64]:
    """Uniform draws in [0, 1): ``np.random.rand(*shape)``, or ``rng.random(shape)``.

    Successive calls continue one stream: draws of ``a`` then ``b`` values are the draws of
    ``a + b`` values, split (what lets :mod:`fastgd.nn` draw many dropout masks at once).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference.random import uniform
    >>> rng = np.random.default_rng(0)
    >>> a, b = uniform(rng, (2, 3)), uniform(rng, 4)
    >>> bool(np.array_equal(np.concatenate([a.ravel(), b]), uniform(np.random.default_rng(0), 10)))
    True
    """
    if rng is None:
        return np.random.random_sample(shape)  # noqa: NPY002 - as above
    return rng.random(shape)


def permutation(rng: Rng, n: int) -> npt.NDArray[np.intp]:
    """A random order of ``range(n)``: ``np.random.permutation(n)``, or ``rng.permutation(n)``."""
    source = np.random if rng is None else rng
    order: npt.NDArray[np.intp] = source.permutation(n)  # annotated: numpy's stubs type it Any here
    return order


__all__ = ["Rng", "normal", "uniform", "permutation"]
