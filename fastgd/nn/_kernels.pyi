"""Stubs for the incremental finite-difference kernels of the textbook nets (src/nn.pyx)."""

import numpy as np
import numpy.typing as npt

__test__: dict[str, str]  # Cython's (empty) doctest dict
SERIES: int
_F = npt.NDArray[np.float64]
_I = npt.NDArray[np.intp]

def output_layer(H: _F, W: _F, E: _F, S: _F, t: _I, h: float, out: _F, threads: int) -> None: ...
def hidden_layer(
    Wp: _F,
    ptr: _I,
    rows: _I,
    vals: _F,
    a1: _F,
    z1: _F,
    sig_coeffs: _F,
    W2: _F,
    w2_max: _F,
    E: _F,
    S: _F,
    moments: _F,
    t: _I,
    h: float,
    out: _F,
    threads: int,
) -> None: ...
