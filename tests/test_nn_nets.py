"""fastgd.nn's layer-based nets against their numpy twins: numerical gradients, side effects, random draws."""
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import fastgd
from fastgd import nn
from fastgd.nn import _mlp
from fastgd.reference import multi_layer_net as multi_reference
from fastgd.reference import relu_two_layer_net as relu_reference
from fastgd.reference import simple_convnet as conv_reference

TOLERANCE = 1e-9  # absolute, the bound; measured differences are about 1e-11


def pair(fast_class, twin_class, *args, seed=0, **kwargs):
    """The fast net and its twin, built from the same np.random state (so with the same weights)."""
    np.random.seed(seed)
    fast = fast_class(*args, **kwargs)
    np.random.seed(seed)
    twin = twin_class(*args, **kwargs)
    return fast, twin


def sparse_batch(rng, shape, zeros=0.5, scale=1.0):
    """Inputs in [0, scale) with about ``zeros`` of them exactly zero, and an all-zero first sample."""
    x = rng.random(shape) * scale
    x[rng.random(shape) < zeros] = 0
    x[0] = 0
    return x


def targets(rng, n, n_out, form):
    labels = rng.integers(0, n_out, n)
    return {"one-hot": np.eye(n_out)[labels], "labels": labels, "(N, 1)": labels.reshape(-1, 1)}[form]


def gradients(fast, twin, x, t, seed=7):
    """Both gradients from the same np.random state, and whether they left it in the same place."""
    np.random.seed(seed)
    got = fast.numerical_gradient(x, t)
    after_fast = np.random.get_state()
    np.random.seed(seed)
    expected = twin.numerical_gradient(x, t)
    after_twin = np.random.get_state()
    return got, expected, after_fast[2] == after_twin[2] and np.array_equal(after_fast[1], after_twin[1])


def assert_close(got, expected):
    assert list(got) == list(expected)
    for key in expected:
        assert got[key].shape == expected[key].shape and got[key].dtype == expected[key].dtype, key
        assert float(np.abs(got[key] - expected[key]).max(initial=0.0)) < TOLERANCE, key


def assert_same_layers(fast, twin):
    """The caches and running averages the layers keep, as the twin's evaluations leave them."""
    for name, layer in twin.layers.items():
        mine = fast.layers[name]
        for attribute in ("running_mean", "running_var"):
            if hasattr(layer, attribute):
                np.testing.assert_allclose(getattr(mine, attribute), getattr(layer, attribute), rtol=1e-12, atol=0)
        for attribute in ("mask", "x", "xn", "out"):
            if getattr(layer, attribute, None) is not None:
                assert np.array_equal(getattr(mine, attribute), getattr(layer, attribute)), (name, attribute)


@pytest.mark.parametrize("form", ["one-hot", "labels", "(N, 1)"])
@pytest.mark.parametrize("n", [1, 2, 7])
@pytest.mark.parametrize("weight_scale, input_scale", [(0.01, 1.0), (1.0, 1.0), (0.5, 255.0)])
def test_relu_two_layer_net(form, n, weight_scale, input_scale):
    rng = np.random.default_rng(n)
    fast, twin = pair(nn.ReluTwoLayerNet, relu_reference.ReluTwoLayerNet, 30, 12, 4, weight_scale)
    x, t = sparse_batch(rng, (n, 30), scale=input_scale), targets(rng, n, 4, form)
    got, expected, same_state = gradients(fast, twin, x, t)
    assert_close(got, expected)
    assert same_state
    assert_same_layers(fast, twin)
    assert np.all(got["W1"][np.all(x == 0, axis=0)] == 0)  # inputs that are zero everywhere have no gradient


@pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")  # saturated sigmoid units
@pytest.mark.parametrize("activation, weight_init_std", [("relu", "relu"), ("relu", 1.5), ("sigmoid", "xavier"),
                                                         ("sigmoid", 3.0)])
