"""Finite-difference derivatives: the textbook's numerical gradient and descent, compiled; Jacobians (dense
and sparse), Hessians, and drop-in derivatives for scipy.optimize."""
from fastgd.diff.api import gradient_descent, numerical_gradient, numerical_gradient_2d
from fastgd.diff.hessians import HessianInfo, hessian, hessp
from fastgd.diff.jacobians import jacobian
from fastgd.diff.methods import GradientInfo
from fastgd.diff.objectives import ObjectiveError
from fastgd.diff.scipy_adapters import gradient_of, hessian_of, hessp_of, jacobian_of
from fastgd.diff.sparse import SparseJacobian, color_columns

__all__ = ["numerical_gradient", "numerical_gradient_2d", "gradient_descent", "ObjectiveError", "GradientInfo",
           "jacobian", "hessian", "hessp", "HessianInfo", "SparseJacobian", "color_columns", "gradient_of",
           "jacobian_of", "hessian_of", "hessp_of"]
