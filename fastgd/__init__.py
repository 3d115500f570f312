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
from fastgd.optim import *  # noqa: F403  # the optimizers, one per row of fastgd.optim.table
from fastgd.optim import __all__ as __all__

# isort: off
# issue 19: sparse Hessians (fastgd.optimize is imported on its own: it needs scipy)
from fastgd.diff import SparseHessian, SumHessian, color_symmetric
# isort: on

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
    *__all__,  # the optimizers
    "get_num_threads",
    "set_num_threads",
    "ObjectiveError",
    "reference",
    # issue 19: sparse Hessians (fastgd.optimize is imported on its own: it needs scipy)
    "SparseHessian",
    "SumHessian",
    "color_symmetric",
]
