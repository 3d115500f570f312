"""The twins (and fastgd) against truth that owes nothing to either: exact rational arithmetic, analytic
derivatives, and the peers' published rules (scipy's step rule and column grouping).

- Every difference formula (:data:`fastgd.reference.schemes.ROWS`, :data:`ONE_SIDED`) is exact, in
  ``fractions.Fraction`` arithmetic, on polynomials up to its order, and not one degree beyond.
- At points and steps that are dyadic, ``f``'s values are exact in float64: the twins' (and fastgd's)
  differences then equal the formula's exact rational value, its truncation term included.
"""
from fractions import Fraction

import numpy as np
import pytest

import fastgd
from fastgd.reference import jacobians, schemes, steps
from fastgd.reference.analytic import BROYDEN_OFFSETS, SUITE, broyden, broyden_diagonals, point

ALL_ROWS = {**schemes.ROWS, **{row.name: row for pair in schemes.ONE_SIDED.values() for row in pair}}
REAL_ROWS = {name: row for name, row in ALL_ROWS.items() if not row.imaginary}


def polynomial(coefficients):
    """``p(t) = sum c_k t**k`` and ``p'``, exact on Fractions (and on (re, im) pairs of Fractions for p)."""
    def p(t):
        total = Fraction(0)
        for c in reversed(coefficients):
            total = total * t + c
        return total

    def dp(t):
        return sum(k * c * t ** (k - 1) for k, c in enumerate(coefficients) if k)
    return p, dp


def row_estimate(row, p, x, h):
    """The row's formula evaluated exactly."""
    total = sum(w * p(x + Fraction(c) * h) for c, w in zip(row.offsets, row.weights, strict=True))
    return (total + row.centre_weight * p(x)) / (row.denominator * h)


def complex_polynomial_imag(coefficients, x, h):
    """``Im p(x + i h)`` exactly, by Horner on (re, im) pairs."""
    re, im = Fraction(0), Fraction(0)
    for c in reversed(coefficients):
        re, im = re * x - im * h + c, re * h + im * x
    return im


@pytest.mark.parametrize("name", REAL_ROWS)
def test_every_real_row_is_exact_up_to_its_order_and_not_beyond(name):
    row = REAL_ROWS[name]
    x, h = Fraction(3, 7), Fraction(1, 64)
    rng = np.random.default_rng(0)
    for degree in range(row.order + 1):
        coefficients = [Fraction(int(c)) for c in rng.integers(-9, 10, degree + 1)]
        p, dp = polynomial(coefficients)
        assert row_estimate(row, p, x, h) == dp(x), (name, degree)
    p, dp = polynomial([0] * (row.order + 1) + [1])  # t**(order + 1): the leading error term shows
    assert row_estimate(row, p, x, h) != dp(x)


def test_the_complex_step_is_exact_up_to_second_order():
    x, h = Fraction(3, 7), Fraction(1, 64)
    for degree in range(3):
        coefficients = [Fraction(k + 2) for k in range(degree + 1)]
        _, dp = polynomial(coefficients)
        assert complex_polynomial_imag(coefficients, x, h) / h == dp(x)
    assert complex_polynomial_imag([0, 0, 0, 1], x, h) / h == 3 * x**2 - h**2  # Im (x + ih)**3 / h


@pytest.mark.parametrize("name", ["richardson", "richardson forward", "richardson backward"])
def test_extrapolated_rows_are_richardsons_combination_of_their_levels(name):
    row = ALL_ROWS[name]
    coarse, fine = row.levels
    p, _ = polynomial([Fraction(k * k - 3) for k in range(7)])
    x, h = Fraction(5, 11), Fraction(1, 32)
    base = schemes.CENTRAL if name == "richardson" else schemes.ONE_SIDED["central"][name != "richardson forward"]
    assert row_estimate(coarse, p, x, h) == row_estimate(base, p, x, h)
    assert row_estimate(fine, p, x, h) == row_estimate(base, p, x, h / 2)
    gain = 2**coarse.order
    assert row_estimate(row, p, x, h) == (gain * row_estimate(fine, p, x, h) - row_estimate(coarse, p, x, h)) / (
        gain - 1)


