"""Issue 19's workflows through scipy.optimize: fastgd's derivatives (``fastgd.optimize``) against scipy's own
finite differences and analytic derivatives -- calls of ``f``, evaluations outside the bounds, final accuracy,
time -- and the sparse Hessians' and Newton-CG's targets.

Run ``python bench/bench_optimize.py [--rounds 5] [--sizes 10000 100000]`` for the table (ratios in one run:
scipy's and fastgd's runs alternate, round after round, and the median of the per-round ratios is printed,
with the machine's load), or ``pytest bench/bench_optimize.py`` for pytest-benchmark groups (each workflow,
fastgd beside scipy's finite differences) that also assert the targets.
"""
from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))
import optimize_cases as cases  # noqa: E402

pytest.importorskip("scipy")
SMALL_SIZES = (1000, 10_000)


# --- the targets beyond the workflows ------------------------------------------------------------------------


def sparse_hessian_targets(n: int = 100_000, f_alone_n: int = 10_000) -> list[tuple[str, str, str, str]]:
    """``(what, calls, relative error in norm, seconds)``: the Rosenbrock chain's sparse Hessian from its terms,
    from its gradient, and from ``f`` alone (at ``f_alone_n``: every evaluation gives one number, see the text)."""
    import scipy.sparse as sp
    from scipy.optimize import rosen, rosen_der

    import fastgd

    rows = []
    for label, size, make in [
        (f"from f's terms, n={n:.0e}", n, lambda: (fastgd.SumHessian(cases.rosen_terms_pattern(n)), "terms")),
        (f"from its gradient, n={n:.0e}", n, lambda: (fastgd.SparseHessian(cases.tridiagonal(n)), "gradient")),
        (f"from f alone, n={f_alone_n:.0e}", f_alone_n,
         lambda: (fastgd.SparseHessian(cases.tridiagonal(f_alone_n)), "f")),
    ]:
        x = np.linspace(-1.0, 2.0, size)
        plan, kind = make()
        counted = cases.Counted({"terms": cases.rosen_terms, "gradient": rosen_der, "f": rosen}[kind])
        start = time.perf_counter()
        H = plan.hessian(None, x, gradient=counted) if kind == "gradient" else plan.hessian(counted, x)
        seconds = time.perf_counter() - start
        exact = cases.rosen_hess_sparse(x)
        error = sp.linalg.norm(H - exact) / sp.linalg.norm(exact)
        rows.append((label, str(counted.calls), f"{error:.1e}", f"{seconds:.3f}"))
    return rows


def newton_cg_targets(n: int = 1000) -> list[tuple[str, str, str, str, str]]:
    """``(run, calls, evaluations, final max |x - 1|, seconds)``: Newton-CG on Rosenbrock from the docs' start
    tiled to ``n``. Calls count each call of ``f`` or of a gradient once (a vectorized call at many points too);
    evaluations count each point."""
    from scipy.optimize import minimize, rosen, rosen_der

    import fastgd
    import fastgd.optimize

    x0 = np.resize([1.3, 0.7, 0.8, 1.9, 1.2], n)
    options = {"xtol": 1e-10}
    rows = []

    class Points(cases.Counted):
        """A vectorized rosen (points as rows), counting calls and points."""

        def __init__(self):
            super().__init__(lambda X: rosen(np.asarray(X).T))
            self.points = 0

        def __call__(self, x, *args):
            self.points += 1 if np.ndim(x) == 1 else len(x)
            return super().__call__(x, *args)

    f, g = cases.Counted(rosen), cases.Counted(rosen_der)
    start = time.perf_counter()
    result = minimize(f, x0, method="Newton-CG", jac=g, hess="2-point", options=options)
    rows.append(("scipy: exact gradient, hess='2-point'", str(f.calls + g.calls), str(f.calls + g.calls),
                 f"{np.max(np.abs(result.x - 1)):.1e}", f"{time.perf_counter() - start:.2f}"))
    pattern = cases.tridiagonal(n)
    vectorized = Points()
    start = time.perf_counter()
    result = fastgd.optimize.minimize(vectorized, x0, method="Newton-CG", jac="3-point", hess_sparsity=pattern,
                                      options=options, diff_options={"vectorized": True, "chunk_size": 4 * n})
    rows.append(("fastgd from f alone (vectorized f), sparse Hessian", str(vectorized.calls), str(vectorized.points),
                 f"{np.max(np.abs(result.x - 1)):.1e}", f"{time.perf_counter() - start:.2f}"))
    scalar = cases.Counted(rosen)
    start = time.perf_counter()
    result = fastgd.optimize.minimize(scalar, x0, method="Newton-CG", jac="3-point", hess_sparsity=pattern,
                                      options=options)
    rows.append(("fastgd from f alone (one point per call), sparse Hessian", str(scalar.calls), str(scalar.calls),
                 f"{np.max(np.abs(result.x - 1)):.1e}", f"{time.perf_counter() - start:.2f}"))
    plan = fastgd.SumHessian(cases.rosen_terms_pattern(n))
    terms, objective = cases.Counted(cases.rosen_terms), cases.Counted(rosen)
    start = time.perf_counter()
    result = minimize(objective, x0, method="Newton-CG", jac=lambda x: plan.gradient(terms, np.array(x)),
                      hess=fastgd.hessian_of(terms, sparsity=plan), options=options)
    calls = terms.calls + objective.calls
    rows.append(("fastgd from f's terms (SumHessian: gradient and Hessian)", str(calls), str(calls),
                 f"{np.max(np.abs(result.x - 1)):.1e}", f"{time.perf_counter() - start:.2f}"))
    return rows


