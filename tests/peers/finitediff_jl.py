"""The real-valued cases of FiniteDiff.jl's ``test/finitedifftests.jl`` (JuliaDiff/FiniteDiff.jl at 34b9857).

Each case is one computation of a ``@testset`` (a Julia test repeats it through caches, in-place and
out-of-place forms: the name lists those forms), its function, point, and the ``err_func(a, b) < tol``,
``≈`` or ``==`` it must meet. Julia's ``rand`` points are seeded draws from the same range.
Complex arguments and complex-valued functions, Jacobian-vector products, read-only arrays (fastgd
perturbs ``x`` in place) and allocation counts are features fastgd does not have.
"""
import numpy as np
from adapter import err_below, exact, fd_derivative, fd_gradient, fd_hessian, fd_jacobian, julia_approx, raises
from cases import Case

SUITE = "FiniteDiff.jl"
RNG = np.random.default_rng(20240611)
CACHES = "plain, cached and in-place forms"



def erring_above(f, z):
    """Julia's ``ff(k) = !all(k .<= z) ? error() : f(k)``: f refuses points above ``z``."""
    def ff(k):
        if not np.all(np.asarray(k) <= z):
            raise RuntimeError("evaluated above z")
        return f(k)
    return ff


# Derivative f: R -> R
QUARTER = np.pi / 4


def sin_refusing(limit, at_limit):
    """Julia's ``x -> x > π/4 ? error() : sin(x)`` (``>=`` with ``at_limit``)."""
    def f(x):
        if x > limit or (at_limit and x >= limit):
            raise RuntimeError("evaluated beyond the limit")
        return np.sin(x)
    return f


X100 = np.linspace(-2 * np.pi, 2 * np.pi, 100)
CASES = [
    Case("Derivative single point R->R [forward]",
         lambda: err_below(fd_derivative(np.sin, QUARTER, "forward"), np.sqrt(2) / 2, 1e-4)),
    Case("Derivative single point R->R [forward, dir=-1, f errs above pi/4]",
         lambda: err_below(fd_derivative(sin_refusing(QUARTER, False), QUARTER, "forward", direction=-1),
                           np.sqrt(2) / 2, 1e-4)),
    Case("Derivative single point R->R [forward, f errs at and above pi/4: throws]",
         lambda: raises(Exception, lambda: fd_derivative(sin_refusing(QUARTER, True), QUARTER, "forward"))),
    Case("Derivative single point R->R [central]",
         lambda: err_below(fd_derivative(np.sin, QUARTER, "central"), np.sqrt(2) / 2, 1e-8)),
    Case("Derivative single point R->R [complex]",
         lambda: err_below(fd_derivative(np.sin, QUARTER, "complex"), np.sqrt(2) / 2, 1e-15)),
]
for fdtype, tolerance in (("forward", 1e-4), ("central", 1e-8), ("complex", 1e-15)):
    CASES.append(Case(f"Derivative StridedArray R->R [{fdtype}; {CACHES}]",
                      lambda t=fdtype, tol=tolerance: err_below(fd_derivative(np.sin, X100, t), np.cos(X100), tol)))
CASES += [
    Case("Derivative C->C, R->C (single point and StridedArray)", lambda: None,
         feature="complex arguments and complex-valued functions"),
]

# Gradient f: R^n -> R
X2 = RNG.random(2)


def f_2x_y2(x):
    return 2 * x[0] + x[1] ** 2


GRADIENT_REF = np.array([2.0, 2 * X2[1]])
CASES += [
    Case(f"Gradient R^N->R [forward, relstep=sqrt(eps); {CACHES}]",
         lambda: err_below(fd_gradient(f_2x_y2, X2, "forward"), GRADIENT_REF, 1e-4)),
    Case("Gradient R^N->R [forward, dir=-1, f errs above x]",
         lambda: err_below(fd_gradient(erring_above(f_2x_y2, X2.copy()), X2, "forward", direction=-1),
                           GRADIENT_REF, 1e-4)),
    Case("Gradient R^N->R [forward, f errs above x: throws]",
         lambda: raises(Exception, lambda: fd_gradient(erring_above(f_2x_y2, X2.copy()), X2, "forward"))),
    Case(f"Gradient R^N->R [central; {CACHES}]",
         lambda: err_below(fd_gradient(f_2x_y2, X2, "central"), GRADIENT_REF, 1e-8)),
    Case(f"Gradient R^N->R [complex; {CACHES}]",
         lambda: err_below(fd_gradient(f_2x_y2, X2, "complex"), GRADIENT_REF, 1e-15)),
    Case("Gradient C^N->C, C^N->R, R^N->C", lambda: None, feature="complex arguments and complex-valued functions"),
]

