"""fastgd: the textbook's numerical gradients, gradient descent and optimizers, compiled.

Swap ``from common.gradient import numerical_gradient`` for
``from fastgd import numerical_gradient`` (or ``common.optimizer.Adam`` for ``fastgd.Adam``):
same arguments, same numbers, faster. The numpy originals live on in :mod:`fastgd.reference`.

The public names are imported on first use (PEP 562), so ``import fastgd.reference`` loads numpy
and the twins (and the thread setting, where the compiled modules are there): the test oracle runs
without fastgd's compiled modules and without fastgd.diff, fastgd.optim and fastgd.nn.
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_DERIVATIVES = ["numerical_gradient", "numerical_gradient_2d", "gradient_descent", "jacobian", "hessian", "hessp",
                "HessianInfo", "SparseJacobian", "color_columns", "gradient_of", "jacobian_of", "hessian_of",
                "hessp_of", "SparseHessian", "SumHessian", "color_symmetric"]
_THREADS = ["get_num_threads", "set_num_threads"]
#: Where each public name lives (the optimizers: every name of fastgd.optim.__all__).
_HOMES: dict[str, str] = {**dict.fromkeys([*_DERIVATIVES, "ObjectiveError"], "fastgd.diff"),
                          **dict.fromkeys(_THREADS, "fastgd._threads")}
_OPTIMIZERS = "fastgd.optim"

# The one thread setting loads fastgd's OpenMP runtime now, where threadpoolctl's limits see it; without
# fastgd's compiled modules, fastgd.reference still imports.
with contextlib.suppress(ImportError):
    from fastgd import _threads as _threads

if TYPE_CHECKING:
    from fastgd import reference
    from fastgd._threads import get_num_threads, set_num_threads
    from fastgd.diff import (
        HessianInfo,
        ObjectiveError,
        SparseHessian,
        SparseJacobian,
        SumHessian,
        color_columns,
        color_symmetric,
        gradient_descent,
        gradient_of,
        hessian_of,
        hessp,
        hessp_of,
        jacobian_of,
        numerical_gradient,
        numerical_gradient_2d,
    )
    from fastgd.diff.hessian import hessian  # from their modules: through fastgd.diff mypy takes the modules
    from fastgd.diff.jacobian import jacobian
    from fastgd.optim import *  # noqa: F403  # the optimizers, one per row of fastgd.optim.table
    from fastgd.optim import __all__ as __all__

    __all__ += ["__version__", "numerical_gradient", "numerical_gradient_2d", "gradient_descent", "jacobian",
                "hessian", "hessp", "HessianInfo", "SparseJacobian", "color_columns", "gradient_of", "jacobian_of",
                "hessian_of", "hessp_of", "SparseHessian", "SumHessian", "color_symmetric", "get_num_threads",
                "set_num_threads", "ObjectiveError", "reference"]


def _public_names() -> list[str]:
    """``__all__``: the derivatives, the optimizers (from fastgd.optim), the thread setting, the twins."""
    optimizers: list[str] = importlib.import_module(_OPTIMIZERS).__all__
    return ["__version__", *_DERIVATIVES, *optimizers, *_THREADS, "ObjectiveError", "reference"]


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use and kept."""
    if name == "__all__":
        value: Any = _public_names()
    elif name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
    elif not name.startswith("__") and importlib.util.find_spec(f"fastgd.{name}") is not None:
        value = importlib.import_module(f"fastgd.{name}")  # a submodule, as ``import fastgd.<name>`` gives it
    elif not name.startswith("__") and name in (optimizers := importlib.import_module(_OPTIMIZERS)).__all__:
        value = getattr(optimizers, name)
    else:
        raise AttributeError(f"module 'fastgd' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_public_names()))
