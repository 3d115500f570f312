"""Plain numpy twins of fastgd's public functions: the textbook code, for tests and benchmarks.

The test oracle: it imports numpy and the standard library only and shares no code with fastgd's
product (it runs with fastgd.diff, fastgd.optim, fastgd.nn and the compiled modules absent). The
derivatives are written from the formulas: the book's central difference (:mod:`.gradient`), the
difference rows, step rules, bounds and error estimates of every ``method=`` (:mod:`.schemes`,
:mod:`.steps`, :mod:`.estimates`), Jacobians, Hessians and sparse Jacobians (:mod:`.jacobians`).

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
from fastgd.reference.optimizer import *  # noqa: F403  # the optimizers' twins
from fastgd.reference.optimizer import __all__ as __all__

__all__ = [
    "gradient_descent",
    "numerical_gradient",
    "numerical_gradient_2d",
    "jacobian",
    "hessian",
    "hessp",
    "color_columns",
    "sparse_jacobian",
    *__all__,  # the optimizers (fastgd.optim.table has a row for each)
]