# --- dyadic points: the floating-point differences are the exact rational ones -------------------

X = np.array([0.75, -1.5, 2.25])  # with h = 2**-10, x +- k h and the cubes below are exact in float64
H = 2.0**-10


def cubes(v):
    return np.sum(v * v * v)


@pytest.mark.parametrize("name", ["central", "forward", "backward", "central4", "richardson"])
def test_differences_of_a_cubic_at_dyadic_points_are_exact(name):
    row = schemes.ROWS[name]
    p, _ = polynomial([0, 0, 0, 1])
    exact = [float(row_estimate(row, p, Fraction(v), Fraction(H))) for v in X]
    twin = schemes.difference(cubes, X.copy(), row, H)
    assert np.array_equal(twin, exact)
    assert np.array_equal(fastgd.numerical_gradient(cubes, X.copy(), np.full(3, H), method=name), exact)
    truncation = {"central": H**2, "forward": 3 * X * H + H**2, "backward": -3 * X * H + H**2}
    assert np.array_equal(twin, 3 * X**2 + truncation.get(name, 0.0))  # central4, richardson: exact on cubics


def test_the_complex_step_of_a_cubic_is_3x2_minus_h2():
    twin = schemes.complex_step(cubes, X.copy(), H)
    assert np.array_equal(twin, 3 * X**2 - H**2)
    assert np.array_equal(fastgd.numerical_gradient(cubes, X.copy(), H, method="complex"), twin)


def test_the_textbook_central_difference_is_exact_at_dyadic_points():
    assert np.array_equal(fastgd.reference.numerical_gradient(cubes, X.copy(), H), 3 * X**2 + H**2)


def test_jacobian_and_hessian_at_dyadic_points_are_exact():
    F = lambda v: np.array([v[0] * v[1], v[1] ** 3, v[0] * v[0] * v[1]])  # noqa: E731
    x = np.array([0.75, -1.5])
    J = jacobians.jacobian(F, x.copy(), H)
    assert np.array_equal(J, [[x[1], x[0]], [0.0, 3 * x[1] ** 2 + H**2], [2 * x[0] * x[1], x[0] ** 2 + 0.0]])
    assert np.array_equal(fastgd.jacobian(F, x.copy(), H), J)
    f = lambda v: float(v[0] ** 3 + v[0] * v[0] * v[1])  # noqa: E731
    # diagonal: 6 x0 + 2 x1 (a cubic's second difference is exact); mixed: 2 x0 (exact); d2/dx1^2 = 0
    expected = [[6 * x[0] + 2 * x[1], 2 * x[0]], [2 * x[0], 0.0]]
    assert np.array_equal(jacobians.hessian(f, x.copy(), H), expected)
    assert np.array_equal(fastgd.hessian(f, x.copy(), H), expected)
    assert np.array_equal(jacobians.hessian(f, x.copy(), H, method="richardson"), expected)


# --- analytic derivatives ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["cubes", "log1p_squares", "exp", "tanh", "reciprocal", "x_log_x"])
@pytest.mark.parametrize("method", list(schemes.ROWS))
def test_the_twins_meet_analytic_gradients(name, method):
    function = SUITE[name]
    x = point(function, 1.0, 6)
    tolerance = {"forward": 1e-6, "backward": 1e-6}.get(method, 1e-9)
    g = schemes.numerical_gradient(function, x.copy(), "auto", method=method)
    np.testing.assert_allclose(g, function.gradient(x), rtol=tolerance)


