"""Optimizer updates: fastgd vs the numpy reference vs PyTorch, at 1 and 2 threads.

Run: ``pytest bench/bench_optimizer.py --benchmark-json=results.json`` (PyTorch lines need
``pip install torch``), then ``python bench/report.py results.json``. The small-call group
(``-k floors``) also prints the dict-of-4 update as a ratio to its floors, measured alternately.
"""
import timeit

import numpy as np
import pytest

import fastgd
from fastgd import reference
from fastgd.optim import _kernels
from fastgd.optim.table import NAMES, TABLE

try:
    import torch
except ImportError:  # PyTorch is an optional peer
    torch = None

SIZES = [10**3, 10**5, 10**6, 10**7]
SMALL_NET = {"W1": (2, 3), "b1": (3,), "W2": (3, 4), "b2": (4,)}


def _torch_optimizer(name, tensors, **flags):
    """The PyTorch optimizer nearest to ``name`` (a speed peer: some formulas differ), or None."""
    optim = torch.optim
    make = {
        "SGD": lambda: optim.SGD(tensors, lr=0.01, **flags),
        "Momentum": lambda: optim.SGD(tensors, lr=0.01, momentum=0.9, **flags),
        "Nesterov": lambda: optim.SGD(tensors, lr=0.01, momentum=0.9, nesterov=True, **flags),
        "AdaGrad": lambda: optim.Adagrad(tensors, lr=0.01, **flags),
        "RMSprop": lambda: optim.RMSprop(tensors, lr=0.01, alpha=0.99, **flags),
        "Adam": lambda: optim.Adam(tensors, lr=0.001, **flags),
        "AdamW": lambda: optim.AdamW(tensors, lr=0.001, **flags),
    }
    return make[name]() if name in make else None


TORCH_FUSED = {"SGD", "Momentum", "Nesterov", "AdaGrad", "Adam", "AdamW"}  # CPU fused kernels

IMPLEMENTATIONS = [
    ("fastgd", 1), ("fastgd", 2), ("reference", 1),
    ("torch foreach=False", 1), ("torch foreach=False", 2), ("torch fused", 1), ("torch fused", 2),
]
# The in-place memory-bandwidth floor SGD is measured against (24 bytes per element).
FLOORS = [("floor: np.add(a, b, out=a)", 1), ("floor: torch add_", 2)]


@pytest.fixture
def threads(request):
    """Run the benchmark at ``request.param`` threads in fastgd and PyTorch, then restore."""
    before = fastgd.get_num_threads(), torch.get_num_threads() if torch else None
    fastgd.set_num_threads(request.param)
    if torch:
        torch.set_num_threads(request.param)
    yield request.param
    fastgd.set_num_threads(before[0])
    if torch:
        torch.set_num_threads(before[1])


def _step(name, impl, shapes):
    """A no-argument callable doing one update of ``shapes`` float64 params with ``impl``."""
    rng = np.random.default_rng(0)
    params = {k: rng.standard_normal(s) for k, s in shapes.items()}
    grads = {k: rng.standard_normal(s) * 1e-3 for k, s in shapes.items()}
    if impl.startswith("floor"):
        return _floor(impl, params["w"], grads["w"])
    if impl.startswith("torch"):
        if torch is None:
            pytest.skip("PyTorch is not installed")
        if impl == "torch fused" and name not in TORCH_FUSED:
            pytest.skip(f"PyTorch has no fused CPU {name}")
        tensors = []
        for key in shapes:
            t = torch.from_numpy(params[key]).requires_grad_()
            t.grad = torch.from_numpy(grads[key])
            tensors.append(t)
        flags = {"fused": True} if impl == "torch fused" else {"foreach": False}
        peer = _torch_optimizer(name, tensors, **flags)
        if peer is None:
            pytest.skip(f"PyTorch has no peer of {name}")
        return peer.step
    opt = getattr(fastgd if impl == "fastgd" else reference, name)()
    return lambda: opt.update(params, grads)


