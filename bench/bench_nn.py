"""TwoLayerNet.numerical_gradient: fastgd's incremental kernel vs the numpy reference net.

Run: ``pytest bench/bench_nn.py --benchmark-json=results.json`` (the digits need
``pip install ".[nn]"``), then ``python bench/report.py results.json``.
"""
import numpy as np
import pytest

from fastgd import nn
from fastgd.reference import nn as reference


def mnist_like(rng, n=100, n_in=784, zeros=0.8):
    """Inputs in [0, 1] with about ``zeros`` of them exactly zero, as MNIST's background."""
    x = rng.random((n, n_in))
    x[rng.random((n, n_in)) < zeros] = 0
    return x, np.eye(10)[rng.integers(0, 10, n)]


def digits(n=100):
    datasets = pytest.importorskip("fastgd.datasets")
    pytest.importorskip("sklearn")
    (x, t), _ = datasets.load_digits()
    return x[:n], t[:n]


CASES = {
    "(784, 50, 10), batch 100, MNIST-like (80% zeros)": lambda rng: ((784, 50, 10), mnist_like(rng)),
    "(64, 50, 10), batch 100, digits": lambda rng: ((64, 50, 10), digits()),
}


@pytest.mark.parametrize("name", ["fastgd", "reference"])
@pytest.mark.parametrize("case", CASES)
def test_two_layer_net(benchmark, case, name):
    benchmark.group = f"TwoLayerNet.numerical_gradient, {case}"
    rng = np.random.default_rng(0)
    sizes, (x, t) = CASES[case](rng)
    net = (nn if name == "fastgd" else reference).TwoLayerNet(*sizes, rng=rng)
    if name == "reference" and sizes[0] == 784:
        benchmark.pedantic(net.numerical_gradient, (x, t), rounds=3, iterations=1)  # about 8 s a call
    else:
        benchmark(net.numerical_gradient, x, t)
