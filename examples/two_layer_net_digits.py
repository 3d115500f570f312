"""Train the textbook's TwoLayerNet on the 8x8 digits with numerical gradients (no backprop).

Needs the nn extra: pip install "fastgd[nn]". Run: python examples/two_layer_net_digits.py
"""
import numpy as np

from fastgd import Adam
from fastgd.datasets import load_digits
from fastgd.nn import TwoLayerNet, gradient_check


def main() -> None:
    (x_train, t_train), (x_test, t_test) = load_digits()
    rng = np.random.default_rng(0)
    net = TwoLayerNet(input_size=64, hidden_size=50, output_size=10, rng=rng)
    optimizer = Adam(lr=0.01)

    for name, check in gradient_check(net, x_train[:10], t_train[:10]).items():
        print(f"gradient check {name}: mean |backprop - numerical| = {check.mean_abs_diff:.2e}")

    for step in range(1, 301):
        batch = rng.choice(len(x_train), 100, replace=False)
        grads = net.numerical_gradient(x_train[batch], t_train[batch])
        optimizer.update(net.params, grads)
        if step % 100 == 0:
            print(f"step {step}: test accuracy {net.accuracy(x_test, t_test):.3f}")


if __name__ == "__main__":
    main()
