"""The textbook's optimizers, fused: ``update(params, grads)`` in one compiled pass per array.

One class per row of :data:`fastgd.optim.table.TABLE` (generated in :mod:`fastgd.optim.fused`).
"""
from fastgd.optim.fused import *  # noqa: F403
from fastgd.optim.fused import __all__ as __all__
