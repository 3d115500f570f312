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
import inspect

from fastgd import _update
from fastgd._validate import count, finite_number
from fastgd.reference import optimizer as reference

get_num_threads = _update.get_num_threads
set_num_threads = _update.set_num_threads


def _non_negative(value, name):
    value = finite_number(value, name)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def _fraction(value, name, *, one_allowed):
    value = finite_number(value, name)
    if not (0 <= value < 1 or (one_allowed and value == 1)):
        raise ValueError(f"{name} must be in [0, {'1]' if one_allowed else '1)'}, got {value}")
    return value


_SETTING_CHECKS = {
    "lr": _non_negative,
    "momentum": _non_negative,
    "weight_decay": _non_negative,
    "decay_rate": lambda v, name: _fraction(v, name, one_allowed=True),
    "beta1": lambda v, name: _fraction(v, name, one_allowed=False),
    "beta2": lambda v, name: _fraction(v, name, one_allowed=False),
    "iter": count,
}


class _Fused:
    """Mixin over a reference optimizer: checked settings and a fused ``update``."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        twin = next(base for base in cls.__bases__ if issubclass(base, reference.Optimizer))
        cls.__signature__ = inspect.signature(twin)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        settings = self._checked_settings({name: getattr(self, name) for name in self._settings})
        for name, value in settings.items():
            setattr(self, name, value)

    def update(self, params, grads):
        """Update every ``params[key]`` in place from ``grads[key]`` (see the module docstring)."""
        plan = _update.prepare(params, grads)
        self._advance()
        for name in self._state_names:
            if getattr(self, name) is None:
                setattr(self, name, {})
        states = tuple(getattr(self, name) for name in self._state_names)
        _update.apply(self._kernel, plan, states, self._coefficients(), self._step, params)

    def _checked_settings(self, settings):
        return {name: _SETTING_CHECKS[name](settings[name], name) for name in self._settings}


class SGD(_Fused, reference.SGD):
    __doc__ = reference.SGD.__doc__

    @property
    def _kernel(self):
        return _update.SGD_WD if self.weight_decay else _update.SGD

    def _coefficients(self):
        return (self.lr, self.weight_decay)


class Momentum(_Fused, reference.Momentum):
    __doc__ = reference.Momentum.__doc__
    _kernel = _update.MOMENTUM

    def _coefficients(self):
        return (self.momentum, self.lr)


class Nesterov(_Fused, reference.Nesterov):
    __doc__ = reference.Nesterov.__doc__
    _kernel = _update.NESTEROV

    def _coefficients(self):
        return (self.momentum * self.momentum, (1 + self.momentum) * self.lr, self.momentum, self.lr)


class AdaGrad(_Fused, reference.AdaGrad):
    __doc__ = reference.AdaGrad.__doc__
    _kernel = _update.ADAGRAD

    def _coefficients(self):
        return (self.lr,)


class RMSprop(_Fused, reference.RMSprop):
    __doc__ = reference.RMSprop.__doc__
    _kernel = _update.RMSPROP

    def _coefficients(self):
        return (self.decay_rate, 1 - self.decay_rate, self.lr)


class Adam(_Fused, reference.Adam):
    __doc__ = reference.Adam.__doc__
    _kernel = _update.ADAM

    def _coefficients(self):
        return (1 - self.beta1, 1 - self.beta2, float(self._lr_t))


class AdamW(_Fused, reference.AdamW):
    __doc__ = reference.AdamW.__doc__
    _kernel = _update.ADAMW

    def _coefficients(self):
        return (1 - self.beta1, 1 - self.beta2, float(self._lr_t), 1 - self.lr * self.weight_decay)

