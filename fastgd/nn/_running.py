"""Batch norm's running averages after the book's evaluations, replayed from the few it still remembers.

The book's numerical gradient evaluates the loss in training mode twice per parameter, and
every evaluation updates each batch-norm layer's running mean and variance,
``r = momentum * r + (1 - momentum) * batch_statistic``. Only the last evaluations still weigh
in the result (the weight of an older one falls as ``momentum**age``): the kernels write those
evaluations' batch statistics to rows kept here, and :func:`replay` runs the update over them.
"""
from __future__ import annotations

import math
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from fastgd.nn import _kernels
from fastgd.nn.layers import BatchNormalization

_F = npt.NDArray[np.float64]
#: Evaluations whose weight in the running averages is below this are not replayed one by one.
FORGOTTEN: float = 2.0**-60
#: Largest statistics buffer (doubles) kept to replay the running averages; beyond it, the generic path.
MAX_STATISTICS: int = 4_000_000


def _rows_remembered(momentum: float, n_evals: int) -> int:
    """How many of the last evaluations the running averages still remember (weight above FORGOTTEN)."""
    if momentum <= 0:
        return min(1, n_evals)
    if momentum >= 1:
        return 0
    return min(n_evals, math.ceil(math.log(FORGOTTEN) / math.log(momentum)) + 1)


#: One hidden layer as the running averages see it: its batch norm (or None), the unperturbed batch mean and variance.
Layer: TypeAlias = tuple[BatchNormalization | None, _F | None, _F | None]


def statistics_rows(layers: list[Layer], n_evals: int) -> list[tuple[_F, _F] | None] | None:
    """Per batch-norm layer, rows of batch statistics for the evaluations its running averages remember.

    Initialised with the unperturbed statistics (what an evaluation that does not move the
    layer computes); the kernels overwrite the rows of the evaluations that move it. None if
    they would exceed :data:`MAX_STATISTICS` doubles.
    """
    out: list[tuple[_F, _F] | None] = []
    total = 0
    for bn, mean, var in layers:
        if bn is None or mean is None or var is None:
            out.append(None)
            continue
        rows = _rows_remembered(bn.momentum, n_evals)
        total += rows * mean.size
        out.append((np.repeat(mean[None], rows, axis=0), np.repeat(var[None], rows, axis=0)))
    return None if total > MAX_STATISTICS else out


def running_averages(layers: list[Layer], statistics: list[tuple[_F, _F] | None], n_evals: int
                     ) -> list[tuple[_F, _F] | None]:
    """Per batch-norm layer, its running mean and variance after ``n_evals`` evaluations (statistics rows as filled)."""
    out: list[tuple[_F, _F] | None] = []
    for (bn, mean, var), stats in zip(layers, statistics, strict=True):
        if bn is None or stats is None or mean is None or var is None:
            out.append(None)
            continue
        out.append((replay(bn.momentum, bn.running_mean, mean, stats[0], n_evals),
                    replay(bn.momentum, bn.running_var, var, stats[1], n_evals)))
    return out


def replay(momentum: float, start: _F | None, unmoved: _F, rows: _F, n_evals: int) -> _F:
    """A running average after ``n_evals`` updates whose last ``len(rows)`` values are ``rows`` (newest first).

    The older updates are taken as ``unmoved`` (the unperturbed statistics) as far as the result
    can tell (their weight is below :data:`FORGOTTEN`) and summed in closed form; the remembered
    ones are replayed as the book computes them, ``momentum * r + (1 - momentum) * value``.
    """
    r = np.zeros(unmoved.shape) if start is None else start
    older = n_evals - len(rows)
    if older:
        geometric = older if momentum == 1 else (1 - momentum**older) / (1 - momentum)
        r = momentum**older * r + (1 - momentum) * geometric * unmoved
    r = np.array(r, dtype=np.float64)  # a new array, as the book's update makes
    _kernels.replay_running(momentum, r, rows)
    return r
