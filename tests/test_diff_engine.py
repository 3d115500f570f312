"""The finite-difference engine: any scheme, through every evaluator, gives the numbers of the plain loop.

``plain`` below is the specification, written as simply as possible with numpy scalars: visit
the elements as ``np.nditer`` does, move each to the scheme's points (``v + offset*h`` in x's
dtype, or ``float(v) + offset*h`` when widened), call ``f``, restore, combine the values left to
right and divide by ``denominator * h`` -- or, with exact steps, by the distance the points took,
``weights[0] * (x_0 - v) + weights[1] * (x_1 - v) + ...`` (left to right, in double). The compiled
loops must give its numbers bit for bit.
"""
import numpy as np
import pytest
from arrays import float_views, same_bits, same_values
from hypothesis import given
from hypothesis import strategies as st

from fastgd.diff._core import c_level, in_place, on_copies
from fastgd.diff._core.schemes import SCHEMES, Scheme
from fastgd.diff._core.values import Vector, as_vector

SCHEMES_UNDER_TEST = {
    "central": SCHEMES["central"],
    "forward (f(x) once)": Scheme("forward", offsets=(1.0,), weights=(1,), denominator=1, centre_weight=-1),
    "five points": Scheme("five", offsets=(2.0, 1.0, -1.0, -2.0), weights=(-1, 8, -8, 1), denominator=12),
    "widened plus point": Scheme("widened", offsets=(1.0, -1.0), weights=(1, -1), denominator=2,
                                 widened=(True, False)),
}


def distance(v, point):
    """How far a point moved the element ``v``: in double (in ``v``'s type if wider)."""
    wide = np.longdouble if np.dtype(type(v)).itemsize > 8 else np.float64
    return float(wide(point) - wide(v))


def plain(f, x, scheme, h, exact, vector=False):
    """The specification of a scheme (see the module docstring); ``vector``: f returns arrays."""
    it = np.nditer(x, flags=["multi_index", "zerosize_ok"], op_flags=[["readwrite"]])
    steps = np.broadcast_to(np.asarray(h, dtype=np.float64), x.shape)
    centre = f(x) if scheme.centre_weight else None
    if vector and centre is not None:
        centre = np.asarray(centre, dtype=np.float64).reshape(-1)
    out = np.empty((0, x.size)) if vector else np.empty(x.shape, dtype=x.dtype)
    while not it.finished:
        idx = it.multi_index
        v, step = x[idx], float(steps[idx])
        divisor = scheme.denominator * step
        values = []
        for k, (offset, widened) in enumerate(zip(scheme.offsets, scheme.widened, strict=True)):
            x[idx] = float(v) + offset * step if widened else v + offset * step
            if exact:
                term = scheme.weights[k] * distance(v, x[idx])
                divisor = term if k == 0 else divisor + term
            value = f(x)
            values.append(np.asarray(value, dtype=np.float64).reshape(-1) if vector else value)
            x[idx] = v
        total = scheme.weights[0] * values[0]
        for weight, value in zip(scheme.weights[1:], values[1:], strict=True):
            total = total + weight * value
        if scheme.centre_weight:
            total = total + scheme.centre_weight * centre
        estimate = total / divisor
        if vector and not out.size:
            out = np.empty((len(estimate), x.size))
        if vector:
            out[:, np.ravel_multi_index(idx, x.shape)] = estimate
        else:
            out[idx] = estimate
        it.iternext()
    return out


def objectives(base):
    """Scalar objectives of several kinds (see test_gradient.objectives), and an order-sensitive one."""
    weights = np.linspace(-1.0, 2.0, base.size).reshape(base.shape).astype(base.dtype)
    calls = iter(range(10**9))
    return {
        "argument, numpy scalar": lambda v: np.sum(v * v * v),
        "closure, numpy scalar": lambda _: np.sum(base * base * weights),
        "python float": lambda v: float(np.sum(np.sin(v))),
        "float32 scalar": lambda v: np.float32(np.sum(v)),
        "order-sensitive": lambda v: float(np.sum(v)) + next(calls) * 1e-3,  # a stochastic loss's stand-in
    }


KINDS = list(objectives(np.zeros(1)))


