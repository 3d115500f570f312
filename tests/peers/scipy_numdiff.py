"""The cases of scipy's ``scipy/optimize/tests/test__numdiff.py`` (scipy 1.17), as data.

Each case is one call of ``approx_derivative`` (or ``group_columns``) in a scipy test, with its function,
point, expected value and tolerance; the name says which test and which call. Tests of scipy's private
helpers (``_adjust_scheme_to_bounds``, ``_eps_for_method``, ``_compute_absolute_step``) and of
``check_derivative`` and ``as_linear_operator=True`` are features fastgd does not have.
"""
import math

import numpy as np
from adapter import approx_derivative, close, raises
from cases import Case

import fastgd
from fastgd.reference.jacobians import greedy_coloring

SUITE = "scipy test__numdiff"
EPS = float(np.finfo(np.float64).eps)


def sinh(x):
    return np.sinh(x)


def fun_scalar_vector(x):
    return np.array([x[0] ** 2, np.tan(x[0]), np.exp(x[0])])


def jac_scalar_vector(x):
    return np.array([2 * x[0], np.cos(x[0]) ** -2, np.exp(x[0])]).reshape(-1, 1)


def fun_vector_scalar(x):
    return np.sin(x[0] * x[1]) * np.log(x[0])


def jac_vector_scalar(x):
    return np.array([x[1] * np.cos(x[0] * x[1]) * np.log(x[0]) + np.sin(x[0] * x[1]) / x[0],
                     x[0] * np.cos(x[0] * x[1]) * np.log(x[0])])


def fun_vector_vector(x):
    return np.array([x[0] * np.sin(x[1]), x[1] * np.cos(x[0]), x[0] ** 3 * x[1] ** -0.5])


def jac_vector_vector(x):
    return np.array([[np.sin(x[1]), x[0] * np.cos(x[1])],
                     [-x[1] * np.sin(x[0]), np.cos(x[0])],
                     [3 * x[0] ** 2 * x[1] ** -0.5, -0.5 * x[0] ** 3 * x[1] ** -1.5]])


def wrong_dimensions_fun(x):
    return np.array([x**2, np.tan(x), np.exp(x)])


def fun_parametrized(x, c0, c1=1.0):
    return np.array([np.exp(c0 * x[0]), np.exp(c1 * x[1])])


def jac_parametrized(x, c0, c1=0.1):
    return np.array([[c0 * np.exp(c0 * x[0]), 0], [0, c1 * np.exp(c1 * x[1])]])


def fun_with_nan(x):
    return x if np.abs(x) <= 1e-8 else np.nan


def jac_non_numpy(x):
    return math.exp(np.asarray(x).item())


def rosen(x):
    x = np.asarray(x)
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2.0) ** 2.0 + (1 - x[:-1]) ** 2.0)


def kink(x):
    """test_absolute_step_sign's function: -|x0 + 1| + |x1 + 1|."""
    return -np.abs(x[0] + 1) + np.abs(x[1] + 1)



class Counted:
    """``fun`` counting its calls (scipy's ``_ScalarFunctionWrapper``)."""

    def __init__(self, fun):
        self.fun, self.nfev = fun, 0

    def __call__(self, x):
        self.nfev += 1
        return self.fun(x)


def _nfev_and_workers(method):
    x0 = [0.5, 1.5, 2.0]
    serial = Counted(rosen)
    d, info = approx_derivative(serial, x0, method=method, full_output=True)
    assert info["nfev"] == serial.nfev, (info["nfev"], serial.nfev)
    md, minfo = approx_derivative(rosen, x0, method=method, workers=map, full_output=True)
    assert minfo["nfev"] == info["nfev"]
    np.testing.assert_equal(md, d)


def _fp_calc_atol(dtype):
    """test_fp's bound on the 2-point error in dtype at x0 = 1 (the step: scipy's rule in that dtype)."""
    eps = float(np.finfo(dtype).eps)
    x0 = np.array(1.0).astype(dtype)
    h = eps**0.5 * max(1.0, abs(float(x0)))
    truncation = h / 2 * max(abs(np.sin(x0)), abs(np.sin(x0 + h)))
    rounding = eps / h * max(abs(np.sin(x0)), abs(np.sin(x0 + h)))
    error = approx_derivative(np.sin, x0, method="2-point", abs_step=h) - np.cos(x0)
    assert abs(error) < truncation + rounding


