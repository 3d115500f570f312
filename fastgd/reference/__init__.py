"""Plain numpy twins of fastgd's public functions: the textbook code, for tests and benchmarks."""
from fastgd.reference.gradient import gradient_descent, numerical_gradient, numerical_gradient_2d

__all__ = ["gradient_descent", "numerical_gradient", "numerical_gradient_2d"]
