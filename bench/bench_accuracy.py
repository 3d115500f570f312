"""The methods of numerical_gradient beside scipy and numdifftools: accuracy across scales, error estimates, speed.

Speed (pytest-benchmark): ``pytest bench/bench_accuracy.py --benchmark-json=accuracy.json``.
The table of RESULTS.md: ``python bench/bench_accuracy.py accuracy.json``: it measures the
accuracy columns (the suite of :mod:`fastgd.reference.analytic`, n = 10 elements, scales
1e-8 ... 1e12) and joins the speed medians of the JSON file. On a busy machine,
``python bench/bench_accuracy.py --interleaved`` measures the speed ratios in interleaved rounds
(every implementation once per round, in a shuffled order; medians of CPU time), which a
neighbour's load skews far less. The peers come with the ``peers`` extra
(``pip install ".[peers]"``: scipy, numdifftools).
"""
import json
import random
import sys
import time
from collections import deque
from collections.abc import Callable
from itertools import repeat

import numpy as np
import pytest

import fastgd
from fastgd.reference.analytic import SCALES, SUITE, point, relative_error

N_ACCURACY = 10
N_SPEED = 1000


def _fastgd(method, h="auto"):
    def gradient(f, x):
        grad, info = fastgd.numerical_gradient(f, x, h, method=method, full_output=True)
        return grad, info.error
    return gradient


def _scipy(method):
    def gradient(f, x):
        numdiff = pytest.importorskip("scipy.optimize._numdiff")  # approx_derivative is not re-exported
        return numdiff.approx_derivative(f, x, method=method), None
    return gradient


def _scipy_differentiate(f, x):
    differentiate = pytest.importorskip("scipy.differentiate")
    result = differentiate.jacobian(lambda X: f(np.moveaxis(X, 0, -1)), x)  # f vectorized: inputs on axis 0
    return result.df, result.error


def _numdifftools(f, x):
    numdifftools = pytest.importorskip("numdifftools")
    result = numdifftools.Gradient(f, full_output=True)(x)
    return result.estimate, np.ravel(result.error_estimate)


#: name -> (f, x) -> (gradient, error estimate or None)
IMPLEMENTATIONS: dict[str, Callable] = {
    "fastgd central, h=1e-4 (textbook)": _fastgd("central", 1e-4),
    "fastgd central, h='auto'": _fastgd("central"),
    "fastgd forward, h='auto'": _fastgd("forward"),
    "fastgd central4, h='auto'": _fastgd("central4"),
    "fastgd complex": _fastgd("complex"),
    "fastgd richardson": _fastgd("richardson"),
    "scipy approx_derivative 2-point": _scipy("2-point"),
    "scipy approx_derivative 3-point": _scipy("3-point"),
    "scipy approx_derivative cs": _scipy("cs"),
    "scipy.differentiate.jacobian": _scipy_differentiate,
    "numdifftools.Gradient": _numdifftools,
}

# --- speed (pytest-benchmark) ---------------------------------------------------------------


def sum_squares(x):
    return np.sum(x**2)


def sum_squares_stacked(X):
    return np.sum(X**2, axis=0)  # scipy.differentiate's vectorized form: the inputs on axis 0


