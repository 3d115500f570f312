"""The issue's targets for Jacobians, Hessians and sparse Jacobians, measured side by side.

Run: ``python bench/jacobian_targets.py [--cpu]`` (after ``pip install ".[bench,peers,parallel]"``).
Each comparison times its calls interleaved -- round after round, every call in turn, each round
long enough to time (at least 50 ms) -- and reports the median of the per-round ratios; errors are
measured against analytic derivatives. ``--cpu`` times with the process's CPU time instead of the
wall clock: on a machine other processes keep busy it leaves out the time the process waits for a
core (the comparisons with 2 threads are then left out: CPU time adds up both threads). Prints a
markdown table for ``bench/RESULTS.md``.
"""
import statistics
import sys
import time
import tracemalloc

import numpy as np

import fastgd
from fastgd.reference.analytic import BROYDEN_OFFSETS, broyden, broyden_diagonals

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import jacobian_cases as cases  # noqa: E402

ROUNDS = 7
CPU = "--cpu" in sys.argv
clock = time.process_time if CPU else time.perf_counter


def interleaved(calls, rounds=ROUNDS, min_seconds=0.05):
    """name -> list of seconds per call, one per round, the calls taking turns."""
    numbers = {}
    for name, call in calls.items():
        start = clock()
        call()
        elapsed = clock() - start
        numbers[name] = max(1, int(min_seconds / max(elapsed, 1e-9)))
    times = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            start = clock()
            for _ in range(numbers[name]):
                call()
            times[name].append((clock() - start) / numbers[name])
    return times


def ratio(times, slower, faster):
    """Median over rounds of times[slower] / times[faster]."""
    return statistics.median(a / b for a, b in zip(times[slower], times[faster], strict=True))


def median(times, name):
    return statistics.median(times[name])


def seconds(value):
    return f"{value * 1e3:.2f} ms" if value >= 1e-3 else f"{value * 1e6:.1f} µs"


ROWS = []


def row(what, measured, goal, ok):
    ROWS.append(f"| {what} | {measured} | {goal} | {'yes' if ok else '**no**'} |")


def dense():
    calls = cases.dense_jacobian_cases()
    calls.pop("reference")
    times = interleaved(calls, rounds=5)
    x = cases.dense_point()
    exact = cases.x_sum_exact(x)
    error = np.abs(fastgd.jacobian(cases.x_sum, x) - exact).max() / np.abs(exact).max()
    bare = ratio(times, "fastgd", "F calls only (2n)")
    row(f"dense Jacobian n = m = 100: fastgd ({seconds(median(times, 'fastgd'))}) ÷ 2n calls of F "
        f"({seconds(median(times, 'F calls only (2n)'))})", f"{bare:.3f}×", "≤ 1.1×", bare <= 1.1)
    peer = ratio(times, "scipy approx_derivative 3-point", "fastgd")
    row("… scipy approx_derivative 3-point ÷ fastgd", f"{peer:.2f}×", "≥ 2.5×", peer >= 2.5)
    row("… max error ÷ max entry", f"{error:.1e}", "≤ 1e-10", error <= 1e-10)
    if "scipy.differentiate.jacobian" in times:
        vectorized = ratio(times, "scipy.differentiate.jacobian", "fastgd vectorized")
        row("… scipy.differentiate.jacobian ÷ fastgd vectorized=True", f"{vectorized:.1f}×", "≥ 15×",
            vectorized >= 15)
    if "numdifftools Jacobian" in times:
        nd = ratio(times, "numdifftools Jacobian", "fastgd")
        row("… numdifftools Jacobian ÷ fastgd", f"{nd:.0f}×", "(peer)", True)


def hessian():
    calls = cases.hessian_cases()
    calls.pop("reference")
    times = interleaved(calls, rounds=3, min_seconds=0.2)
    bare = ratio(times, "fastgd", "f calls only (2n(n+1))")
    row(f"Hessian n = 100: fastgd ({seconds(median(times, 'fastgd'))}) ÷ 2n(n+1) calls of f "
        f"({seconds(median(times, 'f calls only (2n(n+1))'))})", f"{bare:.3f}×", "≤ 1.1×", bare <= 1.1)
    own = ratio(times, "fastgd", "f calls only (fastgd's 2n**2 + 1)")
    row("… fastgd ÷ its own 2n² + 1 calls of f", f"{own:.3f}×", "(overhead)", True)
    if "numdifftools Hessian" in times:
        nd = ratio(times, "numdifftools Hessian", "fastgd")
        row("… numdifftools Hessian ÷ fastgd", f"{nd:.0f}×", "≥ 20×", nd >= 20)
    peer = ratio(times, "scipy 3-point of 3-point", "fastgd")
    row("… scipy 3-point of 3-point ÷ fastgd", f"{peer:.1f}×", "≥ 5×", peer >= 5)
    if "scipy.differentiate.hessian" in times:
        sd = ratio(times, "scipy.differentiate.hessian", "fastgd")
        row("… scipy.differentiate.hessian ÷ fastgd", f"{sd:.0f}×", "(peer)", True)
    rich = ratio(times, "fastgd richardson", "f calls only (fastgd's 2n**2 + 1)")
    row("… fastgd richardson ÷ 2n² + 1 calls of f (it makes 4n² + 2)", f"{rich:.2f}×", "(≈ 2×)", True)


