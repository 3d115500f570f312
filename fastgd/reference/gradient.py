"""The textbook's numpy numerical gradient and gradient descent: fastgd's slow twins."""
import numpy as np


def numerical_gradient(f, x, h=1e-4):
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
    """
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index", "zerosize_ok"], op_flags=[["readwrite"]])
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


def numerical_gradient_2d(f, X, h=1e-4):
    """Gradient of ``f`` at each row of a 2-D ``X`` (``f`` sees the row); 1-D ``X`` is one point."""
    if X.ndim == 1:
        return numerical_gradient(f, X, h)
    grad = np.zeros_like(X)
    for idx, x in enumerate(X):
        grad[idx] = numerical_gradient(f, x, h)
    return grad


def gradient_descent(f, init_x, lr=0.01, step_num=100, *, history=False, h=1e-4):
    """``step_num`` times ``x -= lr * numerical_gradient(f, x)``; ``x`` is ``init_x``, in place.

    With ``history=True`` also returns the points before each step, shape
    ``(step_num, *init_x.shape)``.
    """
    x = init_x
    path = np.empty((step_num, *x.shape), dtype=x.dtype) if history else None
    for i in range(step_num):
        if history:
            path[i] = x
        grad = numerical_gradient(f, x, h)
        x -= lr * grad
    return (x, path) if history else x
