"""The textbook's numpy optimizers (plus AdamW and SGD weight decay): fastgd's slow twins.

Each ``update(params, grads)`` applies the textbook's rule key by key, in place for arrays.
A dict value that is a Python or numpy scalar is replaced by its updated value, as the
textbook's ``params[key] -= ...`` does. State (one array per key) is created lazily with
``np.zeros_like`` on the first ``update``. Python evaluates each rule left to right; the
compiled kernels in :mod:`fastgd.optimizer` perform the same IEEE operations in that order.
"""
import math

import numpy as np

EPS = 1e-7


def adam_lr_t(lr, beta1, beta2, t):
    """The textbook's bias-corrected step size ``lr * sqrt(1 - beta2**t) / (1 - beta1**t)``.

    A numpy float64, as the textbook's ``np.sqrt`` makes it (so float32 params get a
    float64 step, by NEP 50); ``math.sqrt`` is the same correctly rounded square root.
    """
    return np.float64(lr * math.sqrt(1.0 - beta2**t) / (1.0 - beta1**t))


class Optimizer:
    """Base of the textbook optimizers: settings, lazy state, a per-key ``_step``.

    Subclasses name their settings (hyper-parameters and counters) in ``_settings``,
    their state dicts in ``_state_names``, and implement
    ``_step(key, param, grad) -> updated param``.
    """

    _settings = ()
    _state_names = ()

    def __init__(self):
        for name in self._state_names:
            setattr(self, name, None)

    def update(self, params, grads):
        """Update every ``params[key]`` from ``grads[key]``."""
        self._advance()
        self._begin_update(params)
        for key in params:
            params[key] = self._step(key, params[key], grads[key])

    def state_dict(self):
        """A checkpoint: the settings and copies of the state arrays (None before any update)."""
        return {
            "settings": {name: getattr(self, name) for name in self._settings},
            "state": {name: _copy_state(getattr(self, name)) for name in self._state_names},
        }

    def load_state_dict(self, state_dict):
        """Resume from :meth:`state_dict`: later updates continue bit for bit."""
        settings = self._checked_settings(dict(state_dict["settings"]))
        state = {name: _copy_state(state_dict["state"][name]) for name in self._state_names}
        for name in self._settings:
            setattr(self, name, settings[name])
        for name, value in state.items():
            setattr(self, name, value)

    def _checked_settings(self, settings):
        return settings

    def _advance(self):
        """Per-update bookkeeping before the keys are stepped (Adam's iteration count)."""

    def _begin_update(self, params):
        """Create the state lazily: one zero array shaped like each param."""
        for name in self._state_names:
            if getattr(self, name) is None:
                setattr(self, name, {key: np.zeros_like(val) for key, val in params.items()})

    def _step(self, key, param, grad):
        raise NotImplementedError


def _copy_state(state):
    """A C-ordered copy of one state dict (None stays None)."""
    if state is None:
        return None
    return {key: np.array(value, order="C") for key, value in state.items()}


class SGD(Optimizer):
    """``p -= lr * g``; with ``weight_decay``, ``p -= lr * (g + weight_decay * p)``."""

    _settings = ("lr", "weight_decay")

    def __init__(self, lr=0.01, weight_decay=0.0):
        super().__init__()
        self.lr = lr
        self.weight_decay = weight_decay

    def _step(self, key, param, grad):
        if self.weight_decay:
            grad = grad + self.weight_decay * param
        param -= self.lr * grad
        return param


class Momentum(Optimizer):
    """``v = momentum * v - lr * g``; ``p += v``."""

    _settings = ("lr", "momentum")
    _state_names = ("v",)

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__()
        self.lr = lr
        self.momentum = momentum

    def _step(self, key, param, grad):
        self.v[key] = self.momentum * self.v[key] - self.lr * grad
        param += self.v[key]
        return param


class Nesterov(Momentum):
    """Nesterov momentum in the textbook's form (four in-place steps per key)."""

    def _step(self, key, param, grad):
        param += self.momentum * self.momentum * self.v[key]
        param -= (1 + self.momentum) * self.lr * grad
        self.v[key] *= self.momentum
        self.v[key] -= self.lr * grad
        return param


class AdaGrad(Optimizer):
    """``h += g * g``; ``p -= lr * g / (sqrt(h) + 1e-7)``."""

    _settings = ("lr",)
    _state_names = ("h",)

    def __init__(self, lr=0.01):
        super().__init__()
        self.lr = lr

    def _step(self, key, param, grad):
        self.h[key] += grad * grad
        param -= self.lr * grad / (np.sqrt(self.h[key]) + EPS)
        return param


class RMSprop(Optimizer):
    """``h *= decay_rate``; ``h += (1 - decay_rate) * g * g``; ``p -= lr * g / (sqrt(h) + 1e-7)``."""

    _settings = ("lr", "decay_rate")
    _state_names = ("h",)

    def __init__(self, lr=0.01, decay_rate=0.99):
        super().__init__()
        self.lr = lr
        self.decay_rate = decay_rate

    def _step(self, key, param, grad):
        self.h[key] *= self.decay_rate
        self.h[key] += (1 - self.decay_rate) * grad * grad
        param -= self.lr * grad / (np.sqrt(self.h[key]) + EPS)
        return param


class Adam(Optimizer):
    """The textbook's Adam: bias corrections folded into ``lr_t``, eps outside the sqrt."""

    _settings = ("lr", "beta1", "beta2", "iter")
    _state_names = ("m", "v")

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        super().__init__()
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0

    def _advance(self):
        self.iter += 1
        self._lr_t = adam_lr_t(self.lr, self.beta1, self.beta2, self.iter)

    def _step(self, key, param, grad):
        self.m[key] += (1 - self.beta1) * (grad - self.m[key])
        self.v[key] += (1 - self.beta2) * (grad**2 - self.v[key])
        param -= self._lr_t * self.m[key] / (np.sqrt(self.v[key]) + EPS)
        return param


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p *= 1 - lr * weight_decay`` before the Adam step."""

    _settings = Adam._settings + ("weight_decay",)

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, weight_decay=0.01):
        super().__init__(lr, beta1, beta2)
        self.weight_decay = weight_decay

    def _step(self, key, param, grad):
        param *= 1 - self.lr * self.weight_decay
        return super()._step(key, param, grad)
