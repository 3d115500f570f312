"""The textbook's optimizers with ``update(params, grads)`` in one fused compiled pass per array.

One class per row of :data:`fastgd.optim.table.TABLE`, generated from it: the constructor
arguments, defaults and attributes of the textbook's class (and of its numpy twin in
:mod:`fastgd.reference`), ``state_dict`` / ``load_state_dict``, and ``update`` running the row's
kernel (``src/optim_kernels.inc``) on each key, bitwise the twin's numbers.

``update`` takes, for each key of ``params`` (any mutable mapping, updated in order):

- float64, float32 or longdouble arrays, updated in place in the caller's memory: directly when
  C-contiguous, aligned and native, through an aligned buffer copied back otherwise (strided
  views, byte-swapped or unaligned arrays), through a view of their memory for ndarray subclasses
  (``np.matrix`` and ``np.memmap`` are updated element-wise, as arrays);
- real scalars (the textbook's 2-D demo keeps Python floats), replaced by their updated value,
  of the same type (a Python float for a Python int): the kernel runs on a 0-d array of their
  float type (float64 for Python numbers), so the numbers are the twin's on 0-d arrays;
- a grad of the param's shape and any real dtype (a scalar for a scalar or 0-d param), read in the
  param's dtype, as the values it has when the key's turn comes: a grad of another dtype, layout,
  or that shares memory with the param or a state, is copied into the param's dtype first.

Params sharing memory with another key's param or with a grad (the grad is the param, overlapping
views, one array under two keys, ``grads["a"] is params["b"]``) get the twin's numbers too. SGD,
Momentum, AdaGrad, RMSprop and Adam read a key's grad before writing anything of that key, so the
kernel, reading it when the key's turn comes, reads what numpy does. Nesterov and NesterovKorean
read the grad after moving the params, and AdamW decays every key before the first Adam step:
when any memory is shared so, the whole update runs as the row's numpy statements, in numpy's
order (:data:`fastgd.optim.table.Stepwise`).

Refused with a TypeError naming the key, before anything changes: float16 params (numpy rounds
each of its operations to float16, which the float32 kernel would not; convert to float32) and
masked arrays (an optimizer has no use for a mask; pass ``np.ma.getdata(...)``). Where numpy's
statement-by-statement twin gives other numbers, fastgd keeps the meaning of the textbook's
rule: grads of another dtype are converted first (numpy would mix the two dtypes' roundings
operation by operation), a state sharing memory with its param or grad is replaced by a copy
(numpy would write into the shared memory), and ``np.matrix`` is element-wise (numpy's ``**`` is
a matrix power).

States are arrays shaped like their param, in its dtype (float64 for Python scalars), made with
zeros on the first update; one the kernel cannot update in place (another dtype or layout,
read-only, sharing memory) is replaced by a copy in the param's dtype. Every key, and its state
arrays, is checked before anything changes: a key missing from ``grads`` (``KeyError``), a shape
mismatch, a state that no longer fits its param (``ValueError``), a non-numeric or read-only value
(``TypeError`` / ``ValueError``), each naming the key; once the checks pass nothing can fail.
Hyper-parameters are checked whenever they are set (construction, assignment,
:meth:`load_state_dict`) and stored as Python floats.

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
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import numpy.typing as npt

from fastgd import _threads
from fastgd._typing import StateDict
from fastgd.optim import _kernels
from fastgd.optim.table import TABLE, Row, counter


class Optimizer(_kernels.Optimizer):
    """Base of fastgd's optimizers: one subclass per row of :data:`fastgd.optim.table.TABLE`.

    Examples
    --------
    A checkpoint from :meth:`state_dict` resumes the updates bit for bit:

    >>> import numpy as np
    >>> from fastgd import Adam
    >>> grads = {"w": np.array([0.3, -0.2])}
    >>> first, params = Adam(lr=0.1), {"w": np.array([1.0, 2.0])}
    >>> first.update(params, grads)
    >>> checkpoint = first.state_dict()
    >>> checkpoint["settings"]
    {'lr': 0.1, 'beta1': 0.9, 'beta2': 0.999, 'iter': 1}
    >>> resumed, copy = Adam(), {"w": params["w"].copy()}
    >>> resumed.load_state_dict(checkpoint)
    >>> first.update(params, grads)
    >>> resumed.update(copy, grads)
    >>> bool(np.array_equal(params["w"], copy["w"])), resumed.iter
    (True, 2)
    """

    __signature__: ClassVar[inspect.Signature]
    _row: ClassVar[Row]
    _kernel: ClassVar[_kernels.Kernel]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        arguments = self.__signature__.bind(*args, **kwargs)
        arguments.apply_defaults()
        for name, value in arguments.arguments.items():
            setattr(self, name, value)
        for name in self._row.counters:
            setattr(self, name, 0)

    def state_dict(self) -> StateDict:
        """A checkpoint: the settings and C-ordered copies of the state arrays (None before any update).

        Returns
        -------
        dict
            ``{"settings": {name: value}, "state": {name: {key: array} or None}}``.
        """
        states = {name: getattr(self, name) for name in self._row.states}
        return {
            "settings": {name: getattr(self, name) for name in self._row.settings},
            "state": {name: None if state is None else {key: np.array(value, order="C") for key, value in state.items()}
                      for name, state in states.items()},
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Resume from :meth:`state_dict`: later updates continue bit for bit.

        Parameters
        ----------
        state_dict : mapping
            A checkpoint from :meth:`state_dict` (of an optimizer of the same class).

        Raises
        ------
        TypeError
            ``state_dict`` or a part of it has the wrong type: not a mapping, a state array that is
            not real floating point.
        ValueError
            A setting is missing, unknown (a checkpoint of another optimizer) or out of range.
        """
        row = self._row
        checkpoint = _mapping(state_dict, "state_dict")
        settings = _mapping(checkpoint.get("settings"), "state_dict['settings']")
        states = _mapping(checkpoint.get("state"), "state_dict['state']")
        for part, names, expected in (("settings", settings, row.settings), ("state", states, row.states)):
            missing, unknown = set(expected) - set(names), set(names) - set(expected)
            if missing or unknown:
                raise ValueError(f"state_dict[{part!r}] of a {type(self).__name__} has "
                                 f"{', '.join(expected) or 'nothing'}; missing {sorted(missing)}, "
                                 f"unknown {sorted(map(repr, unknown))}")
        checked = {h.name: h.check(settings[h.name], h.name) for h in row.hyper_parameters}
        checked.update({name: counter(settings[name], name) for name in row.counters})
        copies = {name: _state_copy(states[name], f"state_dict['state'][{name!r}]") for name in row.states}
        for name, value in {**checked, **copies}.items():
            setattr(self, name, value)

    def _team_size(self) -> int:
        """Threads for an array large enough to share (:func:`fastgd._threads.team_size`)."""
        return _threads.team_size()

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (), self.state_dict()

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        self.load_state_dict(state)


