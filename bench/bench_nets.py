"""The book's nets' numerical_gradient: fastgd.nn's compiled kernels vs the numpy twin (the book's code).

Run: ``pytest bench/bench_nets.py --benchmark-json=results.json``, then
``python bench/report.py results.json``. Inputs are MNIST-like (values in [0, 1), 80% exactly
zero, as MNIST's background), labels one-hot, weights the book's draws from ``np.random.seed(0)``.

Where the twin would take minutes or hours for one gradient, its line times the book's
``numerical_gradient`` on the first ``k`` elements of the largest parameter (every element costs
the same two full forward passes) and the report scales it by ``P / k`` (``scale`` in the
line's extra info; the label says so). The ``beside a busy process`` group runs fastgd's
threaded gradients on 1 and on 2 threads while another process keeps one core busy.
"""
import multiprocessing
import time

import numpy as np
import pytest

import fastgd
from fastgd import nn
from fastgd.reference import gradient as reference_gradient
from fastgd.reference import multi_layer_net, relu_two_layer_net, simple_convnet
from fastgd.reference import nn as reference_nn


def mnist_like(shape, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random(shape)
    x[rng.random(shape) < 0.8] = 0
    return x


def one_hot(n, seed=1):
    return np.eye(10)[np.random.default_rng(seed).integers(0, 10, n)]


GRADIENT_CHECK = {"filter_num": 10, "filter_size": 3, "pad": 0, "stride": 1}
# name: (fastgd net, its twin, constructor arguments, input shape, elements the twin is timed on or None: all)
CASES = {
    "ch05 TwoLayerNet(784, 50, 10), batch 3 (ch05/gradient_check.py)":
        (nn.ReluTwoLayerNet, relu_two_layer_net.ReluTwoLayerNet, ((784, 50, 10), {}), (3, 784), None),
    "MultiLayerNet(784, [100]*5, 10), batch 1":
        (nn.MultiLayerNet, multi_layer_net.MultiLayerNet, ((784, [100] * 5, 10), {}), (1, 784), 2000),
    "MultiLayerNetExtend(784, [100, 100], 10, batch norm), batch 1 (ch06/batch_norm_gradient_check.py)":
        (nn.MultiLayerNetExtend, multi_layer_net.MultiLayerNetExtend, ((784, [100, 100], 10), {"use_batchnorm": True}),
         (1, 784), 2000),
    "MultiLayerNetExtend(784, [100, 100], 10, batch norm), batch 10":
        (nn.MultiLayerNetExtend, multi_layer_net.MultiLayerNetExtend, ((784, [100, 100], 10), {"use_batchnorm": True}),
         (10, 784), 1000),
    "MultiLayerNetExtend(784, [100, 100], 10, dropout 0.2), batch 10":
        (nn.MultiLayerNetExtend, multi_layer_net.MultiLayerNetExtend,
         ((784, [100, 100], 10), {"use_dropout": True, "dropout_ration": 0.2}), (10, 784), 1000),
    "SimpleConvNet (1, 10, 10) of ch07/gradient_check.py, batch 1":
        (nn.SimpleConvNet, simple_convnet.SimpleConvNet, (((1, 10, 10), GRADIENT_CHECK, 10, 10, 0.01), {}),
         (1, 1, 10, 10), None),
    "SimpleConvNet (1, 28, 28), the book's defaults, batch 10":
        (nn.SimpleConvNet, simple_convnet.SimpleConvNet, ((), {}), (10, 1, 28, 28), 300),
}


def build(case, implementation):
    fast_class, twin_class, (args, kwargs), shape, _ = CASES[case]
    np.random.seed(0)  # noqa: NPY002 - the book's weights come from np.random
    net = (fast_class if implementation == "fastgd" else twin_class)(*args, **kwargs)
    return net, mnist_like(shape), one_hot(shape[0])


@pytest.mark.parametrize("name", ["fastgd", "reference"])
@pytest.mark.parametrize("case", CASES)
def test_numerical_gradient(benchmark, case, name):
    benchmark.group = f"numerical_gradient, {case}"
    net, x, t = build(case, name)
    subset = CASES[case][4]
    if name == "fastgd":
        benchmark(net.numerical_gradient, x, t)
    elif subset is None:
        benchmark.pedantic(net.numerical_gradient, (x, t), rounds=3, iterations=1)
    else:
        time_reference_part(benchmark, net, x, t, subset)


def _spin(stop):
    while not stop.is_set():
        pass


@pytest.fixture(scope="module")
def busy_core():
    """Another process keeping one core busy, as a neighbour on a shared machine."""
    stop = multiprocessing.Event()
    process = multiprocessing.Process(target=_spin, args=(stop,), daemon=True)
    process.start()
    time.sleep(0.2)
    yield
    stop.set()
    process.join()


BUSY_CASES = {
    "ch04 TwoLayerNet(784, 50, 10), batch 100": (nn.TwoLayerNet, reference_nn.TwoLayerNet, (784, 50, 10), (100, 784)),
    "SimpleConvNet (1, 28, 28), batch 10": (nn.SimpleConvNet, simple_convnet.SimpleConvNet, (), (10, 1, 28, 28)),
}


def time_reference_part(benchmark, net, x, t, subset):
    """The book's loop over the first ``subset`` elements of the largest parameter, scaled to all of them."""
    largest = max(net.params.values(), key=np.size)
    total = sum(p.size for p in net.params.values())
    benchmark.extra_info.update(label=f"reference (timed on {subset} of {total} parameters, scaled)",
                                scale=total / subset)
    benchmark.pedantic(reference_gradient.numerical_gradient, (lambda W: net.loss(x, t), largest.reshape(-1)[:subset]),
                       rounds=3, iterations=1)


@pytest.mark.parametrize("threads", [1, 2, "reference"])
@pytest.mark.parametrize("case", BUSY_CASES)
def test_beside_a_busy_process(benchmark, busy_core, case, threads):
    benchmark.group = f"beside a busy process, {case}"
    fast_class, twin_class, args, shape = BUSY_CASES[case]
    np.random.seed(0)  # noqa: NPY002 - the book's weights come from np.random
    net = (twin_class if threads == "reference" else fast_class)(*args)
    x, t = mnist_like(shape), one_hot(shape[0])
    if threads == "reference":
        time_reference_part(benchmark, net, x, t, 300)
        return
    benchmark.extra_info["label"] = f"fastgd, {threads} thread{'s' if threads > 1 else ''}"
    before = fastgd.get_num_threads()
    fastgd.set_num_threads(threads)
    try:
        benchmark.pedantic(net.numerical_gradient, (x, t), rounds=5, iterations=1)
    finally:
        fastgd.set_num_threads(before)


def interleaved(rounds=3):
    """Print the issue's target cases as a table: medians of ``rounds`` interleaved (fastgd, twin) pairs."""
    import statistics

    targets = [case for case in CASES if "dropout" not in case and ("batch 10" not in case or "Conv" in case)]
    times = {case: [] for case in targets}
    for _ in range(rounds):
        for case in targets:
            fast, x, t = build(case, "fastgd")
            twin, _, _ = build(case, "reference")
            start = time.perf_counter()
            fast.numerical_gradient(x, t)
            fast_time = time.perf_counter() - start
            subset = CASES[case][4]
            largest = max(twin.params.values(), key=np.size)
            total = sum(p.size for p in twin.params.values())
            start = time.perf_counter()
            if subset is None:
                twin.numerical_gradient(x, t)
            else:
                loss = twin.gradient_loss(x, t)
                reference_gradient.numerical_gradient(loss, largest.reshape(-1)[:subset])
            twin_time = (time.perf_counter() - start) * (total / subset if subset else 1)
            times[case].append((fast_time, twin_time))
    print("| case | fastgd | twin (the book) | twin ÷ fastgd |\n| --- | ---: | ---: | ---: |")
    for case, pairs in times.items():
        fast_time = statistics.median(pair[0] for pair in pairs)
        twin_time = statistics.median(pair[1] for pair in pairs)
        print(f"| {case} | {fast_time * 1e3:.2f} ms | {twin_time:.2f} s | {twin_time / fast_time:,.0f}× |")


if __name__ == "__main__":
    interleaved()