@pytest.mark.parametrize("hidden", [[9], [8, 7, 6]])
@pytest.mark.parametrize("decay", [0, 0.1])
@pytest.mark.parametrize("n", [1, 5])
def test_multi_layer_net(activation, weight_init_std, hidden, decay, n):
    rng = np.random.default_rng(len(hidden) + n)
    fast, twin = pair(nn.MultiLayerNet, multi_reference.MultiLayerNet, 25, hidden, 3, activation=activation,
                      weight_init_std=weight_init_std, weight_decay_lambda=decay)
    x, t = sparse_batch(rng, (n, 25), scale=3.0), targets(rng, n, 3, "one-hot")
    got, expected, same_state = gradients(fast, twin, x, t)
    assert_close(got, expected)
    assert same_state


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
@pytest.mark.parametrize("use_batchnorm, use_dropout", [(True, False), (False, True), (True, True)])
@pytest.mark.parametrize("n", [1, 2, 6])
@pytest.mark.parametrize("form", ["one-hot", "(N, 1)"])
def test_multi_layer_net_extend(activation, use_batchnorm, use_dropout, n, form):
    rng = np.random.default_rng(n)
    fast, twin = pair(nn.MultiLayerNetExtend, multi_reference.MultiLayerNetExtend, 20, [7, 6], 3,
                      activation=activation, weight_decay_lambda=0.05, use_batchnorm=use_batchnorm,
                      use_dropout=use_dropout, dropout_ration=0.3)
    x, t = sparse_batch(rng, (n, 20)), targets(rng, n, 3, form)
    for _ in range(2):  # the second time from the running averages the first left
        got, expected, same_state = gradients(fast, twin, x, t)
        assert_close(got, expected)
        assert same_state  # the dropout masks: the same draws, in the same order
        assert_same_layers(fast, twin)


@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9, 1.0])
def test_batch_norm_running_averages_replayed_from_remembered_evaluations(momentum):
    """A net so small that the running averages remember the hidden layers' perturbed evaluations."""
    rng = np.random.default_rng(3)
    fast, twin = pair(nn.MultiLayerNetExtend, multi_reference.MultiLayerNetExtend, 4, [3, 2], 2, use_batchnorm=True)
    for net in (fast, twin):
        for name in ("BatchNorm1", "BatchNorm2"):
            net.layers[name].momentum = momentum
    x, t = rng.random((5, 4)), rng.integers(0, 2, 5)
    got, expected, _ = gradients(fast, twin, x, t)
    assert_close(got, expected)
    assert_same_layers(fast, twin)


def test_batch_norm_batch_of_one_is_flat_upstream():
    """ch06/batch_norm_gradient_check.py's case: a batch of one normalizes to beta, whatever comes before."""
    rng = np.random.default_rng(4)
    fast, twin = pair(nn.MultiLayerNetExtend, multi_reference.MultiLayerNetExtend, 64, [20, 20], 10,
                      use_batchnorm=True)
    x, t = sparse_batch(rng, (2, 64), zeros=0.8)[1:], targets(rng, 1, 10, "one-hot")
    got, expected, _ = gradients(fast, twin, x, t)
    assert_close(got, expected)
    for key in ("W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2"):
        assert np.all(got[key] == 0) and np.all(expected[key] == 0), key


@pytest.mark.parametrize("input_dim, conv_param, hidden, n", [
    ((1, 10, 10), {"filter_num": 10, "filter_size": 3, "pad": 0, "stride": 1}, 10, 1),  # ch07/gradient_check.py
    ((2, 8, 8), {"filter_num": 3, "filter_size": 3, "pad": 1, "stride": 1}, 6, 3),
    ((1, 11, 11), {"filter_num": 4, "filter_size": 3, "pad": 1, "stride": 2}, 5, 2),
])
@pytest.mark.parametrize("form", ["labels", "(N, 1)"])
def test_simple_conv_net(input_dim, conv_param, hidden, n, form):
    rng = np.random.default_rng(n)
    fast, twin = pair(nn.SimpleConvNet, conv_reference.SimpleConvNet, input_dim, conv_param, hidden, 4, 0.3)
    x, t = sparse_batch(rng, (n, *input_dim), zeros=0.3), targets(rng, n, 4, form)
    got, expected, same_state = gradients(fast, twin, x, t)
    assert_close(got, expected)
    assert same_state
    assert_same_layers(fast, twin)


