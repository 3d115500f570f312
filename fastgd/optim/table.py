"""The one table of optimizers: everything fastgd's Python knows about each, one row per optimizer.

The fused classes (:mod:`fastgd.optim.fused`), ``fastgd.__all__``, the command line's choices and
default learning rates, the tests and the benchmarks all read :data:`TABLE`. Adding an optimizer
is its row here, its kernel (one block in ``src/optim_kernels.inc``: its settings, per-update
coefficients and loop, whose registry entry is generated from the block) and its numpy twin in
:mod:`fastgd.reference.optimizer`, the tests' oracle (listed in that module's ``__all__``).

Examples
--------
>>> from fastgd.optim.table import NAMES, TABLE
>>> NAMES[:3]
('SGD', 'Momentum', 'Nesterov')
>>> adam = TABLE[NAMES.index("Adam")]
>>> adam.kernel, adam.states, adam.settings
('adam', ('m', 'v'), ('lr', 'beta1', 'beta2', 'iter'))
>>> [(h.name, h.default) for h in adam.hyper_parameters]
[('lr', 0.001), ('beta1', 0.9), ('beta2', 0.999)]
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from fastgd._validate import count, finite_number

#: Counters are stored as doubles in the kernel's struct: exact up to 2**53.
COUNTER_MAX: int = 2**53


def _number(value: object, name: str) -> float:
    try:
        return finite_number(value, name)
    except OverflowError:  # an int beyond the float range
        raise ValueError(f"{name} must be finite, got an int of {len(str(value))} digits") from None


def non_negative(value: object, name: str) -> float:
    """``value`` as a finite float >= 0; TypeError or ValueError naming ``name`` otherwise."""
    value = _number(value, name)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def below_one(value: object, name: str) -> float:
    """``value`` as a float in [0, 1); TypeError or ValueError naming ``name`` otherwise."""
    value = _number(value, name)
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return value


def up_to_one(value: object, name: str) -> float:
    """``value`` as a float in [0, 1]; TypeError or ValueError naming ``name`` otherwise."""
    value = _number(value, name)
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be in [0, 1], got {value}")
    return value


def counter(value: object, name: str) -> int:
    """``value`` as an int in [0, 2**53]; TypeError or ValueError naming ``name`` otherwise."""
    n = count(value, name)
    if n > COUNTER_MAX:
        raise ValueError(f"{name} must be at most 2**53, got {n}")
    return n


@dataclass(frozen=True)
class Hyper:
    """A hyper-parameter: a constructor argument, stored as a float.

    Attributes
    ----------
    name : str
        Its name: the constructor's argument, the attribute, the field of the kernel's struct.
    default : float
        The constructor's default.
    check : callable
        ``check(value, name) -> float``: the value to store, or TypeError/ValueError naming ``name``.
    doc : str
        Its line in the class's ``Parameters`` section.
    """

    name: str
    default: float
    check: Callable[[object, str], float]
    doc: str


def lr(default: float) -> Hyper:
    """The learning rate, with its default."""
    return Hyper("lr", default, non_negative, "Learning rate.")


MOMENTUM = Hyper("momentum", 0.9, non_negative, "Share of the velocity kept from one update to the next.")
DECAY_RATE = Hyper("decay_rate", 0.99, up_to_one,
                   "Share of the squared-gradient average kept from one update to the next, in [0, 1].")
BETA1 = Hyper("beta1", 0.9, below_one, "Decay rate of the first moment, in [0, 1).")
BETA2 = Hyper("beta2", 0.999, below_one, "Decay rate of the second moment, in [0, 1).")


#: ``stepwise(settings, keys)``: one update as the reference's numpy statements, in its order (each
#: statement reads the memory as the previous ones left it). ``settings`` maps the kernel's setting
#: names to floats (counters already advanced); ``keys`` holds, in the order of ``params``, each
#: key's param (an ndarray of its memory, or a 0-d array for a scalar), grad and state arrays.
Stepwise = Callable[[Mapping[str, float], Sequence[tuple[Any, Any, tuple[Any, ...]]]], None]


def _nesterov(c: Mapping[str, float], keys: Sequence[tuple[Any, Any, tuple[Any, ...]]]) -> None:
    """Nesterov's statements: the grad is read after the params moved with the old ``v``."""
    momentum, lr = c["momentum"], c["lr"]
    for p, g, (v,) in keys:
        p += momentum * momentum * v
        p -= (1 + momentum) * lr * g
        v *= momentum
        v -= lr * g


def _nesterov_korean(c: Mapping[str, float], keys: Sequence[tuple[Any, Any, tuple[Any, ...]]]) -> None:
    """NesterovKorean's statements: the last one reads the grad after the params moved with the new ``v``."""
    momentum, lr = c["momentum"], c["lr"]
    for p, g, (v,) in keys:
        v *= momentum
        v -= lr * g
        p += momentum * momentum * v
        p -= (1 + momentum) * lr * g


def _adamw(c: Mapping[str, float], keys: Sequence[tuple[Any, Any, tuple[Any, ...]]]) -> None:
    """AdamW's statements: every key's params decay before the first Adam step reads a grad."""
    for p, _, _ in keys:
        p *= 1 - c["lr"] * c["weight_decay"]
    n, beta1, beta2 = int(c["iter"]), c["beta1"], c["beta2"]
    lr_t = c["lr"] * np.sqrt(1.0 - beta2**n) / (1.0 - beta1**n)
    for p, g, (m, v) in keys:
        m += (1 - beta1) * (g - m)
        v += (1 - beta2) * (g**2 - v)
        p -= lr_t * m / (np.sqrt(v) + 1e-7)


