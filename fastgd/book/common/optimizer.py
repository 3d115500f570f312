"""The book's ``common/optimizer.py``: fastgd's fused optimizers (the book's numbers), and ``np``.

``from common.optimizer import *`` gives the book's scripts ``np`` too (chapter 6's
``optimizer_compare_mnist.py`` relies on it); so does this module.

Examples
--------
>>> from fastgd.book.common.optimizer import *
>>> params = {"w": np.array([1.0, 2.0])}
>>> Adam(lr=0.1).update(params, {"w": np.array([1.0, -1.0])})
>>> np.round(params["w"], 6)
array([0.9, 2.1])
"""
import numpy as np

from fastgd.optim import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop

__all__ = ["np", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]
