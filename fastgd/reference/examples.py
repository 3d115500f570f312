"""The textbook's example objectives, shared by the demo, the speed table, benchmarks and tests."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.reference.nn import SimpleNet


def nothing(x: object) -> float:
    """A do-nothing objective: what is left is a loop's own overhead."""
    return 0.0


def function_2(x: npt.NDArray[np.floating[Any]]) -> Any:  # numpy scalar arithmetic: Any in its stubs
    """The textbook's function_2: x0² + x1²."""
    return x[0] ** 2 + x[1] ** 2


def sum_squares(x: npt.NDArray[np.floating[Any]]) -> Any:  # as function_2
    """``np.sum(x**2)``, for any n."""
    return np.sum(x**2)


def simple_net_loss(seed: int = 0) -> tuple[Callable[[object], np.floating[Any]], npt.NDArray[np.floating[Any]]]:
    """The textbook's 2×3 softmax/cross-entropy net: ``(f, W)``, with ``f`` ignoring its argument.

    ``f = lambda w: net.loss(x, t)`` reads the weights through the net, so it sees every
    in-place perturbation of ``W`` (which is ``net.W``).
    """
    net = SimpleNet(rng=np.random.default_rng(seed))
    x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
    return (lambda w: net.loss(x, t)), net.W
