"""The test problems of issue 19's workflows, from scipy's own test files and docs: objectives with their
gradients, vector functions with their Jacobians, and the Rosenbrock chain's terms and sparse Hessian (scipy
imported where a sparse matrix is returned: test problems, not an oracle, so they live beside the tests and not
in fastgd.reference). ``bench/optimize_cases.py`` runs them
through scipy.optimize; the tests check fastgd's derivatives on them.

Sources: ``scipy/optimize/tests/test_tnc.py`` (Schittkowski's examples f1, f4, f5, f38, f45),
``test_minpack.py`` (``pressure_network``), ``test_least_squares.py`` (``BroydenTridiagonal``, ``fun_bvp``), the
``least_squares`` docs (the Broyden tridiagonal function), ``minimize``'s docs (Rosenbrock), and the
entropy problem ``sum(x - log(x))`` of issue 19.
"""
from __future__ import annotations

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


def himmelblau(x):
    return (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2


def himmelblau_der(x):
    a, b = x[0] ** 2 + x[1] - 11, x[0] + x[1] ** 2 - 7
    return np.array([4 * a * x[0] + 2 * b, 2 * a + 4 * b * x[1]])


def entropy(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sum(x - np.log(x))


def entropy_der(x):
    return 1 - 1 / x


# scipy/optimize/tests/test_tnc.py (Schittkowski's test examples), with their bounds and solutions
def tnc_f1(x):
    return 100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2


def tnc_g1(x):
    d1 = 200.0 * (x[1] - x[0] ** 2)
    return np.array([-2.0 * (x[0] * (d1 - 1.0) + 1.0), d1])


def tnc_f4(x):
    return (x[0] + 1.0) ** 3 / 3.0 + x[1]


def tnc_g4(x):
    return np.array([(x[0] + 1.0) ** 2, 1.0])


def tnc_f5(x):
    return np.sin(x[0] + x[1]) + (x[0] - x[1]) ** 2 - 1.5 * x[0] + 2.5 * x[1] + 1.0


def tnc_g5(x):
    v1, v2 = np.cos(x[0] + x[1]), 2.0 * (x[0] - x[1])
    return np.array([v1 + v2 - 1.5, v1 - v2 + 2.5])


def tnc_f38(x):
    return (100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2 + 90.0 * (x[3] - x[2] ** 2) ** 2
            + (1.0 - x[2]) ** 2 + 10.1 * ((x[1] - 1.0) ** 2 + (x[3] - 1.0) ** 2)
            + 19.8 * (x[1] - 1.0) * (x[3] - 1.0)) * 1.0e-5


def tnc_g38(x):
    return np.array([(-400.0 * x[0] * (x[1] - x[0] ** 2) - 2.0 * (1.0 - x[0])) * 1.0e-5,
                     (200.0 * (x[1] - x[0] ** 2) + 20.2 * (x[1] - 1.0) + 19.8 * (x[3] - 1.0)) * 1.0e-5,
                     (-360.0 * x[2] * (x[3] - x[2] ** 2) - 2.0 * (1.0 - x[2])) * 1.0e-5,
                     (180.0 * (x[3] - x[2] ** 2) + 20.2 * (x[3] - 1.0) + 19.8 * (x[1] - 1.0)) * 1.0e-5])


def tnc_f45(x):
    return 2.0 - x[0] * x[1] * x[2] * x[3] * x[4] / 120.0


def tnc_g45(x):
    p = np.prod(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.array([-np.prod(np.delete(x, i)) / 120.0 for i in range(5)]) if p == 0 else -p / x / 120.0


def broyden_tridiagonal(x):
    """scipy's ``BroydenTridiagonal.fun`` (test_least_squares.py) and its docs' least_squares example."""
    f = (3 - x) * x + 1
    f[1:] -= x[:-1]
    f[:-1] -= 2 * x[1:]
    return f


def broyden_tridiagonal_jac(x):
    import scipy.sparse as sp  # type: ignore[import-untyped, unused-ignore]

    n = x.size
    return sp.diags_array([-np.ones(n - 1), 3 - 2 * x, -2 * np.ones(n - 1)], offsets=[-1, 0, 1], format="csr")


def rosen_terms(x):
    """The Rosenbrock chain as its terms: ``scipy.optimize.rosen(x) == rosen_terms(x).sum()``."""
    return 100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2


def rosen_terms_pattern(n):
    """The terms' Jacobian pattern: term ``k`` depends on ``x[k]`` and ``x[k + 1]``."""
    import scipy.sparse as sp  # type: ignore[import-untyped, unused-ignore]

    return sp.diags_array([np.ones(n - 1), np.ones(n - 1)], offsets=[0, 1], shape=(n - 1, n), format="csr")


def rosen_hess_sparse(x):
    """The exact Hessian of ``scipy.optimize.rosen`` as a ``csr_array`` (``rosen_hess`` is dense)."""
    import scipy.sparse as sp  # type: ignore[import-untyped, unused-ignore]

    diagonal = np.zeros_like(x)
    diagonal[0] = 1200 * x[0] ** 2 - 400 * x[1] + 2
    diagonal[-1] = 200
    diagonal[1:-1] = 202 + 1200 * x[1:-1] ** 2 - 400 * x[2:]
    off = -400 * x[:-1]
    return sp.diags_array([off, diagonal, off], offsets=[-1, 0, 1], format="csr")


def tridiagonal(n):
    import scipy.sparse as sp  # type: ignore[import-untyped, unused-ignore]

    return sp.diags_array([np.ones(n - 1), np.ones(n), np.ones(n - 1)], offsets=[-1, 0, 1], format="csr")


def broyden_bounds(n):
    """``BroydenTridiagonal(n)``'s ``x0``, ``lb``, ``ub`` (scipy's test_least_squares.py, seed 123440)."""
    from scipy.optimize._lsq.common import make_strictly_feasible  # type: ignore[import-untyped, unused-ignore]

    rng = np.random.default_rng(123440)
    x0 = -np.ones(n)
    lb = np.linspace(-2, -1.5, n)
    ub = np.linspace(-0.8, 0.0, n)
    lb += 0.1 * rng.standard_normal(n)
    ub += 0.1 * rng.standard_normal(n)
    x0 += 0.1 * rng.standard_normal(n)
    return make_strictly_feasible(x0, lb, ub), lb, ub


def pressure_network(flow_rates, Qtot, k):
    """scipy/optimize/tests/test_minpack.py."""
    P = k * flow_rates ** 2
    return np.hstack((P[1:] - P[0], flow_rates.sum() - Qtot))


def pressure_network_jacobian(flow_rates, Qtot, k):
    n = len(flow_rates)
    jac = np.zeros((n, n))
    jac[:n - 1, 0] = -2 * k[0] * flow_rates[0]
    jac[np.arange(n - 1), np.arange(1, n)] = 2 * k[1:] * flow_rates[1:]
    jac[n - 1, :] = 1.0
    return jac


def broyden_dense_jacobian(x):
    return broyden_tridiagonal_jac(x).toarray()


def fun_bvp(x):
    """scipy/optimize/tests/test_least_squares.py (a discrete boundary value problem)."""
    n = int(np.sqrt(x.shape[0]))
    u = np.zeros((n + 2, n + 2))
    x = x.reshape((n, n))
    u[1:-1, 1:-1] = x
    y = u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:] - 4 * x + x ** 3
    return y.ravel()


def fun_bvp_jacobian(x):
    n = int(np.sqrt(x.shape[0]))
    J = np.zeros((n * n, n * n))
    for i in range(n):
        for j in range(n):
            r = i * n + j
            J[r, r] = -4 + 3 * x[r] ** 2
            for di, dj in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                if 0 <= i + di < n and 0 <= j + dj < n:
                    J[r, (i + di) * n + j + dj] = 1.0
    return J
