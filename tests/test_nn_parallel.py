"""The nets' kernel jobs on fastgd's thread pool: every parameter once, the same numbers on any thread count,
Ctrl-C answered between chunks."""
import _thread
import threading
import time

import numpy as np
import pytest

import fastgd
from fastgd import nn
from fastgd.nn import _kernels, _mlp
from fastgd.nn._targets import targets


def output_job(J, rng, B=40, K=6):
    """An OutputJob over a J x K weight matrix (logits ``H @ W``), its output filled with NaN."""
    H = rng.random((B, J)) * (rng.random((B, J)) > 0.3)
    W = rng.standard_normal((J, K))
    out = np.full(J * K, np.nan)
    job = _kernels.OutputJob(H, W, _mlp.softmax_parts(H @ W), targets(rng.integers(0, K, B), B, K), 1e-4, out)
    return job, out


@pytest.mark.parametrize("J", [0, 1, 7, 300, 20_000])
def test_every_parameter_written_and_the_same_on_any_thread_count(J):
    results = []
    for threads in (1, 2, 3, 64):
        job, out = output_job(J, np.random.default_rng(J))
        assert job.n == out.size
        job.run_all(threads)
        assert not np.isnan(out).any()
        results.append(out)
    assert all(np.array_equal(results[0], other) for other in results[1:])


def test_nets_large_enough_for_helpers_give_the_same_bits_on_any_thread_count(whole_team):
    """Gradients of tens of milliseconds: the pool wakes a helper wherever a core is free."""
    rng = np.random.default_rng(3)
    cases = [
        (nn.TwoLayerNet(64, 50, 10), rng.random((100, 64)) * (rng.random((100, 64)) > 0.5), rng.integers(0, 10, 100)),
        (nn.MultiLayerNet(64, [40, 40], 10, activation="sigmoid", weight_decay_lambda=0.1),
         rng.random((50, 64)), rng.integers(0, 10, 50)),
        (nn.SimpleConvNet((1, 12, 12), {"filter_num": 8, "filter_size": 3, "pad": 1, "stride": 1}, 20, 10),
         rng.random((20, 1, 12, 12)), rng.integers(0, 10, 20)),
    ]
    before = fastgd.get_num_threads()
    try:
        for net, x, t in cases:
            results = []
            for threads in (1, 2, 1, 2):
                fastgd.set_num_threads(threads)
                results.append(net.numerical_gradient(x, t))
            for key in results[0]:
                assert all(np.array_equal(results[0][key], other[key]) for other in results[1:]), key
    finally:
        fastgd.set_num_threads(before)


def test_bad_thread_counts_run_on_the_caller():
    job, out = output_job(50, np.random.default_rng(0))
    job.run_all(0)
    expected = out.copy()
    job, out = output_job(50, np.random.default_rng(0))
    job.run_all(-5)
    assert np.array_equal(out, expected)


@pytest.mark.sends_sigint
@pytest.mark.parametrize("threads", [1, 2])
def test_ctrl_c_is_answered_between_chunks(threads, monkeypatch, whole_team):
    """A gradient of minutes (sigmoid layers: each change propagated sample by sample) stops soon after Ctrl-C."""
    monkeypatch.setattr(_mlp, "THREADED_WORK", 1)
    rng = np.random.default_rng(1)
    net = nn.MultiLayerNet(200, [300, 300], 10, activation="sigmoid")
    params = {key: value.copy() for key, value in net.params.items()}
    x, t = rng.random((100, 200)), rng.integers(0, 10, 100)
    sent = []
    timer = threading.Timer(0.5, lambda: (sent.append(time.perf_counter()), _thread.interrupt_main()))
    before = fastgd.get_num_threads()
    fastgd.set_num_threads(threads)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            net.numerical_gradient(x, t)
        answered = time.perf_counter()
    finally:
        timer.cancel()
        fastgd.set_num_threads(before)
    assert sent and answered - sent[0] < 1.0  # 50 ms by design; a busy machine may delay the main thread
    assert all(np.array_equal(net.params[key], params[key]) for key in params)