def hessian_accuracy():
    """Normwise relative errors against analytic Hessians: the issue's sum(x**2) and the smooth test functions."""
    sys.path.insert(0, __file__.rsplit("/", 2)[0] + "/tests")
    from test_hessian import SMOOTH, relative_error

    functions = {"sum of squares": (cases.sum_squares, lambda x: 2 * np.eye(x.size)), **SMOOTH}
    functions.pop("quadratic form")  # its matrix is 8 x 8
    for n in (10, 100):
        x = np.random.default_rng(1).uniform(-1, 1, n)
        for name, (f, exact_of) in functions.items():
            exact = exact_of(x)
            central = relative_error(fastgd.hessian(f, x), exact)
            richardson = relative_error(fastgd.hessian(f, x, method="richardson"), exact)
            row(f"Hessian normwise relative error, {name}, n = {n}: central / richardson",
                f"{central:.1e} / {richardson:.1e}", "≤ 1e-7 / ≤ 1e-9", central <= 1e-7 and richardson <= 1e-9)


def c_hessian():
    calls = cases.c_hessian_cases()
    if CPU:
        calls.pop("fastgd, numba cfunc, 2 threads")
    times = interleaved(calls, rounds=3, min_seconds=0.2)
    for threads in (1,) if CPU else (1, 2):
        name = f"fastgd, numba cfunc, {threads} thread{'s' if threads > 1 else ''}"
        if "numdifftools Hessian, Python f" in times:
            nd = ratio(times, "numdifftools Hessian, Python f", name)
            row(f"C-level Hessian n = 100, {threads} thread(s) ({seconds(median(times, name))}): numdifftools "
                "Hessian with the function in Python ÷ fastgd", f"{nd:.0f}×", "≥ 1000×", nd >= 1000)


def sparse():
    for n in (10**4, 10**5):
        times = interleaved(cases.sparse_cases(n), rounds=9)
        bare = ratio(times, "fastgd, plan reused", "F calls only (2 colors)")
        peer = ratio(times, "scipy approx_derivative(sparsity=(pattern, groups))", "fastgd, plan reused")
        row(f"sparse tridiagonal n = {n:.0e}: scipy approx_derivative(sparsity=(pattern, groups)) ÷ fastgd plan "
            f"({seconds(median(times, 'fastgd, plan reused'))})", f"{peer:.1f}×", "≥ 10×", peer >= 10)
        row(f"… fastgd plan ÷ 6 calls of F ({seconds(median(times, 'F calls only (2 colors)'))})", f"{bare:.2f}×",
            "≤ 2×", bare <= 2)
        from scipy.optimize._numdiff import approx_derivative, group_columns

        x = np.full(n, -1.0)
        pattern = cases.tridiagonal(n)
        import scipy.sparse as sp

        exact = sp.diags_array(broyden_diagonals(x), offsets=BROYDEN_OFFSETS, format="csr")
        ours = abs(fastgd.jacobian(broyden, x, sparsity=pattern) - exact).max()
        theirs = abs(approx_derivative(broyden, x, sparsity=(pattern, group_columns(pattern))) - exact).max()
        row("… max error, fastgd / scipy", f"{ours:.1e} / {theirs:.1e}", "same", ours <= 10 * theirs)


def coloring():
    for n in (10**4, 10**5, 10**6):
        times = interleaved(cases.coloring_cases(n), rounds=5)
        value = ratio(times, "scipy group_columns (default order)", "fastgd color_columns")
        plan = ratio(times, "scipy group_columns (default order)", "fastgd SparseJacobian (coloring and plan)")
        row(f"column groups, tridiagonal n = {n:.0e}: scipy group_columns ÷ fastgd color_columns "
            f"({seconds(median(times, 'fastgd color_columns'))}); ÷ the whole plan", f"{value:.1f}× ; {plan:.1f}×",
            "≥ 1×", value >= 1)


def optimize():
    for n in (5, 30):
        times = interleaved(cases.minimize_cases(n), rounds=5)
        ours = "jac=fastgd.gradient_of(rosen)"
        for peer in ("scipy's finite differences (jac=None, 2-point)", "scipy's finite differences (jac='3-point')"):
            value = ratio(times, peer, ours)
            row(f"minimize(rosen, BFGS), n = {n}: {peer} ÷ jac=gradient_of(rosen) ({seconds(median(times, ours))})",
                f"{value:.2f}×", "> 1×", value > 1)
    times = interleaved(cases.least_squares_cases(10**4), rounds=5)
    ours = "jac=fastgd.jacobian_of(broyden, sparsity=pattern)"
    for peer in ("scipy, jac_sparsity=pattern (2-point)", "scipy, jac_sparsity=pattern, jac='3-point'"):
        value = ratio(times, peer, ours)
        row(f"least_squares(broyden), sparse, n = 1e4: {peer} ÷ jacobian_of ({seconds(median(times, ours))})",
            f"{value:.1f}×", "> 1×", value > 1)


def memory():
    n = 10**6
    tracemalloc.start()
    plan = fastgd.SparseJacobian(cases.tridiagonal(n))
    J = plan.jacobian(broyden, np.full(n, -1.0))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    row(f"sparse tridiagonal n = 1e6: peak memory of the pattern, plan and Jacobian ({J.nnz:,} nonzeros)",
        f"{peak / 2**20:.0f} MB", "well under 1 GB", peak < 2**30 / 2)


def main():
    for measure in (dense, hessian, hessian_accuracy, c_hessian, sparse, coloring, optimize, memory):
        measure()
        print(ROWS[-1], file=sys.stderr, flush=True)
    print("| target | measured | goal | met |")
    print("| --- | ---: | ---: | :---: |")
    print("\n".join(ROWS))


if __name__ == "__main__":
    main()
