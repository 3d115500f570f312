"""One call of a C-level objective from Python, through ctypes (which releases the GIL for it).

The compiled loops evaluate C objectives element by element (:class:`fastgd.diff._core.c_level.COnThreads`);
what they do not cover -- a sparse Jacobian's column groups, the value at ``x`` itself -- calls the
function here, a few times per derivative, with the same conventions and the same errors.
"""
from __future__ import annotations

import ctypes
from typing import Any

import numpy as np
import numpy.typing as npt

from fastgd.diff._core.objectives import CObjective, ObjectiveError

_DOUBLE_P = ctypes.POINTER(ctypes.c_double)


def _prototype(objective: CObjective) -> Any:
    size = ctypes.c_int64 if objective.wide_n else ctypes.c_int
    restype = ctypes.c_int if objective.status else (None if objective.vector else ctypes.c_double)
    if objective.vector:
        return ctypes.CFUNCTYPE(restype, size, _DOUBLE_P, size, _DOUBLE_P, ctypes.c_void_p)
    if objective.status:
        return ctypes.CFUNCTYPE(restype, size, _DOUBLE_P, _DOUBLE_P, ctypes.c_void_p)
    return ctypes.CFUNCTYPE(restype, size, _DOUBLE_P, ctypes.c_void_p)


class CFunction:
    """``x -> F(x)``: a float64 vector of ``m`` values (1 for a scalar objective) for a C-contiguous float64 ``x``.

    A NaN value or a nonzero status raises :class:`fastgd.ObjectiveError`.
    """

    def __init__(self, objective: CObjective, m: int = 1) -> None:
        self.objective, self.m = objective, m  # the objective keeps the code and its user data alive
        self.fn = _prototype(objective)(objective.address)
        self.user_data = ctypes.c_void_p(objective.user_data or None)

    def __call__(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        values = np.empty(self.m)
        x_p, out_p = x.ctypes.data_as(_DOUBLE_P), values.ctypes.data_as(_DOUBLE_P)
        if self.objective.vector:
            status = self.fn(x.size, x_p, self.m, out_p, self.user_data)
        elif self.objective.status:
            status = self.fn(x.size, x_p, out_p, self.user_data)
        else:
            values[0] = self.fn(x.size, x_p, self.user_data)
            status = 0
        if status:
            raise ObjectiveError(f"the C objective returned status {status} (x is restored)")
        if np.isnan(values).any():
            raise ObjectiveError("the C objective returned NaN (x is restored)")
        return values