# "Gradient" of f: R -> R^2 (in place, f(df, x)): a Jacobian of one column
T = 2 * np.pi * RNG.random()


def sin_cos_inplace(df, x):
    df[0] = np.sin(x[0])
    df[1] = np.cos(x[0])
    return df


def sin_cos_refusing_above_t(df, x):
    """Julia's ``ff(df, x) = !all(x .<= z) ? error() : f(df, x)`` with ``z = x``."""
    return sin_cos_inplace(df, erring_above(lambda k: k, T)(x))


SCALAR_VECTOR_REF = np.array([[np.cos(T)], [-np.sin(T)]])
CASES += [
    Case(f"Gradient scalar->vector [forward; {CACHES}]",
         lambda: err_below(fd_jacobian(sin_cos_inplace, [T], "forward", m=2), SCALAR_VECTOR_REF, 1e-4)),
    Case("Gradient scalar->vector [forward, dir=-1, f errs above x]",
         lambda: err_below(fd_jacobian(sin_cos_refusing_above_t, [T], "forward", direction=-1, m=2),
                           SCALAR_VECTOR_REF, 1e-4)),
    Case("Gradient scalar->vector [forward, f errs above x: throws]",
         lambda: raises(Exception, lambda: fd_jacobian(sin_cos_refusing_above_t, [T], "forward", m=2))),
    Case(f"Gradient scalar->vector [central; {CACHES}]",
         lambda: err_below(fd_jacobian(sin_cos_inplace, [T], "central", m=2), SCALAR_VECTOR_REF, 1e-8)),
    Case(f"Gradient scalar->vector [complex; {CACHES}]",
         lambda: err_below(fd_jacobian(sin_cos_inplace, [T], "complex", m=2), SCALAR_VECTOR_REF, 1e-15)),
    Case("Gradient scalar->vector [immutable output]", lambda: None, feature="Julia's immutable arrays"),
    Case("Gradient scalar->vector complex-valued", lambda: None, feature="complex-valued functions"),
]


def _forward_quadratic_at_random_points():
    """The cache test's ``res ≈ ∇f(_x)`` at ``_x = rand(2)``, forward differences: 20 draws."""
    for seed in range(20):
        x = np.random.default_rng(seed).random(2)
        julia_approx(fd_gradient(lambda v: v[0] ** 2 + v[1] ** 2, x, "forward"), 2 * x)


CASES += [
    Case("Non-allocating cache construction [central, x=[1.7, 2.0]]",
         lambda: julia_approx(fd_gradient(lambda v: v[0] ** 2 + v[1] ** 2, [1.7, 2.0], "central"), [3.4, 4.0])),
    Case("Non-allocating cache construction [forward, x=[1.7, 2.0]]",
         lambda: julia_approx(fd_gradient(lambda v: v[0] ** 2 + v[1] ** 2, [1.7, 2.0], "forward"), [3.4, 4.0])),
    Case("Non-allocating cache construction [central, x=rand(2): 20 draws]",
         lambda: [julia_approx(fd_gradient(lambda v: v[0] ** 2 + v[1] ** 2, x, "central"), 2 * x)
                  for x in (np.random.default_rng(seed).random(2) for seed in range(20))]),
    Case("Non-allocating cache construction [forward, x=rand(2): 20 draws]", _forward_quadratic_at_random_points,
         documented="no forward step guarantees Julia's ≈ (rtol sqrt(eps)) for x1^2 + x2^2 in (0, 1)^2: FiniteDiff's "
                    "own step rule misses it in 6 of 20 draws (fastgd.diff._core.steps, docs/accuracy.md)"),
    Case("Non-allocating cache construction [forward, _g = x1^2 + x2 at [1, 3]]",
         lambda: julia_approx(fd_gradient(lambda v: v[0] ** 2 + v[1], [1.0, 3.0], "forward"), [2.0, 1.0])),
    Case("Non-allocating cache construction [forward, _g = x1^2 + x2 at [2.7, 1]]",
         lambda: julia_approx(fd_gradient(lambda v: v[0] ** 2 + v[1], [2.7, 1.0], "forward"), [5.4, 1.0])),
    Case("Non-allocating cache construction [zero allocations]", lambda: None, feature="allocation counts"),
]

