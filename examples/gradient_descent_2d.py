"""The textbook's gradient descent on f(x0, x1) = x0**2 + x1**2, with the one-line swap.

Run: python examples/gradient_descent_2d.py
"""
import numpy as np
import numpy.typing as npt

# from common.gradient import numerical_gradient, gradient_descent
from fastgd import gradient_descent, numerical_gradient


def function_2(x: npt.NDArray[np.float64]) -> float:
    return float(x[0] ** 2 + x[1] ** 2)


def main() -> None:
    for point in ([3.0, 4.0], [0.0, 2.0], [3.0, 0.0]):
        print(point, "->", numerical_gradient(function_2, np.array(point)))

    x, path = gradient_descent(function_2, np.array([-3.0, 4.0]), lr=0.1, step_num=20, history=True)
    print("after 20 steps:", x)
    print("first points of the path:", path[:3].tolist())


if __name__ == "__main__":
    main()
