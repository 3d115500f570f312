"""Taylor coefficients for the kernels' series: the sigmoid's at each unit, the softmax denominator's moments.

Within the kernels' series radius (``nn_common.pxd``) a perturbed loss takes a few
multiply-adds instead of calls of ``exp``: these are the coefficients, computed once per
gradient with numpy.
"""
from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from fastgd.nn import _kernels
from fastgd.nn.functions import sigmoid

_F = npt.NDArray[np.float64]
SERIES: int = _kernels.SERIES  # terms of every series, as the kernels sum them


def _sigmoid_derivative_terms(orders: int) -> list[dict[tuple[int, int], float]]:
    """``sigmoid^(n) / n!`` for n = 1..orders as ``{(p, q): coefficient}`` of ``u**p * d**q``.

    With ``u = s (1 - s)`` and ``d = (1 - s) - s``: ``du/da = u d`` and ``dd/da = -2 u``.
    """
    terms: dict[tuple[int, int], float] = {(1, 0): 1.0}
    out: list[dict[tuple[int, int], float]] = []
    for n in range(1, orders + 1):
        out.append({key: c / math.factorial(n) for key, c in terms.items()})
        derivative: dict[tuple[int, int], float] = {}
        for (p, q), c in terms.items():
            derivative[p, q + 1] = derivative.get((p, q + 1), 0.0) + p * c
            if q:
                derivative[p + 1, q - 1] = derivative.get((p + 1, q - 1), 0.0) - 2 * q * c
        terms = derivative
    return out


_SIGMOID_TERMS: list[dict[tuple[int, int], float]] = _sigmoid_derivative_terms(SERIES)


def sigmoid_taylor(a: _F) -> _F:
    """Taylor coefficients ``sigmoid^(n)(a) / n!``, n = 1..SERIES, stacked on a last axis.

    Polynomials in ``u`` and ``d`` (see :func:`_sigmoid_derivative_terms`), with ``1 - s``
    computed as ``sigmoid(-a)``: no cancellation where the unit saturates.
    """
    s, s_bar = sigmoid(a), sigmoid(-a)
    u_powers, d_powers = [np.ones_like(a), s * s_bar], [np.ones_like(a), s_bar - s]
    for _ in range(SERIES):
        u_powers.append(u_powers[-1] * u_powers[1])
        d_powers.append(d_powers[-1] * d_powers[1])
    out = np.zeros((*a.shape, SERIES))
    for n, terms in enumerate(_SIGMOID_TERMS):
        for (p, q), c in terms.items():
            out[..., n] += c * u_powers[p] * d_powers[q]
    return out


def moments(E: _F, V: _F) -> _F:
    """``moments[b, j, n] = sum_k E[b, k] * V[b, j, k]**(n+1) / (n+1)!`` (``V`` of first axis 1: shared)."""
    powers = np.stack([V ** (n + 1) / math.factorial(n + 1) for n in range(SERIES)], axis=-1)  # (Bv, J, K, SERIES)
    if V.shape[0] == 1:
        batch, n_out = E.shape
        flat = powers[0].transpose(1, 0, 2).reshape(n_out, -1)  # K × (J * SERIES)
        shared: _F = (E @ flat).reshape(batch, V.shape[1], SERIES)  # annotated: see below
        return shared
    out: _F = np.einsum("bk,bjkn->bjn", E, powers)  # annotated: numpy's stubs type it Any here
    return out
