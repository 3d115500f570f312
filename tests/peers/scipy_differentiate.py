"""The Jacobian and Hessian cases of scipy's ``scipy/differentiate/tests/test_differentiate.py`` (scipy 1.17).

``TestJacobian.test_examples`` (Wikipedia's example functions and Rosenbrock, float32 and float64, at
batches of points of shapes (), (6,) and (2, 3)), ``TestHessian.test_example`` and ``test_float32``,
their tolerances as written there (``xp_assert_close``: the dtype too). The other tests are about
scipy's iteration (``maxiter``, ``tolerances``, ``step_direction``, ``nit``/``nfev`` per entry, input
validation messages): features fastgd does not have.
"""
import numpy as np
from adapter import differentiate_hessian, differentiate_jacobian, xp_close
from cases import Case

SUITE = "scipy.differentiate jacobian/hessian"


def f1(z):
    x, y = z
    return np.stack([x**2 * y, 5 * x + np.sin(y)])


def df1(z):
    x, y = z
    return [[2 * x * y, x**2], [np.full_like(x, 5), np.cos(y)]]


def f2(z):
    r, phi = z
    return np.stack([r * np.cos(phi), r * np.sin(phi)])


def df2(z):
    r, phi = z
    return [[np.cos(phi), -r * np.sin(phi)], [np.sin(phi), r * np.cos(phi)]]


def f3(z):
    r, phi, th = z
    return np.stack([r * np.sin(phi) * np.cos(th), r * np.sin(phi) * np.sin(th), r * np.cos(phi)])


def df3(z):
    r, phi, th = z
    return [[np.sin(phi) * np.cos(th), r * np.cos(phi) * np.cos(th), -r * np.sin(phi) * np.sin(th)],
            [np.sin(phi) * np.sin(th), r * np.cos(phi) * np.sin(th), r * np.sin(phi) * np.cos(th)],
            [np.cos(phi), -r * np.sin(phi), np.zeros_like(r)]]


def f4(x):
    x1, x2, x3 = x
    return np.stack([x1, 5 * x3, 4 * x2**2 - 2 * x3, x3 * np.sin(x1)])


def df4(x):
    x1, x2, x3 = x
    one = np.ones_like(x1)
    return [[one, 0 * one, 0 * one], [0 * one, 0 * one, 5 * one], [0 * one, 8 * x2, -2 * one],
            [x3 * np.cos(x1), 0 * one, np.sin(x1)]]


def f5(x):
    x1, x2, x3 = x
    return np.stack([5 * x2, 4 * x1**2 - 2 * np.sin(x2 * x3), x2 * x3])


def df5(x):
    x1, x2, x3 = x
    one = np.ones_like(x1)
    return [[0 * one, 5 * one, 0 * one], [8 * x1, -2 * x3 * np.cos(x2 * x3), -2 * x2 * np.cos(x2 * x3)],
            [0 * one, x3, x2]]


def rosen(x):
    x = np.asarray(x)
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2.0) ** 2.0 + (1 - x[:-1]) ** 2.0, axis=0)


def rosen_der(x):
    x = np.asarray(x)
    xm, xm_m1, xm_p1 = x[1:-1], x[:-2], x[2:]
    der = np.zeros_like(x)
    der[1:-1] = 200 * (xm - xm_m1**2) - 400 * (xm_p1 - xm**2) * xm - 2 * (1 - xm)
    der[0] = -400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0])
    der[-1] = 200 * (x[-1] - x[-2] ** 2)
    return der


def rosen_hess(x):
    x = np.atleast_1d(x)
    H = np.diag(-400 * x[:-1], 1) - np.diag(400 * x[:-1], -1)
    diagonal = np.zeros(len(x), dtype=x.dtype)
    diagonal[0] = 1200 * x[0] ** 2 - 400 * x[1] + 2
    diagonal[-1] = 200
    diagonal[1:-1] = 202 + 1200 * x[1:-1] ** 2 - 400 * x[2:]
    return H + np.diag(diagonal)


FUNCTIONS = {"f1": (f1, df1, (2, 2)), "f2": (f2, df2, (2, 2)), "f3": (f3, df3, (3, 3)), "f4": (f4, df4, (3, 4)),
             "f5": (f5, df5, (3, 3)), "rosen": (rosen, rosen_der, (5, 1))}


def _jacobian_example(name, dtype, size):
    func, ref, (m, _) = FUNCTIONS[name]
    atol = 1e-10 if dtype == "float64" else 1.99e-3
    x = np.random.default_rng(458912319542).random(size=(m, *size))
    df = differentiate_jacobian(func, x.astype(dtype))
    xp_close(df, np.asarray(np.asarray(ref(x)), dtype=dtype), atol=atol)


def _hessian_example(shape):
    m = 3
    x = np.random.default_rng(458912319542).random((m, *shape))
    ddf = differentiate_hessian(rosen, x)
    if shape:
        points = x.reshape(m, -1)
        ref = np.moveaxis(np.stack([rosen_hess(p) for p in points.T]), 0, -1).reshape((m, m, *shape))
    else:
        ref = rosen_hess(x)
    xp_close(ddf, ref, atol=1e-8)


def _hessian_float32():
    x = np.random.default_rng(458912319542).random(3).astype(np.float32)
    ddf = differentiate_hessian(rosen, x)
    ref = rosen_hess(x)
    mask = ref != 0
    xp_close(ddf[mask], ref[mask])
    xp_close(ddf[~mask], ref[~mask], atol=1e-2 * np.abs(np.min(ref[mask])))


CASES = []
for dtype in ("float32", "float64"):
    for size in ((), (6,), (2, 3)):
        for name in FUNCTIONS:
            CASES.append(Case(f"TestJacobian.test_examples[{dtype}, {size}, {name}]",
                              lambda n=name, d=dtype, s=size: _jacobian_example(n, d, s)))
for shape in ((), (4,), (2, 4)):
    CASES.append(Case(f"TestHessian.test_example[{shape}]", lambda s=shape: _hessian_example(s)))
CASES += [
    Case("TestHessian.test_float32", _hessian_float32),
    Case("TestJacobian.test_iv / TestHessian.test_iv", lambda: None,
         feature="scipy.differentiate's iteration parameters (tolerances, order, maxiter, step_factor)"),
    Case("TestJacobian.test_attrs", lambda: None, feature="nit and nfev per entry of an adaptive iteration"),
    Case("TestJacobian.test_step_direction_size", lambda: None, feature="step_direction and initial_step per element"),
    Case("TestHessian.test_nfev", lambda: None, feature="nfev per entry of an adaptive iteration"),
    Case("TestHessian.test_small_rtol_warning", lambda: None, feature="tolerances=dict(rtol=...)"),
]
