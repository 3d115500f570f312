"""Shared objectives for the benchmarks: the textbook's loss functions."""
import numpy as np
import pytest

from fastgd.reference.nn import SimpleNet


def nothing(x):
    """A do-nothing objective: what is left is the loop's own overhead."""
    return 0.0


def sum_squares_2(x):
    """The textbook's function_2: x0² + x1²."""
    return x[0] ** 2 + x[1] ** 2


def sum_squares(x):
    """np.sum(x**2), for any n."""
    return np.sum(x**2)


@pytest.fixture
def simple_net_loss():
    """The textbook's 2×3 softmax/cross-entropy net: ``(f, W)`` with ``f`` ignoring its argument."""
    net = SimpleNet(rng=np.random.default_rng(0))
    x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
    return (lambda w: net.loss(x, t)), net.W
