"""fastgd.nn against its numpy twin fastgd.reference.nn."""
import numpy as np
import pytest

import fastgd
from fastgd import nn
from fastgd.reference import nn as reference

TOLERANCE = 1e-9  # absolute, the bound; measured differences are about 1e-11


def twin_nets(sizes, weight_scale, rng):
    fast = nn.TwoLayerNet(*sizes, weight_init_std=weight_scale, rng=rng)
    for key in ("b1", "b2"):
        fast.params[key] = 0.3 * rng.standard_normal(fast.params[key].shape)
    slow = reference.TwoLayerNet(*sizes)
    slow.params = {key: value.copy() for key, value in fast.params.items()}
    return fast, slow


def batch(rng, n, n_in, n_out, zeros=0.5, scale=1.0, one_hot=True):
    x = rng.random((n, n_in)) * scale
    x[rng.random((n, n_in)) < zeros] = 0
    x[0] = 0  # an all-zero input row
    x[:, min(1, n_in - 1)] = 0  # an all-zero input column
    labels = rng.integers(0, n_out, n)
    return x, (np.eye(n_out)[labels] if one_hot else labels)


def max_difference(a, b):
    return max(float(np.abs(a[key] - b[key]).max(initial=0.0)) for key in a)


@pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")  # saturated units
@pytest.mark.parametrize("sizes, n", [((20, 8, 5), 7), ((64, 50, 10), 100), ((3, 2, 2), 1), ((30, 4, 3), 16)])
@pytest.mark.parametrize("weight_scale, input_scale", [(0.01, 1.0), (1.0, 1.0), (5.0, 1.0), (0.5, 255.0)])
@pytest.mark.parametrize("one_hot", [True, False])
def test_two_layer_net_matches_reference(sizes, n, weight_scale, input_scale, one_hot):
    """Small and large weights and raw 0..255 inputs take both the series and the direct paths."""
    rng = np.random.default_rng(sum(sizes) + n)
    fast, slow = twin_nets(sizes, weight_scale, rng)
    x, t = batch(rng, n, sizes[0], sizes[2], scale=input_scale, one_hot=one_hot)
    params_before = {key: value.copy() for key, value in fast.params.items()}
    got, expected = fast.numerical_gradient(x, t), slow.numerical_gradient(x, t)
    assert set(got) == {"W1", "b1", "W2", "b2"}
    assert all(got[key].shape == expected[key].shape for key in got)
    assert max_difference(got, expected) < TOLERANCE
    assert all(np.array_equal(fast.params[key], params_before[key]) for key in params_before)
    assert np.all(got["W1"][1] == 0)  # the all-zero input column has no gradient


def test_single_sample_one_dimensional_input():
    rng = np.random.default_rng(1)
    fast, slow = twin_nets((5, 4, 3), 1.0, rng)
    x, t = rng.random(5), np.array([0.0, 1.0, 0.0])
    assert max_difference(fast.numerical_gradient(x, t), slow.numerical_gradient(x, t)) < TOLERANCE


def test_threads_give_identical_gradients():
    rng = np.random.default_rng(2)
    fast, _ = twin_nets((40, 20, 10), 0.5, rng)
    x, t = batch(rng, 30, 40, 10)
    before = fastgd.get_num_threads()
    try:
        fastgd.set_num_threads(1)
        one = fast.numerical_gradient(x, t)
        fastgd.set_num_threads(2)
        two = fast.numerical_gradient(x, t)
    finally:
        fastgd.set_num_threads(before)
    assert all(np.array_equal(one[key], two[key]) for key in one)


def test_float32_params_take_the_exact_generic_path():
    rng = np.random.default_rng(3)
    fast, slow = twin_nets((6, 4, 3), 0.5, rng)
    for net in (fast, slow):
        net.params = {key: value.astype(np.float32) for key, value in fast.params.items()}
    x, t = batch(rng, 5, 6, 3)
    got, expected = fast.numerical_gradient(x, t), slow.numerical_gradient(x, t)
    assert all(got[key].dtype == np.float32 and np.array_equal(got[key], expected[key]) for key in got)


@pytest.mark.parametrize("sizes, n", [((2, 3), 1), ((10, 4), 12)])
def test_simple_net_matches_reference(sizes, n):
    rng = np.random.default_rng(4)
    fast = nn.SimpleNet(*sizes, rng=rng)
    slow = reference.SimpleNet(*sizes)
    slow.W = fast.W.copy()
    if n == 1:  # the textbook's example: one sample, one-hot target
        x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
    else:
        x, t = batch(rng, n, *sizes)
    assert float(np.abs(fast.numerical_gradient(x, t) - slow.numerical_gradient(x, t)).max()) < TOLERANCE