SPEED: dict[str, Callable] = {
    "f calls only (2n)": lambda x: deque(map(sum_squares, repeat(x, 2 * x.size)), maxlen=0),
    "fastgd central, h=1e-4 (textbook)": lambda x: fastgd.numerical_gradient(sum_squares, x),
    "fastgd central, h='auto'": lambda x: fastgd.numerical_gradient(sum_squares, x, "auto"),
    "fastgd forward, h='auto'": lambda x: fastgd.numerical_gradient(sum_squares, x, method="forward"),
    "fastgd central4, h='auto'": lambda x: fastgd.numerical_gradient(sum_squares, x, method="central4"),
    "fastgd complex": lambda x: fastgd.numerical_gradient(sum_squares, x, method="complex"),
    "fastgd richardson": lambda x: fastgd.numerical_gradient(sum_squares, x, method="richardson"),
    "scipy approx_derivative 2-point": lambda x: _scipy("2-point")(sum_squares, x),
    "scipy approx_derivative 3-point": lambda x: _scipy("3-point")(sum_squares, x),
    "scipy approx_derivative cs": lambda x: _scipy("cs")(sum_squares, x),
    "scipy.differentiate.jacobian (vectorized f)": lambda x: pytest.importorskip(
        "scipy.differentiate").jacobian(sum_squares_stacked, x),
    "numdifftools.Gradient": lambda x: pytest.importorskip("numdifftools").Gradient(sum_squares)(x),
}
SPEED_GROUP = f"numerical gradient methods, np.sum(x**2), n={N_SPEED}"


@pytest.mark.parametrize("name", SPEED)
def test_speed(benchmark, name):
    benchmark.group = SPEED_GROUP
    x = np.linspace(-1, 1, N_SPEED)
    SPEED[name](x)  # skips now if a peer is missing
    benchmark(SPEED[name], x)


def nothing(x):
    return 0.0


def complex_nothing(x):
    return 0j


#: method -> evaluations of f for n elements (f(x) once for the one-sided ones), with h='auto'
EVALUATIONS = {"central": lambda n: 2 * n, "forward": lambda n: n + 1, "backward": lambda n: n + 1,
               "central4": lambda n: 4 * n, "complex": lambda n: n, "richardson": lambda n: 4 * n}


@pytest.mark.parametrize("method", EVALUATIONS)
@pytest.mark.parametrize("name", ["fastgd", "f calls only"])
def test_do_nothing_f(benchmark, method, name):
    """The overhead per evaluation beyond the calls of f (n = 100, no |x| small enough for a second step)."""
    benchmark.group = f"do-nothing f, n=100, method={method}, h='auto'"
    benchmark.extra_info["evaluations"] = EVALUATIONS[method](100)
    f = complex_nothing if method == "complex" else nothing
    x = np.linspace(-1, 1, 100)
    if name == "f calls only":
        benchmark(lambda: deque(map(f, repeat(x, EVALUATIONS[method](100))), maxlen=0))
    else:
        benchmark(fastgd.numerical_gradient, f, x, "auto", method=method)


# --- accuracy --------------------------------------------------------------------------------

def accuracy(name):
    """For one implementation: the worst relative error at each scale (over the well-conditioned
    functions), and over every case: the worst real error / error estimate (where the relative
    error exceeds 1e-10), and the largest per-case median of estimate / real error."""
    worst = dict.fromkeys(SCALES, 0.0)
    under, over = 0.0, 0.0
    for function in SUITE.values():
        for scale in function.scales():
            x = point(function, scale, N_ACCURACY)
            exact = function.gradient(x)
            with np.errstate(all="ignore"):
                try:
                    grad, error = IMPLEMENTATIONS[name](function, x)
                except (ValueError, FloatingPointError):
                    grad, error = np.full(x.shape, np.nan), None
                rel = relative_error(grad, exact)
            if function.well_conditioned(scale):
                worst[scale] = max(worst[scale], float(np.nan_to_num(rel.max(), nan=np.inf)))
            if error is not None:
                real = np.abs(grad - exact)
                matters = rel > 1e-10
                if matters.any():
                    under = max(under, float(np.nan_to_num((real[matters] / error[matters]).max(), nan=np.inf)))
                if (real > 0).any():
                    over = max(over, float(np.median(error[real > 0] / real[real > 0])))
    return worst, (under, over) if name.startswith(("fastgd", "scipy.diff", "numdiff")) else None


def speed_medians(path):
    with open(path) as fh:
        results = json.load(fh)
    groups = {}
    for bench in results["benchmarks"]:
        label = bench["params"].get("name")
        groups.setdefault(bench["group"], {})[label] = (bench["stats"]["median"], bench.get("extra_info", {}))
    return groups


