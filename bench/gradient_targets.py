"""The small calls of the derivatives, each as a ratio to its floor, measured side by side.

Run: ``python bench/gradient_targets.py`` (needs ``pip install ".[bench,parallel]"`` for numba). Each
line times a fastgd call and its floor -- what the call cannot do without: the bare calls of a Python
``f``, the numpy reference, ``f`` applied once to every stacked point -- interleaved, round after
round, each round long enough to time, and reports the best round of each (the least disturbed by
other processes) and their ratio. ``--json`` prints the numbers as JSON; ``--compare PYTHON ...``
runs this script under each interpreter in turn (same-minute alternations, ``--runs`` times) and
prints every run's ratios side by side: a before/after comparison of two installs.

The pytest-benchmark groups of ``bench_gradient.py`` and ``bench_objectives.py`` time the same calls
beside the same floors.
"""
import json
import os
import subprocess
import sys
import time
from collections import deque
from itertools import repeat

import numpy as np

import fastgd
from fastgd import reference

ROUNDS = 15
MIN_SECONDS = 0.01
CPU = "--cpu" in sys.argv
clock = time.process_time if CPU else time.perf_counter


def function_2(x):
    """The textbook's x0**2 + x1**2."""
    return x[0] ** 2 + x[1] ** 2


def sum_rows(X):
    """np.sum(x**2) of each stacked point."""
    return np.sum(X**2, axis=1)


def calls(f, x, count):
    """The floor of a Python-f loop: ``count`` calls of ``f`` alone, from a C-level loop."""
    deque(map(f, repeat(x, count)), maxlen=0)


def c_function_2():
    """x0**2 + x1**2 as a numba cfunc ``double f(int n, double *x, void *user_data)`` (None without numba)."""
    try:
        import numba
    except ImportError:
        return None

    @numba.cfunc(numba.types.float64(numba.types.intc, numba.types.CPointer(numba.types.float64),
                                     numba.types.voidptr))
    def f(n, x, user_data):
        return x[0] * x[0] + x[1] * x[1]
    return f


def stacked_points(x, h=1e-4):
    """The 2n points of a central difference, stacked: what a vectorized f is given in all."""
    points = np.repeat(x[None, :], 2 * x.size, axis=0)
    index = np.arange(x.size)
    points[2 * index, index] += h
    points[2 * index + 1, index] -= h
    return points


def cases():
    """name -> (fastgd call, floor call, what the ratio is, how it is reported)."""
    x2 = np.array([3.0, 4.0])
    x1000 = np.linspace(-1, 1, 1000)
    points = stacked_points(x1000)
    table = {
        "numerical_gradient, Python f, n=2": (
            lambda: fastgd.numerical_gradient(function_2, x2), lambda: calls(function_2, x2, 4),
            "difference", "µs above its 4 bare calls of f (target ≤ 0.5)"),
        "gradient_descent, Python f, 100 steps": (
            lambda: fastgd.gradient_descent(function_2, np.array([-3.0, 4.0]), lr=0.1, step_num=100),
            lambda: calls(function_2, x2, 400), "ratio", "× its 400 bare calls of f (target ≤ 1.10)"),
        "numerical_gradient, vectorized=True, n=1000": (
            lambda: fastgd.numerical_gradient(sum_rows, x1000, vectorized=True), lambda: sum_rows(points),
            "ratio", "× f applied once to the 2n stacked points (target ≤ 1.0)"),
    }
    c_f = c_function_2()
    if c_f is not None:
        table["gradient_descent, C f, 100 steps"] = (
            lambda: fastgd.gradient_descent(c_f, np.array([-3.0, 4.0]), lr=0.1, step_num=100),
            lambda: reference.gradient_descent(function_2, np.array([-3.0, 4.0]), lr=0.1, step_num=100),
            "speedup", "× faster than the numpy reference (target ≥ 110)")
        table["numerical_gradient, C f, n=2"] = (
            lambda: fastgd.numerical_gradient(c_f, x2), lambda: np.empty_like(x2),
            "absolute", "µs (target ≤ 1.2; floor: np.empty_like(x))")
    return table


def best_rounds(pair, rounds=ROUNDS, min_seconds=MIN_SECONDS):
    """The best seconds per call of each of the two calls, timed in alternating rounds."""
    numbers = []
    for call in pair:
        call()  # first calls import lazily (fastgd's PEP 562 names) and warm caches: not what a round times
        start = clock()
        call()
        elapsed = clock() - start
        numbers.append(max(1, int(min_seconds / max(elapsed, 1e-9))))
    best = [float("inf"), float("inf")]
    for _ in range(rounds):
        for k, call in enumerate(pair):
            number = numbers[k]
            start = clock()
            for _ in range(number):
                call()
            best[k] = min(best[k], (clock() - start) / number)
    return best


def measure():
    """name -> {fastgd, floor (seconds), value (as the case reports it), unit}."""
    results = {}
    for name, (fast, floor, kind, unit) in cases().items():
        t_fast, t_floor = best_rounds((fast, floor))
        value = {"difference": (t_fast - t_floor) * 1e6, "ratio": t_fast / t_floor,
                 "speedup": t_floor / t_fast, "absolute": t_fast * 1e6}[kind]
        results[name] = {"fastgd": t_fast, "floor": t_floor, "value": value, "unit": unit}
    return results


def load():
    return os.getloadavg()[0]


def compare(pythons, runs):
    """Run the measurement under each interpreter in turn, ``runs`` times; print a table."""
    table = {}
    for run in range(runs):
        for python in pythons:
            out = subprocess.run([python, __file__, "--json", *(["--cpu"] if CPU else [])], capture_output=True,
                                 text=True, check=True, cwd="/tmp").stdout
            for name, numbers in json.loads(out).items():
                table.setdefault(name, {}).setdefault(python, []).append(numbers)
        print(f"run {run + 1}/{runs} done, load {load():.2f}", file=sys.stderr)
    for name, by_python in table.items():
        print(f"{name}:")
        for python, numbers in by_python.items():
            values = " ".join(f"{n['value']:.3g}" for n in numbers)
            fast = min(n["fastgd"] for n in numbers) * 1e6
            print(f"  {python}: {values}  (best fastgd {fast:.3g} µs) {numbers[0]['unit']}")


def main():
    if "--compare" in sys.argv:
        args = sys.argv[sys.argv.index("--compare") + 1:]
        runs = 5
        if "--runs" in args:
            runs = int(args[args.index("--runs") + 1])
            args = args[:args.index("--runs")]
        compare(args, runs)
        return
    results = measure()
    if "--json" in sys.argv:
        print(json.dumps(results))
        return
    print(f"load {load():.2f}")
    for name, numbers in results.items():
        print(f"{name}: {numbers['value']:.3g} {numbers['unit']}  "
              f"(fastgd {numbers['fastgd'] * 1e6:.3g} µs, floor {numbers['floor'] * 1e6:.3g} µs)")


if __name__ == "__main__":
    main()
