"""fastgd: the textbook's numerical gradients, gradient descent and optimizers, compiled.

Swap ``from common.gradient import numerical_gradient`` for
``from fastgd import numerical_gradient`` (or ``common.optimizer.Adam`` for ``fastgd.Adam``):
same arguments, same numbers, faster. The numpy originals live on in :mod:`fastgd.reference`.
"""
from fastgd import reference
from fastgd._objective import ObjectiveError
from fastgd.gradient import gradient_descent, numerical_gradient, numerical_gradient_2d
from fastgd.optimizer import (
    SGD,
    AdaGrad,
    Adam,
    AdamW,
    Momentum,
    Nesterov,
    RMSprop,
    get_num_threads,
    set_num_threads,
)

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "numerical_gradient",
    "numerical_gradient_2d",
    "gradient_descent",
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
