"""The textbook's numpy numerical gradient and gradient descent: fastgd's slow twins.

Written from the book's ``common/gradient.py`` and ``ch04/gradient_method.py`` (Saito,
*Deep Learning from Scratch*): each element moved by ``+h`` and ``-h`` in place, in ``np.nditer``'s
order, and ``(f(x + h) - f(x - h)) / (2*h)``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar, overload

import numpy as np
import numpy.typing as npt

FloatT = TypeVar("FloatT", bound=np.floating[Any])
PythonObjective = Callable[[npt.NDArray[Any]], Any]


def numerical_gradient(f: PythonObjective, x: npt.NDArray[FloatT], h: float = 1e-4) -> npt.NDArray[FloatT]:
    """Central-difference gradient of ``f`` at ``x``, one element at a time, in place.

    Parameters
    ----------
    f : callable
        ``f(x) -> scalar``.
    x : numpy.ndarray
        Point, any shape; each element is perturbed in place and restored.
    h : float, optional
        Step.

    Returns
    -------
    numpy.ndarray
        Gradient shaped like ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference import numerical_gradient
    >>> x = np.array([3.0, 4.0])
    >>> numerical_gradient(lambda x: x[0]**2 + x[1]**2, x)
    array([6., 8.])
    >>> x  # restored
    array([3., 4.])
    """
    grad = np.zeros_like(x)
    # The textbook's nested op_flags, which numpy takes for one operand too; its stubs want ["readwrite"] there.
    it = np.nditer(x, flags=["multi_index", "zerosize_ok"], op_flags=[["readwrite"]])  # type: ignore[list-item]
    while not it.finished:
        idx = it.multi_index
        tmp_val = x[idx]
        x[idx] = tmp_val + h
        fxh1 = f(x)
        x[idx] = tmp_val - h
        fxh2 = f(x)
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        x[idx] = tmp_val
        it.iternext()
    return grad


def numerical_gradient_2d(f: PythonObjective, X: npt.NDArray[FloatT], h: float = 1e-4) -> npt.NDArray[FloatT]:
    """Gradient of ``f`` at each row of a 2-D ``X`` (``f`` sees the row); 1-D ``X`` is one point.

    Parameters
    ----------
    f : callable
        ``f(x) -> scalar`` for one point ``x`` (a row of ``X``).
    X : numpy.ndarray
        1-D point or 2-D stack of points; each element is perturbed in place and restored.
    h : float, optional
        Step.

    Returns
    -------
    numpy.ndarray
        Gradients shaped like ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference import numerical_gradient_2d
    >>> numerical_gradient_2d(lambda x: x[0]**2 + x[1]**2, np.array([[3.0, 4.0], [0.0, 2.0]]))
    array([[6., 8.],
           [0., 4.]])
    """
    if X.ndim == 1:
        return numerical_gradient(f, X, h)
    grad = np.zeros_like(X)
    for idx, x in enumerate(X):
        grad[idx] = numerical_gradient(f, x, h)
    return grad


@overload
def gradient_descent(f: PythonObjective, init_x: npt.NDArray[FloatT], lr: float = 0.01, step_num: int = 100, *,
                     history: Literal[False] = False, h: float = 1e-4) -> npt.NDArray[FloatT]: ...
@overload
def gradient_descent(f: PythonObjective, init_x: npt.NDArray[FloatT], lr: float = 0.01, step_num: int = 100, *,
                     history: Literal[True], h: float = 1e-4) -> tuple[npt.NDArray[FloatT], npt.NDArray[FloatT]]: ...
@overload
def gradient_descent(f: PythonObjective, init_x: npt.NDArray[FloatT], lr: float = 0.01, step_num: int = 100, *,
                     history: bool, h: float = 1e-4
                     ) -> npt.NDArray[FloatT] | tuple[npt.NDArray[FloatT], npt.NDArray[FloatT]]: ...
def gradient_descent(f: PythonObjective, init_x: npt.NDArray[FloatT], lr: float = 0.01, step_num: int = 100, *,
                     history: bool = False, h: float = 1e-4
                     ) -> npt.NDArray[FloatT] | tuple[npt.NDArray[FloatT], npt.NDArray[FloatT]]:
    """``step_num`` times ``x -= lr * numerical_gradient(f, x)``; ``x`` is ``init_x``, in place.

    With ``history=True`` also returns the points before each step, shape
    ``(step_num, *init_x.shape)``.

    Parameters
    ----------
    f : callable
        ``f(x) -> scalar``.
    init_x : numpy.ndarray
        Start point: updated in place and returned.
    lr : float, optional
        Learning rate.
    step_num : int, optional
        Number of steps.
    history : bool, optional
        Also return the visited points.
    h : float, optional
        Finite-difference step.

    Returns
    -------
    x : numpy.ndarray
        ``init_x`` itself, after the last step.
    path : numpy.ndarray
        Only with ``history=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.reference import gradient_descent
    >>> init_x = np.array([-3.0, 4.0])
    >>> x, path = gradient_descent(lambda x: x[0]**2 + x[1]**2, init_x, lr=0.1, history=True)
    >>> x is init_x, bool(np.all(np.abs(x) < 1e-8)), path.shape
    (True, True, (100, 2))
    >>> path[:2]  # each step multiplies x by 1 - 2 * lr
    array([[-3. ,  4. ],
           [-2.4,  3.2]])
    """
    x = init_x
    path = np.empty((step_num, *x.shape), dtype=x.dtype) if history else None
    for i in range(step_num):
        if path is not None:  # history
            path[i] = x
        grad = numerical_gradient(f, x, h)
        x -= lr * grad
    return (x, path) if path is not None else x