def test_threads_give_identical_gradients(monkeypatch):
    monkeypatch.setattr(_mlp, "THREADED_WORK", 1)  # every gradient on the threads
    rng = np.random.default_rng(5)
    nets = [
        (nn.MultiLayerNetExtend(30, [10, 8], 4, use_batchnorm=True, weight_decay_lambda=0.1,
                                rng=np.random.default_rng(0)), (6, 30)),
        (nn.MultiLayerNetExtend(30, [10, 8], 4, use_dropout=True, rng=np.random.default_rng(0)), (6, 30)),
        (nn.SimpleConvNet((1, 8, 8), {"filter_num": 3, "filter_size": 3, "pad": 0, "stride": 1}, 6, 4,
                          rng=np.random.default_rng(0)), (3, 1, 8, 8)),
    ]
    before = fastgd.get_num_threads()
    try:
        for net, shape in nets:
            x, t = sparse_batch(rng, shape), rng.integers(0, 4, shape[0])
            results = []
            for threads in (1, 2, 1):
                fastgd.set_num_threads(threads)
                if getattr(net, "use_dropout", False):
                    net.layers["Dropout1"].rng = net.layers["Dropout2"].rng = np.random.default_rng(9)
                results.append(net.numerical_gradient(x, t))
            for key in results[0]:
                assert np.array_equal(results[0][key], results[1][key]) and np.array_equal(results[0][key],
                                                                                            results[2][key])
    finally:
        fastgd.set_num_threads(before)


def test_generic_path_for_what_the_kernels_do_not_take():
    """float32 params, a params entry the layers do not hold, non-finite inputs: the twin's numbers exactly."""
    rng = np.random.default_rng(6)
    x, t = rng.random((3, 10)), rng.integers(0, 3, 3)
    fast, twin = pair(nn.MultiLayerNet, multi_reference.MultiLayerNet, 10, [4], 3)
    for net in (fast, twin):
        net.params["b1"] = net.layers["Affine1"].b = np.zeros(4, dtype=np.float32)
    got, expected, _ = gradients(fast, twin, x, t)
    assert got["b1"].dtype == np.float32
    assert all(np.array_equal(got[key], expected[key]) for key in expected)

    fast, twin = pair(nn.ReluTwoLayerNet, relu_reference.ReluTwoLayerNet, 10, 4, 3)
    for net in (fast, twin):
        net.params["W1"] = net.params["W1"].copy()  # the layer keeps the old array: the book's gradient is 0
    got, expected, _ = gradients(fast, twin, x, t)
    assert np.all(got["W1"] == 0) and all(np.array_equal(got[key], expected[key]) for key in expected)

    fast, twin = pair(nn.ReluTwoLayerNet, relu_reference.ReluTwoLayerNet, 10, 4, 3)
    x_nan = x.copy()
    x_nan[1, 2] = np.nan
    got, expected, _ = gradients(fast, twin, x_nan, t)
    assert all(np.array_equal(got[key], expected[key], equal_nan=True) for key in expected)


@pytest.mark.parametrize("t, error, message", [
    (np.array([0, 1, 5]), ValueError, r"labels must be in \[0, 3\)"),
    (np.array([0, -1, 2]), ValueError, r"labels must be in \[0, 3\)"),
    (np.zeros((3, 2), dtype=int), ValueError, "t must hold 3 labels"),
    (np.array([0.0, 1.0, 2.0]), TypeError, "integer labels"),
])
@pytest.mark.parametrize("net", [nn.ReluTwoLayerNet(4, 3, 3), nn.MultiLayerNetExtend(4, [3], 3, use_batchnorm=True)])
def test_bad_targets(net, t, error, message):
    with pytest.raises(error, match=message):
        net.numerical_gradient(np.ones((3, 4)), t)