# Jacobian f: R^2 -> R^2
XJ = RNG.random(2)


def oopf(x):
    return np.array([(x[0] + 3) * (x[1] ** 3 - 7) + 18, np.sin(x[1] * np.exp(x[0]) - 1)])


J_REF = np.array([[-7 + XJ[1] ** 3, 3 * (3 + XJ[0]) * XJ[1] ** 2],
                  [np.exp(XJ[0]) * XJ[1] * np.cos(1 - np.exp(XJ[0]) * XJ[1]),
                   np.exp(XJ[0]) * np.cos(1 - np.exp(XJ[0]) * XJ[1])]])
FORMS = "out-of-place and in-place, cached, relstep=sqrt(eps), f_in"
CASES += [
    Case(f"Jacobian StridedArray real [forward; {FORMS}]",
         lambda: err_below(fd_jacobian(oopf, XJ, "forward"), J_REF, 1e-6)),
    Case("Jacobian StridedArray real [forward, dir=-1, f errs above x]",
         lambda: err_below(fd_jacobian(erring_above(oopf, XJ.copy()), XJ, "forward", direction=-1), J_REF, 1e-6)),
    Case("Jacobian StridedArray real [forward, f errs above x: throws]",
         lambda: raises(Exception, lambda: fd_jacobian(erring_above(oopf, XJ.copy()), XJ, "forward"))),
    Case("Jacobian StridedArray real [central; cached and Val forms]",
         lambda: err_below(fd_jacobian(oopf, XJ, "central"), J_REF, 1e-8)),
    Case("Jacobian StridedArray real [complex]", lambda: err_below(fd_jacobian(oopf, XJ, "complex"), J_REF, 1e-14)),
    Case("JVP StridedArray real (out-of-place and in-place)", lambda: None, feature="Jacobian-vector products"),
    Case("Jacobian StridedArray C^N -> C^N", lambda: None, feature="complex arguments and complex-valued functions"),
]
X22 = RNG.random((2, 2))
for fdtype in ("forward", "central", "complex"):
    CASES.append(Case(f"Jacobian for non-vector inputs [{fdtype}; out-of-place and in-place]",
                      lambda t=fdtype: err_below(fd_jacobian(lambda x: x.copy(), X22, t), np.eye(4), 1e-8)))
XR = np.linspace(RNG.random(), RNG.random(), 2)


def range_f(x):
    return x**2 + np.sin(x)


RANGE_REF = np.diag(2 * XR + np.cos(XR))
CASES += [
    Case(f"Jacobian real with range input [forward; {FORMS}]",
         lambda: err_below(fd_jacobian(range_f, XR, "forward"), RANGE_REF, 1e-4)),
    Case("Jacobian real with range input [forward, dir=-1, f errs above x]",
         lambda: err_below(fd_jacobian(erring_above(range_f, XR.copy()), XR, "forward", direction=-1), RANGE_REF,
                           1e-4)),
    Case("Jacobian real with range input [forward, f errs above x: throws]",
         lambda: raises(Exception, lambda: fd_jacobian(erring_above(range_f, XR.copy()), XR, "forward"))),
    Case("Jacobian real with range input [central; cached and Val forms]",
         lambda: err_below(fd_jacobian(range_f, XR, "central"), RANGE_REF, 1e-8)),
    Case("Jacobian real with range input [complex]",
         lambda: err_below(fd_jacobian(range_f, XR, "complex"), RANGE_REF, 1e-14)),
    Case("default colorvec of a JacobianCache", lambda: None, feature="Julia's cache objects"),
]

# Hessian
XH = RNG.random(2)
CASES += [
    Case("Hessian StridedArray R^N -> R [hcentral; plain, cached, in-place forms]",
         lambda: err_below(fd_hessian(lambda x: np.sin(x[0]) + np.cos(x[1]), XH),
                           [[-np.sin(XH[0]), 0.0], [0.0, -np.cos(XH[1])]], 1e-4)),
    Case("Hessian Cache test (issue 185) [sum(abs2, x) at 1:4 == Diagonal(2)]",
         lambda: exact(fd_hessian(lambda x: np.sum(x**2), np.arange(1.0, 5.0)), 2 * np.eye(4))),
    Case("thread safety [gradients, Hessian, Jacobians of an immutable vector]", lambda: None,
         feature="a read-only x (fastgd perturbs x in place; pass a copy)"),
]
