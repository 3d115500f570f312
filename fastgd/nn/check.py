"""Compare numerical and analytic (backprop) gradients, parameter by parameter: :func:`gradient_check`."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol, TypeAlias, overload

import numpy as np
import numpy.typing as npt

from fastgd._typing import PythonObjective
from fastgd.diff import GradientInfo, Method, StepsArg, numerical_gradient


class GradientCheck(NamedTuple):
    """How a numerical gradient and an analytic one compare, for one parameter.

    Attributes
    ----------
    mean_abs_diff : float
        Mean of ``|analytic - numerical|``: what the textbook prints.
    max_rel_error : float
        Largest ``|a - n| / max(|a|, |n|)`` (0 where both are 0).
    worst_index : tuple of int
        Where that largest relative error is.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn import GradientCheck, gradient_check
    >>> check = gradient_check(lambda x: np.sum(x**3), np.array([[1.0, -2.0], [0.5, 3.0]]),
    ...                        gradient=lambda x: 3 * x**2)["x"]
    >>> isinstance(check, GradientCheck), check.mean_abs_diff < 1e-6, len(check.worst_index)
    (True, True, 2)
    >>> GradientCheck(0.0, 0.0, ())  # a parameter with no elements
    GradientCheck(mean_abs_diff=0.0, max_rel_error=0.0, worst_index=(), numerical_error=nan)
    """

    mean_abs_diff: float  #: mean of ``|analytic - numerical|``: what the textbook prints
    max_rel_error: float  #: max of ``|a - n| / max(|a|, |n|)`` (0 where both are 0)
    worst_index: tuple[int, ...]  #: where that maximum is
    numerical_error: float = math.nan  #: with method= or h=: the largest error estimate of the numerical gradient


_Gradients: TypeAlias = npt.NDArray[Any] | dict[str, npt.NDArray[Any]]  # one array, or one per parameter


class _GradientNet(Protocol):
    """A net as :func:`gradient_check` takes it: ``SimpleNet``, ``TwoLayerNet`` or any with their interface."""

    def numerical_gradient(self, x: npt.NDArray[Any], t: npt.NDArray[Any], /) -> _Gradients: ...

    def gradient(self, x: npt.NDArray[Any], t: npt.NDArray[Any], /) -> _Gradients: ...


def _compare(analytic: npt.ArrayLike, numerical: npt.ArrayLike) -> GradientCheck:
    analytic, numerical = np.asarray(analytic, dtype=np.float64), np.asarray(numerical, dtype=np.float64)
    if analytic.shape != numerical.shape:
        raise ValueError(f"the analytic gradient has shape {analytic.shape}, the numerical one {numerical.shape}")
    diff = np.abs(analytic - numerical)
    scale = np.maximum(np.abs(analytic), np.abs(numerical))
    rel = np.divide(diff, scale, out=np.zeros_like(diff), where=scale > 0)
    worst = np.unravel_index(np.argmax(rel), rel.shape) if rel.size else ()
    return GradientCheck(float(diff.mean()) if diff.size else 0.0, float(rel.max(initial=0.0)),
                         tuple(int(i) for i in worst))


@overload
def gradient_check(model: _GradientNet, x: npt.NDArray[Any], t: npt.NDArray[Any], *,
                   gradient: None = None, method: Method | None = None,
                   h: StepsArg = None) -> dict[str, GradientCheck]: ...
@overload
def gradient_check(model: PythonObjective, x: npt.NDArray[np.floating[Any]], t: None = None, *,
                   gradient: Callable[[npt.NDArray[np.floating[Any]]], npt.ArrayLike], method: Method | None = None,
                   h: StepsArg = None) -> dict[str, GradientCheck]: ...
def gradient_check(model: _GradientNet | PythonObjective, x: npt.NDArray[Any], t: npt.NDArray[Any] | None = None, *,
                   gradient: Callable[[npt.NDArray[np.floating[Any]]], npt.ArrayLike] | None = None,
                   method: Method | None = None, h: StepsArg = None) -> dict[str, GradientCheck]:
    """Compare numerical and analytic (backprop) gradients, parameter by parameter.

    Parameters
    ----------
    model : net or callable
        A net with ``numerical_gradient(x, t)`` and ``gradient(x, t)`` (``SimpleNet``,
        ``TwoLayerNet`` or any with that interface), or an objective ``f(x) -> scalar``.
    x : numpy.ndarray
        The batch for a net; the point for an objective (perturbed in place and restored).
    t : numpy.ndarray, optional
        The targets, for a net.
    gradient : callable, optional
        For an objective: ``gradient(x)``, its analytic gradient.
    method, h : optional
        Take the numerical gradient from :func:`fastgd.numerical_gradient` with this method and
        step (``'richardson'``; ``'complex'`` if the loss takes complex arrays), with its error
        estimate: each check's ``numerical_error`` is the largest, so that a backprop gradient
        is judged against a numerical one whose own error is known. For a net, each of its
        parameter arrays is perturbed in place with the loss at ``(x, t)``. Default: the net's
        own ``numerical_gradient`` (the textbook's central difference).

    Returns
    -------
    dict of str to GradientCheck
        Per parameter (a single ``"x"`` for an objective): the mean absolute difference
        and the largest relative error with its index.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.nn import gradient_check
    >>> check = gradient_check(lambda x: np.sum(x**3), np.array([1.0, -2.0]),
    ...                        gradient=lambda x: 3 * x**2)
    >>> check["x"].max_rel_error < 1e-7
    True

    A net, parameter by parameter:

    >>> from fastgd.nn import TwoLayerNet
    >>> net = TwoLayerNet(4, 5, 3, rng=np.random.default_rng(0))
    >>> x, t = np.random.default_rng(1).standard_normal((2, 4)), np.array([0, 2])
    >>> checks = gradient_check(net, x, t)
    >>> list(checks), all(check.mean_abs_diff < 1e-6 for check in checks.values())
    (['W1', 'b1', 'W2', 'b2'], True)

    Against a numerical gradient whose own error is known: here the backprop gradient differs by
    far more than that error, because the loss adds 1e-7 inside its log and backprop does not:

    >>> checks = gradient_check(net, x, t, method="richardson")
    >>> all(check.numerical_error < 1e-11 < check.mean_abs_diff for check in checks.values())
    True
    """
    if gradient is None:
        if t is None or not (hasattr(model, "numerical_gradient") and hasattr(model, "gradient")):
            raise TypeError("pass a net with numerical_gradient and gradient methods and targets t, "
                            "or an objective f with gradient=")
        analytic = model.gradient(x, t)
        numerical = model.numerical_gradient(x, t) if method is None and h is None else \
            _net_gradients(model, x, t, method or "central", h)
        if not isinstance(analytic, dict):
            numerical, analytic = {"W": numerical["W"] if isinstance(numerical, dict) else numerical}, {"W": analytic}
    else:
        if not callable(gradient):
            raise TypeError(f"gradient must be callable, got {type(gradient).__name__}")
        analytic = {"x": gradient(x)}
        numerical = {"x": numerical_gradient(model, x) if method is None and h is None else
                     numerical_gradient(model, x, h, method=method or "central", full_output=True)}
    return {key: _checked(analytic[key], numerical[key]) for key in numerical}


def _net_gradients(net: Any, x: npt.NDArray[Any], t: npt.NDArray[Any], method: Method, h: StepsArg
                   ) -> dict[str, tuple[npt.NDArray[Any], GradientInfo]]:
    """:func:`fastgd.numerical_gradient` of the loss over each parameter array of ``net`` (``SimpleNet``
    keeps only ``W``), perturbed in place, with error estimates. A layer-based net's loss is the one its
    own ``numerical_gradient`` differentiates (``MultiLayerNetExtend``'s in training mode)."""
    params = getattr(net, "params", None) or {"W": net.W}
    loss = net.gradient_loss(x, t) if hasattr(net, "gradient_loss") else (lambda _: net.loss(x, t))
    return {key: numerical_gradient(loss, params[key], h, method=method, full_output=True) for key in params}


def _checked(analytic: npt.ArrayLike, numerical: npt.NDArray[Any] | tuple[npt.NDArray[Any], GradientInfo]
             ) -> GradientCheck:
    """The comparison, with the numerical gradient's largest error estimate where it has one."""
    if isinstance(numerical, tuple):
        grad, info = numerical
        return _compare(analytic, grad)._replace(numerical_error=float(info.error.max(initial=0.0)))
    return _compare(analytic, numerical)


__all__ = ["GradientCheck", "gradient_check"]
