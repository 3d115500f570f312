"""The Korean edition's modules (WegraLee/deep-learning-from-scratch), one import away.

The same tree as :mod:`fastgd.book` — ``fastgd.book.ko.common.gradient``,
``fastgd.book.ko.ch05.two_layer_net``, ... — with the Korean edition's numbers where its code
differs from the Japanese original's:

- ``common/gradient.py``: ``numerical_gradient`` writes ``x[idx] = float(tmp_val) + h`` (the
  ``+h`` point computed in double, then stored in ``x``'s dtype): the same as the original for
  float64, different in the last place for float32 — here, as the Korean code computes it. The
  nets' generic path (parameters that are not float64) takes it too.
- ``common/functions.py``: ``sum_squared_error`` is called ``mean_squared_error`` (the same
  formula); its ``step_function`` (``dtype=np.int``) and ``relu_grad`` (``np.zeros(x)``) fail
  on today's numpy, so these are the original's, which compute what they were meant to.
- ``common/optimizer.py``: Nesterov updates ``v`` before the parameters.
- ``common/trainer.py``: RMSprop is named ``'rmsprpo'`` (``'rmsprop'`` is accepted too).

Everything else (layers, nets, util, chapter 4's helpers) is the same code and the same numbers.

Examples
--------
>>> import numpy as np
>>> from fastgd.book.ko.common.gradient import numerical_gradient
>>> x = np.array([0.1, 3.0], dtype=np.float32)
>>> numerical_gradient(lambda x: np.sum(x * x), x).dtype
dtype('float32')
"""
