"""Finite-difference derivatives: the textbook's numerical gradient and descent, compiled; Jacobians (dense
and sparse), Hessians (dense and sparse), and drop-in derivatives for scipy.optimize.

The public modules import downward only: :mod:`~fastgd.diff.scipy_adapters` -> :mod:`~fastgd.diff.hessian`
-> :mod:`~fastgd.diff.jacobian` -> :mod:`~fastgd.diff.sparse` -> the engine, :mod:`fastgd.diff._core`
(and :mod:`~fastgd.diff.gradient` -> the engine; :mod:`~fastgd.diff.sparse_hessian` -> sparse).
"""
from fastgd.diff._core.methods import GradientInfo
from fastgd.diff._core.objectives import ObjectiveError
from fastgd.diff._core.schemes import Method
from fastgd.diff._core.steps import StepsArg
from fastgd.diff.gradient import gradient_descent, numerical_gradient, numerical_gradient_2d
from fastgd.diff.hessian import HessianInfo, hessian, hessp
from fastgd.diff.jacobian import jacobian
from fastgd.diff.scipy_adapters import gradient_of, hessian_of, hessp_of, jacobian_of
from fastgd.diff.sparse import SparseJacobian, color_columns
from fastgd.diff.sparse_hessian import SparseHessian, SumHessian, color_symmetric

__all__ = ["numerical_gradient", "numerical_gradient_2d", "gradient_descent", "ObjectiveError", "GradientInfo",
           "jacobian", "hessian", "hessp", "HessianInfo", "SparseJacobian", "color_columns", "gradient_of",
           "jacobian_of", "hessian_of", "hessp_of", "Method", "StepsArg",
           "SparseHessian", "SumHessian", "color_symmetric"]
