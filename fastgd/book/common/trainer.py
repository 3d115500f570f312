"""The book's ``common/trainer.py``: its ``Trainer`` with fastgd's optimizers (and the optimizers it leaks).

Examples
--------
>>> from fastgd.book.common.trainer import Trainer
>>> sorted(Trainer.OPTIMIZERS)
['adagrad', 'adam', 'momentum', 'nesterov', 'rmsprop', 'sgd']
"""
import os
import sys

from fastgd.book._trainer import Trainer
from fastgd.book.common.optimizer import *  # noqa: F403 - the book's own star import, leaked to its users

__all__ = ["sys", "os", "Trainer", "np", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]
