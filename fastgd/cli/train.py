"""``python -m fastgd train``: the textbook's TwoLayerNet on the digits, trained with numerical gradients.

Every step takes the exact central-difference gradient of the batch loss from fastgd's
incremental kernel (no backprop) and a fastgd optimizer's in-place update.
"""
from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

import fastgd
from fastgd import optim as optimizers
from fastgd import reference
from fastgd.cli.conditions import describe
from fastgd.datasets import load_digits
from fastgd.nn import TwoLayerNet
from fastgd.optim.table import TABLE
from fastgd.reference import nn as reference_nn

OPTIMIZERS: dict[str, str] = {row.name.lower(): row.name for row in TABLE}
DEFAULT_LR: dict[str, float] = {row.name.lower(): row.default_lr for row in TABLE}


def reference_seconds_per_step(net: TwoLayerNet, x: npt.NDArray[Any], t: npt.NDArray[Any],
                               budget: float = 1.0) -> tuple[float, int, int]:
    """Time the numpy reference's numerical gradient of the batch loss, for at most about ``budget`` seconds.

    The reference perturbs every parameter in turn and evaluates the whole loss twice each (the book's
    ``TwoLayerNet.numerical_gradient``): all elements cost the same. Elements are timed in growing runs,
    spread over ``W1``, ``b1``, ``W2``, ``b2`` in proportion, until the budget is spent or all are done.

    Returns
    -------
    seconds : float
        Estimated seconds for one whole step (measured, when every element was timed).
    timed, total : int
        Elements timed and elements in the net.
    """
    twin = reference_nn.TwoLayerNet(1, 1, 1)
    twin.params = {key: value.copy() for key, value in net.params.items()}  # C-contiguous: reshape(-1) is a view
    flat = [value.reshape(-1) for value in twin.params.values()]
    total = sum(values.size for values in flat)
    done = [0] * len(flat)
    elapsed, run = 0.0, 1
    while elapsed < budget and sum(done) < total:
        start = time.perf_counter()
        for i, values in enumerate(flat):  # each parameter's share of the run, at least one element
            share = min(max(run * values.size // total, 1), values.size - done[i])
            if share:
                # the closure as the book writes it (``loss_W = lambda W: self.loss(x, t)``)
                reference.numerical_gradient(lambda W: twin.loss(x, t), values[done[i]:done[i] + share])
                done[i] += share
        elapsed += time.perf_counter() - start
        run *= 2
    return elapsed * total / sum(done), sum(done), total


def _plot(path: str | os.PathLike[str], losses: Sequence[float], epochs: Sequence[float], train_acc: Sequence[float],
          test_acc: Sequence[float]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(np.arange(1, len(losses) + 1), losses, lw=0.8)
    ax_loss.set(xlabel="iteration", ylabel="batch loss", title="Loss")
    ax_acc.plot(epochs, train_acc, marker="o", label="train")
    ax_acc.plot(epochs, test_acc, marker="s", linestyle="--", label="test")
    # above 1.0: a curve at 100 % (the train accuracy, soon) stays visible, markers and all
    ax_acc.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.05), title="Accuracy")
    ax_acc.legend(loc="lower right")
    fig.suptitle("TwoLayerNet on the digits, numerical gradients (fastgd)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(optimizer: str = "adam", lr: float | None = None, iters: int = 1000, batch_size: int = 100, hidden: int = 50,
         seed: int = 0, plot: str | os.PathLike[str] | None = None, progress: bool = True,
         reference_budget: float | None = 1.0) -> float:
    """Train, print the final accuracies, the wall time and the reference's estimated time.

    The conditions (threads, BLAS threads, load) are printed before and after: the reference is timed
    in this process, under the same ones, for about ``reference_budget`` seconds (None: not at all).
    """
    # stubtest does not read pyproject's ignore_missing_imports: tqdm ships no type hints
    from tqdm import tqdm  # type: ignore[import-untyped, unused-ignore]

    (x_train, t_train), (x_test, t_test) = load_digits(seed=seed)
    rng = np.random.default_rng(seed)
    net = TwoLayerNet(x_train.shape[1], hidden, t_train.shape[1], rng=rng)
    lr = DEFAULT_LR[optimizer] if lr is None else lr
    opt = getattr(optimizers, OPTIMIZERS[optimizer])(lr=lr)
    batch_size = min(batch_size, len(x_train))
    per_epoch = max(len(x_train) // batch_size, 1)
    print(f"fastgd {fastgd.__version__}: TwoLayerNet({x_train.shape[1]}, {hidden}, {t_train.shape[1]}) on "
          f"{len(x_train)} training / {len(x_test)} test digits, {OPTIMIZERS[optimizer]}(lr={lr:g}), "
          f"batch {batch_size}, {iters} iterations")
    print(describe(), flush=True)
    losses: list[float] = []
    epochs: list[float] = []
    train_acc: list[float] = []
    test_acc: list[float] = []
    start = time.perf_counter()
    bar = tqdm(range(1, iters + 1), desc="training", unit="step", disable=not progress)
    for it in bar:
        batch = rng.choice(len(x_train), batch_size, replace=False)
        x, t = x_train[batch], t_train[batch]
        opt.update(net.params, net.numerical_gradient(x, t))
        losses.append(float(net.loss(x, t)))
        if it % 10 == 0:
            bar.set_postfix(loss=f"{np.mean(losses[-per_epoch:]):.4f}")
        if it % per_epoch == 0 or it == iters:
            epochs.append(it / per_epoch)
            train_acc.append(net.accuracy(x_train, t_train))
            test_acc.append(net.accuracy(x_test, t_test))
    bar.close()
    elapsed = time.perf_counter() - start
    print(f"train accuracy {train_acc[-1]:.4f}, test accuracy {test_acc[-1]:.4f}")
    print(f"wall time {elapsed:.1f} s ({elapsed / iters * 1e3:.2f} ms per step)")
    if reference_budget is not None:
        per_step, timed, total = reference_seconds_per_step(net, x_train[:batch_size], t_train[:batch_size],
                                                            reference_budget)
        estimate = per_step * iters
        print(f"numpy reference (estimate: {timed:,} of the {total:,} parameters' differences of one step timed, "
              f"extrapolated to {iters} steps): {estimate:.0f} s, {estimate / elapsed:.0f}× longer")
        print(describe())
    if plot:
        _plot(plot, losses, epochs, train_acc, test_acc)
        print(f"plot of loss and accuracy written to {plot}")
    return test_acc[-1]
