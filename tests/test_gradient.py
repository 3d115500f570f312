"""fastgd.diff against its numpy twin fastgd.reference.gradient."""
import _thread
import threading

import numpy as np
import pytest
from arrays import float_views, same_bits, same_values, view_in_layout
from hypothesis import given
from hypothesis import strategies as st

import fastgd
from fastgd import reference
from fastgd.reference.examples import function_2, simple_net_loss


def objectives(base):
    """Loss functions of several kinds: using the argument, returning numpy or Python scalars,
    or ignoring the argument and reading ``base`` (the textbook's ``lambda w: net.loss(x, t)``)."""
    weights = np.linspace(-1.0, 2.0, base.size).reshape(base.shape).astype(base.dtype)
    return {
        "argument, numpy scalar": lambda v: np.sum(v * v * v),
        "argument, python float": lambda v: float(np.sum(np.sin(v))),
        "closure, numpy scalar": lambda _: np.sum(base * base * weights),
        "closure, 0-d array": lambda _: np.asarray(np.sum(np.cos(base))),
        "python int": lambda v: int(v.size),
    }


OBJECTIVE_KINDS = list(objectives(np.zeros(1)))


# --- the textbook's worked examples ---------------------------------------------------------

@pytest.mark.parametrize(
    "point, expected", [((3.0, 4.0), (6.0, 8.0)), ((0.0, 2.0), (0.0, 4.0)), ((3.0, 0.0), (6.0, 0.0))]
)
def test_textbook_gradients(point, expected):
    fast = fastgd.numerical_gradient(function_2, np.array(point))
    slow = reference.numerical_gradient(function_2, np.array(point))
    assert np.array_equal(fast, slow)
    np.testing.assert_allclose(fast, expected, atol=1e-6)


def test_textbook_descent_reaches_the_minimum():
    x = np.array([-3.0, 4.0])
    result = fastgd.gradient_descent(function_2, x, lr=0.1, step_num=100)
    assert result is x
    assert np.all(np.abs(x) < 1e-8)
    assert np.array_equal(x, reference.gradient_descent(function_2, np.array([-3.0, 4.0]), lr=0.1))


@pytest.mark.parametrize("lr", [10.0, 1e-10])
def test_textbook_descent_bad_learning_rates_match_reference(lr):
    fast = fastgd.gradient_descent(function_2, np.array([-3.0, 4.0]), lr=lr, step_num=100)
    slow = reference.gradient_descent(function_2, np.array([-3.0, 4.0]), lr=lr, step_num=100)
    assert np.array_equal(fast, slow)
    if lr == 10.0:
        assert np.all(np.abs(fast) > 1e10)  # diverged
    else:
        np.testing.assert_allclose(fast, [-3.0, 4.0], rtol=1e-7)  # barely moved
        assert not np.array_equal(fast, [-3.0, 4.0])


def test_simple_net_closure_ignoring_its_argument():
    f, W = simple_net_loss(seed=7)  # f = lambda w: net.loss(x, t), W is net.W
    W_before = W.copy()
    fast = fastgd.numerical_gradient(f, W)
    slow = reference.numerical_gradient(f, W)
    assert fast.shape == (2, 3)
    assert np.array_equal(fast, slow)
    assert same_bits(W, W_before)
    assert np.abs(fast).max() > 0.01  # f saw the perturbations
    np.testing.assert_allclose(fast.sum(axis=1), 0.0, atol=1e-8)  # softmax gradient rows sum to 0


def test_descent_path_is_the_point_before_each_step():
    x, path = fastgd.gradient_descent(function_2, np.array([-3.0, 4.0]), lr=0.1, step_num=20, history=True)
    _, ref_path = reference.gradient_descent(function_2, np.array([-3.0, 4.0]), lr=0.1, step_num=20, history=True)
    assert path.shape == (20, 2)
    assert np.array_equal(path[0], [-3.0, 4.0])
    assert np.array_equal(path, ref_path)
    assert not np.array_equal(path[-1], x)  # x took one more step after the last recorded point


# --- parity over dtypes, shapes and layouts -----------------------------------------------

@pytest.mark.parametrize("name, min_dims, max_dims",
                         [("numerical_gradient", 0, 4), ("numerical_gradient_2d", 1, 2)])
@given(data=st.data())
def test_gradient_matches_reference(name, min_dims, max_dims, data):
    base, view, _ = data.draw(float_views(min_dims=min_dims, max_dims=max_dims))
    f = objectives(base)[data.draw(st.sampled_from(OBJECTIVE_KINDS))]
    before = base.copy()
    fast = getattr(fastgd, name)(f, view)
    assert same_bits(base, before)
    assert fast.dtype == view.dtype and fast.shape == view.shape
    assert same_values(fast, getattr(reference, name)(f, view))


def test_numerical_gradient_2d_calls_f_with_each_row_view():
    X = np.arange(6.0).reshape(3, 2)
    seen = []
    fastgd.numerical_gradient_2d(lambda x: seen.append((x.shape, np.shares_memory(x, X))) or 0.0, X)
    assert seen == [((2,), True)] * 12