def vector_of(value):
    """What a Jacobian's evaluator takes beside x: F's m outputs and F(x)."""
    at_x = as_vector(value)
    return Vector(at_x.size, at_x)


@pytest.mark.parametrize("scheme", SCHEMES_UNDER_TEST.values(), ids=SCHEMES_UNDER_TEST)
@given(data=st.data())
def test_in_place_matches_the_plain_loop(scheme, data):
    base, view, _ = data.draw(float_views(max_dims=3))
    kind = data.draw(st.sampled_from(KINDS))
    per_element = data.draw(st.booleans())
    exact = data.draw(st.booleans())
    h = np.geomspace(1e-2, 3e-2, view.size).reshape(view.shape) if per_element else 1e-2  # moves float16 x too
    before = base.copy()
    got = in_place.InPlace(objectives(base)[kind], scheme).derivative(view, h, exact)
    assert same_bits(base, before)
    expected = plain(objectives(base)[kind], view, scheme, h, exact)  # a fresh f: its call count restarts
    assert same_bits(base, before)
    assert got.dtype == view.dtype and got.shape == view.shape
    assert same_values(got, expected)


@pytest.mark.parametrize("scheme", SCHEMES_UNDER_TEST.values(), ids=SCHEMES_UNDER_TEST)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("exact", [False, True])
def test_batched_and_mapped_match_the_plain_loop(scheme, dtype, exact):
    x = np.linspace(-1.5, 2.5, 12, dtype=dtype).reshape(3, 4)
    h = np.geomspace(1e-3, 3e-3, 12).reshape(3, 4)

    def f(v):
        return np.sum(v * v * v, axis=(-2, -1))

    expected = plain(f, x, scheme, h, exact)
    for evaluator in (on_copies.Batched(f, scheme, None), on_copies.Batched(f, scheme, 5),
                      on_copies.Mapped(f, scheme, map)):
        got = evaluator.derivative(x, h, exact)
        assert got.dtype == x.dtype and same_bits(got, expected), evaluator


@pytest.mark.parametrize("scheme", SCHEMES_UNDER_TEST.values(), ids=SCHEMES_UNDER_TEST)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_descent_takes_steps_with_any_scheme(scheme, dtype):
    f = lambda v: np.sum(v * v * v)  # noqa: E731
    x, twin = np.array([0.5, -1.0, 2.0], dtype=dtype), np.array([0.5, -1.0, 2.0], dtype=dtype)
    history = np.empty((3, 3), dtype=dtype)
    in_place.InPlace(f, scheme).descend(x, 1e-2, False, 0.01, 3, history)
    for k in range(3):
        assert same_bits(history[k], twin)
        twin -= 0.01 * plain(f, twin, scheme, 1e-2, False)
    assert same_bits(x, twin)


# --- vector functions (Jacobians) ------------------------------------------------------------

def vector_f(v):
    """Three outputs of a 2-D point, as a (3,) array; sums in C order whatever v's layout (the batched
    and mapped modes hand f C-contiguous copies, and numpy sums a transposed view in another order)."""
    flat = v.ravel()
    return np.array([np.sum(flat**2), np.prod(flat[:2]), np.sin(flat).sum()])


@pytest.mark.parametrize("scheme", SCHEMES_UNDER_TEST.values(), ids=SCHEMES_UNDER_TEST)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.longdouble])
@pytest.mark.parametrize("exact", [False, True])
def test_jacobians_match_the_plain_loop(scheme, dtype, exact):
    base = np.linspace(-1.0, 2.0, 6, dtype=dtype).reshape(2, 3)
    for x in (base, base.T):  # visited in memory order, results in C order of x
        h = np.geomspace(1e-3, 3e-3, 6).reshape(x.shape)
        vector = vector_of(vector_f(x))
        expected = plain(vector_f, x, scheme, h, exact, vector=True)
        got = in_place.InPlace(vector_f, scheme).jacobian(x, h, exact, vector)
        assert got.shape == (3, 6) and same_bits(got, expected)
        stacked = lambda X: np.stack([vector_f(p) for p in X])  # noqa: E731
        for evaluator in (on_copies.Batched(stacked, scheme, None), on_copies.Mapped(vector_f, scheme, map)):
            assert same_bits(evaluator.jacobian(x, h, exact, vector), expected), evaluator


