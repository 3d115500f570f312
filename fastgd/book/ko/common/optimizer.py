"""The Korean edition's ``common/optimizer.py``: its ``Nesterov`` (``v`` first), the other optimizers, and ``np``.

The Korean edition's ``Nesterov`` updates ``v`` and then the parameters with the new ``v``; here
that is :class:`fastgd.NesterovKorean` under the book's name. The others are the same classes as
the original's mirror (:mod:`fastgd.book.common.optimizer`).

Examples
--------
>>> import fastgd
>>> from fastgd.book.ko.common.optimizer import *
>>> Nesterov is fastgd.NesterovKorean
True
"""
import numpy as np

from fastgd.optim import SGD, AdaGrad, Adam, Momentum, RMSprop
from fastgd.optim import NesterovKorean as Nesterov

__all__ = ["np", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]
