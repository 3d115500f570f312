"""Finite-difference derivatives: the textbook's numerical gradient and descent, compiled."""
from fastgd.diff.api import gradient_descent, numerical_gradient, numerical_gradient_2d
from fastgd.diff.methods import GradientInfo
from fastgd.diff.objectives import ObjectiveError

__all__ = ["numerical_gradient", "numerical_gradient_2d", "gradient_descent", "ObjectiveError", "GradientInfo"]
