"""Stubs for the fused optimizer updates (src/optim.pyx)."""

from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

__test__: dict[str, str]  # Cython's (empty) doctest dict
SGD: int
SGD_WD: int
MOMENTUM: int
NESTEROV: int
ADAGRAD: int
RMSPROP: int
ADAM: int
ADAMW: int
SIMD_LEVEL: str

def prepare(params: Mapping[Any, Any], grads: Mapping[Any, Any]) -> list[tuple[Any, Any, Any, int]]: ...
def apply(
    kind: int,
    plan: list[tuple[Any, Any, Any, int]],
    states: tuple[dict[Any, Any], ...],
    coeffs: tuple[float, ...],
    numpy_step: Callable[[Any, Any, Any], Any],
    params: MutableMapping[Any, Any],
    threads: int,
) -> None: ...
