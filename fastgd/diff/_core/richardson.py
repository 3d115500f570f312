"""Richardson's extrapolation, written once: gradients extrapolate scheme rows with it, Hessians matrices.

Two estimates of one quantity at steps in the ratio 2, ``fine`` at the smaller step and ``coarse`` at
the larger, whose leading error term is ``c h**order``, combine into one without that term::

    R = (2**order * fine - coarse) / (2**order - 1)

(L. F. Richardson, "The deferred approach to the limit", Phil. Trans. R. Soc. A 226, 1927.)
"""
from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def richardson(fine: T, coarse: T, order: int) -> tuple[T, int]:
    """``(2**order * fine - coarse, 2**order - 1)``: the extrapolation's numerator and its divisor.

    ``fine`` and ``coarse`` are numbers, weights or numpy arrays (the operations are elementwise);
    the caller divides, so that a scheme row keeps integer weights and its own denominator.

    Examples
    --------
    >>> from fastgd.diff._core.richardson import richardson
    >>> richardson(1.0, 1.5, order=2)  # D(h/2) = 1, D(h) = 1.5: (4 * 1 - 1.5) / 3
    (2.5, 3)
    """
    gain = 2**order
    return gain * fine - coarse, gain - 1  # type: ignore[operator]
