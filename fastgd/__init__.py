"""fastgd: the textbook's numerical gradients, gradient descent and optimizers, compiled.

Swap ``from common.gradient import numerical_gradient`` for
``from fastgd import numerical_gradient`` (or ``common.optimizer.Adam`` for ``fastgd.Adam``):
same arguments, same numbers, faster. The numpy originals live on in :mod:`fastgd.reference`.
"""
from fastgd import reference
from fastgd._threads import get_num_threads, set_num_threads
from fastgd.diff import (
    HessianInfo,
    ObjectiveError,
    SparseJacobian,
    color_columns,
    gradient_descent,
    gradient_of,
    hessian,
    hessian_of,
    hessp,
    hessp_of,
    jacobian,
    jacobian_of,
    numerical_gradient,
    numerical_gradient_2d,
)
from fastgd.optim import SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSprop

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "numerical_gradient",
    "numerical_gradient_2d",
    "gradient_descent",
    "jacobian",
    "hessian",
    "hessp",
    "HessianInfo",
    "SparseJacobian",
    "color_columns",
    "gradient_of",
    "jacobian_of",
    "hessian_of",
    "hessp_of",
    "SGD",
    "Momentum",
    "Nesterov",
    "AdaGrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "get_num_threads",
    "set_num_threads",
    "ObjectiveError",
    "reference",
]
