"""The textbook's optimizers in numpy (``common/optimizer.py``, both editions), plus AdamW and SGD's weight decay.

fastgd's slow twins, written as the book writes them: each ``update(params, grads)`` applies the
book's statements key by key, in place for arrays; a dict value that is a Python or numpy scalar
is replaced by its updated value, as the book's ``params[key] -= ...`` does. The state dicts are
made with ``np.zeros_like`` on the first ``update``. Imports numpy and the standard library only.
"""
from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

import numpy as np

#: The optimizers: type checkers read this list (fastgd.optim.table has a row for each).
__all__ = ["SGD", "Momentum", "Nesterov", "NesterovKorean", "AdaGrad", "RMSprop", "Adam", "AdamW"]

State = dict[Any, Any]  #: one state: an array (or a numpy scalar, for scalar params) per key


class Optimizer:
    """Base of the textbook optimizers: each writes the book's ``update``."""

    def update(self, params: MutableMapping[Any, Any], grads: Mapping[Any, Any]) -> None:
        """Update every ``params[key]`` from ``grads[key]``.

        Parameters
        ----------
        params : mutable mapping
            Float arrays, updated in place, or real scalars, replaced by their updated values.
        grads : mapping
            A gradient for every key of ``params``, of its shape.
        """
        raise NotImplementedError


def _zeros_like(params: Mapping[Any, Any]) -> State:
    """The book's lazily made state: a zero array shaped like each param."""
    return {key: np.zeros_like(val) for key, val in params.items()}


class SGD(Optimizer):
    """``p -= lr * g``; with ``weight_decay``, ``p -= lr * (g + weight_decay * p)``.

    Parameters
    ----------
    lr : float, optional
        Learning rate.
    weight_decay : float, optional
        L2 penalty: ``weight_decay * p`` is added to the gradient (0 leaves it out).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference import SGD
    >>> w = np.array([1.0, -2.0])
    >>> params = {"w": w}
    >>> SGD(lr=0.1).update(params, {"w": np.array([0.5, 0.5])})
    >>> params["w"] is w, w  # in place: w - 0.1 * g
    (True, array([ 0.95, -2.05]))
    """


    def __init__(self, lr: float = 0.01, weight_decay: float = 0.0) -> None:
        self.lr = lr
        self.weight_decay = weight_decay

    def update(self, params: MutableMapping[Any, Any], grads: Mapping[Any, Any]) -> None:
        for key in params:
            grad = grads[key]
            if self.weight_decay:
                grad = grad + self.weight_decay * params[key]
            params[key] -= self.lr * grad


class Momentum(Optimizer):
    """``v = momentum * v - lr * g``; ``p += v``.

    Parameters
    ----------
    lr : float, optional
        Learning rate.
    momentum : float, optional
        Share of the velocity kept from one update to the next.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference import Momentum
    >>> opt, params = Momentum(lr=0.1, momentum=0.9), {"w": np.array([1.0])}
    >>> for _ in range(2):
    ...     opt.update(params, {"w": np.array([1.0])})
    >>> np.round(opt.v["w"], 6), np.round(params["w"], 6)  # v: -0.1, then -0.19
    (array([-0.19]), array([0.71]))
    """


    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        self.lr = lr
        self.momentum = momentum
        self.v: State | None = None  #: velocity per key (None before the first update)

    def update(self, params: MutableMapping[Any, Any], grads: Mapping[Any, Any]) -> None:
        if self.v is None:
            self.v = _zeros_like(params)
        for key in params:
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]


class Nesterov(Momentum):
    """Nesterov momentum as the Japanese original writes it: the params move first, with the old ``v``.

    ``p += momentum**2 * v``; ``p -= (1 + momentum) * lr * g``; ``v *= momentum``; ``v -= lr * g``.

    This order is the formula both editions cite, Bengio, Boulanger-Lewandowski & Pascanu (2012),
    "Advances in optimizing recurrent networks" (arXiv:1212.0901, section 3.5): with a constant
    momentum, ``p_t = p_{t-1} + momentum**2 * v_{t-1} - (1 + momentum) * lr * g`` uses the velocity
    of the previous step, then ``v_t = momentum * v_{t-1} - lr * g``.

    Parameters
    ----------
    lr : float, optional
        Learning rate.
    momentum : float, optional
        Share of the velocity kept from one update to the next.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference import Nesterov
    >>> opt, params = Nesterov(lr=0.1, momentum=0.9), {"w": np.array([1.0])}
    >>> for _ in range(2):
    ...     opt.update(params, {"w": np.array([1.0])})
    >>> np.round(opt.v["w"], 6), np.round(params["w"], 6)  # p: 1 - 0.19, then - 0.081 - 0.19
    (array([-0.19]), array([0.539]))
    """

    def update(self, params: MutableMapping[Any, Any], grads: Mapping[Any, Any]) -> None:
        if self.v is None:
            self.v = _zeros_like(params)
        for key in params:
            params[key] += self.momentum * self.momentum * self.v[key]
            params[key] -= (1 + self.momentum) * self.lr * grads[key]
            self.v[key] *= self.momentum
            self.v[key] -= self.lr * grads[key]


