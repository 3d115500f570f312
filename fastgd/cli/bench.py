"""``python -m fastgd bench``: reference time ÷ fastgd time, per function and size.

Like bottleneck's ``bench()``: each row times the numpy reference and fastgd on the same
inputs, in one run, and prints their ratio (above 1 means fastgd is faster).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

import fastgd
from fastgd import reference
from fastgd.cli.conditions import describe
from fastgd.cli.timing import format_seconds, seconds_per_call
from fastgd.optim.table import NAMES
from fastgd.reference.analytic import broyden
from fastgd.reference.examples import function_2, nothing, sum_squares

SMALL_NET: dict[str, tuple[int, ...]] = {"W1": (2, 3), "b1": (3,), "W2": (3, 4), "b2": (4,)}

# make_call(module) -> a no-argument call of that module's (fastgd's or the reference's) function; "..." as
# the lambdas bind loop variables as default arguments, which mypy cannot match to (module)
MakeCall: TypeAlias = Callable[..., Callable[[], object]]


def _gradient_cases() -> Iterator[tuple[str, MakeCall]]:
    """Yield ``(label, make_call)``; ``make_call(module)`` returns a no-argument callable."""
    for n in (100, 1000):
        x = np.linspace(-1, 1, n)
        yield f"numerical_gradient, do-nothing f, n={n}", lambda m, x=x: lambda: m.numerical_gradient(nothing, x)
    for n in (2, 1000):
        x = np.linspace(-1, 1, n)
        yield f"numerical_gradient, np.sum(x**2), n={n}", lambda m, x=x: lambda: m.numerical_gradient(sum_squares, x)
    X = np.linspace(-2, 2, 2 * 324).reshape(324, 2)
    yield "numerical_gradient_2d, x0**2 + x1**2, 324 points", lambda m: lambda: m.numerical_gradient_2d(function_2, X)
    yield ("gradient_descent, x0**2 + x1**2, 100 steps",
           lambda m: lambda: m.gradient_descent(function_2, np.array([-3.0, 4.0]), lr=0.1, step_num=100))


def _x_sum(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """F = x * sum(x): a dense Jacobian."""
    return x * np.sum(x)


def _jacobian_cases() -> Iterator[tuple[str, MakeCall]]:
    """Jacobians, Hessians and a sparse Jacobian (the last needs scipy)."""
    x = np.linspace(0.5, 1.5, 100)
    yield "jacobian, F = x * sum(x), n = m = 100", lambda m: lambda: m.jacobian(_x_sum, x)
    y = np.linspace(0.5, 1.5, 30)
    yield "hessian, np.sum(x**2), n = 30", lambda m: lambda: m.hessian(sum_squares, y)
    try:
        import scipy.sparse  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        return
    n = 1000
    z = np.linspace(-1.0, 1.0, n)
    pattern = scipy.sparse.diags_array([1.0, 1.0, 1.0], offsets=[-1, 0, 1], shape=(n, n), format="csr")
    plan = fastgd.SparseJacobian(pattern)
    yield ("sparse jacobian, tridiagonal Broyden, n = 1000",
           lambda m: (lambda: m.sparse_jacobian(broyden, z, pattern)) if m is reference
           else (lambda: plan.jacobian(broyden, z)))


def _optimizer_cases(sizes: Sequence[int]) -> Iterator[tuple[str, MakeCall]]:
    rng = np.random.default_rng(0)
    for name in NAMES:
        for label, shapes in [("4 small params", SMALL_NET)] + [(f"n={n:.0e}", {"w": (n,)}) for n in sizes]:
            params = {k: rng.standard_normal(s) for k, s in shapes.items()}
            grads = {k: rng.standard_normal(s) * 1e-3 for k, s in shapes.items()}

            def make(m: ModuleType, name: str = name, params: dict[str, npt.NDArray[np.float64]] = params,
                     grads: dict[str, npt.NDArray[np.float64]] = grads) -> Callable[[], None]:
                opt = getattr(m, name)()
                return lambda: opt.update(params, grads)

            yield f"{name}.update, {label}", make


def main(sizes: Sequence[int] = (10**3, 10**5, 10**6)) -> None:
    """Time every case with the reference and with fastgd; print one row each."""
    print(f"fastgd {fastgd.__version__} speed: reference time ÷ fastgd time "
          f"({fastgd.get_num_threads()} threads for large arrays)")
    print(describe() + "\n", flush=True)
    row = "{:<58} {:>11} {:>11} {:>8}"
    print(row.format("case", "reference", "fastgd", "ratio"))
    for label, make in (*_gradient_cases(), *_jacobian_cases(), *_optimizer_cases(sizes)):
        slow = seconds_per_call(make(reference), repeat=3)
        fast = seconds_per_call(make(fastgd), repeat=3)
        print(row.format(label, format_seconds(slow), format_seconds(fast), f"{slow / fast:.1f}"), flush=True)
    print(describe())
