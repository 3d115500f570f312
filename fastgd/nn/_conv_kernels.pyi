"""Stubs for SimpleConvNet's filter-gradient kernel (src/nn_conv.pyx)."""

import numpy as np
import numpy.typing as npt

__test__: dict[str, str]  # Cython's (empty) doctest dict
_F = npt.NDArray[np.float64]
_I = npt.NDArray[np.intp]

def filter_gradient(
    bias: bool,
    P: _F,
    xpad: _F,
    conv: _F,
    filter_h: int,
    filter_w: int,
    stride: int,
    pool: int,
    pool_stride: int,
    pooled: _F,
    W2: _F,
    a2: _F,
    W3: _F,
    E: _F,
    S: _F,
    cls_ptr: _I,
    cls: _I,
    cls_weight: _F,
    h: float,
    out: _F,
    work: _F,
    threads: int,
) -> None: ...