@dataclass(frozen=True)
class Row:
    """One optimizer.

    Attributes
    ----------
    name : str
        The class name, the same in :mod:`fastgd` and :mod:`fastgd.reference`.
    kernel : str
        Its kernel's name in ``src/optim_kernels.inc``.
    rule : str
        What one update does, for the class's docstring.
    hyper_parameters : tuple of Hyper
        The constructor's arguments, in order.
    counters : tuple of str
        Settings that updates advance (Adam's ``iter``), ints from 0; not constructor arguments.
    states : tuple of str
        Names of the state dicts (attributes, one array per param key), in the order the kernel takes them.
    default_lr : float
        The learning rate of ``python -m fastgd train --optimizer <name>``.
    example : str
        Constructor arguments of the docstring example (three updates of ``[1.0, -2.0, 0.5]``).
    example_result : str
        ``repr(np.round(w, 6))`` after those updates.
    stepwise : callable or None
        ``stepwise(settings, keys)``: the update as numpy statements, for an update whose params share
        memory with another key's param or with a grad (see :data:`Stepwise`); None where the kernel,
        reading each grad when its key's turn comes, gives the numbers of numpy's statements anyway.
    """

    name: str
    kernel: str
    rule: str
    hyper_parameters: tuple[Hyper, ...]
    counters: tuple[str, ...]
    states: tuple[str, ...]
    default_lr: float
    example: str
    example_result: str
    stepwise: Stepwise | None = None

    @property
    def settings(self) -> tuple[str, ...]:
        """Names of the hyper-parameters, then the counters, as in ``state_dict()['settings']``."""
        return tuple(h.name for h in self.hyper_parameters) + self.counters


_ADAM_RULE = ("The textbook's Adam: bias corrections folded into ``lr_t``, eps outside the sqrt.\n\n"
              "``iter += 1``; ``lr_t = lr * sqrt(1 - beta2**iter) / (1 - beta1**iter)``;\n"
              "``m += (1 - beta1) * (g - m)``; ``v += (1 - beta2) * (g**2 - v)``;\n"
              "``p -= lr_t * m / (sqrt(v) + 1e-7)``.")

TABLE: tuple[Row, ...] = (
    Row("SGD", "sgd", "``p -= lr * g``; with ``weight_decay``, ``p -= lr * (g + weight_decay * p)``.",
        (lr(0.01), Hyper("weight_decay", 0.0, non_negative,
                         "L2 penalty: ``weight_decay * p`` is added to the gradient (0 leaves it out).")),
        (), (), default_lr=1.0, example="lr=0.1, weight_decay=0.01",
        example_result="array([ 0.847153, -2.068931,  0.798202])"),
    Row("Momentum", "momentum", "``v = momentum * v - lr * g``; ``p += v``.",
        (lr(0.01), MOMENTUM), (), ("v",),
        default_lr=0.1, example="lr=0.1, momentum=0.9", example_result="array([ 0.7195 , -2.14025,  1.061  ])"),
    Row("Nesterov", "nesterov",
        "Nesterov momentum as the Japanese original writes it: the params move first, with the old ``v``.\n\n"
        "``p += momentum**2 * v``; ``p -= (1 + momentum) * lr * g``; ``v *= momentum``; ``v -= lr * g``: "
        "the formula both editions cite, Bengio, Boulanger-Lewandowski & Pascanu (2012), section 3.5.",
        (lr(0.01), MOMENTUM), (), ("v",),
        default_lr=0.1, example="lr=0.1, momentum=0.9", example_result="array([ 0.59755 , -2.201225,  1.3049  ])",
        stepwise=_nesterov),
    Row("NesterovKorean", "nesterov_korean",
        "Nesterov momentum as the Korean edition writes it: ``v`` moves first, then the params with the new ``v``.\n\n"
        "``v *= momentum``; ``v -= lr * g``; ``p += momentum**2 * v``; ``p -= (1 + momentum) * lr * g``. "
        "Not the cited formula (that is :class:`Nesterov`); kept for parity with the Korean edition's programs.",
        (lr(0.01), MOMENTUM), (), ("v",),
        default_lr=0.1, example="lr=0.1, momentum=0.9", example_result="array([ 0.487795, -2.256102,  1.52441 ])",
        stepwise=_nesterov_korean),
    Row("AdaGrad", "adagrad", "``h += g * g``; ``p -= lr * g / (sqrt(h) + 1e-7)``.",
        (lr(0.01),), (), ("h",),
        default_lr=0.1, example="lr=0.1", example_result="array([ 0.771554, -2.228446,  0.728446])"),
    Row("RMSprop", "rmsprop",
        "``h *= decay_rate``; ``h += (1 - decay_rate) * g * g``; ``p -= lr * g / (sqrt(h) + 1e-7)``.",
        (lr(0.01), DECAY_RATE), (), ("h",),
        default_lr=0.01, example="lr=0.01, decay_rate=0.99", example_result="array([ 0.771087, -2.228912,  0.728913])"),
    Row("Adam", "adam", _ADAM_RULE, (lr(0.001), BETA1, BETA2), ("iter",), ("m", "v"),
        default_lr=0.01, example="lr=0.1", example_result="array([ 0.700001, -2.299997,  0.799999])"),
    Row("AdamW", "adamw",
        "Adam with decoupled weight decay: ``p *= 1 - lr * weight_decay`` before Adam's step.\n\n" + _ADAM_RULE,
        (lr(0.001), BETA1, BETA2, Hyper("weight_decay", 0.01, non_negative,
                                         "Decay of the parameters per update, relative to ``lr``.")),
        ("iter",), ("m", "v"), default_lr=0.01, example="lr=0.1, weight_decay=0.01",
        example_result="array([ 0.697304, -2.293703,  0.798201])", stepwise=_adamw),
)

#: The optimizers' class names, in table order.
NAMES: tuple[str, ...] = tuple(row.name for row in TABLE)
