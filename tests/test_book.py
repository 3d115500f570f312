"""fastgd.book: every mirror module, its names, its models and the book's loops run through it."""
import importlib

import numpy as np
import pytest

import fastgd
from fastgd import reference
from fastgd.book import _gradients
from fastgd.reference import multi_layer_net as multi_reference
from fastgd.reference import nn as ch04_reference
from fastgd.reference import relu_two_layer_net as ch05_reference
from fastgd.reference import simple_convnet as ch07_reference

FUNCTIONS = {"np", "identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad", "softmax",
             "sum_squared_error", "cross_entropy_error", "softmax_loss"}
KOREAN_FUNCTIONS = FUNCTIONS - {"sum_squared_error"} | {"mean_squared_error"}
LAYERS = {"Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout", "BatchNormalization", "Convolution", "Pooling",
          "im2col", "col2im"}
UTIL = {"np", "smooth_curve", "shuffle_dataset", "conv_output_size", "im2col", "col2im"}
OPTIMIZERS = {"np", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"}
NET_MODULE = {"sys", "os", "OrderedDict", "numerical_gradient"}

# What ``from <book module> import *`` gives in the book (the names its module defines and imports).
BOOK_NAMES = {
    "common.functions": FUNCTIONS,
    "common.gradient": {"np", "numerical_gradient", "numerical_gradient_2d"},
    "common.util": UTIL,
    "common.layers": FUNCTIONS | LAYERS,
    "common.multi_layer_net": FUNCTIONS | LAYERS | NET_MODULE | {"MultiLayerNet"},
    "common.multi_layer_net_extend": FUNCTIONS | LAYERS | NET_MODULE | {"MultiLayerNetExtend"},
    "common.optimizer": OPTIMIZERS,
    "common.trainer": OPTIMIZERS | {"sys", "os", "Trainer"},
    "ch04.gradient_1d": {"np", "numerical_diff", "function_1", "tangent_line"},
    "ch04.gradient_2d": {"np", "numerical_gradient", "function_2", "tangent_line"},
    "ch04.gradient_method": {"np", "numerical_gradient", "gradient_descent", "function_2"},
    "ch04.gradient_simplenet": {"sys", "os", "np", "softmax", "cross_entropy_error", "numerical_gradient",
                                "simpleNet"},
    "ch04.two_layer_net": FUNCTIONS | {"sys", "os", "numerical_gradient", "TwoLayerNet"},
    "ch05.two_layer_net": FUNCTIONS | LAYERS | NET_MODULE | {"TwoLayerNet"},
    "ch07.simple_convnet": FUNCTIONS | LAYERS | NET_MODULE | {"pickle", "SimpleConvNet"},
}


def korean(names):
    return names - {"sum_squared_error"} | {"mean_squared_error"} if "sum_squared_error" in names else names


@pytest.mark.parametrize("edition", ["", "ko."])
@pytest.mark.parametrize("module", sorted(BOOK_NAMES))
def test_mirror_gives_the_books_names(edition, module):
    mirror = importlib.import_module(f"fastgd.book.{edition}{module}")
    expected = korean(BOOK_NAMES[module]) if edition else BOOK_NAMES[module]
    assert set(mirror.__all__) == expected
    namespace = {}
    exec(f"from fastgd.book.{edition}{module} import *", namespace)  # what a book script's star import gets
    assert expected <= set(namespace)
    assert namespace["np"] is np if "np" in expected else True


@pytest.mark.parametrize("edition", ["", "ko."])
def test_each_net_module_gives_the_books_model(edition):
    """Chapter 4's TwoLayerNet is the sigmoid net without layers, chapter 5's the ReLU layers: never the other."""
    book = f"fastgd.book.{edition}"
    cases = [
        ("ch04.two_layer_net", "TwoLayerNet", ch04_reference.TwoLayerNet, (20, 6, 3)),
        ("ch05.two_layer_net", "TwoLayerNet", ch05_reference.ReluTwoLayerNet, (20, 6, 3)),
        ("common.multi_layer_net", "MultiLayerNet", multi_reference.MultiLayerNet, (20, [6, 5], 3)),
        ("common.multi_layer_net_extend", "MultiLayerNetExtend", multi_reference.MultiLayerNetExtend,
         (20, [6, 5], 3)),
    ]
    rng = np.random.default_rng(0)
    x, t = rng.random((4, 20)), np.eye(3)[[0, 2, 1, 1]]
    for module, name, twin_class, args in cases:
        net_class = getattr(importlib.import_module(book + module), name)
        assert net_class.__module__.startswith("fastgd.") and not issubclass(net_class, twin_class), module
        np.random.seed(1)
        net = net_class(*args)
        np.random.seed(1)
        twin = twin_class(*args)
        assert list(getattr(net, "layers", [])) == list(getattr(twin, "layers", [])), module
        assert list(net.params) == list(twin.params)
        assert all(np.array_equal(net.params[key], twin.params[key]) for key in twin.params)
        assert net.loss(x, t) == twin.loss(x, t)
        got, expected = net.numerical_gradient(x, t), twin.numerical_gradient(x, t)
        assert all(np.abs(got[key] - expected[key]).max() < 1e-9 for key in expected), module
    np.random.seed(1)
    conv = importlib.import_module(book + "ch07.simple_convnet").SimpleConvNet()
    np.random.seed(1)
    twin = ch07_reference.SimpleConvNet()
    assert list(conv.layers) == list(twin.layers)
    assert all(np.array_equal(conv.params[key], twin.params[key]) for key in twin.params)


def test_chapter_5_gradient_check_and_training_steps():
    """ch05's gradient_check.py and a few steps of its training loop (with numerical gradients), at a smaller size."""
    from fastgd.book.ch05.two_layer_net import TwoLayerNet

    rng = np.random.default_rng(2)
    x_train, t_train = rng.random((30, 100)), np.eye(10)[rng.integers(0, 10, 30)]
    x_train[x_train < 0.8] = 0
    np.random.seed(0)
    network = TwoLayerNet(input_size=100, hidden_size=20, output_size=10)
    np.random.seed(0)
    twin = ch05_reference.ReluTwoLayerNet(input_size=100, hidden_size=20, output_size=10)
    grad_numerical = network.numerical_gradient(x_train[:3], t_train[:3])
    grad_backprop = network.gradient(x_train[:3], t_train[:3])
    for key in grad_numerical:
        assert np.average(np.abs(grad_backprop[key] - grad_numerical[key])) < 1e-6
    for step in range(3):
        batch_mask = np.random.choice(30, 10)
        for net in (network, twin):  # the twin steps with its own (numpy) numerical gradient
            grad = net.numerical_gradient(x_train[batch_mask], t_train[batch_mask])
            for key in ("W1", "b1", "W2", "b2"):
                net.params[key] -= 0.1 * grad[key]
        assert abs(network.loss(x_train, t_train) - twin.loss(x_train, t_train)) < 1e-12, step
        assert network.accuracy(x_train, t_train) == twin.accuracy(x_train, t_train)


def test_optimizer_star_import_brings_np():
    namespace = {}
    exec("from fastgd.book.common.optimizer import *\nx = np.zeros(2)", namespace)
    assert namespace["Adam"] is fastgd.Adam and namespace["x"].shape == (2,)


def test_korean_optimizer_module_gives_the_korean_nesterov():
    namespace = {}
    exec("from fastgd.book.ko.common.optimizer import *", namespace)
    assert namespace["Nesterov"] is fastgd.NesterovKorean and namespace["Adam"] is fastgd.Adam


def run_trainer(trainer_class, net_class, optimizer, capsys):
    np.random.seed(3)
    net = net_class(12, [8, 6], 3, use_batchnorm=True)
    rng = np.random.default_rng(4)
    x, t = rng.random((40, 12)), rng.integers(0, 3, 40)
    trainer = trainer_class(net, x, t, x[:20], t[:20], epochs=2, mini_batch_size=10, optimizer=optimizer,
                            optimizer_param={"lr": 0.05}, evaluate_sample_num_per_epoch=15)
    trainer.train()
    return capsys.readouterr().out


@pytest.mark.parametrize("optimizer", ["SGD", "momentum", "Nesterov", "adagrad", "rmsprop", "adam"])
def test_trainer_prints_the_books_lines(optimizer, capsys):
    from fastgd.book.common.trainer import Trainer

    class ReferenceTrainer(Trainer):
        OPTIMIZERS = {name.lower(): getattr(reference, name) for name in
                      ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam")}

    printed = run_trainer(Trainer, fastgd.nn.MultiLayerNetExtend, optimizer, capsys)
    expected = run_trainer(ReferenceTrainer, multi_reference.MultiLayerNetExtend, optimizer, capsys)
    assert printed == expected
    lines = printed.splitlines()
    assert lines[0].startswith("train loss:") and lines[1].startswith("=== epoch:1, train acc:")
    assert lines[-2:] == ["=============== Final Test Accuracy ===============", lines[-1]]
    assert lines[-1].startswith("test acc:") and len(lines) == 8 + 2 + 2


def widened_spec(f, x, h=1e-4):
    """The book's per-element loop with the +h point written as float(value) + h (C-contiguous x)."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        kept = x[idx]
        x[idx] = float(kept) + h
        up = f(x)
        x[idx] = kept - h
        down = f(x)
        x[idx] = kept
        grad[idx] = (up - down) / (2 * h)
    return grad


def sensitive(x):
    """An objective of float32 arguments whose value sees their last place (summed in float64)."""
    return float(np.dot(x.astype(np.float64).ravel(), np.linspace(1.0, 2.0, x.size)))


def small_float32(shape, seed=0):
    return (np.random.default_rng(seed).random(shape) * 1e-3).astype(np.float32)


def test_korean_numerical_gradient_is_the_widened_loop():
    from fastgd.book.ko.common.gradient import numerical_gradient

    x = small_float32((40, 3))
    expected = widened_spec(sensitive, x.copy())
    got = numerical_gradient(sensitive, x)
    assert got.dtype == np.float32 and np.array_equal(got, expected)
    assert not np.array_equal(got, fastgd.numerical_gradient(sensitive, x))  # float32 tells the two apart
    assert np.array_equal(x, small_float32((40, 3)))  # restored
    x64 = x.astype(np.float64)  # float64: the same as the original's numerical_gradient
    assert np.array_equal(numerical_gradient(sensitive, x64), fastgd.numerical_gradient(sensitive, x64))


@pytest.mark.parametrize("name", ["fastgd.book.common.gradient", "fastgd.book.ch04.gradient_2d"])
def test_per_row_gradients_are_the_widened_loop(name):
    module = importlib.import_module(name)
    gradient = getattr(module, "numerical_gradient_2d", None) or module.numerical_gradient
    X = small_float32((6, 4), seed=1)
    expected = np.array([widened_spec(sensitive, row.copy()) for row in X])
    assert np.array_equal(gradient(sensitive, X), expected)
    assert np.array_equal(gradient(sensitive, X[0]), expected[0])
    with pytest.raises(ValueError, match="1-D .* or 2-D"):
        gradient(sensitive, np.zeros((2, 2, 2), dtype=np.float32))


def test_numerical_diff():
    from fastgd.book.ch04.gradient_1d import function_1, numerical_diff

    assert numerical_diff(function_1, 5) == (function_1(5 + 1e-4) - function_1(5 - 1e-4)) / (2 * 1e-4)
    assert numerical_diff(np.sin, 0.0, h=1e-3) == np.sin(1e-3) / 1e-3


@pytest.mark.parametrize("init_x", [np.array([-3.0, 4.0]), np.array([[-3.0, 4.0], [1.0, 2.0]]),
                                    np.array([-3.0, 4.0], dtype=np.float32)])
def test_gradient_descent_returns_x_and_its_history(init_x):
    from fastgd.book.ch04.gradient_method import gradient_descent

    def function_2(x):
        return np.sum(x**2)

    x_spec, history = init_x.copy(), []
    for _ in range(20):  # chapter 4's loop: one gradient per row of a 2-D x
        history.append(x_spec.copy())
        rows = x_spec.reshape(-1, x_spec.shape[-1])
        x_spec -= 0.1 * np.array([widened_spec(function_2, row.copy()) for row in rows]).reshape(x_spec.shape)
    x, x_history = gradient_descent(function_2, init_x, lr=0.1, step_num=20)
    assert x is init_x and np.array_equal(x, x_spec)
    assert x_history.shape == (20, *init_x.shape) and np.array_equal(x_history, np.array(history))
    x, x_history = gradient_descent(function_2, init_x, step_num=0)
    assert x is init_x and x_history.shape == (0,)


def test_korean_nets_take_the_korean_gradient_on_their_generic_path():
    from fastgd.book.ko.ch05.two_layer_net import TwoLayerNet

    np.random.seed(0)
    net = TwoLayerNet(5, 4, 3)
    for key in ("W1", "b1"):  # float32 params: not the kernels'
        net.params[key] = net.params[key].astype(np.float32) * np.float32(1e-3)
        setattr(net.layers["Affine1"], key[0], net.params[key])
    x, t = np.random.rand(2, 5), np.array([0, 2])
    got = net.numerical_gradient(x, t)
    assert np.array_equal(got["W1"], _gradients.widened_gradient(lambda W: net.loss(x, t), net.params["W1"]))


@pytest.mark.parametrize("optimizer", ["Nesterov", "rmsprpo", "rmsprop"])
def test_korean_trainer_prints_the_korean_editions_lines(optimizer, capsys):
    """The Korean edition's names: its Nesterov (v first) and its misspelt 'rmsprpo'."""
    from fastgd.book.ko.common.trainer import Trainer

    class ReferenceTrainer(Trainer):
        OPTIMIZERS = {"nesterov": reference.NesterovKorean, "rmsprpo": reference.RMSprop, "rmsprop": reference.RMSprop}

    printed = run_trainer(Trainer, fastgd.nn.MultiLayerNetExtend, optimizer, capsys)
    assert printed == run_trainer(ReferenceTrainer, multi_reference.MultiLayerNetExtend, optimizer, capsys)
    if optimizer == "Nesterov":  # the original's order gives other numbers
        from fastgd.book.common.trainer import Trainer as OriginalTrainer
        assert printed != run_trainer(OriginalTrainer, fastgd.nn.MultiLayerNetExtend, optimizer, capsys)


@pytest.mark.parametrize("optimizer", ["adadelta", None])
def test_trainer_names_an_unknown_optimizer(optimizer):
    """The book's trainer raised a bare KeyError (or AttributeError for None)."""
    from fastgd.book.common.trainer import Trainer

    x, t = np.zeros((4, 3)), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="optimizer must be one of"):
        Trainer(fastgd.nn.MultiLayerNet(3, [2], 2), x, t, x, t, optimizer=optimizer)
