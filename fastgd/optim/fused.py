"""The textbook's optimizers with ``update(params, grads)`` in one fused compiled pass per array.

Same class names, constructor arguments, defaults, attributes and numbers as
:mod:`fastgd.reference.optimizer`: each class here is its numpy twin with ``update``
replaced. Native float32/float64 arrays are updated in place by a fused kernel
(SSE2/AVX2, OpenMP threads for large arrays), bitwise identical to the twin; strided
views go through a contiguous copy that is written back into the caller's memory.
Python scalars, 0-d arrays, other dtypes and gradients of another dtype take the twin's
own numpy step, which gives its numbers by construction.

Every key is checked before anything changes: a key missing from ``grads``
(``KeyError``), a shape mismatch (``ValueError``), a non-numeric or read-only value
(``TypeError`` / ``ValueError``), each naming the key. Hyper-parameters are checked at
construction and in :meth:`load_state_dict`, and stored as Python floats.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from fastgd import _threads
from fastgd._docs import fused_doc, twin_doc
from fastgd._typing import Grad, KeyT, ParamT
from fastgd._validate import count, finite_number
from fastgd.optim import _kernels as _update
from fastgd.reference import optimizer as reference


def _non_negative(value: object, name: str) -> float:
    value = finite_number(value, name)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def _fraction(value: object, name: str, *, one_allowed: bool) -> float:
    value = finite_number(value, name)
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
        """What :class:`_Fused` takes from the class it is mixed into: a reference optimizer, and a kernel."""

        @property
        def _settings(self) -> tuple[str, ...]: ...  # read-only here: subclasses narrow the tuple's type

        @property
        def _state_names(self) -> tuple[str, ...]: ...

        @property
        def _kernel(self) -> int:
            """The kernel of :mod:`fastgd._update` (a class attribute, or a property of the settings)."""

        def _coefficients(self) -> tuple[float, ...]:
            """The scalars the kernel takes, in its order."""

        def _checked_settings(self, settings: Mapping[str, object]) -> Mapping[str, object]: ...

        def _advance(self) -> None: ...

        def _step(self, key: Any, param: Any, grad: Any) -> Any: ...


class _Fused:
    """Mixin over a reference optimizer: checked settings and a fused ``update``."""

    __signature__: ClassVar[inspect.Signature]  # the twin's (set on each subclass), for inspect.signature

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        twin = next(base for base in cls.__bases__ if issubclass(base, reference.Optimizer))
        cls.__signature__ = inspect.signature(twin)

    def __init__(self: _Twin, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = self._checked_settings({name: getattr(self, name) for name in self._settings})
        for name, value in settings.items():
            setattr(self, name, value)

    def update(self: _Twin, params: MutableMapping[KeyT, ParamT], grads: Mapping[KeyT, Grad]) -> None:
        """Update every ``params[key]`` in place from ``grads[key]`` (see the module docstring)."""
        plan = _update.prepare(params, grads)
        self._advance()
        for name in self._state_names:
            if getattr(self, name) is None:
                setattr(self, name, {})
        states = tuple(getattr(self, name) for name in self._state_names)
        _update.apply(self._kernel, plan, states, self._coefficients(), self._step, params,
                      _threads.get_num_threads())

    def _checked_settings(self: _Twin, settings: Mapping[str, object]) -> dict[str, float]:
        return {name: _SETTING_CHECKS[name](settings[name], name) for name in self._settings}


class SGD(_Fused, reference.SGD):
    __doc__ = twin_doc(reference.SGD, """
        >>> import numpy as np
        >>> from fastgd import SGD, reference
        >>> w = np.array([1.0, -2.0, 0.5])
        >>> params, twin = {"w": w}, {"w": w.copy()}
        >>> grads = {"w": np.array([0.5, 0.25, -1.0])}
        >>> SGD(lr=0.1, weight_decay=0.01).update(params, grads)
        >>> reference.SGD(lr=0.1, weight_decay=0.01).update(twin, grads)
        >>> params["w"] is w, bool(np.array_equal(w, twin["w"]))  # in place, bit for bit the twin's numbers
        (True, True)
        >>> np.round(w, 6)
        array([ 0.949 , -2.023 ,  0.5995])
        >>> scalars = {"b": 0.5}
        >>> SGD(lr=0.1).update(scalars, {"b": 1.0})  # a Python scalar is replaced by its new value
        >>> scalars
        {'b': 0.4}
    """)

    if TYPE_CHECKING:  # the twin's parameters, which _Fused.__init__ passes on
        def __init__(self, lr: float = 0.01, weight_decay: float = 0.0) -> None: ...

    @property
    def _kernel(self) -> int:
        return _update.SGD_WD if self.weight_decay else _update.SGD

    def _coefficients(self) -> tuple[float, ...]:
        return (self.lr, self.weight_decay)


class Momentum(_Fused, reference.Momentum):
    __doc__ = fused_doc(reference.Momentum, "lr=0.1, momentum=0.9", "array([ 0.7195 , -2.14025,  1.061  ])")
    _kernel = _update.MOMENTUM

    if TYPE_CHECKING:  # the twin's parameters, which _Fused.__init__ passes on
        def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None: ...

    def _coefficients(self) -> tuple[float, ...]:
        return (self.momentum, self.lr)


class Nesterov(_Fused, reference.Nesterov):
    __doc__ = fused_doc(reference.Nesterov, "lr=0.1, momentum=0.9", "array([ 0.59755 , -2.201225,  1.3049  ])")
    _kernel = _update.NESTEROV

    if TYPE_CHECKING:  # the twin's parameters, which _Fused.__init__ passes on
        def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None: ...

    def _coefficients(self) -> tuple[float, ...]:
        return (self.momentum * self.momentum, (1 + self.momentum) * self.lr, self.momentum, self.lr)


class AdaGrad(_Fused, reference.AdaGrad):
    __doc__ = fused_doc(reference.AdaGrad, "lr=0.1", "array([ 0.771554, -2.228446,  0.728446])")
    _kernel = _update.ADAGRAD

    if TYPE_CHECKING:  # the twin's parameters, which _Fused.__init__ passes on
        def __init__(self, lr: float = 0.01) -> None: ...

    def _coefficients(self) -> tuple[float, ...]:
        return (self.lr,)


class RMSprop(_Fused, reference.RMSprop):
    __doc__ = fused_doc(reference.RMSprop, "lr=0.01, decay_rate=0.99", "array([ 0.771087, -2.228912,  0.728913])")
    _kernel = _update.RMSPROP

    if TYPE_CHECKING:  # the twin's parameters, which _Fused.__init__ passes on
        def __init__(self, lr: float = 0.01, decay_rate: float = 0.99) -> None: ...

    def _coefficients(self) -> tuple[float, ...]:
        return (self.decay_rate, 1 - self.decay_rate, self.lr)


class Adam(_Fused, reference.Adam):
    __doc__ = fused_doc(reference.Adam, "lr=0.1", "array([ 0.700001, -2.299997,  0.799999])")
    _kernel = _update.ADAM

    if TYPE_CHECKING:  # the twin's parameters, which _Fused.__init__ passes on
        def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999) -> None: ...

    def _coefficients(self) -> tuple[float, ...]:
        return (1 - self.beta1, 1 - self.beta2, float(self._lr_t))


class AdamW(_Fused, reference.AdamW):
    __doc__ = fused_doc(reference.AdamW, "lr=0.1, weight_decay=0.01", "array([ 0.697304, -2.293703,  0.798201])")
    _kernel = _update.ADAMW

    if TYPE_CHECKING:  # the twin's parameters, which _Fused.__init__ passes on
        def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                     weight_decay: float = 0.01) -> None: ...

    def _coefficients(self) -> tuple[float, ...]:
        return (1 - self.beta1, 1 - self.beta2, float(self._lr_t), 1 - self.lr * self.weight_decay)

