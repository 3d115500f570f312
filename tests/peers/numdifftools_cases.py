"""The cases of numdifftools' tests (numdifftools 0.11, ``numdifftools/tests/``), as data.

From ``test_numdifftools.py`` (Derivative, Jacobian, Gradient, Hessdiag, Hessian),
``test_jacobian_complex_validation.py``, ``test_invalid_outputs.py`` and the first-derivative test of
``test_example_functions.py`` (19 elementary functions at 0.5, four methods, 7 decimals; numdifftools
runs it only with algopy installed). Hypothesis-driven tests keep their ``@example`` points and add
seeded draws from the same ranges. Derivatives of order 3 and more, multicomplex steps, step generators,
complex-valued functions and numdifftools' internals are features fastgd does not have.
"""
import numpy as np
from adapter import (
    almost_equal,
    close,
    nd_derivative,
    nd_directionaldiff,
    nd_gradient,
    nd_hessdiag,
    nd_hessian,
    nd_jacobian,
    raises,
)
from cases import Case

SUITE = "numdifftools"
METHODS = ["complex", "central", "forward", "backward"]
ONE_SIDED_SECOND = "second derivatives from one side (forward/backward Hessians)"
HONEST = ("the error estimate of a linear function is the bound of its values' rounding, 5e-12, not < 1e-13: "
          "agreeing values do not show there was no rounding (fastgd.diff._core.estimates)")


def rosen(x):
    """numdifftools.testing.rosen."""
    x = np.atleast_1d(x)
    return (1 - x[0]) ** 2 + 105.0 * (x[1] - x[0] ** 2) ** 2



def cube_params(x, a, b=1):
    return b * a * x * x * x


# test_example_functions: the functions and their first derivatives (written out here)
ELEMENTARY = {
    "cos": (np.cos, lambda x: -np.sin(x)), "sin": (np.sin, np.cos), "tan": (np.tan, lambda x: 1 / np.cos(x) ** 2),
    "cosh": (np.cosh, np.sinh), "sinh": (np.sinh, np.cosh), "tanh": (np.tanh, lambda x: 1 / np.cosh(x) ** 2),
    "arcsinh": (np.arcsinh, lambda x: 1 / np.sqrt(1 + x**2)), "exp": (np.exp, np.exp), "expm1": (np.expm1, np.exp),
    "exp2": (np.exp2, lambda x: np.log(2) * np.exp2(x)), "square": (np.square, lambda x: 2 * x),
    "sqrt": (np.sqrt, lambda x: 0.5 / np.sqrt(x)), "log": (np.log, lambda x: 1 / x),
    "log1p": (np.log1p, lambda x: 1 / (1 + x)), "log10": (np.log10, lambda x: 1 / (x * np.log(10))),
    "log2": (np.log2, lambda x: 1 / (x * np.log(2))), "arccos": (np.arccos, lambda x: -1 / np.sqrt(1 - x**2)),
    "arcsin": (np.arcsin, lambda x: 1 / np.sqrt(1 - x**2)), "arctan": (np.arctan, lambda x: 1 / (1 + x**2)),
}


def _cos_x(x, method, n):
    """test_derivative_of_cos_x: rtol 1e-6, atol 100 * the error estimate + 1e-14."""
    true = (-np.sin(x), -np.cos(x), np.sin(x), np.cos(x))[n - 1]
    result = nd_derivative(np.cos, x, method=method, n=n, full_output=True)
    close(result.estimate, true, rtol=1e-6, atol=100 * result.error_estimate + 1e-14)


def _fun_with_additional_parameters(kind, method):
    call = {"Gradient": lambda x: nd_gradient(cube_params, x, 1.0, method=method, b=2),
            "Derivative": lambda x: nd_derivative(lambda v: cube_params(v, 1.0, b=2), x, method=method),
            "Jacobian": lambda x: nd_jacobian(cube_params, x, 1.0, method=method, b=2),
            "Hessdiag": lambda x: nd_hessdiag(lambda v: cube_params(v, 1.0, b=2)[0], x, method=method),
            "Hessian": lambda x: nd_hessian(lambda v: cube_params(v, 1.0, b=2)[0], x, method=method)}[kind]
    close(call(0.0), 0, atol=1e-13)
    close(call(1.0), 12 if kind in ("Hessdiag", "Hessian") else 6)


