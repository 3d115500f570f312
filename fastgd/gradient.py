"""Numerical gradients and gradient descent, with the textbook's interface, in compiled loops.

Every function here has a numpy twin of the same name in :mod:`fastgd.reference`.
"""
import numpy as np

from fastgd import _numgrad
from fastgd._layout import c_order_offsets, has_typed_kernel
from fastgd._validate import check_callable, check_float_array, count, finite_number, positive_number


def _check_objective(f, x, h):
    check_callable(f)
    check_float_array(x)
    return positive_number(h, "h")


def numerical_gradient(f, x, h=1e-4):
    """Central-difference gradient of ``f`` at ``x``, perturbing ``x`` in place.

    For each element ``x[i]`` (in C order): ``x[i] = v + h``, ``f1 = f(x)``,
    ``x[i] = v - h``, ``f2 = f(x)``, ``grad[i] = (f1 - f2) / (2*h)``, ``x[i] = v``.
    The same IEEE operations as :func:`fastgd.reference.numerical_gradient`, so a
    float64 result is bitwise identical to it.

    Parameters
    ----------
    f : callable
        ``f(x) -> real scalar``. It is called with ``x`` itself, so a closure that
        ignores its argument and reads the same array elsewhere sees every perturbation.
    x : numpy.ndarray
        Point, any shape, a real floating dtype, writeable. Strided views are perturbed
        in the caller's memory. Restored bitwise, even if ``f`` raises.
    h : float, optional
        Step, finite and > 0. Used as a Python float (a weak scalar under NEP 50).

    Returns
    -------
    numpy.ndarray
        Gradient with the shape and dtype of ``x``.

    Raises
    ------
    TypeError
        ``f`` is not callable, ``x`` is not a real floating array, or ``f`` returns
        something other than a real scalar.
    ValueError
        ``x`` is read-only, or ``h`` is not finite and > 0.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import numerical_gradient
    >>> numerical_gradient(lambda x: x[0]**2 + x[1]**2, np.array([3.0, 4.0]))
    array([6., 8.])
    """
    h = _check_objective(f, x, h)
    grad = np.empty(x.shape, dtype=x.dtype)
    if has_typed_kernel(x):
        _numgrad.gradient(f, x, grad, c_order_offsets(x), h)
    else:
        _numgrad.gradient_object(f, x, grad, h)
    return grad


def numerical_gradient_2d(f, X, h=1e-4):
    """Gradient of ``f`` at each row of a 2-D ``X``; a 1-D ``X`` is one point.

    ``f`` is called with the row view ``X[r]``, perturbed in place, exactly as
    :func:`numerical_gradient` does for a single point.

    Parameters
    ----------
    f : callable
        ``f(x) -> real scalar`` for one point ``x`` (a row of ``X``).
    X : numpy.ndarray
        1-D point or 2-D stack of points, a real floating dtype, writeable.
    h : float, optional
        Step, finite and > 0.

    Returns
    -------
    numpy.ndarray
        Gradients with the shape and dtype of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import numerical_gradient_2d
    >>> numerical_gradient_2d(lambda x: x[0]**2 + x[1]**2, np.array([[3.0, 4.0], [0.0, 2.0]]))
    array([[6., 8.],
           [0., 4.]])
    """
    h = _check_objective(f, X, h)
    if X.ndim == 1:
        return numerical_gradient(f, X, h)
    if X.ndim != 2:
        raise ValueError(f"X must be 1-D (one point) or 2-D (one point per row), got {X.ndim}-D")
    grad = np.empty(X.shape, dtype=X.dtype)
    if has_typed_kernel(X):
        _numgrad.gradient_rows(f, X, grad, c_order_offsets(X[0]) if len(X) else None, h)
    else:
        for row, grad_row in zip(X, grad):
            _numgrad.gradient_object(f, row, grad_row, h)
    return grad


def gradient_descent(f, init_x, lr=0.01, step_num=100, *, history=False, h=1e-4):
    """Run ``step_num`` steps of ``x -= lr * numerical_gradient(f, x)`` in compiled code.

    Parameters
    ----------
    f : callable
        ``f(x) -> real scalar``.
    init_x : numpy.ndarray
        Start point, a real floating dtype, writeable: updated in place and returned.
    lr : float, optional
        Learning rate, finite. Used as a Python float (a weak scalar under NEP 50).
    step_num : int, optional
        Number of steps, >= 0.
    history : bool, optional
        Also return the visited points, shape ``(step_num, *init_x.shape)``, each the
        point before its step (what the textbook's path plot draws).
    h : float, optional
        Finite-difference step, finite and > 0.

    Returns
    -------
    x : numpy.ndarray
        ``init_x`` itself, after the last step.
    path : numpy.ndarray
        Only with ``history=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import gradient_descent
    >>> x = gradient_descent(lambda x: x[0]**2 + x[1]**2, np.array([-3.0, 4.0]), lr=0.1)
    >>> bool(np.all(np.abs(x) < 1e-8))
    True
    """
    h = _check_objective(f, init_x, h)
    lr = finite_number(lr, "lr")
    step_num = count(step_num, "step_num")
    path = np.empty((step_num, *init_x.shape), dtype=init_x.dtype) if history else None
    if has_typed_kernel(init_x):
        _numgrad.descend(f, init_x, c_order_offsets(init_x), h, lr, step_num, path)
    else:
        _numgrad.descend_object(f, init_x, h, lr, step_num, path)
    return (init_x, path) if history else init_x