@given(float_views(max_dims=3), st.sampled_from(["argument, numpy scalar", "closure, numpy scalar"]),
       st.integers(0, 5), st.booleans())
def test_gradient_descent_matches_reference(arrays, kind, steps, history):
    base, view, layout = arrays
    twin = base.copy(order="K")
    twin_view = view_in_layout(twin, layout)
    fast = fastgd.gradient_descent(objectives(base)[kind], view, lr=0.05, step_num=steps, history=history)
    slow = reference.gradient_descent(objectives(twin)[kind], twin_view, lr=0.05, step_num=steps, history=history)
    if history:
        assert fast[0] is view and fast[1].shape == (steps, *view.shape)
        assert same_values(fast[1], slow[1])
        fast = fast[0]
    else:
        assert fast is view
    assert same_values(base, twin)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_float32_follows_numpy_scalar_rules(dtype):
    """x + h is computed in x's dtype (NEP 50), and f's float32 results are subtracted in float32."""
    x = np.array([1.0, 2.5, -3.25], dtype=dtype) / 3
    for f in (lambda v: np.sum(v**2), lambda v: float(np.sum(v**2)), lambda v: np.float32(v[0] * v[1])):
        fast = fastgd.numerical_gradient(f, x)
        assert fast.dtype == dtype
        assert same_values(fast, reference.numerical_gradient(f, x))


def test_zero_d_and_empty():
    x0 = np.array(3.0)
    fast = fastgd.numerical_gradient(lambda v: v**2, x0)
    assert fast.shape == () and same_values(fast, reference.numerical_gradient(lambda v: v**2, x0))
    np.testing.assert_allclose(fast, 6.0, rtol=1e-9)
    empty = np.empty((0, 3))
    assert fastgd.numerical_gradient(np.sum, empty).shape == (0, 3)
    assert fastgd.numerical_gradient_2d(np.sum, empty).shape == (0, 3)
    assert fastgd.gradient_descent(np.sum, empty) is empty


# --- bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize("x", [np.array([1, 2]), np.array([True, False]), np.array([1 + 2j]),
                               np.array([1.0], dtype=object), [1.0, 2.0], 3.0])
def test_non_float_x_is_a_type_error(x):
    for call in (fastgd.numerical_gradient, fastgd.numerical_gradient_2d, fastgd.gradient_descent):
        with pytest.raises(TypeError, match="x"):
            call(np.sum, x)


def test_read_only_x_is_a_value_error():
    x = np.ones(3)
    x.flags.writeable = False
    for call in (fastgd.numerical_gradient, fastgd.numerical_gradient_2d, fastgd.gradient_descent):
        with pytest.raises(ValueError, match="read-only"):
            call(np.sum, x)
    with pytest.raises(ValueError, match="read-only"):
        fastgd.numerical_gradient(np.sum, np.broadcast_to(np.ones(1), (3,)))


@pytest.mark.parametrize("f", [None, 3.0, "np.sum"])
def test_non_callable_f_is_a_type_error(f):
    with pytest.raises(TypeError, match="f must be callable"):
        fastgd.numerical_gradient(f, np.ones(2))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize("bad", [np.ones(2), None, "loss", 1 + 1j, True, [1.0]])
def test_f_returning_a_non_scalar_is_a_type_error_and_x_is_kept(dtype, bad):
    x = np.array([0.5, -1.5, 2.0], dtype=dtype)
    before = x.copy()
    with pytest.raises(TypeError, match="f must return a real scalar"):
        fastgd.numerical_gradient(lambda v: bad, x)
    assert same_bits(x, before)


@pytest.mark.parametrize("h, error", [(0.0, ValueError), (-1e-4, ValueError), (np.nan, ValueError),
                                      (np.inf, ValueError), ("1e-4", TypeError), (b"1e-4", TypeError)])
def test_bad_h(h, error):
    with pytest.raises(error, match="h must"):
        fastgd.numerical_gradient(np.sum, np.ones(2), h=h)


@pytest.mark.parametrize("kwargs, error, name", [
    ({"lr": np.nan}, ValueError, "lr"), ({"lr": "0.1"}, TypeError, "lr"),
    ({"step_num": -1}, ValueError, "step_num"), ({"step_num": 2.5}, TypeError, "step_num"),
])
def test_bad_descent_arguments(kwargs, error, name):
    x = np.ones(2)
    with pytest.raises(error, match=name):
        fastgd.gradient_descent(np.sum, x, **kwargs)
    assert np.array_equal(x, np.ones(2))


def test_gradient_2d_rejects_more_than_two_dimensions():
    with pytest.raises(ValueError, match="X must be 1-D"):
        fastgd.numerical_gradient_2d(np.sum, np.ones((2, 2, 2)))


class Boom(Exception):
    pass