@pytest.mark.parametrize("t, error, message", [
    (np.array([0, 1, 5]), ValueError, r"labels must be in \[0, 3\)"),
    (np.zeros((3, 2)), ValueError, "t must hold 3 labels"),
    (np.array([0.0, 1.0, 2.0]), TypeError, "integer labels"),
])
def test_bad_targets(t, error, message):
    net = nn.TwoLayerNet(4, 3, 3, rng=np.random.default_rng(5))
    with pytest.raises(error, match=message):
        net.numerical_gradient(np.ones((3, 4)), t)


def test_gradient_check_agrees_with_backprop():
    rng = np.random.default_rng(6)
    net, _ = twin_nets((20, 10, 5), 0.5, rng)
    x, t = batch(rng, 10, 20, 5)
    report = nn.gradient_check(net, x, t)
    assert set(report) == {"W1", "b1", "W2", "b2"}
    for check in report.values():
        assert check.mean_abs_diff < 1e-6  # the 1e-7 inside the loss's log and O(h**2) terms
    simple = nn.gradient_check(nn.SimpleNet(rng=rng), np.array([0.6, 0.9]), np.array([0, 0, 1]))
    assert simple["W"].mean_abs_diff < 1e-6


def test_gradient_check_for_an_objective_finds_a_wrong_gradient():
    x = np.array([1.0, -2.0, 0.5])
    good = nn.gradient_check(lambda v: np.sum(v**3), x, gradient=lambda v: 3 * v**2)["x"]
    assert good.max_rel_error < 1e-7
    bad = nn.gradient_check(lambda v: np.sum(v**3), x, gradient=lambda v: 3 * v**2 + np.array([0, 0, 1.0]))["x"]
    assert bad.worst_index == (2,) and bad.max_rel_error > 0.5
    with pytest.raises(TypeError, match="gradient must be callable"):
        nn.gradient_check(np.sum, x, gradient=3)
    with pytest.raises(TypeError, match="pass a net"):
        nn.gradient_check(np.sum, x)


def test_reference_backprop_matches_its_numerical_gradient_with_label_targets():
    rng = np.random.default_rng(7)
    _, slow = twin_nets((8, 5, 4), 0.5, rng)
    x, labels = batch(rng, 6, 8, 4, one_hot=False)
    numerical, backprop = slow.numerical_gradient(x, labels), slow.gradient(x, labels)
    assert max_difference(numerical, backprop) < 1e-6
    assert slow.accuracy(x, labels) == slow.accuracy(x, np.eye(4)[labels])


@pytest.mark.parametrize("shape", [(6, 1), (1, 6), (6,)])
def test_label_shapes_give_the_gradient_of_the_twins_loss(shape):
    """Labels of shape (N, 1) pair every row with every label in the twin's cross_entropy_error: same loss, same
    gradient (issue 10, item 10: the gradient was that of another loss, up to 1.01 apart)."""
    rng = np.random.default_rng(8)
    fast, slow = twin_nets((5, 4, 3), 1.0, rng)
    x, t = rng.random((6, 5)), rng.integers(0, 3, 6).reshape(shape)
    assert fast.loss(x, t) == slow.loss(x, t)
    assert max_difference(fast.numerical_gradient(x, t), slow.numerical_gradient(x, t)) < TOLERANCE
    simple, simple_twin = nn.SimpleNet(5, 3, rng=np.random.default_rng(1)), reference.SimpleNet(5, 3)
    simple_twin.W = simple.W.copy()
    difference = simple.numerical_gradient(x, t) - simple_twin.numerical_gradient(x, t)
    assert float(np.abs(difference).max()) < TOLERANCE


def test_default_weights_are_the_books_draws():
    """np.random.seed(s) gives the book's weights (``weight_init_std * np.random.randn``, in the book's order) and
    leaves np.random where the book's constructor leaves it."""
    np.random.seed(3)
    net = nn.TwoLayerNet(5, 4, 3, weight_init_std=0.5)
    after = np.random.get_state()
    np.random.seed(3)
    W1 = 0.5 * np.random.randn(5, 4)
    W2 = 0.5 * np.random.randn(4, 3)
    book_after = np.random.get_state()
    assert np.array_equal(net.params["W1"], W1) and np.array_equal(net.params["W2"], W2)
    assert after[2] == book_after[2] and np.array_equal(after[1], book_after[1])
    np.random.seed(3)
    assert np.array_equal(nn.SimpleNet().W, (np.random.seed(3), np.random.randn(2, 3))[1])
