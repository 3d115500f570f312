"""fastgd.nn's compiled gradients at every magnitude of input: never NaN where the numpy twin is finite.

Inputs of 1e7 and more once made the incremental kernels compute ``0 * inf`` (a saturated
sigmoid unit moved far, ``exp`` of a large logit move) where the twin's full evaluations give
finite numbers (issue 17, item 9). Here every net is compared with its twin over input scales
1 to 1e300, within the suite's 1e-9.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastgd import nn
from fastgd.reference import multi_layer_net as multi_reference
from fastgd.reference import nn as nn_reference
from fastgd.reference import relu_two_layer_net as relu_reference
from fastgd.reference import simple_convnet as conv_reference

TOLERANCE = 1e-9  # absolute, as in test_nn_nets.py
CONV = {"filter_num": 2, "filter_size": 3, "pad": 0, "stride": 1}
# name: (fast class, twin class, constructor arguments given the weight scale, one sample's shape, classes)
NETS = {
    "TwoLayerNet": (nn.TwoLayerNet, nn_reference.TwoLayerNet, lambda w: ((6, 5, 3), {"weight_init_std": w}), (6,), 3),
    "ReluTwoLayerNet": (nn.ReluTwoLayerNet, relu_reference.ReluTwoLayerNet,
                        lambda w: ((6, 5, 3), {"weight_init_std": w}), (6,), 3),
    "MultiLayerNet relu": (nn.MultiLayerNet, multi_reference.MultiLayerNet,
                           lambda w: ((6, [5, 4], 3), {"weight_init_std": w}), (6,), 3),
    "MultiLayerNet sigmoid": (nn.MultiLayerNet, multi_reference.MultiLayerNet,
                              lambda w: ((6, [5, 4], 3), {"weight_init_std": w, "activation": "sigmoid"}), (6,), 3),
    "MultiLayerNetExtend batch norm": (nn.MultiLayerNetExtend, multi_reference.MultiLayerNetExtend,
                                       lambda w: ((6, [5, 4], 3), {"weight_init_std": w, "use_batchnorm": True}),
                                       (6,), 3),
    "MultiLayerNetExtend dropout": (nn.MultiLayerNetExtend, multi_reference.MultiLayerNetExtend,
                                    lambda w: ((6, [5, 4], 3), {"weight_init_std": w, "use_dropout": True}), (6,), 3),
    "SimpleConvNet": (nn.SimpleConvNet, conv_reference.SimpleConvNet,
                      lambda w: (((1, 6, 6), CONV, 4, 3, w), {}), (1, 6, 6), 3),
}


def compare(name, weight_scale, x, t, seed):
    """Both gradients from the same weights and np.random state: the twin's numbers within TOLERANCE, no NaN."""
    fast_class, twin_class, arguments, _, _ = NETS[name]
    args, kwargs = arguments(weight_scale)
    with np.errstate(over="ignore", invalid="ignore"):  # saturated sigmoid units, batch variances of 1e300
        np.random.seed(seed)
        got = fast_class(*args, **kwargs).numerical_gradient(x, t)
        np.random.seed(seed)
        expected = twin_class(*args, **kwargs).numerical_gradient(x, t)
    for key in expected:
        finite = np.isfinite(expected[key])
        assert np.all(np.isfinite(got[key])[finite]), (key, got[key])
        assert float(np.abs(got[key] - expected[key])[finite].max(initial=0.0)) <= TOLERANCE, key


ISSUE_CASES = [  # (fast class, twin class, constructor arguments, one sample's shape, scale)
    (nn.TwoLayerNet, nn_reference.TwoLayerNet, (3, 4, 2), (3,), 1e7),
    (nn.MultiLayerNet, multi_reference.MultiLayerNet, (3, [4, 4], 2), (3,), 1e7),
    (nn.ReluTwoLayerNet, relu_reference.ReluTwoLayerNet, (3, 4, 2), (3,), 1e8),
    (nn.SimpleConvNet, conv_reference.SimpleConvNet, ((1, 6, 6), CONV, 4, 2), (1, 6, 6), 1e10),
]


@pytest.mark.parametrize("fast_class, twin_class, args, shape, scale", ISSUE_CASES)
def test_the_issues_cases(fast_class, twin_class, args, shape, scale):
    """Issue 17's reproductions (the book's weights from np.random.seed(0)): all NaN, the twin's all finite."""
    x, t = np.full((2, *shape), scale), np.array([0, 1])
    with np.errstate(over="ignore"):  # saturated sigmoid units
        np.random.seed(0)
        got = fast_class(*args).numerical_gradient(x, t)
        np.random.seed(0)
        expected = twin_class(*args).numerical_gradient(x, t)
    for key in expected:
        assert np.all(np.isfinite(expected[key])) and np.all(np.abs(got[key] - expected[key]) <= TOLERANCE), key


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(NETS)), exponent=st.floats(0, 300), weight_scale=st.sampled_from([0.01, 0.5, 3.0]),
       n=st.integers(1, 3), zeros=st.sampled_from([0.0, 0.3]), seed=st.integers(0, 2**16))
def test_every_scale_matches_the_twin(name, exponent, weight_scale, n, zeros, seed):
    shape, n_out = NETS[name][3:]
    rng = np.random.default_rng(seed)
    x = rng.random((n, *shape)) * 10.0**exponent
    x[rng.random(x.shape) < zeros] = 0
    compare(name, weight_scale, x, rng.integers(0, n_out, n), seed)