def failing_after(calls, exc):
    """An objective that raises ``exc`` on its ``calls``-th call."""
    count = {"n": 0}

    def f(v):
        count["n"] += 1
        if count["n"] == calls:
            raise exc
        return float(np.sum(v**2))
    return f


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16, np.longdouble])
@pytest.mark.parametrize("exc", [Boom, KeyboardInterrupt])
@pytest.mark.parametrize("calls", [1, 2, 5, 6])
def test_x_is_restored_when_f_raises(dtype, exc, calls):
    base = np.linspace(-2, 2, 12, dtype=dtype).reshape(3, 4)
    for x in (base, base.T, base[:, ::2]):
        before = base.copy()
        with pytest.raises(exc):
            fastgd.numerical_gradient(failing_after(calls, exc), x)
        assert same_bits(base, before)
        with pytest.raises(exc):
            fastgd.numerical_gradient_2d(failing_after(calls, exc), x)
        assert same_bits(base, before)


def test_descent_stops_cleanly_when_f_raises():
    x = np.array([-3.0, 4.0])
    expected = reference.gradient_descent(function_2, np.array([-3.0, 4.0]), lr=0.1, step_num=2)
    with pytest.raises(Boom):
        fastgd.gradient_descent(failing_after(4 * 2 + 3, Boom), x, lr=0.1)  # fails inside step 3
    assert np.array_equal(x, expected)  # two whole steps taken, the third element restored


@pytest.mark.sends_sigint
@pytest.mark.parametrize("call", [fastgd.numerical_gradient, fastgd.gradient_descent])
def test_long_loop_with_a_builtin_f_responds_to_ctrl_c(call):
    x = np.linspace(0, 1, 200_000)
    before = x.copy()
    timer = threading.Timer(0.2, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            call(np.add.reduce, x)  # a C function: the interpreter never checks signals inside it
    finally:
        timer.cancel()
    if call is fastgd.numerical_gradient:
        assert same_bits(x, before)


# --- the short road: the textbook's call goes straight to its loop, with the general road's results ------

SHORT_ROAD_ARRAYS = [lambda: np.linspace(-1, 2, 6), lambda: np.linspace(-1, 2, 6, dtype=np.float32),
                     lambda: np.linspace(-1, 2, 6).reshape(2, 3), lambda: np.array(1.5),
                     lambda: np.linspace(-1, 2, 12).reshape(3, 4).T,  # strided: the general road
                     lambda: np.zeros(0)]


@pytest.mark.parametrize("make", SHORT_ROAD_ARRAYS)
def test_short_road_matches_the_general_road(make):
    f = lambda v: np.sum(np.sin(v) * v**2)  # noqa: E731
    x = make()
    short = fastgd.numerical_gradient(f, x)
    general = fastgd.numerical_gradient(f, x, bounds=(None, None))  # no bound: the general road, the same expression
    assert short.dtype == x.dtype and short.shape == x.shape
    assert np.array_equal(short, general) and np.array_equal(short, reference.numerical_gradient(f, x))


def test_short_road_refuses_an_f_that_moves_x_and_keeps_x():
    x = np.array([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="resized or reallocated x"):
        fastgd.numerical_gradient(lambda v: v.resize(100, refcheck=False), x)


@pytest.mark.parametrize("make", SHORT_ROAD_ARRAYS)
def test_descent_short_road_matches_the_general_road(make):
    f = lambda v: np.sum(np.sin(v) * v**2)  # noqa: E731
    short, general, twin = make(), make(), make()
    assert fastgd.gradient_descent(f, short, lr=0.1, step_num=30) is short
    fastgd.gradient_descent(f, general, lr=0.1, step_num=30, history=True)  # history: the general road
    reference.gradient_descent(f, twin, lr=0.1, step_num=30)
    assert same_bits(short, general) and same_bits(short, twin)


def test_descent_short_road_with_nothing_to_evaluate_answers_at_once():
    x = np.empty((10**9, 0))
    assert fastgd.gradient_descent(lambda v: 0.0, x, lr=0.1, step_num=10**12) is x


def test_descent_short_road_refuses_an_f_that_moves_x():
    x = np.array([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="resized or reallocated x"):
        fastgd.gradient_descent(lambda v: v.resize(100, refcheck=False), x, lr=0.1)


@pytest.mark.parametrize("lr, step_num, error", [(float("nan"), 10, "lr"), (float("inf"), 10, "lr"),
                                                 (0.1, -1, "step_num")])
def test_descent_short_road_leaves_bad_arguments_to_the_general_roads_errors(lr, step_num, error):
    x = np.array([3.0, 4.0])
    with pytest.raises(ValueError, match=error):
        fastgd.gradient_descent(lambda v: v[0] ** 2 + v[1] ** 2, x, lr=lr, step_num=step_num)
    assert np.array_equal(x, [3.0, 4.0])


class CallableObject:
    def __call__(self, x):
        return float(np.sum(x**2))


def test_other_callables_take_the_general_road():
    x = np.array([3.0, 4.0])
    f = CallableObject()
    assert np.array_equal(fastgd.numerical_gradient(f, x), reference.numerical_gradient(f, x))
