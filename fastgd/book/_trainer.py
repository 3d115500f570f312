"""The book's ``Trainer`` (``common/trainer.py``): mini-batch training with an optimizer chosen by name."""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from fastgd.optim import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop


class Trainer:
    """Train ``network`` by its backprop ``gradient`` and a fastgd optimizer, printing what the book prints.

    Same arguments, same mini-batches (``np.random.choice``), same printed lines as the book's
    ``Trainer``; the optimizers are fastgd's (the book's numbers, fused). ``optimizer`` is one
    of :attr:`OPTIMIZERS`' names, any case.

    Parameters
    ----------
    network
        A net with ``params``, ``gradient(x, t)``, ``loss(x, t)`` and ``accuracy(x, t)``.
    x_train, t_train, x_test, t_test : numpy.ndarray
        The data.
    epochs : int, optional
        Passes over the training data (``train_size / mini_batch_size`` steps each).
    mini_batch_size : int, optional
        Samples per step, drawn with replacement.
    optimizer : str, optional
        The optimizer's name.
    optimizer_param : dict, optional
        Its constructor arguments (default ``{'lr': 0.01}``).
    evaluate_sample_num_per_epoch : int, optional
        Evaluate the accuracies on the first this many samples only.
    verbose : bool, optional
        Print the loss of every step and the accuracies of every epoch.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.book.common.multi_layer_net import MultiLayerNet
    >>> from fastgd.book.common.trainer import Trainer
    >>> np.random.seed(0)
    >>> x, t = np.random.rand(20, 4), np.random.randint(0, 2, 20)
    >>> trainer = Trainer(MultiLayerNet(4, [5], 2), x, t, x, t, epochs=1, mini_batch_size=10, verbose=False)
    >>> trainer.train()
    >>> trainer.max_iter, len(trainer.train_loss_list), len(trainer.test_acc_list)
    (2, 2, 1)
    """

    #: The optimizer names the book's trainer takes (lowercased), and fastgd's classes for them.
    OPTIMIZERS: ClassVar[dict[str, type]] = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov,
                                             "adagrad": AdaGrad, "rmsprop": RMSprop, "adam": Adam}

    def __init__(self, network: Any, x_train: npt.NDArray[Any], t_train: npt.NDArray[Any], x_test: npt.NDArray[Any],
                 t_test: npt.NDArray[Any], epochs: int = 20, mini_batch_size: int = 100, optimizer: str = "SGD",
                 optimizer_param: dict[str, Any] | None = None, evaluate_sample_num_per_epoch: int | None = None,
                 verbose: bool = True) -> None:
        self.network = network
        self.verbose = verbose
        self.x_train = x_train
        self.t_train = t_train
        self.x_test = x_test
        self.t_test = t_test
        self.epochs = epochs
        self.batch_size = mini_batch_size
        self.evaluate_sample_num_per_epoch = evaluate_sample_num_per_epoch
        if not isinstance(optimizer, str) or optimizer.lower() not in self.OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {sorted(self.OPTIMIZERS)} (any case), got {optimizer!r}")
        self.optimizer = self.OPTIMIZERS[optimizer.lower()](**({"lr": 0.01} if optimizer_param is None
                                                              else optimizer_param))
        self.train_size = x_train.shape[0]
        self.iter_per_epoch = max(self.train_size / mini_batch_size, 1)
        self.max_iter = int(epochs * self.iter_per_epoch)
        self.current_iter = 0
        self.current_epoch = 0
        self.train_loss_list: list[Any] = []
        self.train_acc_list: list[Any] = []
        self.test_acc_list: list[Any] = []

    def train_step(self) -> None:
        """One mini-batch: gradient, update, loss; at each epoch's start, the accuracies."""
        batch_mask = np.random.choice(self.train_size, self.batch_size)  # noqa: NPY002 - the book's generator
        x_batch = self.x_train[batch_mask]
        t_batch = self.t_train[batch_mask]
        grads = self.network.gradient(x_batch, t_batch)
        self.optimizer.update(self.network.params, grads)
        loss = self.network.loss(x_batch, t_batch)
        self.train_loss_list.append(loss)
        if self.verbose:
            print("train loss:" + str(loss))
        if self.current_iter % self.iter_per_epoch == 0:
            self.current_epoch += 1
            x_train_sample, t_train_sample = self.x_train, self.t_train
            x_test_sample, t_test_sample = self.x_test, self.t_test
            if self.evaluate_sample_num_per_epoch is not None:
                t = self.evaluate_sample_num_per_epoch
                x_train_sample, t_train_sample = self.x_train[:t], self.t_train[:t]
                x_test_sample, t_test_sample = self.x_test[:t], self.t_test[:t]
            train_acc = self.network.accuracy(x_train_sample, t_train_sample)
            test_acc = self.network.accuracy(x_test_sample, t_test_sample)
            self.train_acc_list.append(train_acc)
            self.test_acc_list.append(test_acc)
            if self.verbose:
                print("=== epoch:" + str(self.current_epoch) + ", train acc:" + str(train_acc) + ", test acc:"
                      + str(test_acc) + " ===")
        self.current_iter += 1

    def train(self) -> None:
        """``max_iter`` steps, then the test accuracy on all of ``x_test``."""
        for _ in range(self.max_iter):
            self.train_step()
        test_acc = self.network.accuracy(self.x_test, self.t_test)
        if self.verbose:
            print("=============== Final Test Accuracy ===============")
            print("test acc:" + str(test_acc))


__all__ = ["Trainer"]