def _fp_mixed_precision():
    rng = np.random.default_rng(1)
    x = np.linspace(0, 1, 100, dtype=np.float64)
    y = rng.random(size=100, dtype=np.float64)
    p0 = np.array([-1.0, -1.0])

    def err(p):
        return p[0] + p[1] * x - y

    jac64 = approx_derivative(err, p0, method="2-point")
    close(approx_derivative(err, p0.astype(np.float32), method="2-point"), jac64, atol=1e-3)

    def err_fp32(p):
        assert p.dtype == np.float32
        return err(p).astype(np.float32)
    close(approx_derivative(err_fp32, p0.astype(np.float32), method="2-point"), jac64, atol=1e-3)


STRUCTURE = [[1, 1, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0], [0, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 0], [0, 0, 0, 1, 1, 1],
             [0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0]]


# TestApproxDerivativeSparse: "Example from Numerical Optimization 2nd edition, p. 198."
N = 50
SPARSE_LB = -0.1 * (1 + np.arange(N))
SPARSE_UB = 0.1 * (1 + np.arange(N))
SPARSE_X0 = np.empty(N)
SPARSE_X0[::2] = (1 - 1e-7) * SPARSE_LB[::2]
SPARSE_X0[1::2] = (1 - 1e-7) * SPARSE_UB[1::2]


def sparse_fun(x):
    e = x[1:] ** 3 - x[:-1] ** 2
    return np.hstack((0, 3 * e)) + np.hstack((2 * e, 0))


def sparse_jac(x):
    n = x.size
    J = np.zeros((n, n))
    J[0, 0] = -4 * x[0]
    J[0, 1] = 6 * x[1] ** 2
    for i in range(1, n - 1):
        J[i, i - 1] = -6 * x[i - 1]
        J[i, i] = 9 * x[i] ** 2 - 4 * x[i]
        J[i, i + 1] = 6 * x[i + 1] ** 2
    J[-1, -1] = 9 * x[-1] ** 2
    J[-1, -2] = -6 * x[-2]
    return J


def sparse_structure(n):
    A = np.zeros((n, n), dtype=int)
    A[0, :2] = 1
    for i in range(1, n - 1):
        A[i, i - 1:i + 2] = 1
    A[-1, -2:] = 1
    return A


def _groups():
    """test_all's groups: natural order, and a shuffled order (scipy's group_columns is the greedy pass)."""
    A = sparse_structure(N)
    order = np.arange(N)
    natural = greedy_coloring(A, order)[0]
    np.random.default_rng(121091202).shuffle(order)
    return {"natural": natural, "shuffled": greedy_coloring(A, order)[0]}


GROUPS = _groups()
SIGNED_REL_STEP = np.full(N, 1e-8)
SIGNED_REL_STEP[::2] *= -1

DIRECTION = "signed steps (scipy's direction: a negative step takes the backward difference)"

CASES = [
    Case("test_group_columns[natural order]",
         lambda: np.testing.assert_equal(fastgd.color_columns(np.asarray(STRUCTURE)), [0, 1, 2, 0, 1, 2])),
    Case("test_group_columns[order=[1, 2, 4, 3, 5, 0]]", lambda: None, feature="a given column order for grouping"),
    Case("test_correct_fp_eps", lambda: None, feature="scipy's private _eps_for_method"),
    Case("TestAdjustSchemeToBounds", lambda: None, feature="scipy's private _adjust_scheme_to_bounds"),
    Case("test__compute_absolute_step", lambda: None, feature="scipy's private _compute_absolute_step"),
]
for method, rtol in (("2-point", 1e-6), ("3-point", 1e-9), ("cs", 1e-12)):
    CASES += [
        Case(f"test_scalar_scalar[{method}]",
             lambda m=method, r=rtol: close(approx_derivative(sinh, 1.0, method=m), np.cosh(1.0), rtol=r)),
        Case(f"test_scalar_scalar_abs_step[{method}]",
             lambda m=method, r=rtol: close(approx_derivative(sinh, 1.0, method=m, abs_step=1.49e-8), np.cosh(1.0),
                                            rtol=r)),
        Case(f"test_scalar_vector[{method}]",
             lambda m=method, r=rtol: close(approx_derivative(fun_scalar_vector, 0.5, method=m,
                                                              workers=map if m == "3-point" else None),
                                            jac_scalar_vector(np.atleast_1d(0.5)), rtol=r)),
        Case(f"test_vector_scalar[{method}]",
             lambda m=method, r={"2-point": 1e-6, "3-point": 1e-7, "cs": 1e-12}[method]:
             close(approx_derivative(fun_vector_scalar, np.array([100.0, -0.5]), method=m),
                   jac_vector_scalar(np.array([100.0, -0.5])), rtol=r)),
        Case(f"test_vector_scalar_abs_step[{method}]",
             lambda m=method, r={"2-point": 1e-6, "3-point": 3e-9, "cs": 1e-12}[method]:
             close(approx_derivative(fun_vector_scalar, np.array([100.0, -0.5]), method=m, abs_step=1.49e-8),
                   jac_vector_scalar(np.array([100.0, -0.5])), rtol=r)),
        Case(f"test_vector_vector[{method}]",
             lambda m=method, r={"2-point": 1e-5, "3-point": 1e-6, "cs": 1e-12}[method]:
             close(approx_derivative(fun_vector_vector, np.array([-100.0, 0.2]), method=m),
                   jac_vector_vector(np.array([-100.0, 0.2])), rtol=r)),
        Case(f"test_workers_evaluations_and_nfev[{method}]", lambda m=method: _nfev_and_workers(m)),
    ]
