"""Training steps beside a busy neighbour: fastgd ÷ numpy per step, every optimizer and fastgd.nn.

A second process spins on one core (another job on a shared machine) while each case runs a step
of a training loop: a little numpy work (the batch's forward product ``tanh(X @ W1)``, which numpy
may spread over its BLAS threads) and an optimizer update of a two-layer net's params; or the nets'
numerical gradient. fastgd must never make such a loop slower than its numpy original.

    python bench/bench_contention.py [--quiet]   # fastgd ÷ numpy per step: interleaved rounds, medians
    python bench/bench_contention.py --c-objective   # a C objective's gradient on 1 and 2 threads
    pytest bench/bench_contention.py --benchmark-json=results.json && python bench/report.py results.json

``--quiet`` runs the same steps without the neighbour, for comparison. The pytest form reports
"reference ÷ this" like every other benchmark here (above 1× is faster than numpy).
"""
import argparse
import contextlib
import multiprocessing as mp
import statistics
import time

import numpy as np
import pytest

import fastgd
from fastgd import reference
from fastgd.nn import TwoLayerNet
from fastgd.optim.table import NAMES
from fastgd.reference import nn as reference_nn

NETS = {  # name: (input, hidden, output) sizes; W1 of 39,200 and 784,000 elements
    "(784, 50, 10)": (784, 50, 10),
    "(784, 1000, 10)": (784, 1000, 10),
}


def _spin(stop):
    while not stop.is_set():
        pass


class BusyNeighbour:
    """A process that keeps one core busy while the context is open."""

    def __enter__(self):
        self.stop = mp.Event()
        self.process = mp.Process(target=_spin, args=(self.stop,), daemon=True)
        self.process.start()
        time.sleep(0.3)  # let it reach its core
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.process.join()


def optimizer_step(module, name, net):
    """A no-argument training step: the forward product, then ``module.<name>`` updating the net's params."""
    n_in, hidden, n_out = NETS[net]
    rng = np.random.default_rng(0)
    shapes = {"W1": (n_in, hidden), "b1": (hidden,), "W2": (hidden, n_out), "b2": (n_out,)}
    params = {key: rng.standard_normal(shape) * 0.01 for key, shape in shapes.items()}
    grads = {key: rng.standard_normal(shape) for key, shape in shapes.items()}
    x = rng.standard_normal((100, n_in))
    opt = getattr(module, name)(lr=1e-9)

    def step():
        np.tanh(x @ params["W1"])
        opt.update(params, grads)
    return step


def nn_step(module):
    """A no-argument step: the (64, 50, 10) net's numerical gradient on a batch of 100 digit-like inputs."""
    rng = np.random.default_rng(1)
    x = rng.random((100, 64)) * (rng.random((100, 64)) > 0.5)  # half the pixels blank, as in the digits
    t = np.eye(10)[rng.integers(0, 10, 100)]
    net = (TwoLayerNet if module is fastgd else reference_nn.TwoLayerNet)(64, 50, 10)
    return lambda: net.numerical_gradient(x, t)


def cases():
    """``(label, make_step(module), steps per block)`` for every optimizer on every net, then fastgd.nn."""
    for net in NETS:
        for name in NAMES:
            yield f"{name} step, {net} net", lambda m, name=name, net=net: optimizer_step(m, name, net), \
                30 if net == "(784, 50, 10)" else 3
    yield "TwoLayerNet(64, 50, 10).numerical_gradient, batch 100", nn_step, 1


# ---- pytest-benchmark ----

@pytest.fixture(scope="module")
def busy_neighbour():
    with BusyNeighbour():
        yield


@pytest.mark.parametrize("impl", ["fastgd", "reference"])
@pytest.mark.parametrize("label, make, steps", list(cases()))
def test_step_beside_a_busy_core(benchmark, busy_neighbour, label, make, steps, impl):
    benchmark.group = f"{label}, one core busy"
    benchmark.extra_info["label"] = impl
    step = make(fastgd if impl == "fastgd" else reference)
    if impl == "reference" and steps == 1:  # the reference net's gradient takes a quarter of a second
        benchmark.pedantic(step, rounds=2, iterations=1)
    else:
        benchmark(step)


# ---- python bench/bench_contention.py ----

def _seconds(step, steps):
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def main(rounds=15, quiet=False):
    """Print fastgd's step time ÷ numpy's per case: blocks of steps alternate, medians over the blocks.

    A second numpy step against the first (its ratio should be 1) shows how noisy the machine is.
    """
    print(f"fastgd {fastgd.__version__}, {fastgd.get_num_threads()} threads, "
          f"{'no neighbour' if quiet else 'one core busy with another process'}; "
          f"median of {rounds} alternating blocks")
    print(f"{'case':58} {'fastgd':>10} {'numpy':>10} {'fastgd ÷ numpy':>15} {'numpy ÷ numpy':>14}")
    with BusyNeighbour() if not quiet else contextlib.nullcontext():
        for label, make, steps in cases():
            fast, slow, control = make(fastgd), make(reference), make(reference)
            fast(), slow(), control()  # states, caches
            times = {"fastgd": [], "numpy": [], "control": []}
            for _ in range(rounds if steps > 1 else 2):
                times["fastgd"].append(_seconds(fast, steps))
                times["numpy"].append(_seconds(slow, steps))
                times["control"].append(_seconds(control, steps))
            ratio = statistics.median(f / s for f, s in zip(times["fastgd"], times["numpy"], strict=True))
            noise = statistics.median(c / s for c, s in zip(times["control"], times["numpy"], strict=True))
            print(f"{label:58} {statistics.median(times['fastgd']) * 1e3:8.3f}ms "
                  f"{statistics.median(times['numpy']) * 1e3:8.3f}ms {ratio:15.2f} {noise:14.2f}", flush=True)


def c_objective_threads(rounds=9):
    """Print a numba objective's gradient time on 1 and 2 threads (and the default), quiet and beside a
    busy neighbour: medians of alternating blocks. Needs numba (``pip install ".[parallel]"``)."""
    from numba import carray, cfunc, types

    @cfunc(types.float64(types.intc, types.CPointer(types.float64), types.voidptr))
    def sum_squares(n, x, user_data):
        a = carray(x, n)
        return (a * a).sum()

    for n, steps in ((100, 400), (1000, 20), (3000, 3)):
        x = np.linspace(-1, 1, n)
        for busy in (False, True):
            runs = {threads: (lambda threads=threads, x=x: fastgd.numerical_gradient(sum_squares, x, threads=threads))
                    for threads in (1, 2, None)}
            times = {threads: [] for threads in runs}
            with BusyNeighbour() if busy else contextlib.nullcontext():
                for _ in range(rounds):
                    for threads, run in runs.items():
                        times[threads].append(_seconds(run, steps))
            line = ", ".join(f"{'default' if threads is None else threads} {statistics.median(t) * 1e6:9.1f} µs"
                             for threads, t in times.items())
            print(f"n = {n:5d}, {'one core busy' if busy else 'quiet':13}: threads {line}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="no busy neighbour")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--c-objective", action="store_true", help="a C objective's gradient on 1 and 2 threads")
    args = parser.parse_args()
    if args.c_objective:
        c_objective_threads()
    else:
        main(args.rounds, args.quiet)
