"""``python -m fastgd demo``: the textbook's worked examples, fastgd beside the numpy reference."""
from __future__ import annotations

from collections import deque
from collections.abc import Callable
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt

import fastgd
from fastgd import reference
from fastgd.cli.conditions import describe
from fastgd.cli.timing import format_seconds, seconds_per_call
from fastgd.reference.examples import function_2, nothing, simple_net_loss

ROW: str = "{:<50} {:<28} {:>9} {:>10} {:>8} {:>5}"


def _compare(label: str, fast: Callable[..., npt.NDArray[Any]], slow: Callable[..., npt.NDArray[Any]],
             make_args: Callable[..., tuple[Any, ...]],  # called with no arguments ("...": see _bench.MakeCall)
             show: Callable[[npt.NDArray[Any]], str] = lambda r: np.array2string(r, precision=4)
             ) -> tuple[float, float]:
    """Run both on fresh arguments, print the result, both timings and whether the bits agree."""
    fast_result, slow_result = fast(*make_args()), slow(*make_args())
    t_fast = seconds_per_call(lambda: fast(*make_args()))
    t_slow = seconds_per_call(lambda: slow(*make_args()))
    same = "yes" if np.array_equal(fast_result, slow_result) else "NO"
    print(ROW.format(label, show(fast_result), format_seconds(t_fast), format_seconds(t_slow),
                     f"{t_slow / t_fast:.1f}×", same))
    return t_fast, t_slow


def _overhead_per_element(n: int = 100) -> tuple[float, float]:
    """Loop overhead per element beyond the 2n calls of a do-nothing f, for fastgd and reference."""
    x = np.zeros(n)
    floor = seconds_per_call(lambda: deque(map(nothing, repeat(x, 2 * n)), maxlen=0))
    fast = seconds_per_call(lambda: fastgd.numerical_gradient(nothing, x))
    slow = seconds_per_call(lambda: reference.numerical_gradient(nothing, x))
    return max(fast - floor, 0.0) / n, max(slow - floor, 0.0) / n  # below the floor: timing noise


def main() -> None:
    """Print the worked examples with their timings."""
    print(f"fastgd {fastgd.__version__}: the textbook's examples, fastgd beside the numpy reference")
    print(describe() + "\n", flush=True)
    print(ROW.format("", "fastgd result", "fastgd", "reference", "speedup", "same"))
    for point in ((3.0, 4.0), (0.0, 2.0), (3.0, 0.0)):
        _compare(f"numerical_gradient(function_2, {point})", fastgd.numerical_gradient,
                 reference.numerical_gradient, lambda p=point: (function_2, np.array(p)))
    print()
    for lr in (0.1, 10.0, 1e-10):
        _compare(f"gradient_descent(function_2, (-3, 4), lr={lr:g})", fastgd.gradient_descent,
                 reference.gradient_descent,
                 lambda lr=lr: (function_2, np.array([-3.0, 4.0]), lr, 100),
                 show=lambda r: np.array2string(r, precision=3))
    print()
    loss, W = simple_net_loss()
    _compare("2x3 net: numerical_gradient(lambda W: loss, W)", fastgd.numerical_gradient,
             reference.numerical_gradient, lambda: (loss, W),
             show=lambda r: f"dW[0] = {np.array2string(r[0], precision=3)}")
    big = np.linspace(-1, 1, 1000)
    _compare("numerical_gradient(np.sum(x**2)), n=1000", fastgd.numerical_gradient,
             reference.numerical_gradient, lambda: (lambda v: np.sum(v**2), big),
             show=lambda r: f"max |g - 2x| = {np.abs(r - 2 * big).max():.1e}")
    fast, slow = _overhead_per_element()
    print(f"\nLoop overhead per element beyond the two calls of a do-nothing f (n=100): "
          f"fastgd {fast * 1e6:.3f} µs, reference {slow * 1e6:.3f} µs")
    print("'same': the fastgd result equals the reference's (np.array_equal).")
    print(describe())