def test_vector_values_are_checked():
    x = np.ones(3)
    vector = vector_of(np.zeros(2))
    evaluator = in_place.InPlace(lambda v: np.zeros(int(v[0] > 1) + 2), SCHEMES["central"])
    with pytest.raises(ValueError, match="F returned 3 values at a perturbed point where 2 were expected"):
        evaluator.jacobian(x, 1e-3, False, vector)
    assert np.array_equal(x, np.ones(3))
    with pytest.raises(TypeError, match="F must return real numbers"):
        in_place.InPlace(lambda v: "ab", SCHEMES["central"]).jacobian(x, 1e-3, False, vector)
    assert np.array_equal(x, np.ones(3))


# --- C-level objectives ------------------------------------------------------------------------

numba = pytest.importorskip("numba")
from objectives import sum_cubes, through_python  # noqa: E402

from fastgd.diff._core.objectives import c_objective  # noqa: E402


@pytest.mark.parametrize("scheme", SCHEMES_UNDER_TEST.values(), ids=SCHEMES_UNDER_TEST)
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("exact", [False, True])
def test_c_objectives_match_the_plain_loop(scheme, threads, exact, whole_team):
    x = np.linspace(-1.5, 2.0, 2000)  # long enough for the team to join after the single-threaded start
    h = np.geomspace(1e-4, 1e-2, x.size)
    expected = plain(through_python(sum_cubes), x, scheme, h, exact)
    got = c_level.COnThreads(c_objective(sum_cubes), scheme, threads).derivative(x, h, exact)
    assert same_bits(got, expected)
    jacobian = c_level.COnThreads(c_objective(sum_cubes), scheme, threads).jacobian(x, h, exact, Vector(1))
    assert same_bits(jacobian, expected[None, :])


def test_a_team_is_asked_for_only_when_the_work_left_pays(monkeypatch):
    """A short derivative runs on one thread without asking; a long one asks how many threads the
    machine leaves free, and its answer (here 1: a busy machine) gives the same numbers."""
    from fastgd import _threads

    asked = []
    monkeypatch.setattr(_threads, "team_size", lambda threads=None: asked.append(threads) or 1)
    run = c_level.COnThreads(c_objective(sum_cubes), SCHEMES["central"], 2)
    run.derivative(np.linspace(-1.5, 2.0, 4), 1e-3, False)
    assert asked == []
    x = np.linspace(-1.5, 2.0, 20000)  # about 2n microseconds of calls: the rest is worth a team
    got = run.derivative(x, 1e-3, False)
    assert asked == [2]
    alone = c_level.COnThreads(c_objective(sum_cubes), SCHEMES["central"], 1)
    assert same_bits(got, alone.derivative(x, 1e-3, False))


@numba.cfunc(numba.types.void(numba.types.intc, numba.types.CPointer(numba.types.float64), numba.types.intc,
                              numba.types.CPointer(numba.types.float64), numba.types.voidptr))
def squares_and_sum(n, x, m, out, user_data):
    """F(x) = (x_0**2, ..., x_{n-1}**2, sum(x)): m = n + 1 outputs."""
    a, o = numba.carray(x, n), numba.carray(out, m)
    total = 0.0
    for i in range(n):
        o[i] = a[i] * a[i]
        total += a[i]
    o[n] = total


@pytest.mark.parametrize("scheme", SCHEMES_UNDER_TEST.values(), ids=SCHEMES_UNDER_TEST)
@pytest.mark.parametrize("threads", [1, 2])
def test_c_vector_functions_match_the_plain_loop(scheme, threads):
    x = np.linspace(-1.0, 1.0, 7)
    objective = c_objective(squares_and_sum)
    assert objective.vector and not objective.status
    expected = plain(lambda v: np.append(v * v, np.sum(v)), x, scheme, 1e-3, False, vector=True)
    got = c_level.COnThreads(objective, scheme, threads).jacobian(x, 1e-3, False, Vector(8))
    np.testing.assert_allclose(got[:7], np.diag(2 * x), atol=2e-3)  # the forward scheme's error is about h
    assert same_bits(got, expected)
