"""fastgd.nn's own numpy code (layers, functions, forward passes, backprop) against the book's twins, bit for bit.

And that it is its own: nothing in fastgd.nn imports, subclasses or calls fastgd.reference, and the
twins import only numpy and the standard library (issue 17).
"""
import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fastgd
from fastgd import nn
from fastgd.nn import _patches, functions, layers
from fastgd.reference import functions as twin_functions
from fastgd.reference import layers as twin_layers
from fastgd.reference import multi_layer_net as multi_reference
from fastgd.reference import nn as nn_reference
from fastgd.reference import relu_two_layer_net as relu_reference
from fastgd.reference import simple_convnet as conv_reference
from fastgd.reference import util as twin_util

PACKAGE = Path(fastgd.__file__).parent
#: The book's nets, layers and functions in fastgd.reference: the twins of fastgd.nn.
TWINS = ["nn", "layers", "functions", "util", "layer_net", "multi_layer_net", "relu_two_layer_net", "simple_convnet",
         "random"]


def imported_modules(path):
    """Every module a file imports (``from a.b import c`` gives ``a.b`` and ``a.b.c``)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


@pytest.mark.parametrize("path", sorted((PACKAGE / "nn").glob("*.py")), ids=lambda p: p.name)
def test_fastgd_nn_imports_nothing_from_the_reference(path):
    assert not {name for name in imported_modules(path) if name.startswith("fastgd.reference")}


@pytest.mark.parametrize("name", TWINS)
def test_the_twins_import_numpy_and_the_standard_library_only(name):
    for module in imported_modules(PACKAGE / "reference" / f"{name}.py"):
        top = module.split(".")[0]
        assert (top in sys.stdlib_module_names or top == "numpy" or module.startswith("fastgd.reference")), module


@pytest.mark.parametrize("name", nn.__all__)
def test_no_class_of_fastgd_nn_is_a_twin(name):
    value = getattr(nn, name)
    if isinstance(value, type):
        assert not [base for base in value.__mro__ if base.__module__.startswith("fastgd.reference")]


def test_the_nets_run_with_the_twins_unimportable():
    """Every net, every path (compiled, generic, backprop), with the book twins' modules refusing to load."""
    script = textwrap.dedent(f"""
        import sys
        BLOCKED = {{"fastgd.reference." + name for name in {TWINS!r}}}

        class Refuse:
            def find_spec(self, name, path=None, target=None):
                if name in BLOCKED:
                    raise ImportError("blocked: " + name)

        sys.meta_path.insert(0, Refuse())
        import numpy as np
        from fastgd import nn
        rng = np.random.default_rng(0)
        conv = {{"filter_num": 2, "filter_size": 3, "pad": 0, "stride": 1}}
        nets = [(nn.TwoLayerNet(6, 4, 3), (2, 6)), (nn.ReluTwoLayerNet(6, 4, 3), (2, 6)),
                (nn.MultiLayerNetExtend(6, [4], 3, use_batchnorm=True, use_dropout=True), (2, 6)),
                (nn.SimpleConvNet((1, 6, 6), conv, 4, 3), (2, 1, 6, 6))]
        for net, shape in nets:
            x, t = rng.random(shape), np.array([0, 2])
            net.loss(x, t), net.gradient(x, t), net.numerical_gradient(x, t), net.accuracy(x, t)
            x[0, 0] = np.nan  # the generic path, over the net's own loss
            net.numerical_gradient(x, t)
        assert not BLOCKED & set(sys.modules)
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


@settings(max_examples=60, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**16), n=st.integers(1, 6), width=st.integers(2, 7),
       scale=st.sampled_from([1e-3, 1.0, 50.0]))
def test_functions_are_the_books_bit_for_bit(seed, n, width, scale):
    rng = np.random.default_rng(seed)
    x = scale * rng.standard_normal((n, width))
    with np.errstate(over="ignore"):
        assert np.array_equal(functions.sigmoid(x), twin_functions.sigmoid(x))
    assert np.array_equal(functions.softmax(x), twin_functions.softmax(x))
    y, labels = twin_functions.softmax(x), rng.integers(0, width, n)
    for t in (labels, np.eye(width)[labels], labels.reshape(-1, 1)):
        assert functions.cross_entropy_error(y, t) == twin_functions.cross_entropy_error(y, t)
    assert functions.cross_entropy_error(y[0], np.eye(width)[labels[0]]) == twin_functions.cross_entropy_error(
        y[0], np.eye(width)[labels[0]])


def run_layer(layer, x, dout, train=None):
    out = layer.forward(x) if train is None else layer.forward(x, train)
    return out, layer.backward(dout.copy())


def assert_same_layer(mine, twin, x, dout, train=None):
    got, expected = run_layer(mine, x, dout, train), run_layer(twin, x, dout, train)
    assert all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))
    for name, value in vars(twin).items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(getattr(mine, name), value), name
        elif value is None or isinstance(value, (int, float, tuple)):
            assert getattr(mine, name) == value, name


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), n=st.integers(1, 5), n_in=st.integers(1, 6),
       n_out=st.integers(2, 6))  # of one class, labels would read as one-hot rows
def test_fully_connected_layers_are_the_books_bit_for_bit(seed, n, n_in, n_out):
    rng = np.random.default_rng(seed)
    x, W, b = rng.standard_normal((n, n_in)), rng.standard_normal((n_in, n_out)), rng.standard_normal(n_out)
    dout = rng.standard_normal((n, n_out))
    assert_same_layer(layers.Affine(W, b), twin_layers.Affine(W, b), x, dout)
    assert_same_layer(layers.Affine(W, b), twin_layers.Affine(W, b), x.reshape(n, n_in, 1), dout)
    assert_same_layer(layers.Relu(), twin_layers.Relu(), dout, dout)
    assert_same_layer(layers.Sigmoid(), twin_layers.Sigmoid(), dout, dout)
    gamma, beta = rng.standard_normal(n_out), rng.standard_normal(n_out)
    mine, twin = layers.BatchNormalization(gamma, beta), twin_layers.BatchNormalization(gamma, beta)
    for train in (True, True, False):
        assert_same_layer(mine, twin, dout * 3 + 1, x @ W, train)
    for ratio in (0.0, 0.4):
        mine, twin = layers.Dropout(ratio, rng=np.random.default_rng(seed)), twin_layers.Dropout(ratio)
        twin.rng = np.random.default_rng(seed)
        assert_same_layer(mine, twin, dout, dout)
        assert_same_layer(mine, twin, dout, dout, False)
    for t in (rng.integers(0, n_out, n), np.eye(n_out)[rng.integers(0, n_out, n)]):
        mine, twin = layers.SoftmaxWithLoss(), twin_layers.SoftmaxWithLoss()
        assert mine.forward(dout, t) == twin.forward(dout, t)
        assert np.array_equal(mine.backward(), twin.backward())


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), n=st.integers(1, 3), channels=st.integers(1, 3), size=st.integers(2, 8),
       filters=st.integers(1, 3), filter_size=st.integers(1, 3), stride=st.integers(1, 3), pad=st.integers(0, 2))
def test_convolution_and_pooling_are_the_books_bit_for_bit(seed, n, channels, size, filters, filter_size, stride,
                                                           pad):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, channels, size, size))
    if size + 2 * pad < filter_size:
        return
    cols = _patches.im2col(x, filter_size, filter_size, stride, pad)
    expected = twin_util.im2col(x, filter_size, filter_size, stride, pad)
    assert np.array_equal(cols, expected) and cols.strides == expected.strides  # the layout BLAS sees too
    back = rng.standard_normal(cols.shape)
    assert np.array_equal(_patches.col2im(back, x.shape, filter_size, filter_size, stride, pad),
                          twin_util.col2im(back, x.shape, filter_size, filter_size, stride, pad))
    W, b = rng.standard_normal((filters, channels, filter_size, filter_size)), rng.standard_normal(filters)
    out = twin_layers.Convolution(W, b, stride, pad).forward(x)
    assert_same_layer(layers.Convolution(W, b, stride, pad), twin_layers.Convolution(W, b, stride, pad), x,
                      rng.standard_normal(out.shape))
    if size >= 2:
        out = twin_layers.Pooling(2, 2, stride).forward(x)
        assert_same_layer(layers.Pooling(2, 2, stride), twin_layers.Pooling(2, 2, stride), x,
                          rng.standard_normal(out.shape))


CONV = {"filter_num": 3, "filter_size": 3, "pad": 1, "stride": 1}
NETS = [  # (fast, twin, constructor arguments, one sample's shape)
    (nn.TwoLayerNet, nn_reference.TwoLayerNet, ((7, 5, 3), {"weight_init_std": 0.5}), (7,)),
    (nn.ReluTwoLayerNet, relu_reference.ReluTwoLayerNet, ((7, 5, 3), {"weight_init_std": 0.5}), (7,)),
    (nn.MultiLayerNet, multi_reference.MultiLayerNet,
     ((7, [5, 4], 3), {"activation": "sigmoid", "weight_decay_lambda": 0.1}), (7,)),
    (nn.MultiLayerNetExtend, multi_reference.MultiLayerNetExtend,
     ((7, [5, 4], 3), {"use_batchnorm": True, "use_dropout": True, "weight_decay_lambda": 0.1}), (7,)),
    (nn.SimpleConvNet, conv_reference.SimpleConvNet, (((2, 6, 6), CONV, 5, 3, 0.3), {}), (2, 6, 6)),
]


@pytest.mark.parametrize("fast_class, twin_class, arguments, shape", NETS, ids=lambda v: getattr(v, "__name__", ""))
@pytest.mark.parametrize("form", ["labels", "one-hot"])
def test_nets_forward_loss_backprop_are_the_books_bit_for_bit(fast_class, twin_class, arguments, shape, form):
    """Same weights from the same np.random draws, and the same predict, loss, accuracy and backprop gradient."""
    args, kwargs = arguments
    rng = np.random.default_rng(3)
    x, labels = rng.random((4, *shape)), rng.integers(0, 3, 4)
    t = labels if form == "labels" else np.eye(3)[labels]
    np.random.seed(5)
    fast = fast_class(*args, **kwargs)
    fast_state = np.random.get_state()
    np.random.seed(5)
    twin = twin_class(*args, **kwargs)
    twin_state = np.random.get_state()
    assert fast_state[2] == twin_state[2] and np.array_equal(fast_state[1], twin_state[1])
    assert list(fast.params) == list(twin.params)
    assert all(np.array_equal(fast.params[key], twin.params[key]) for key in twin.params)
    for net in (fast, twin):  # the dropout masks of the training passes below, from one generator state each
        for layer in getattr(net, "layers", {}).values():
            if hasattr(layer, "dropout_ratio"):
                layer.rng = np.random.default_rng(9)
    assert np.array_equal(fast.predict(x), twin.predict(x))
    assert fast.loss(x, t) == twin.loss(x, t)
    assert fast.accuracy(x, t) == twin.accuracy(x, t)
    got, expected = fast.gradient(x, t), twin.gradient(x, t)
    assert list(got) == list(expected) and all(np.array_equal(got[key], expected[key]) for key in expected)


def test_simple_net_is_the_books_bit_for_bit():
    np.random.seed(2)
    fast = nn.SimpleNet()
    np.random.seed(2)
    twin = nn_reference.SimpleNet()
    x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
    assert np.array_equal(fast.W, twin.W) and fast.loss(x, t) == twin.loss(x, t)
    assert np.array_equal(fast.gradient(x, t), twin.gradient(x, t))


def test_conv_net_params_round_trip(tmp_path):
    net = nn.SimpleConvNet((1, 6, 6), CONV, 4, 3, rng=np.random.default_rng(0))
    net.save_params(tmp_path / "params.pkl")
    other = nn.SimpleConvNet((1, 6, 6), CONV, 4, 3, rng=np.random.default_rng(1))
    other.load_params(tmp_path / "params.pkl")
    x = np.random.default_rng(2).random((2, 1, 6, 6))
    assert np.array_equal(other.predict(x), net.predict(x)) and other.layers["Conv1"].W is other.params["W1"]
    (tmp_path / "bad.pkl").write_bytes(__import__("pickle").dumps([1, 2]))
    with pytest.raises(TypeError, match="dict of arrays"):
        other.load_params(tmp_path / "bad.pkl")


def test_widths_in_any_sequence():
    assert list(nn.MultiLayerNet(4, np.array([3, 2]), 2).layers)[-1] == "Affine3"
    assert list(nn.MultiLayerNet(4, (3,), 2).params) == ["W1", "b1", "W2", "b2"]


@pytest.mark.parametrize("make, error, message", [
    (lambda: nn.MultiLayerNet(4, "32", 2), TypeError, "hidden_size_list"),
    (lambda: nn.MultiLayerNet(4, [3], 2, weight_init_std="gauss"), ValueError, "weight_init_std"),
    (lambda: nn.MultiLayerNet(4, [3], 2, activation="tanh"), ValueError, "activation"),
    (lambda: nn.MultiLayerNet(4, [3.5], 2), TypeError, "hidden_size_list"),
    (lambda: nn.MultiLayerNet(4, [0, 3], 2), ValueError, "W2 by its fan-in, which is 0"),
    (lambda: nn.ReluTwoLayerNet(4, -3, 2), ValueError, "hidden_size"),
    (lambda: nn.TwoLayerNet(4, 3, 2, rng=42), TypeError, "rng"),
    (lambda: nn.SimpleNet(True, 3), TypeError, "input_size"),
    (lambda: nn.SimpleConvNet(conv_param={"filter_num": 3}), TypeError, "conv_param"),
    (lambda: nn.SimpleConvNet(conv_param={"filter_num": 3, "filter_size": 3, "pad": 0, "stride": 0}), ValueError,
     "stride"),
    (lambda: layers.Dropout(0.5, rng="seed"), TypeError, "rng"),
])
def test_bad_constructor_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize("t, error", [(np.array([0, -1]), ValueError), (np.array([0, 3]), ValueError),
                                      (np.array([0.0, 1.0]), TypeError), (np.array([0, 1, 2]), ValueError)])
def test_the_loss_refuses_labels_the_book_reads_silently_wrong(t, error):
    """The book's indexing reads a label -1 as the last class; fastgd's loss names the label instead."""
    net = nn.ReluTwoLayerNet(4, 3, 3, rng=np.random.default_rng(0))
    with pytest.raises(error, match="t"):
        net.loss(np.ones((2, 4)), t)


@pytest.mark.parametrize("fast_class, twin_class, args", [
    (nn.ReluTwoLayerNet, relu_reference.ReluTwoLayerNet, (4, 0, 3)),
    (nn.TwoLayerNet, nn_reference.TwoLayerNet, (4, 0, 3)),
    (nn.MultiLayerNetExtend, multi_reference.MultiLayerNetExtend, (4, [3, 0], 3, "relu", 0.1)),
])
def test_a_layer_of_no_units_gives_the_books_empty_gradient(fast_class, twin_class, args):
    """The kernels refused a parameter of no elements with an internal error; the book returns an empty gradient."""
    x, t = np.random.default_rng(0).random((2, 4)), np.array([0, 2])
    np.random.seed(0)
    got = fast_class(*args).numerical_gradient(x, t)
    np.random.seed(0)
    expected = twin_class(*args).numerical_gradient(x, t)
    assert all(got[key].shape == expected[key].shape and np.array_equal(got[key], expected[key]) for key in expected)
