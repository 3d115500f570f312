"""Plain numpy twins of fastgd's public functions: the textbook code, for tests and benchmarks.

Examples
--------
>>> import numpy as np
>>> import fastgd
>>> from fastgd import reference
>>> x = np.linspace(-1.0, 1.0, 7)
>>> def f(x):
...     return np.sum(np.sin(x) * x)
>>> bool(np.array_equal(fastgd.numerical_gradient(f, x), reference.numerical_gradient(f, x)))
True
"""
from fastgd.reference.gradient import gradient_descent, numerical_gradient, numerical_gradient_2d
from fastgd.reference.jacobians import color_columns, hessian, hessp, jacobian, sparse_jacobian
from fastgd.reference.optimizer import SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSprop

__all__ = [
    "gradient_descent",
    "numerical_gradient",
    "numerical_gradient_2d",
    "jacobian",
    "hessian",
    "hessp",
    "color_columns",
    "sparse_jacobian",
    "SGD",
    "Momentum",
    "Nesterov",
    "AdaGrad",
    "RMSprop",
    "Adam",
    "AdamW",
]