class NesterovKorean(Momentum):
    """Nesterov momentum as the Korean edition writes it: ``v`` moves first, then the params with the new ``v``.

    ``v *= momentum``; ``v -= lr * g``; ``p += momentum**2 * v``; ``p -= (1 + momentum) * lr * g``.

    Not the formula both editions cite (Bengio, Boulanger-Lewandowski & Pascanu 2012, section 3.5),
    which moves the params with the velocity of the previous step: that is the Japanese original's
    order, :class:`Nesterov`. Here the params move by ``momentum**3 * v_{t-1} - (1 + momentum +
    momentum**2) * lr * g``. Kept for bit-for-bit parity with the Korean edition's programs.

    Parameters
    ----------
    lr : float, optional
        Learning rate.
    momentum : float, optional
        Share of the velocity kept from one update to the next.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference import NesterovKorean
    >>> opt, params = NesterovKorean(lr=0.1, momentum=0.9), {"w": np.array([1.0])}
    >>> for _ in range(2):
    ...     opt.update(params, {"w": np.array([1.0])})
    >>> np.round(opt.v["w"], 6), np.round(params["w"], 6)  # p: 1 - 0.081 - 0.19, then - 0.1539 - 0.19
    (array([-0.19]), array([0.3851]))
    """

    def update(self, params: MutableMapping[Any, Any], grads: Mapping[Any, Any]) -> None:
        if self.v is None:
            self.v = _zeros_like(params)
        for key in params:
            self.v[key] *= self.momentum
            self.v[key] -= self.lr * grads[key]
            params[key] += self.momentum * self.momentum * self.v[key]
            params[key] -= (1 + self.momentum) * self.lr * grads[key]


class AdaGrad(Optimizer):
    """``h += g * g``; ``p -= lr * g / (sqrt(h) + 1e-7)``.

    Parameters
    ----------
    lr : float, optional
        Learning rate.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference import AdaGrad
    >>> opt, params = AdaGrad(lr=0.1), {"w": np.array([1.0, 1.0])}
    >>> opt.update(params, {"w": np.array([2.0, -0.5])})  # first step: lr * sign(g)
    >>> np.round(params["w"], 6), opt.h["w"]
    (array([0.9, 1.1]), array([4.  , 0.25]))
    """


    def __init__(self, lr: float = 0.01) -> None:
        self.lr = lr
        self.h: State | None = None  #: sum of squared gradients per key (None before the first update)

    def update(self, params: MutableMapping[Any, Any], grads: Mapping[Any, Any]) -> None:
        if self.h is None:
            self.h = _zeros_like(params)
        for key in params:
            self.h[key] += grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)


class RMSprop(Optimizer):
    """``h *= decay_rate``; ``h += (1 - decay_rate) * g * g``; ``p -= lr * g / (sqrt(h) + 1e-7)``.

    Parameters
    ----------
    lr : float, optional
        Learning rate.
    decay_rate : float, optional
        Share of the squared-gradient average kept from one update to the next, in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference import RMSprop
    >>> opt, params = RMSprop(lr=0.01, decay_rate=0.99), {"w": np.array([1.0])}
    >>> opt.update(params, {"w": np.array([2.0])})  # h = 0.01 * 4: a step of lr / sqrt(0.01)
    >>> np.round(opt.h["w"], 6), np.round(params["w"], 6)
    (array([0.04]), array([0.9]))
    """


    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99) -> None:
        self.lr = lr
        self.decay_rate = decay_rate
        self.h: State | None = None  #: moving average of squared gradients per key (None before the first update)

    def update(self, params: MutableMapping[Any, Any], grads: Mapping[Any, Any]) -> None:
        if self.h is None:
            self.h = _zeros_like(params)
        for key in params:
            self.h[key] *= self.decay_rate
            self.h[key] += (1 - self.decay_rate) * grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)


class Adam(Optimizer):
    """The textbook's Adam: bias corrections folded into ``lr_t``, eps outside the sqrt.

    ``iter += 1``; ``lr_t = lr * sqrt(1 - beta2**iter) / (1 - beta1**iter)``;
    ``m += (1 - beta1) * (g - m)``; ``v += (1 - beta2) * (g**2 - v)``;
    ``p -= lr_t * m / (sqrt(v) + 1e-7)``.

    Parameters
    ----------
    lr : float, optional
        Learning rate.
    beta1, beta2 : float, optional
        Decay rates of the first and second moments, in [0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference import Adam
    >>> opt, params = Adam(lr=0.1), {"w": np.array([1.0, 1.0])}
    >>> opt.update(params, {"w": np.array([3.0, -0.5])})  # first step: about lr * sign(g)
    >>> opt.iter, np.round(params["w"], 4)
    (1, array([0.9, 1.1]))
    """


    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999) -> None:
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m: State | None = None  #: first moment per key (None before the first update)
        self.v: State | None = None  #: second moment per key (None before the first update)

    def update(self, params: MutableMapping[Any, Any], grads: Mapping[Any, Any]) -> None:
        if self.m is None or self.v is None:
            self.m, self.v = _zeros_like(params), _zeros_like(params)
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)
        for key in params:
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key]**2 - self.v[key])
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p *= 1 - lr * weight_decay``, then Adam's step.

    Parameters
    ----------
    lr : float, optional
        Learning rate.
    beta1, beta2 : float, optional
        Decay rates of the first and second moments, in [0, 1).
    weight_decay : float, optional
        Decay of the parameters per update, relative to ``lr``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference import AdamW
    >>> opt, params = AdamW(lr=0.1, weight_decay=0.5), {"w": np.array([1.0])}
    >>> opt.update(params, {"w": np.array([0.0])})  # a zero gradient: only the decay, 1 - 0.1 * 0.5
    >>> np.round(params["w"], 6)
    array([0.95])
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, weight_decay: float = 0.01) -> None:
        super().__init__(lr, beta1, beta2)
        self.weight_decay = weight_decay

    def update(self, params: MutableMapping[Any, Any], grads: Mapping[Any, Any]) -> None:
        for key in params:
            params[key] *= 1 - self.lr * self.weight_decay
        super().update(params, grads)