CASES += [
    Case("test_wrong_dimensions[F of shape (3, 1)]",
         lambda: raises((RuntimeError, ValueError), lambda: approx_derivative(wrong_dimensions_fun, 1.0))),
    Case("test_wrong_dimensions[f0 of shape (3, 1)]", lambda: None, feature="f0= (f at x0 supplied)"),
    Case("test_custom_rel_step[2-point]",
         lambda: close(approx_derivative(fun_vector_vector, np.array([-0.1, 0.1]), method="2-point", rel_step=1e-4),
                       jac_vector_vector(np.array([-0.1, 0.1])), rtol=1e-2)),
    Case("test_custom_rel_step[3-point]",
         lambda: close(approx_derivative(fun_vector_vector, np.array([-0.1, 0.1]), rel_step=1e-4),
                       jac_vector_vector(np.array([-0.1, 0.1])), rtol=1e-4)),
    Case("test_options[2-point]", lambda: None, feature=f"f0= and {DIRECTION}"),
    Case("test_options[3-point]", lambda: None, feature="f0= (f at x0 supplied)"),
    Case("test_with_bounds_2_point[x0 outside]",
         lambda: raises(ValueError, lambda: approx_derivative(fun_vector_vector, np.array([-2.0, 0.2]),
                                                               bounds=(-np.ones(2), np.ones(2))))),
    Case("test_with_bounds_2_point[x0 on the bounds]",
         lambda: close(approx_derivative(fun_vector_vector, np.array([-1.0, 1.0]), method="2-point",
                                         bounds=(-np.ones(2), np.ones(2))),
                       jac_vector_vector(np.array([-1.0, 1.0])), rtol=1e-6)),
    Case("test_with_bounds_3_point[no bounds]",
         lambda: close(approx_derivative(fun_vector_vector, np.array([1.0, 2.0])),
                       jac_vector_vector(np.array([1.0, 2.0])), rtol=1e-9)),
]
for label, bounds in (("lb", ([1.0, 1.0], np.inf)), ("ub", (-np.inf, [2.0, 2.0])), ("lb and ub", ([1.0, 1.0],
                                                                                                  [2.0, 2.0]))):
    CASES.append(Case(f"test_with_bounds_3_point[{label}]",
                      lambda b=bounds: close(approx_derivative(fun_vector_vector, np.array([1.0, 2.0]), bounds=b),
                                             jac_vector_vector(np.array([1.0, 2.0])), rtol=1e-9)))
TIGHT = (np.array([10.0, 10.0]) - 3e-9, np.array([10.0, 10.0]) + 2e-9)
for method in ("2-point", "3-point"):
    for rel_step in (None, 1e-6):
        CASES.append(Case(f"test_tight_bounds[{method}, rel_step={rel_step}]",
                          lambda m=method, r=rel_step: close(
                              approx_derivative(fun_vector_vector, np.array([10.0, 10.0]), method=m, rel_step=r,
                                                bounds=TIGHT), jac_vector_vector(np.array([10.0, 10.0])), rtol=1e-6)))
for x0 in (0.0, 1e-8):
    for method, rtol in (("2-point", 1e-6), ("3-point", 1e-9)):
        CASES.append(Case(f"test_bound_switches[x0={x0}, {method}]",
                          lambda x=x0, m=method, r=rtol: close(
                              approx_derivative(fun_with_nan, x, method=m, rel_step=1e-6, bounds=(-1e-8, 1e-8)),
                              1.0, rtol=r)))