def _mapping(value: object, name: str) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping (from state_dict()), got {type(value).__name__}")
    return value


def _state_copy(state: object, name: str) -> dict[Any, npt.NDArray[Any]] | None:
    """A C-ordered copy of a checkpoint's state dict, each value checked to be a real floating array."""
    if state is None:
        return None
    copy = {}
    for key, value in _mapping(state, name).items():
        try:
            array = np.array(value, order="C")
        except (TypeError, ValueError) as error:
            raise TypeError(f"{name}[{key!r}] must be a real floating array: {error}") from None
        if array.dtype.kind != "f":
            raise TypeError(f"{name}[{key!r}] must be a real floating array, got dtype {array.dtype}")
        copy[key] = array
    return copy


def _setting(slot: int, name: str, check: Callable[[object, str], float]) -> property:
    def get(self: _kernels.Optimizer) -> float:
        return self._setting(slot)

    def set_(self: _kernels.Optimizer, value: object) -> None:
        self._set_setting(slot, check(value, name))

    return property(get, set_, doc=f"The setting {name!r} (checked when set).")


def _counter(slot: int, name: str) -> property:
    def get(self: _kernels.Optimizer) -> int:
        return int(self._setting(slot))

    def set_(self: _kernels.Optimizer, value: object) -> None:
        self._set_setting(slot, counter(value, name))

    return property(get, set_, doc=f"The counter {name!r}: updates so far (checked when set).")