def test_the_jacobian_twins_meet_broydens_jacobian():
    x = np.linspace(-1.0, 1.0, 12)
    exact = np.diag(broyden_diagonals(x)[1])
    for offset, diagonal in zip(BROYDEN_OFFSETS, broyden_diagonals(x), strict=True):
        if offset:
            exact += np.diag(diagonal, k=offset)
    for method in ("central", "central4"):
        np.testing.assert_allclose(jacobians.jacobian(broyden, x.copy(), "auto", method=method), exact, atol=1e-9)
    pattern = exact != 0
    dense = jacobians.jacobian(broyden, x.copy(), 1e-4)
    assert np.array_equal(jacobians.sparse_jacobian(broyden, x.copy(), pattern), dense)  # same operations


def test_the_hessian_twins_meet_rosenbrocks_hessian():
    optimize = pytest.importorskip("scipy.optimize")
    rosen, rosen_der, rosen_hess = optimize.rosen, optimize.rosen_der, optimize.rosen_hess

    x = np.random.default_rng(1).uniform(-1, 1, 5)
    exact = rosen_hess(x)
    scale = np.linalg.norm(exact)
    assert np.linalg.norm(jacobians.hessian(rosen, x.copy()) - exact) <= 1e-7 * scale
    assert np.linalg.norm(jacobians.hessian(rosen, x.copy(), method="richardson") - exact) <= 1e-9 * scale
    assert np.linalg.norm(jacobians.hessian(None, x.copy(), gradient=rosen_der) - exact) <= 1e-8 * scale
    p = np.linspace(-1, 1, 5)
    np.testing.assert_allclose(jacobians.hessp(rosen, x.copy(), p), exact @ p, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(jacobians.hessp(None, x.copy(), p, gradient=rosen_der), exact @ p, rtol=1e-7)


# --- the peers' published rules ----------------------------------------------------------------

def test_the_automatic_step_is_scipys_rule_to_the_nearest_power_of_two():
    numdiff = pytest.importorskip("scipy.optimize._numdiff")
    x = np.array([1e-5, 0.0, 1.0, 1e5, -3.0, 0.7])
    for row, method in ((schemes.CENTRAL, "3-point"), (schemes.FORWARD, "2-point")):
        scipy_steps = np.abs(numdiff._compute_absolute_step(None, x, np.array(1.0), method))
        ours = steps.automatic(x, row, 1.0)
        exponents = np.log2(ours)
        assert np.array_equal(exponents, np.round(exponents))  # powers of two
        assert np.all(np.abs(np.log2(ours / scipy_steps)) <= 0.5)  # the nearest one, in ratio


def test_greedy_coloring_is_scipys_group_columns_in_any_order():
    numdiff = pytest.importorskip("scipy.optimize._numdiff")
    rng = np.random.default_rng(5)
    structure = np.array([[1, 1, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0], [0, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 0],
                          [0, 0, 0, 1, 1, 1], [0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0]])  # scipy's test_group_columns
    patterns = [structure] + [rng.random((30, 25)) < density for density in (0.05, 0.1, 0.3)]
    for pattern in patterns:
        for _ in range(5):
            order = rng.permutation(pattern.shape[1])
            ours, _ = jacobians.greedy_coloring(pattern, order)
            assert np.array_equal(ours, numdiff.group_columns(pattern, order))


def test_the_coloring_twin_is_fastgds_coloring():
    rng = np.random.default_rng(2)
    patterns = [np.eye(40, dtype=bool) | np.eye(40, k=1, dtype=bool) | np.eye(40, k=-1, dtype=bool),
                *(rng.random((60, 50)) < density for density in (0.03, 0.08, 0.2)),
                np.eye(30, dtype=bool) | (np.arange(30) == 0)[None, :] | (np.arange(30) == 0)[:, None]]
    for pattern in patterns:
        twin = jacobians.color_columns(pattern)
        assert np.array_equal(fastgd.color_columns(pattern), twin)
        for row in pattern:  # a coloring: no two columns of a row share a group
            assert len(set(twin[row].tolist())) == row.sum()
