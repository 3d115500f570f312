"""Plain numpy twins of fastgd's public functions: the textbook code, for tests and benchmarks."""
from fastgd.reference.gradient import gradient_descent, numerical_gradient, numerical_gradient_2d
from fastgd.reference.optimizer import SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSprop

__all__ = [
    "gradient_descent",
    "numerical_gradient",
    "numerical_gradient_2d",
    "SGD",
    "Momentum",
    "Nesterov",
    "AdaGrad",
    "RMSprop",
    "Adam",
    "AdamW",
]