def _matrix_valued(x, expected):
    def fun(v):
        v = np.atleast_1d(v)
        return np.array([v[0] ** 2 + v[1] ** 2, v[0] ** 3 + v[1] ** 3])
    close(nd_jacobian(fun, x), expected)


def _issue_25():
    def g_fun(x):
        out = np.zeros((2, 2))
        out[0] = x
        out[1] = x
        return out
    close(nd_jacobian(g_fun, np.array([1.0, 2.0])), [[[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]])


def _valid_unchanged_by_invalid_output(method, n):
    x = np.array([0.5, 1.0, 5.0])
    valid = np.array([True, False, True])

    def masked_exp(v):  # elementwise (each element is differentiated alone): NaN near the invalid element
        return np.where(valid[np.abs(x - v[0]).argmin()], np.exp(v), np.nan)
    expected = nd_derivative(np.exp, x, method=method, n=n, full_output=True)
    with np.errstate(invalid="ignore"):
        actual = nd_derivative(masked_exp, x, method=method, n=n, full_output=True)
    assert np.isnan(actual.estimate[1])
    for field in ("estimate", "error_estimate", "final_step"):
        np.testing.assert_array_equal(getattr(actual, field)[valid], getattr(expected, field)[valid])


def _complex_output_rejected(kind, method):
    calls = []

    def fun(x):
        calls.append(x.copy())
        return np.sum((1 + 1j) * x**2)
    call = nd_jacobian if kind == "Jacobian" else nd_gradient
    raises((ValueError, TypeError), lambda: call(fun, [1.0, 2.0], method=method))
    assert len(calls) == 1, len(calls)


CASES = [
    Case("TestDerivative.test_directional_diff",
         lambda: close(nd_directionaldiff(rosen, [2, 3], [1, -1]), 743.87633380824832)),
    Case("TestGradient.test_directional_diff",
         lambda: close(nd_gradient(rosen, [2, 3]) @ (np.array([1, -1]) / np.sqrt(2)), 743.87633380824832)),
    Case("TestDerivative.test_infinite_functions[n=1: NaN]",
         lambda: np.testing.assert_(np.isnan(nd_derivative(lambda x: np.inf * np.ones_like(x), 0.0)))),
    Case("TestDerivative.test_infinite_functions[n=0]", lambda: None, feature="n=0 (the function's value)"),
    Case("TestDerivative.test_high_order_derivative_cos[n >= 3]", lambda: None, feature="derivatives of order >= 3"),
    Case("TestDerivative.test_high_order_derivative_cos[multicomplex]", lambda: None, feature="multicomplex steps"),
    Case("TestDerivative.test_default_scale", lambda: None, feature="numdifftools' step scale (default_scale)"),
    Case("TestDerivative.test_derivative_with_step_options", lambda: None, feature="num_extrap (step generators)"),
    Case("TestDerivative.test_derivative_cube",
         lambda: close(nd_derivative(lambda x: x * x * x, np.ones((3, 2)) * 2), 3 * 4 * np.ones((3, 2)), rtol=1e-8)),
    Case("TestDerivative.test_derivative_exp", lambda: close(nd_derivative(np.exp, 0.0), 1.0, rtol=1e-8)),
    Case("TestDerivative.test_derivative_sin",
         lambda: close(nd_derivative(np.sin, np.linspace(0, 2 * np.pi, 13)), np.cos(np.linspace(0, 2 * np.pi, 13)),
                       atol=1e-8)),
    Case("TestDerivative.test_backward_derivative_on_sinh",
         lambda: close(nd_derivative(np.sinh, 0.0, method="backward"), np.cosh(0.0))),
    Case("TestDerivative.test_central_and_forward_derivative_on_log[central]",
         lambda: close(nd_derivative(np.log, 0.001, method="central"), 1 / 0.001)),
    Case("TestDerivative.test_central_and_forward_derivative_on_log[forward]",
         lambda: close(nd_derivative(np.log, 0.001, method="forward"), 1 / 0.001)),
]
for method in METHODS:
    CASES.append(Case(f"TestDerivative.test_high_order_derivative_cos[n=1, {method}]",
                      lambda m=method: close(nd_derivative(np.cos, np.pi / 2, method=m, full_output=True).estimate,
                                             -1.0, atol=1e-4)))
    CASES.append(Case(f"TestDerivative.test_high_order_derivative_cos[n=2, {method}]",
                      lambda m=method: close(nd_derivative(np.cos, np.pi / 2, method=m, n=2, full_output=True)
                                             .estimate, 0.0, atol=1e-4),
                      feature=ONE_SIDED_SECOND if method in ("forward", "backward") else None))
COS_POINTS = [7.6564547238847105, 8.9428143931508, 2.2204460492503134e-14,
              *np.random.default_rng(17).uniform(0, 10, 5).tolist()]
for x in COS_POINTS:
    for method in METHODS:
        CASES.append(Case(f"TestDerivative.test_derivative_of_cos_x[x={x!r}, {method}, n=1]",
                          lambda x=x, m=method: _cos_x(x, m, 1)))
        CASES.append(Case(f"TestDerivative.test_derivative_of_cos_x[x={x!r}, {method}, n=2]",
                          lambda x=x, m=method: _cos_x(x, m, 2),
                          feature=ONE_SIDED_SECOND if method in ("forward", "backward") else None))
CASES.append(Case("TestDerivative.test_derivative_of_cos_x[n >= 3]", lambda: None,
                  feature="derivatives of order >= 3"))
for kind in ("Gradient", "Derivative", "Jacobian", "Hessdiag", "Hessian"):
    for method in METHODS:
        second = kind in ("Hessdiag", "Hessian")
        CASES.append(Case(f"TestDerivative.test_fun_with_additional_parameters[{kind}, {method}]",
                          lambda k=kind, m=method: _fun_with_additional_parameters(k, m),
                          feature=ONE_SIDED_SECOND if second and method in ("forward", "backward") else None))
CASES.append(Case("TestDerivative.test_fun_with_additional_parameters[multicomplex]", lambda: None,
                  feature="multicomplex steps"))

for val in [0.0, 1.0, -1000.0, 1000.0, *np.random.default_rng(25).uniform(-1000, 1000, 4).tolist()]:
    for method in METHODS:
        CASES.append(Case(f"TestJacobian.test_scalar_to_vector[val={val!r}, {method}]",
                          lambda v=val, m=method: close(
                              nd_jacobian(lambda x: np.array([x, x**2, x**3]).ravel(), v, method=m),
                              np.array([[1.0], [2 * v], [3 * v**2]]), rtol=1e-3, atol=1e-6)))
for method in METHODS:
    CASES.append(Case(f"TestJacobian.test_on_scalar_function[{method}]",
                      lambda m=method: close(nd_jacobian(lambda x: x[0] * x[1] * x[2] + np.exp(x[0]) * x[1],
                                                         [3.0, 5.0, 7.0], method=m),
                                             [[135.42768462, 41.08553692, 15.0]])))
    xdata = np.arange(0, 1, 0.1)
    ydata = 1 + 2 * np.exp(0.75 * xdata)
    CASES.append(Case(f"TestJacobian.test_on_vector_valued_function[{method}]",
                      lambda m=method, xd=xdata, yd=ydata: close(
                          nd_jacobian(lambda c: (c[0] + c[1] * np.exp(c[2] * xd) - yd) ** 2, [1, 2, 0.75], method=m),
                          np.zeros((yd.size, 3)), atol=1e-12),
                      gap=None if method == "complex" else
                      "a zero Jacobian to atol 1e-12 needs an extrapolated Jacobian: central4 leaves 8e-12, "
                      "forward/backward h-sized errors (2e-7); fastgd's Jacobians are not extrapolated"))
CASES += [
    Case("TestJacobian.test_on_matrix_valued_function[x=[1, 2]]",
         lambda: _matrix_valued([1, 2], [[2.0, 4.0], [3.0, 12.0]])),
    Case("TestJacobian.test_on_matrix_valued_function[x=[3, 4]]",
         lambda: _matrix_valued([3, 4], [[6.0, 8.0], [27.0, 48.0]])),
    Case("TestJacobian.test_on_matrix_valued_function[points as columns]", lambda: None,
         feature="several points at once along x's trailing axes"),
    Case("TestJacobian.test_issue_68", lambda: close(nd_jacobian(lambda x: np.array([np.sum(x**2) - 1]),
                                                                 np.array([1.0, 2.0])), [[2.0, 4.0]])),
    Case("TestJacobian.test_issue_25[g_fun: (2, 2) values]", _issue_25),
    Case("TestJacobian.test_issue_25[fun3: points as columns]", lambda: None,
         feature="several points at once along x's trailing axes"),
    Case("TestJacobian.test_jacobian_fulloutput[estimate, error < 1e-13]",
         lambda: (lambda r: (close(r.estimate, 1), np.testing.assert_(np.all(r.error_estimate < 1e-13))))(
             nd_gradient(lambda x, y: x + y, 1.0, 3.0, full_output=True)), documented=HONEST),
    Case("TestJacobian.test_jacobian_fulloutput[final_step == 0.015625]", lambda: None,
         feature="numdifftools' step sequence (final_step)"),
    Case("TestGradient.test_gradient_fulloutput[estimate, error < 1e-13]",
         lambda: (lambda r: (close(r.estimate, 1), np.testing.assert_(np.all(r.error_estimate < 1e-13))))(
             nd_gradient(lambda x, y: x + y, 1.0, 3.0, full_output=True)), documented=HONEST),
    Case("TestGradient.test_gradient_fulloutput[final_step == 0.015625]", lambda: None,
         feature="numdifftools' step sequence (final_step)"),
    Case("TestGradient.test_issue_39", lambda: None, feature="multicomplex steps"),
]
for method in ("complex", "central", "forward", "backward"):
    CASES.append(Case(f"TestJacobian.test_issue_27a[n=500, {method}]",
                      lambda m=method: close(nd_jacobian(lambda x: x**2, np.ones(500), method=m), 2 * np.eye(500))))
    CASES.append(Case(f"TestGradient.test_gradient[{method}]",
                      lambda m=method: close(nd_gradient(lambda x: np.sum(x**2), [1, 2, 3], method=m),
                                             [2.0, 4.0, 6.0])))
CASES.append(Case("TestJacobian.test_issue_27b[n=1000, complex]",
                  lambda: close(nd_jacobian(lambda x: x**2, np.ones(1000), method="complex"), 2 * np.eye(1000))))

HESSDIAG_TRUE = np.array([0.0, 2.0, 18.0])
for method in ("central", "complex", "forward", "backward"):
    CASES.append(Case(f"TestHessdiag.test_default_step[{method}]",
                      lambda m=method: (lambda r: close(r.estimate, HESSDIAG_TRUE,
                                                        atol=min(1e-8, float(np.max(r.error_estimate)))))(
                          nd_hessdiag(lambda x: x[0] + x[1] ** 2 + x[2] ** 3, [1, 2, 3], method=m, full_output=True)),
                      feature=ONE_SIDED_SECOND if method in ("forward", "backward") else None))
    CASES.append(Case(f"TestHessian.test_hessian_cos_x_y_at_0_0[{method}]",
                      lambda m=method: close(nd_hessian(lambda xy: np.cos(xy[0] - xy[1]), [0.0, 0.0], method=m),
                                             [[-1.0, 1.0], [1.0, -1.0]]),
                      feature=ONE_SIDED_SECOND if method in ("forward", "backward") else None))
    CASES.append(Case(f"TestHessian.test_on_scalar_function[{method}]",
                      lambda m=method: close(nd_hessian(lambda v: v[0] * v[1] * v[2] + np.exp(v[0]) * v[1],
                                                        [3.0, 5.0, 7.0], method=m),
                                             [[np.exp(3) * 5, np.exp(3) + 7, 5], [np.exp(3) + 7, 0, 3], [5, 3, 0]],
                                             atol=1e-4),
                      feature=ONE_SIDED_SECOND if method in ("forward", "backward") else None))
CASES += [
    Case("TestHessdiag.test_complex / test_fixed_step", lambda: None, feature="step generators (MinStepGenerator)"),
    Case("TestHessian.test_run_hamiltonian", lambda: None, feature="step generators (MaxStepGenerator)"),
    Case("TestHessian.test_complex_hessian_issue_35", lambda: None,
         feature="complex-valued functions (numdifftools differentiates them; fastgd refuses them, item 1)"),
    Case("TestHessian.test_on_vector_valued_function", lambda: None, feature="Hessians of vector functions"),
    Case("TestRichardson (2 tests)", lambda: None, feature="numdifftools' Richardson rule coefficients"),
]

# test_jacobian_complex_validation.py
for kind in ("Jacobian", "Gradient"):
    CASES.append(Case(f"test_complex_output_rejected_before_perturbation[{kind}, complex]",
                      lambda k=kind: _complex_output_rejected(k, "complex")))
    CASES.append(Case(f"test_complex_variable_rejected[{kind}, complex]",
                      lambda k=kind: raises((ValueError, TypeError), lambda: (
                          nd_jacobian if k == "Jacobian" else nd_gradient)(lambda x: np.sum(x**2),
                                                                           np.array([1j, 2.0]), method="complex"))))
    CASES.append(Case(f"test_real_valued_function_still_accepted[{kind}, complex]",
                      lambda k=kind: close(nd_jacobian(lambda x: np.sum(x**2), [1.0, 2.0], method="complex")
                                           if k == "Jacobian" else
                                           nd_gradient(lambda x: np.sum(x**2), [1.0, 2.0], method="complex"),
                                           [[2, 4]] if k == "Jacobian" else [2, 4])))
CASES += [
    Case("test_complex_*[multicomplex]", lambda: None, feature="multicomplex steps"),
    Case("test_real_value_with_complex_dtype_accepted",
         lambda: close(nd_jacobian(lambda x: np.sum(x**2) + 0j, [1.0, 2.0], method="complex"), [[2, 4]])),
    Case("test_central_complex_output_unchanged", lambda: None, feature="complex-valued functions"),
    Case("test_select_estimates_with_invalid_column", lambda: None, feature="numdifftools' internals (_Limit)"),
]
# test_invalid_outputs.py
for method in ("central", "forward", "backward"):
    CASES.append(Case(f"test_valid_derivatives_unchanged_by_invalid_output[n=1, {method}]",
                      lambda m=method: _valid_unchanged_by_invalid_output(m, 1)))
    CASES.append(Case(f"test_valid_derivatives_unchanged_by_invalid_output[n=2, {method}]",
                      lambda m=method: _valid_unchanged_by_invalid_output(m, 2),
                      feature=ONE_SIDED_SECOND if method != "central" else
                      "a NaN second derivative where f is not finite (fastgd's hessian raises ValueError)"))
# test_example_functions.py: test_first_order_derivative (nd.Derivative), x = 0.5, 7 decimals
for name, (function, derivative) in ELEMENTARY.items():
    for method in METHODS:
        CASES.append(Case(f"test_first_order_derivative[{name}, {method}]",
                          lambda f=function, d=derivative, m=method: almost_equal(nd_derivative(f, 0.5, method=m),
                                                                                  d(0.5), decimal=7)))
CASES.append(Case("test_high_order_derivative (example functions)", lambda: None,
                  feature="derivatives of order >= 3"))
