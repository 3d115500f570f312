"""The book's nets through fastgd.book: gradient checks, then numerical-gradient training, on the 8x8 digits.

Each import is the book's own line with ``fastgd.book.`` in front (chapter 5's
``from two_layer_net import TwoLayerNet`` becomes ``from fastgd.book.ch05.two_layer_net
import TwoLayerNet``); the code below is what the book's scripts do. Needs the nn extra:
pip install "fastgd[nn]". Run: python examples/book_nets_digits.py
"""
import time

import numpy as np

from fastgd.book.ch05.two_layer_net import TwoLayerNet
from fastgd.book.ch07.simple_convnet import SimpleConvNet
from fastgd.book.common.multi_layer_net_extend import MultiLayerNetExtend
from fastgd.book.common.optimizer import Adam
from fastgd.datasets import load_digits


def gradient_check(name: str, network: TwoLayerNet | MultiLayerNetExtend | SimpleConvNet, x: np.ndarray,
                   t: np.ndarray) -> None:
    """The book's gradient_check.py: mean |backprop - numerical| per parameter."""
    start = time.perf_counter()
    grad_numerical = network.numerical_gradient(x, t)
    elapsed = time.perf_counter() - start
    grad_backprop = network.gradient(x, t)
    diffs = ", ".join(f"{key}:{np.average(np.abs(grad_backprop[key] - grad_numerical[key])):.1e}"
                      for key in grad_numerical)
    print(f"{name} ({elapsed * 1e3:.1f} ms): {diffs}")


def main() -> None:
    (x_train, t_train), (x_test, t_test) = load_digits()
    np.random.seed(0)  # noqa: NPY002 - the book's weights come from its np.random.randn calls

    gradient_check("ch05 TwoLayerNet", TwoLayerNet(input_size=64, hidden_size=50, output_size=10),
                   x_train[:3], t_train[:3])
    gradient_check("MultiLayerNetExtend, batch norm", MultiLayerNetExtend(
        input_size=64, hidden_size_list=[50, 50], output_size=10, use_batchnorm=True), x_train[:10], t_train[:10])
    conv_param = {"filter_num": 10, "filter_size": 3, "pad": 0, "stride": 1}
    gradient_check("ch07 SimpleConvNet", SimpleConvNet(input_dim=(1, 8, 8), conv_param=conv_param, hidden_size=50,
                                                       output_size=10), x_train[:10].reshape(-1, 1, 8, 8),
                   t_train[:10])

    network = MultiLayerNetExtend(input_size=64, hidden_size_list=[50, 50], output_size=10, use_batchnorm=True)
    optimizer = Adam(lr=0.01)
    start = time.perf_counter()
    for step in range(1, 101):
        batch_mask = np.random.choice(len(x_train), 20)  # noqa: NPY002 - the book's mini-batches
        grads = network.numerical_gradient(x_train[batch_mask], t_train[batch_mask])  # not backprop
        optimizer.update(network.params, grads)
        if step % 25 == 0:
            print(f"step {step}: test accuracy {network.accuracy(x_test, t_test):.3f}")
    print(f"100 numerical-gradient steps in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
