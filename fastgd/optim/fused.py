"""The textbook's optimizers with ``update(params, grads)`` in one fused compiled pass per array.

One class per row of :data:`fastgd.optim.table.TABLE`, generated from it: each is its numpy twin
(same name, constructor arguments, defaults, attributes, ``state_dict``) with ``update`` replaced.
Native float32/float64 arrays are updated in place by the row's kernel (SSE2/AVX2, helper threads
for large arrays), bitwise identical to the twin; strided or unaligned arrays go through aligned
contiguous copies, written back into the caller's memory. Python scalars, 0-d arrays, other dtypes,
gradients of another dtype, ndarray subclasses (masked arrays, ``np.matrix``) and gradients or
states sharing memory with their param take the twin's own numpy step, which gives its numbers by
construction.

Every key, and its state arrays, is checked before anything changes: a key missing from ``grads``
(``KeyError``), a shape mismatch, a state that no longer fits its param (``ValueError``), a
non-numeric or read-only value (``TypeError`` / ``ValueError``), each naming the key. If the numpy
step fails part-way (a Python int too large for a float), the params, states and counters are
restored before the exception propagates. Hyper-parameters are checked at construction and in
:meth:`load_state_dict`, and stored as Python floats.

Examples
--------
A Python scalar in the dict is replaced by its new value, as in the textbook's 2-D demos:

>>> from fastgd import SGD
>>> params = {"x": -7.0, "y": 2.0}
>>> SGD(lr=0.1).update(params, {"x": -0.7, "y": 4.0})
>>> params
{'x': -6.93, 'y': 1.6}
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from fastgd import _threads
from fastgd._docs import fused_doc
from fastgd._typing import Grad, KeyT, ParamT
from fastgd._validate import count, finite_number
from fastgd.optim import _kernels
from fastgd.optim.table import TABLE, Row
from fastgd.reference import optimizer as reference


def _number(value: object, name: str) -> float:
    try:
        return finite_number(value, name)
    except OverflowError:  # an int beyond the float range
        raise ValueError(f"{name} must be finite, got an int of {len(str(value))} digits") from None


def _non_negative(value: object, name: str) -> float:
    value = _number(value, name)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def _fraction(value: object, name: str, *, one_allowed: bool) -> float:
    value = _number(value, name)
    if not (0 <= value < 1 or (one_allowed and value == 1)):
        raise ValueError(f"{name} must be in [0, {'1]' if one_allowed else '1)'}, got {value}")
    return value


_SETTING_CHECKS: dict[str, Callable[[object, str], float]] = {
    "lr": _non_negative,
    "momentum": _non_negative,
    "weight_decay": _non_negative,
    "decay_rate": lambda v, name: _fraction(v, name, one_allowed=True),
    "beta1": lambda v, name: _fraction(v, name, one_allowed=False),
    "beta2": lambda v, name: _fraction(v, name, one_allowed=False),
    "iter": count,
}


if TYPE_CHECKING:
    class _Twin(Protocol):
        """What :class:`_Fused` takes from the class it is mixed into: a reference optimizer."""

        @property
        def _settings(self) -> tuple[str, ...]: ...  # read-only here: subclasses narrow the tuple's type

        def _checked_settings(self, settings: Mapping[str, object]) -> Mapping[str, object]: ...


class _Fused:
    """Mixin over a reference optimizer: checked settings and a fused ``update``."""

    __signature__: ClassVar[inspect.Signature]  # the twin's, for inspect.signature
    _row: ClassVar[Row]
    _kernel: ClassVar[_kernels.Kernel]

    def __init__(self: _Twin, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # the twin's
        settings = self._checked_settings({name: getattr(self, name) for name in self._settings})
        for name, value in settings.items():
            setattr(self, name, value)

    def update(self, params: MutableMapping[KeyT, ParamT], grads: Mapping[KeyT, Grad]) -> None:
        """Update every ``params[key]`` in place from ``grads[key]`` (see the module docstring)."""
        _kernels.update(self, params, grads, self._kernel, self._row.coefficients, _threads.team_size)

    def _checked_settings(self: _Twin, settings: Mapping[str, object]) -> dict[str, float]:
        return {name: _SETTING_CHECKS[name](settings[name], name) for name in self._settings}


def _fused_class(row: Row) -> type[reference.Optimizer]:
    """The fused twin of ``row``: its kernel bound and checked against the row, its docstring."""
    kernel = _kernels.Kernel(row.kernel)
    if kernel.n_states != len(row.states):
        raise ImportError(f"{row.name}: kernel {row.kernel!r} updates {kernel.n_states} states, "
                          f"the twin has {len(row.states)} ({', '.join(row.states)})")
    sample = row.twin()
    sample._advance()
    kernel.check_coefficients(row.coefficients(sample))
    cls = type(row.name, (_Fused, row.twin), {
        "__doc__": fused_doc(row.twin, row.example, row.example_result),
        "__module__": __name__,
        "__qualname__": row.name,
        "__signature__": inspect.signature(row.twin),
        "_row": row,
        "_kernel": kernel,
    })
    return cls


_CLASSES = {row.name: _fused_class(row) for row in TABLE}

if TYPE_CHECKING:  # type checkers see each fused class as its twin: a subclass with the same constructor
    from fastgd.reference.optimizer import *  # noqa: F403
    from fastgd.reference.optimizer import __all__ as __all__
else:
    globals().update(_CLASSES)
    __all__ = list(_CLASSES)