def table(json_path=None):
    """The markdown table of RESULTS.md: accuracy and error estimates per implementation, and speed."""
    groups = speed_medians(json_path) if json_path else {}
    speeds = {name: median for name, (median, _) in groups.get(SPEED_GROUP, {}).items()}
    bare = speeds.get("f calls only (2n)")
    lines = ["| implementation | " + " | ".join(f"{s:.0e}" for s in SCALES)
             + " | real ÷ estimate, worst | estimate ÷ real, median | time, n=1000 | ÷ 2n calls of f |",
             "| --- |" + " ---: |" * (len(SCALES) + 4)]
    for name in IMPLEMENTATIONS:
        try:
            worst, honesty = accuracy(name)
        except pytest.skip.Exception:
            continue
        speed = speeds.get(name) or speeds.get(f"{name} (vectorized f)")
        cells = [f"{worst[s]:.1e}" for s in SCALES]
        cells += [f"{honesty[0]:.2g}", f"{honesty[1]:.0f}"] if honesty else ["–", "–"]
        cells += [f"{speed * 1e3:.2f} ms" if speed else "", f"{speed / bare:.2f}×" if speed and bare else ""]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    overheads = []
    for group, entries in groups.items():
        if group.startswith("do-nothing f") and "fastgd" in entries and "f calls only" in entries:
            (ours, info), (calls, _) = entries["fastgd"], entries["f calls only"]
            overheads.append(f"| {group} | {(ours - calls) / info['evaluations'] * 1e6:.3f} µs |")
    if overheads:
        lines += ["", "| overhead beyond the calls of a do-nothing f | per evaluation |", "| --- | ---: |", *overheads]
    return "\n".join(lines)


def _interleaved_medians(runs, rounds):
    """CPU time of each ``runs[name]()``: the median of ``rounds`` rounds, each running all once, shuffled."""
    times = {name: [] for name in runs}
    for _ in range(rounds):
        for name in random.sample(list(runs), len(runs)):
            started = time.process_time()
            runs[name]()
            times[name].append(time.process_time() - started)
    return {name: float(np.median(spent)) for name, spent in times.items()}


def interleaved(rounds=21):
    """The speed ratios, measured in interleaved rounds: the markdown lines of RESULTS.md."""
    x = np.linspace(-1, 1, N_SPEED)
    speed = _interleaved_medians({name: lambda run=run: run(x) for name, run in SPEED.items()}, rounds)
    bare = speed["f calls only (2n)"]
    lines = ["| implementation | CPU time, n=1000 | ÷ 2n calls of f |", "| --- | ---: | ---: |"]
    lines += [f"| {name} | {spent * 1e3:.2f} ms | {spent / bare:.2f}× |" for name, spent in speed.items()]
    x = np.linspace(-1, 1, 100)
    runs = {}
    for method, count in EVALUATIONS.items():
        f, calls = (complex_nothing if method == "complex" else nothing), count(100)
        runs[method] = lambda f=f, method=method: [fastgd.numerical_gradient(f, x, "auto", method=method)
                                                    for _ in range(50)]
        runs[f"{method}, f calls only"] = lambda f=f, calls=calls: [deque(map(f, repeat(x, calls)), maxlen=0)
                                                                   for _ in range(50)]
    spent = _interleaved_medians(runs, 2 * rounds)
    lines += ["", "| do-nothing f, n=100, h='auto' | overhead per evaluation beyond the calls of f |", "| --- | ---: |"]
    lines += [f"| {method} | {(spent[method] - spent[f'{method}, f calls only']) / 50 / count(100) * 1e6:.3f} µs |"
              for method, count in EVALUATIONS.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    from fastgd.cli.conditions import describe

    print(describe() + "\n")
    if sys.argv[1:] == ["--interleaved"]:
        print(interleaved())
    else:
        print(table(sys.argv[1] if len(sys.argv) > 1 else None))