# --- the table -----------------------------------------------------------------------------------------------


def timed(workflow: cases.Workflow, kinds: tuple[str, ...], rounds: int, min_seconds: float = 0.05
          ) -> dict[str, list[float]]:
    """kind -> seconds of a run, per round (each round repeats a run for ``min_seconds`` at least), the kinds
    taking turns."""
    repeats = {kind: max(1, int(min_seconds / max(cases.measure(workflow, kind).seconds, 1e-6))) for kind in kinds}
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _ in range(rounds):
        for kind in kinds:
            times[kind].append(sum(cases.measure(workflow, kind).seconds for _ in range(repeats[kind])) / repeats[kind])
    return times


def table(sizes: tuple[int, ...], rounds: int) -> str:
    lines = [f"load (uptime): {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}", "",
             "| workflow | calls fastgd | scipy FD | ratio | analytic (f + derivative) | "
             "outside bounds fastgd / scipy | error fastgd | scipy FD | analytic | time fastgd ÷ scipy FD | "
             "success fastgd / scipy |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for workflow in cases.all_workflows(sizes):
        ours, scipy, analytic = (cases.measure(workflow, kind) for kind in ("fastgd", "scipy", "analytic"))
        times = timed(workflow, ("scipy", "fastgd"), rounds)
        speed = statistics.median(a / b for a, b in zip(times["fastgd"], times["scipy"], strict=True))
        scipy_error = f"{scipy.error:.1e}" if np.isfinite(scipy.error) else "raised"
        calls = f"{ours.calls / scipy.calls:.2f}" if np.isfinite(scipy.error) else "-"
        lines.append(f"| {workflow.name} | {ours.calls} | {scipy.calls} | {calls} | "
                     f"{analytic.calls} + {analytic.gradient_calls} | {ours.outside} / {scipy.outside} | "
                     f"{ours.error:.1e} | {scipy_error} | {analytic.error:.1e} | {speed:.2f} | "
                     f"{ours.success} / {scipy.success} |")
    lines += ["", "| sparse Hessian, Rosenbrock chain | calls | error (norm, relative) | seconds |",
              "| --- | ---: | ---: | ---: |"]
    lines += [f"| {' | '.join(row)} |" for row in sparse_hessian_targets(max(sizes))]
    lines += ["", "| Newton-CG, Rosenbrock n=1000 | calls (f + gradient) | evaluations | max abs(x - 1) | seconds |",
              "| --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {' | '.join(row)} |" for row in newton_cg_targets()]
    return "\n".join(lines)


# --- pytest-benchmark ----------------------------------------------------------------------------------------

WORKFLOWS = {workflow.name: workflow for workflow in cases.all_workflows(SMALL_SIZES)}


@pytest.mark.parametrize("kind", ["fastgd", "scipy"])
@pytest.mark.parametrize("name", list(WORKFLOWS))
def test_workflow(benchmark, name, kind):
    """Each workflow, fastgd beside scipy's finite differences; fastgd's run holds the issue's targets."""
    workflow = WORKFLOWS[name]
    benchmark.group = f"optimize: {name}"
    measured = benchmark.pedantic(cases.measure, args=(workflow, kind), rounds=3, iterations=1)
    if kind == "fastgd":
        scipy = cases.measure(workflow, "scipy")
        assert measured.outside == 0
        assert measured.calls <= (1.1 if workflow.kind == "root" else 1.0) * scipy.calls or not scipy.success


if __name__ == "__main__":
    arguments = sys.argv[1:]
    rounds = int(arguments[arguments.index("--rounds") + 1]) if "--rounds" in arguments else 5
    sizes = (10_000, 100_000)
    if "--sizes" in arguments:
        start = arguments.index("--sizes") + 1
        sizes = tuple(int(float(s)) for s in arguments[start:] if not s.startswith("--"))
    import warnings

    warnings.simplefilter("ignore")
    print(table(sizes, rounds))
