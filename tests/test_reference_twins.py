"""The twins' features beyond the textbook, bit for bit against fastgd: Jacobians by every real method and
step, Hessians with their error estimates, Hessian-vector products, sparse Jacobians by every method.

Where fastgd does the same IEEE operations in the same order as the twin (:mod:`fastgd.reference`), the
numbers are equal bit for bit (``np.array_equal``)."""
import numpy as np
import pytest

import fastgd
from fastgd.reference import jacobians

sp = pytest.importorskip("scipy.sparse")


def F(x):
    flat = x.ravel()
    return np.array([np.sum(flat**3), flat[0] * flat[-1], np.sin(flat).sum(), np.exp(flat[1])])


def f(x):
    flat = x.ravel()
    return float(np.sum(np.sin(flat) * flat) + flat[0] * flat[-1] ** 2)


LAYOUTS = {"C": lambda b: b, "transposed": lambda b: b.T, "stepped": lambda b: b[:, ::2]}


@pytest.mark.parametrize("method", ["central", "forward", "backward", "central4"])
@pytest.mark.parametrize("h", [1e-3, "auto", "array"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_jacobian_by_every_method_and_step_is_the_twins(method, h, dtype):
    base = np.linspace(-1.0, 2.0, 12, dtype=dtype).reshape(3, 4)
    for layout in LAYOUTS.values():
        x = layout(base)
        steps = np.linspace(1e-3, 3e-3, x.size).reshape(x.shape) if h == "array" else h
        assert np.array_equal(fastgd.jacobian(F, x, steps, method=method),
                              jacobians.jacobian(F, x, steps, method=method))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_hessian_error_estimates_are_the_twins(dtype):
    x = np.linspace(-1.0, 2.0, 6, dtype=dtype)
    H, info = fastgd.hessian(f, x, method="richardson", full_output=True)
    twin, twin_info = jacobians.hessian(f, x, method="richardson", full_output=True)
    assert np.array_equal(H, twin)
    for field in ("error", "status", "step"):
        assert np.array_equal(getattr(info, field), getattr(twin_info, field)), field
    calls = []
    fastgd.hessian(lambda v: calls.append(0) or f(v), x, method="richardson", full_output=True)
    assert info.calls == twin_info.calls == len(calls)  # the measuring of the steps, then 4 n**2 + 2 at most


def test_hessian_from_a_gradient_and_its_estimates_are_the_twins():
    x = np.linspace(-1.0, 2.0, 5)
    gradient = lambda v: np.cos(v) * v + np.sin(v) + v[::-1]  # noqa: E731
    for method in ("central", "richardson"):
        assert np.array_equal(fastgd.hessian(None, x, gradient=gradient, method=method),
                              jacobians.hessian(None, x, gradient=gradient, method=method))
    H, info = fastgd.hessian(None, x, gradient=gradient, method="richardson", full_output=True)
    twin, twin_info = jacobians.hessian(None, x, gradient=gradient, method="richardson", full_output=True)
    assert np.array_equal(H, twin)
    assert np.array_equal(info.error, twin_info.error) and np.array_equal(info.status, twin_info.status)
    assert info.calls == twin_info.calls


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_hessp_is_the_twins(dtype):
    x = np.linspace(-1.0, 2.0, 6, dtype=dtype)
    p = np.linspace(1.0, -0.5, 6)
    before = x.copy()
    assert np.array_equal(fastgd.hessp(f, x, p), jacobians.hessp(f, x, p))
    assert np.array_equal(fastgd.hessp(f, x, p, 1e-3), jacobians.hessp(f, x, p, 1e-3))
    gradient = lambda v: np.cos(v) * v + np.sin(v)  # noqa: E731
    assert np.array_equal(fastgd.hessp(None, x, p, gradient=gradient), jacobians.hessp(None, x, p, gradient=gradient))
    assert np.array_equal(x, before)


@pytest.mark.parametrize("method", ["central", "forward", "backward", "central4"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_jacobians_by_every_method_are_the_twins(method, dtype):
    def broyden(x):
        y = (3 - 2 * x) * x + 1
        y[1:] -= x[:-1]
        y[:-1] -= 2 * x[1:]
        return y
    n = 40
    x = np.linspace(-1.0, 1.0, n, dtype=dtype)
    pattern = sp.diags_array([1.0, 1.0, 1.0], offsets=[-1, 0, 1], shape=(n, n), format="csr")
    for h in (1e-4, "auto"):
        fast = fastgd.jacobian(broyden, x, h, method=method, sparsity=pattern).toarray()
        assert np.array_equal(fast, jacobians.sparse_jacobian(broyden, x, pattern, h, method=method))


def analytic(x):
    """f written with operations that carry complex numbers (for the complex step)."""
    flat = x.ravel()
    return np.sum(np.sin(flat) * flat) + flat[0] * flat[-1] ** 2


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_complex_step_jacobians_and_hessians_are_the_twins(dtype):
    x = np.linspace(-1.0, 2.0, 6, dtype=dtype)
    J = fastgd.jacobian(F, x, method="complex")
    assert J.dtype == dtype and np.array_equal(J, jacobians.jacobian(F, x, method="complex"))
    H, info = fastgd.hessian(analytic, x, method="complex", full_output=True)
    twin, twin_info = jacobians.hessian(analytic, x, method="complex", full_output=True)
    assert H.dtype == dtype and np.array_equal(H, twin)
    for field in ("error", "status", "step"):
        assert np.array_equal(getattr(info, field), getattr(twin_info, field)), field
    assert info.calls == twin_info.calls
    exact = np.diag(2 * np.cos(x) - x * np.sin(x)).astype(np.float64)
    exact[0, -1] = exact[-1, 0] = 2 * x[-1]
    exact[-1, -1] += 2 * x[0]
    assert np.all(np.abs(H - exact) <= info.error + (0 if dtype == np.float64 else 1e-3))


@pytest.mark.parametrize("method", ["central", "complex"])
def test_sparse_jacobians_by_the_complex_step_are_the_twins(method):
    def broyden(x):
        y = (3 - 2 * x) * x + 1
        y[1:] -= x[:-1]
        y[:-1] -= 2 * x[1:]
        return y
    n = 30
    x = np.linspace(-1.0, 1.0, n)
    pattern = sp.diags_array([1.0, 1.0, 1.0], offsets=[-1, 0, 1], shape=(n, n), format="csr")
    fast = fastgd.jacobian(broyden, x, method=method, sparsity=pattern).toarray()
    assert np.array_equal(fast, jacobians.sparse_jacobian(broyden, x, pattern, method=method))
    if method == "complex":  # a group's imaginary parts do not mix: the dense complex step's numbers
        assert np.array_equal(fast, fastgd.jacobian(broyden, x, method=method))