@pytest.mark.parametrize("make", [
    lambda rng: nn.TwoLayerNet(6, 4, 3, rng=rng), lambda rng: nn.ReluTwoLayerNet(6, 4, 3, rng=rng),
    lambda rng: nn.MultiLayerNet(6, [4, 4], 3, rng=rng), lambda rng: nn.SimpleNet(6, 3, rng=rng),
    lambda rng: nn.MultiLayerNetExtend(6, [4], 3, use_batchnorm=True, use_dropout=True, rng=rng),
    lambda rng: nn.SimpleConvNet((1, 6, 6), {"filter_num": 2, "filter_size": 3, "pad": 0, "stride": 1}, 4, 3,
                                 rng=rng),
])
def test_rng_keyword_takes_a_generator_and_leaves_the_global_one(make):
    state = np.random.get_state()
    a, b = make(np.random.default_rng(1)), make(np.random.default_rng(1))
    params = a.params if hasattr(a, "params") else {"W": a.W}
    other = b.params if hasattr(b, "params") else {"W": b.W}
    assert all(np.array_equal(params[key], other[key]) for key in params)
    after = np.random.get_state()
    assert after[2] == state[2] and np.array_equal(after[1], state[1])


def test_gradient_check_with_a_method_uses_the_training_loss():
    """With batch norm the net's gradient is that of its training-mode loss; so is gradient_check's with method=."""
    rng = np.random.default_rng(7)
    net = nn.MultiLayerNetExtend(6, [5], 3, use_batchnorm=True, rng=np.random.default_rng(0))
    x, t = rng.random((4, 6)), rng.integers(0, 3, 4)
    for check in nn.gradient_check(net, x, t, method="richardson").values():
        assert check.mean_abs_diff < 1e-6 and check.numerical_error < 1e-8


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(hidden=st.lists(st.integers(1, 6), min_size=0, max_size=3), n=st.integers(1, 5),
       activation=st.sampled_from(["relu", "sigmoid"]), batchnorm=st.booleans(), dropout=st.booleans(),
       decay=st.sampled_from([0, 0.3]), weight_scale=st.sampled_from(["he", 0.05, 2.0]),
       input_scale=st.sampled_from([1.0, 40.0]), form=st.sampled_from(["one-hot", "labels", "(N, 1)"]),
       seed=st.integers(0, 2**16))
def test_any_fully_connected_net(hidden, n, activation, batchnorm, dropout, decay, weight_scale, input_scale, form,
                                 seed):
    """Random architectures and data: the twin's gradient, generator state and layer state, whatever the path."""
    rng = np.random.default_rng(seed)
    fast, twin = pair(nn.MultiLayerNetExtend, multi_reference.MultiLayerNetExtend, 7, hidden, 3, seed=seed,
                      activation=activation, weight_init_std=weight_scale, weight_decay_lambda=decay,
                      use_batchnorm=batchnorm, use_dropout=dropout)
    x, t = sparse_batch(rng, (n, 7), zeros=0.3, scale=input_scale), targets(rng, n, 3, form)
    with np.errstate(over="ignore"):  # saturated sigmoid units
        got, expected, same_state = gradients(fast, twin, x, t, seed=seed)
    assert_close(got, expected)
    assert same_state
    assert_same_layers(fast, twin)


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(channels=st.integers(1, 2), size=st.integers(4, 9), filters=st.integers(1, 3), filter_size=st.integers(1, 3),
       pad=st.integers(0, 1), n=st.integers(1, 3), weight_scale=st.sampled_from([0.01, 0.5, 3.0]),
       form=st.sampled_from(["one-hot", "labels", "(N, 1)"]), seed=st.integers(0, 2**16))
def test_any_simple_conv_net(channels, size, filters, filter_size, pad, n, weight_scale, form, seed):
    """Random shapes (where the book's own size formula holds), weights and data: the twin's gradient."""
    out = size + 2 * pad - filter_size + 1
    assume(out >= 2 and out % 2 == 0)
    conv_param = {"filter_num": filters, "filter_size": filter_size, "pad": pad, "stride": 1}
    rng = np.random.default_rng(seed)
    fast, twin = pair(nn.SimpleConvNet, conv_reference.SimpleConvNet, (channels, size, size), conv_param, 4, 3,
                      weight_scale, seed=seed)
    x, t = sparse_batch(rng, (n, channels, size, size), zeros=0.3), targets(rng, n, 3, form)
    got, expected, _ = gradients(fast, twin, x, t, seed=seed)
    assert_close(got, expected)
    assert_same_layers(fast, twin)
