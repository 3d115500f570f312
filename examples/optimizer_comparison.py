"""The textbook's optimizer comparison on f(x, y) = x**2 / 20 + y**2 from (-7, 2).

params holds plain Python floats, as in the textbook; fastgd's optimizers update them like the
numpy ones do. Run: python examples/optimizer_comparison.py
"""
from collections import OrderedDict

# from common.optimizer import SGD, Momentum, AdaGrad, Adam
from fastgd import SGD, AdaGrad, Adam, Momentum
from fastgd.optim.fused import Optimizer


def df(x: float, y: float) -> tuple[float, float]:
    return x / 10.0, 2.0 * y


def main() -> None:
    optimizers: OrderedDict[str, Optimizer] = OrderedDict(
        SGD=SGD(lr=0.95), Momentum=Momentum(lr=0.1), AdaGrad=AdaGrad(lr=1.5), Adam=Adam(lr=0.3)
    )
    for name, optimizer in optimizers.items():
        params: dict[str, float] = {"x": -7.0, "y": 2.0}
        for _ in range(30):
            gx, gy = df(params["x"], params["y"])
            optimizer.update(params, {"x": gx, "y": gy})
        print(f"{name:>8}: x = {float(params['x']):+.6f}, y = {float(params['y']):+.6f}")


if __name__ == "__main__":
    main()
