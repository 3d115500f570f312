"""Wall-clock timing for the command-line demos: median seconds per call."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def seconds_per_call(fn: Callable[[], object], *, min_seconds: float = 0.05, repeat: int = 5) -> float:
    """Median time of one ``fn()`` call over ``repeat`` loops of at least ``min_seconds`` each."""
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - start >= min_seconds:
            break
        number *= 2
    runs: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - start) / number)
    return statistics.median(runs)


def format_seconds(seconds: float) -> str:
    """``seconds`` with a unit that keeps three significant digits readable."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"