def _state(index: int, name: str) -> property:
    def get(self: _kernels.Optimizer) -> dict[Any, npt.NDArray[Any]] | None:
        return self._state(index)

    def set_(self: _kernels.Optimizer, value: object) -> None:
        self._set_state(index, value, name)

    return property(get, set_, doc=f"The state {name!r}: an array per param key (None before the first update).")


def _doc(row: Row) -> str:
    """The class's docstring: its rule, its parameters, and an example checked against its twin."""
    parameters = "\n".join(f"{h.name} : float, optional\n    {h.doc} Default {h.default}."
                           for h in row.hyper_parameters)
    return f"""{row.rule}

Parameters
----------
{parameters}

Examples
--------
>>> import numpy as np
>>> from fastgd import {row.name}, reference
>>> w = np.array([1.0, -2.0, 0.5])
>>> params, twin = {{"w": w}}, {{"w": w.copy()}}
>>> grads = {{"w": np.array([0.5, 0.25, -1.0])}}
>>> fast, slow = {row.name}({row.example}), reference.{row.name}({row.example})
>>> for _ in range(3):
...     fast.update(params, grads)
...     slow.update(twin, grads)
>>> params["w"] is w, bool(np.array_equal(w, twin["w"]))  # in place, bit for bit the twin's numbers
(True, True)
>>> np.round(w, 6)
{row.example_result}
"""


def _fused_class(row: Row) -> type[Optimizer]:
    """The class of ``row``: its kernel bound and checked against the row, its attributes and docstring."""
    kernel = _kernels.Kernel(row.kernel)
    if kernel.n_states != len(row.states):
        raise ImportError(f"{row.name}: kernel {row.kernel!r} updates {kernel.n_states} states, "
                          f"the row names {len(row.states)} ({', '.join(row.states)})")
    if sorted(kernel.settings) != sorted(row.settings):
        raise ImportError(f"{row.name}: kernel {row.kernel!r} has the settings {', '.join(kernel.settings)}, "
                          f"the row {', '.join(row.settings)}")
    slot = {name: i for i, name in enumerate(kernel.settings)}
    namespace: dict[str, Any] = {
        "__doc__": _doc(row),
        "__module__": __name__,
        "__qualname__": row.name,
        "__signature__": inspect.Signature([
            inspect.Parameter(h.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=h.default, annotation="float")
            for h in row.hyper_parameters], return_annotation="None"),
        "_row": row,
        "_kernel": kernel,
        "_stepwise": None if row.stepwise is None else staticmethod(row.stepwise),
    }
    namespace.update({h.name: _setting(slot[h.name], h.name, h.check) for h in row.hyper_parameters})
    namespace.update({name: _counter(slot[name], name) for name in row.counters})
    namespace.update({name: _state(i, name) for i, name in enumerate(row.states)})
    return type(row.name, (Optimizer,), namespace)


_CLASSES = {row.name: _fused_class(row) for row in TABLE}

if TYPE_CHECKING:  # for type checkers: the twin's constructor and attributes, and Optimizer's methods
    from fastgd.reference import optimizer as _twin

    class SGD(_twin.SGD, Optimizer): ...
    class Momentum(_twin.Momentum, Optimizer): ...
    class Nesterov(_twin.Nesterov, Optimizer): ...
    class NesterovKorean(_twin.NesterovKorean, Optimizer): ...
    class AdaGrad(_twin.AdaGrad, Optimizer): ...
    class RMSprop(_twin.RMSprop, Optimizer): ...
    class Adam(_twin.Adam, Optimizer): ...
    class AdamW(_twin.AdamW, Optimizer): ...

    __all__: list[str] = ["SGD", "Momentum", "Nesterov", "NesterovKorean", "AdaGrad", "RMSprop", "Adam", "AdamW"]
else:
    globals().update(_CLASSES)
    __all__ = list(_CLASSES)
