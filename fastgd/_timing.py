"""Wall-clock timing for the command-line demos: median seconds per call."""
import statistics
import time


def seconds_per_call(fn, *, min_seconds=0.05, repeat=5):
    """Median time of one ``fn()`` call over ``repeat`` loops of at least ``min_seconds`` each."""
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - start >= min_seconds:
            break
        number *= 2
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - start) / number)
    return statistics.median(runs)


def format_seconds(seconds):
    """``seconds`` with a unit that keeps three significant digits readable."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"
