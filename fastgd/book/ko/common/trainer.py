"""The Korean edition's ``common/trainer.py``: its ``Trainer`` (RMSprop named ``'rmsprpo'``, its ``Nesterov``).

Examples
--------
>>> from fastgd.book.ko.common.trainer import Trainer
>>> sorted(Trainer.OPTIMIZERS)
['adagrad', 'adam', 'momentum', 'nesterov', 'rmsprop', 'rmsprpo', 'sgd']
"""
import os
import sys
from typing import ClassVar

from fastgd.book import _trainer
from fastgd.book.ko.common.optimizer import *  # noqa: F403 - the book's own star import, leaked to its users


class Trainer(_trainer.Trainer):
    """The book's ``Trainer`` with the Korean edition's optimizer names: ``'rmsprpo'`` (also ``'rmsprop'``)
    and its ``Nesterov`` (:class:`fastgd.NesterovKorean`)."""

    OPTIMIZERS: ClassVar[dict[str, type]] = {**_trainer.Trainer.OPTIMIZERS, "nesterov": Nesterov,  # noqa: F405
                                             "rmsprpo": RMSprop}  # noqa: F405


__all__ = ["sys", "os", "Trainer", "np", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]