def _floor(impl, a, b):
    """``a += b`` in place: numpy on one thread, or PyTorch on the fixture's threads."""
    if impl == "floor: np.add(a, b, out=a)":
        return lambda: np.add(a, b, out=a)
    if torch is None:
        pytest.skip("PyTorch is not installed")
    return lambda: torch.from_numpy(a).add_(torch.from_numpy(b))


def _label(impl, threads):
    return impl if impl == "reference" else f"{impl}, {threads} thread{'s' * (threads > 1)}"


# Parameters listed first vary fastest: a group's lines run back to back, so the
# machine's drift (these are shared machines) touches them alike.
@pytest.mark.parametrize("impl, threads", IMPLEMENTATIONS + FLOORS, indirect=["threads"])
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n", SIZES)
def test_one_array(benchmark, name, n, impl, threads):
    if impl.startswith("floor") and name != "SGD":
        pytest.skip("the bandwidth floor is shown with SGD")
    benchmark.group = f"{name}.update, one float64 array, n={n:.0e}"
    benchmark.extra_info["label"] = _label(impl, threads)
    benchmark(_step(name, impl, {"w": (n,)}))


@pytest.mark.parametrize("impl, threads", [i for i in IMPLEMENTATIONS if i[1] == 1], indirect=["threads"])
@pytest.mark.parametrize("name", NAMES)
def test_small_net(benchmark, name, impl, threads):
    benchmark.group = f"{name}.update, dict of four small params (2,3) (3,) (3,4) (4,)"
    benchmark.extra_info["label"] = _label(impl, threads)
    benchmark(_step(name, impl, SMALL_NET))


def _small_net_calls(name):
    """``(update, floors)``: one update of the four small params, and the calls it cannot beat."""
    rng = np.random.default_rng(0)
    params = {k: rng.standard_normal(s) for k, s in SMALL_NET.items()}
    grads = {k: rng.standard_normal(s) * 1e-3 for k, s in SMALL_NET.items()}
    opt = getattr(fastgd, name)()
    opt.update(params, grads)  # the states exist
    row = TABLE[NAMES.index(name)]
    kernel, settings = _kernels.Kernel(row.kernel), opt.state_dict()["settings"]
    arrays = [(params[k], grads[k], [getattr(opt, state)[k] for state in row.states]) for k in SMALL_NET]
    pairs = [(params[k], grads[k]) for k in SMALL_NET]
    add, run = np.add, kernel.run

    def four_adds():
        for a, b in pairs:
            add(a, b, out=a)

    def four_kernel_calls():
        for p, g, states in arrays:
            run(p, g, states, settings)

    return (lambda: opt.update(params, grads)), {"4 np.add(a, b, out=a)": four_adds,
                                                   "4 bare kernel calls (Kernel.run)": four_kernel_calls}


def _ratios_to_floors(update, floors, rounds=15, number=2000):
    """The update's time ÷ each floor's: blocks alternate in one run, the minimum of ``rounds`` each."""
    best = dict.fromkeys(["update", *floors], float("inf"))
    for _ in range(rounds):
        for label, call in (("update", update), *floors.items()):
            best[label] = min(best[label], timeit.timeit(call, number=number) / number)
    return {label: best["update"] / best[label] for label in floors}, best


@pytest.mark.parametrize("name", ["Adam", "SGD"])
def test_small_net_against_its_floors(benchmark, name, capsys):
    """The dict-of-4 update, and (printed, in ``extra_info``) its time as a ratio to its floors."""
    update, floors = _small_net_calls(name)
    benchmark.group = f"{name}.update, dict of four small params, ÷ its floors"
    benchmark.extra_info["label"] = "fastgd"
    if not benchmark.disabled:
        ratios, best = _ratios_to_floors(update, floors)
        benchmark.extra_info.update({f"÷ {label}": ratio for label, ratio in ratios.items()})
        with capsys.disabled():
            print(f"\n{benchmark.group}: update {best['update'] * 1e6:.3f} µs = "
                  + ", ".join(f"{ratio:.2f}× {label}" for label, ratio in ratios.items()))
    benchmark(update)
