"""The one table of optimizers: everything fastgd knows about each, one row per optimizer.

The fused classes (:mod:`fastgd.optim.fused`), ``fastgd.__all__``, the command line's choices and
default learning rates, the tests and the benchmarks all read :data:`TABLE`. Adding an optimizer is
its numpy twin in :mod:`fastgd.reference.optimizer` (listed in that module's ``__all__``), its kernel
in ``src/optim_kernels.inc`` with its registry entry in ``src/optim_kernels.h``, and its row here.

Examples
--------
>>> from fastgd.optim.table import NAMES, TABLE
>>> NAMES[:3]
('SGD', 'Momentum', 'Nesterov')
>>> adam = TABLE[NAMES.index("Adam")]
>>> adam.kernel, adam.states, adam.settings
('adam', ('m', 'v'), ('lr', 'beta1', 'beta2', 'iter'))
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastgd.reference import optimizer as reference


@dataclass(frozen=True)
class Row:
    """One optimizer.

    Attributes
    ----------
    twin : type
        Its numpy twin in :mod:`fastgd.reference.optimizer`: constructor, settings, state names and
        the numpy step for what the kernel does not take. The fused class subclasses it.
    kernel : str
        Its kernel's name in the C registry (``fastgd_kernels`` in ``src/optim_kernels.h``).
    coefficients : callable
        ``coefficients(optimizer) -> {name: float}``: the kernel's named coefficients, computed from
        the optimizer's settings (after its per-update ``_advance``) as the twin computes them.
    default_lr : float
        The learning rate of ``python -m fastgd train --optimizer <name>``.
    example : str
        Constructor arguments of the docstring example (three updates of ``[1.0, -2.0, 0.5]``).
    example_result : str
        ``repr(np.round(w, 6))`` after those updates.
    """

    twin: type[reference.Optimizer]
    kernel: str
    coefficients: Callable[[Any], dict[str, float]]
    default_lr: float
    example: str
    example_result: str

    @property
    def name(self) -> str:
        """The class name, the same in :mod:`fastgd` and :mod:`fastgd.reference`."""
        return self.twin.__name__

    @property
    def states(self) -> tuple[str, ...]:
        """Names of the state dicts, in the order the kernel takes them (the twin's ``_state_names``)."""
        return self.twin._state_names

    @property
    def settings(self) -> tuple[str, ...]:
        """Names of the hyper-parameters and counters (the twin's ``_settings``), as in ``state_dict()``."""
        return self.twin._settings


def _nesterov(o: Any) -> dict[str, float]:
    """The coefficients of the Nesterov kernels, as the twin's expressions compute them."""
    return {"momentum_squared": o.momentum * o.momentum, "one_plus_momentum_lr": (1 + o.momentum) * o.lr,
            "momentum": o.momentum, "lr": o.lr}


TABLE: tuple[Row, ...] = (
    Row(reference.SGD, "sgd", lambda o: {"lr": o.lr, "weight_decay": o.weight_decay},
        default_lr=1.0, example="lr=0.1, weight_decay=0.01", example_result="array([ 0.847153, -2.068931,  0.798202])"),
    Row(reference.Momentum, "momentum", lambda o: {"momentum": o.momentum, "lr": o.lr},
        default_lr=0.1, example="lr=0.1, momentum=0.9", example_result="array([ 0.7195 , -2.14025,  1.061  ])"),
    Row(reference.Nesterov, "nesterov", _nesterov,
        default_lr=0.1, example="lr=0.1, momentum=0.9", example_result="array([ 0.59755 , -2.201225,  1.3049  ])"),
    Row(reference.NesterovKorean, "nesterov_korean", _nesterov,
        default_lr=0.1, example="lr=0.1, momentum=0.9", example_result="array([ 0.487795, -2.256102,  1.52441 ])"),
    Row(reference.AdaGrad, "adagrad", lambda o: {"lr": o.lr},
        default_lr=0.1, example="lr=0.1", example_result="array([ 0.771554, -2.228446,  0.728446])"),
    Row(reference.RMSprop, "rmsprop",
        lambda o: {"decay_rate": o.decay_rate, "one_minus_decay_rate": 1 - o.decay_rate, "lr": o.lr},
        default_lr=0.01, example="lr=0.01, decay_rate=0.99", example_result="array([ 0.771087, -2.228912,  0.728913])"),
    Row(reference.Adam, "adam",
        lambda o: {"one_minus_beta1": 1 - o.beta1, "one_minus_beta2": 1 - o.beta2, "lr_t": float(o._lr_t)},
        default_lr=0.01, example="lr=0.1", example_result="array([ 0.700001, -2.299997,  0.799999])"),
    Row(reference.AdamW, "adamw",
        lambda o: {"one_minus_beta1": 1 - o.beta1, "one_minus_beta2": 1 - o.beta2, "lr_t": float(o._lr_t),
                   "decay": 1 - o.lr * o.weight_decay},
        default_lr=0.01, example="lr=0.1, weight_decay=0.01",
        example_result="array([ 0.697304, -2.293703,  0.798201])"),
)

#: The optimizers' class names, in table order.
NAMES: tuple[str, ...] = tuple(row.name for row in TABLE)

if sorted(NAMES) != sorted(reference.__all__):  # the twins' module lists them for type checkers
    raise ImportError(f"fastgd.optim.table: rows {sorted(NAMES)} but twins {sorted(reference.__all__)} "
                      "in fastgd.reference.optimizer.__all__: every twin needs its row and every row its twin")
