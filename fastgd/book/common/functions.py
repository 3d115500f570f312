"""The book's ``common/functions.py``: its activation and loss functions (numpy, the book's numbers).

Swap ``from common.functions import ...`` for ``from fastgd.book.common.functions import ...``.

``sigmoid``, ``softmax`` and ``cross_entropy_error`` are the ones fastgd's nets are made of
(:mod:`fastgd.nn.functions`). The others have nothing for fastgd to make faster or safer: they
are :mod:`fastgd.reference.functions`, the book's numpy code as it is. A second copy in the
product would only be a twin to keep in step; the check on them is the book itself
(``tools/book_scripts.py`` runs the book's scripts with the book's own ``common`` and with these
mirrors). Everything compiled in the mirror (gradients, nets, layers, optimizers) is fastgd's
own code, so no comparison with :mod:`fastgd.reference` ever compares it with itself.

Examples
--------
>>> import numpy as np
>>> from fastgd.book.common.functions import *
>>> np.round(softmax(np.array([0.3, 2.9, 4.0])), 4), float(step_function(np.array(1.0)))
(array([0.0182, 0.2452, 0.7366]), 1.0)
"""
import numpy as np

from fastgd.nn.functions import cross_entropy_error, sigmoid, softmax
from fastgd.reference.functions import (
    identity_function,
    relu,
    relu_grad,
    sigmoid_grad,
    softmax_loss,
    step_function,
    sum_squared_error,
)

__all__ = ["np", "identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad", "softmax",
           "sum_squared_error", "cross_entropy_error", "softmax_loss"]
