"""The book's own variants of the numerical gradient, for its mirror modules.

Besides ``common/gradient.py``'s ``numerical_gradient`` (fastgd's, bit for bit), the book has:

- a per-row gradient (``numerical_gradient_2d``, chapter 4's ``gradient_2d.py``) and its 1-D
  loop, which write ``x[idx] = float(tmp_val) + h``, as the Korean edition's
  ``numerical_gradient`` does: the ``+h`` point computed in double and then stored in ``x``'s
  dtype (``-h`` stays ``tmp_val - h``, in ``x``'s dtype). For float64 that is numpy's ``x + h``;
  for float32 it can differ in the last place, so these run the engine with a scheme whose
  ``+h`` point is widened (:data:`WIDENED_PLUS`): the book's numbers for every dtype;
- chapter 4's ``numerical_diff`` and ``gradient_descent`` (returning ``(x, x_history)``).
"""
from __future__ import annotations

from typing import Any, cast

import numpy as np
import numpy.typing as npt

from fastgd._typing import FloatT, PythonObjective
from fastgd._validate import positive_number
from fastgd.diff import gradient_descent as fastgd_descent
from fastgd.diff._core.factory import make_evaluator as _evaluator
from fastgd.diff._core.in_place import InPlace
from fastgd.diff._core.schemes import Scheme

#: The central difference with the ``+h`` point computed as ``float(tmp_val) + h``.
WIDENED_PLUS = Scheme("central, float(x) + h", (1.0, -1.0), (1, -1), 2, widened=(True, False))


def _in_place(f: PythonObjective, x: object) -> InPlace:
    evaluator = _evaluator(f, x, None, False, None, None, scheme=WIDENED_PLUS)
    assert isinstance(evaluator, InPlace)  # a Python f, no workers: evaluated in place
    return evaluator


def widened_gradient(f: PythonObjective, x: npt.NDArray[FloatT], h: float = 1e-4) -> npt.NDArray[FloatT]:
    """Central-difference gradient with ``x[idx] = float(tmp_val) + h`` (the Korean edition's ``numerical_gradient``).

    Elements are perturbed in place in ``np.nditer``'s order and restored, as
    :func:`fastgd.numerical_gradient` does.

    Examples
    --------
    >>> import numpy as np
    >>> import fastgd
    >>> from fastgd.book._gradients import widened_gradient
    >>> x = np.array([2.056843e-05], dtype=np.float32)
    >>> widened_gradient(lambda x: x[0], x)  # float32: the +h point rounded from double
    array([1.0000001], dtype=float32)
    >>> fastgd.numerical_gradient(lambda x: x[0], x)  # numpy's x + h, in float32
    array([1.], dtype=float32)
    """
    return cast("npt.NDArray[FloatT]", _in_place(f, x).derivative(x, positive_number(h, "h"), False))


def widened_gradient_2d(f: PythonObjective, X: npt.NDArray[FloatT], h: float = 1e-4) -> npt.NDArray[FloatT]:
    """:func:`widened_gradient` of ``f`` at each row of a 2-D ``X`` (``f`` sees the row); a 1-D ``X`` is one point.

    The book's ``numerical_gradient_2d`` (``common/gradient.py``) and chapter 4's ``gradient_2d.numerical_gradient``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.book._gradients import widened_gradient_2d
    >>> widened_gradient_2d(lambda x: np.sum(x**2), np.array([[3.0, 4.0], [0.0, 2.0]]))
    array([[6., 8.],
           [0., 4.]])
    """
    evaluator = _in_place(f, X)
    h = positive_number(h, "h")
    if X.ndim == 1:
        return cast("npt.NDArray[FloatT]", evaluator.derivative(X, h, False))
    if X.ndim != 2:
        raise ValueError(f"X must be 1-D (one point) or 2-D (one point per row), got {X.ndim}-D")
    return cast("npt.NDArray[FloatT]", evaluator.rows(X, h, False))


def numerical_diff(f: Any, x: Any, h: float = 1e-4) -> Any:
    """The book's derivative of a scalar function: ``(f(x + h) - f(x - h)) / (2 * h)``.

    Examples
    --------
    >>> from fastgd.book._gradients import numerical_diff
    >>> round(numerical_diff(lambda x: 0.01 * x**2 + 0.1 * x, 5), 6)  # chapter 4's function_1 at 5
    0.2
    """
    return (f(x + h) - f(x - h)) / (2 * h)


def tangent_line(derivative: Any, f: Any, x: Any) -> Any:
    """Chapter 4's ``tangent_line``: prints ``derivative(f, x)`` and returns the tangent at ``x`` as a function.

    Examples
    --------
    >>> from fastgd.book._gradients import numerical_diff, tangent_line
    >>> line = tangent_line(numerical_diff, lambda x: x * x, 3.0)  # prints the slope, as the book does
    6.000000000012662
    >>> round(line(4.0), 6)
    15.0
    """
    d = derivative(f, x)
    print(d)
    y = f(x) - d * x
    return lambda t: d * t + y


def gradient_descent(f: PythonObjective, init_x: npt.NDArray[FloatT], lr: float = 0.01, step_num: int = 100
                     ) -> tuple[npt.NDArray[FloatT], npt.NDArray[Any]]:
    """Chapter 4's ``gradient_descent``: ``step_num`` steps of ``x -= lr * grad``, returning ``(x, x_history)``.

    ``x`` is ``init_x``, updated in place; ``x_history`` stacks the points before each step.
    The gradient is chapter 4's ``gradient_2d.numerical_gradient`` (one point per row of a
    2-D ``x``, ``float(tmp_val) + h``). A 1-D float64 ``x`` runs fastgd's compiled descent loop
    (the same numbers); anything else steps in Python.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.book._gradients import gradient_descent
    >>> x, x_history = gradient_descent(lambda x: x[0]**2 + x[1]**2, np.array([-3.0, 4.0]), lr=0.1, step_num=20)
    >>> x_history.shape, np.round(x_history[1], 6), bool(np.all(np.abs(x) < 0.05))
    ((20, 2), array([-2.4,  3.2]), True)
    """
    if step_num <= 0:
        return init_x, np.array([])  # the book's loop does not run: np.array of an empty history
    if init_x.ndim == 1 and init_x.dtype == np.float64:
        x, history = fastgd_descent(f, init_x, lr, step_num, history=True)
        return x, history
    x = init_x
    x_history = []
    for _ in range(step_num):
        x_history.append(x.copy())
        x -= lr * widened_gradient_2d(f, x)
    return x, np.array(x_history)


__all__ = ["WIDENED_PLUS", "widened_gradient", "widened_gradient_2d", "numerical_diff", "tangent_line",
           "gradient_descent"]