CASES += [
    Case("test_non_numpy[2-point]", lambda: close(approx_derivative(jac_non_numpy, 1.0, method="2-point"),
                                                  math.exp(1.0), rtol=1e-6)),
    Case("test_non_numpy[3-point]", lambda: close(approx_derivative(jac_non_numpy, 1.0), math.exp(1.0), rtol=1e-8)),
    Case("test_non_numpy[cs raises TypeError]",
         lambda: raises(TypeError, lambda: approx_derivative(jac_non_numpy, 1.0, method="cs"))),
    Case("test_fp[float32 parameters, float64 and float32 values]", _fp_mixed_precision),
]
for dtype in (np.float16, np.float32, np.float64):
    CASES.append(Case(f"test_fp[2-point error bound, {np.dtype(dtype).name}]", lambda d=dtype: _fp_calc_atol(d)))
CASES += [
    Case("test_check_derivative", lambda: None, feature="check_derivative"),
    Case("test_check_derivative_with_kwargs", lambda: None, feature="check_derivative"),
    Case("TestApproxDerivativeSparse.test_check_derivative", lambda: None, feature="check_derivative"),
    Case("TestApproxDerivativeLinearOperator (5 tests)", lambda: None,
         feature="as_linear_operator=True (Jacobian-vector products)"),
]
for method in ("2-point", "3-point", "cs"):
    for groups in GROUPS:
        CASES.append(Case(f"TestApproxDerivativeSparse.test_all[{method}, {groups} groups, no bounds]",
                          lambda m=method, g=groups: close(approx_derivative(
                              sparse_fun, SPARSE_X0, method=m, sparsity=(sparse_structure(N), GROUPS[g]),
                              workers=map).toarray(), sparse_jac(SPARSE_X0), rtol=1e-6)))
        CASES.append(Case(f"TestApproxDerivativeSparse.test_all[{method}, {groups} groups, bounds]",
                          lambda m=method, g=groups: close(approx_derivative(
                              sparse_fun, SPARSE_X0, method=m, bounds=(SPARSE_LB, SPARSE_UB),
                              sparsity=(sparse_structure(N), GROUPS[g]), workers=map).toarray(),
                              sparse_jac(SPARSE_X0), rtol=1e-6)))
        CASES.append(Case(f"TestApproxDerivativeSparse.test_all[{method}, {groups} groups, rel_step=+-1e-8]",
                          lambda m=method, g=groups: close(approx_derivative(
                              sparse_fun, SPARSE_X0, method=m, rel_step=SIGNED_REL_STEP,
                              sparsity=(sparse_structure(N), GROUPS[g]), workers=map).toarray(),
                              sparse_jac(SPARSE_X0), rtol=1e-5),
                          feature=DIRECTION if method == "2-point" else None))
CASES.append(Case("TestApproxDerivativeSparse.test_no_precomputed_groups",
                  lambda: close(approx_derivative(sparse_fun, SPARSE_X0, sparsity=sparse_structure(N)).toarray(),
                                sparse_jac(SPARSE_X0), rtol=1e-6)))
for method in ("2-point", "3-point", "cs"):
    CASES.append(Case(f"TestApproxDerivativeSparse.test_equivalence[{method}]",
                      lambda m=method: close(
                          approx_derivative(sparse_fun, SPARSE_X0, method=m),
                          approx_derivative(sparse_fun, SPARSE_X0, method=m,
                                            sparsity=(np.ones((N, N), dtype=int), np.arange(N))).toarray(),
                          rtol=5e-16, atol=7e-15)))
CASES += [
    Case("test_absolute_step_sign[abs_step=1e-8]",
         lambda: close(approx_derivative(kink, [-1, -1], method="2-point", abs_step=1e-8), [-1.0, 1.0])),
    Case("test_absolute_step_sign[abs_step=[1e-8, 1e-8]]",
         lambda: close(approx_derivative(kink, [-1, -1], method="2-point", abs_step=[1e-8, 1e-8]), [-1.0, 1.0])),
    Case("test_absolute_step_sign[abs_step=1e-8, bounds=(-inf, -1)]",
         lambda: close(approx_derivative(kink, [-1, -1], method="2-point", abs_step=1e-8, bounds=(-np.inf, -1)),
                       [1.0, -1.0])),
    Case("test_absolute_step_sign[negative steps (4 calls)]", lambda: None, feature=DIRECTION),
]
