"""Stubs for the OpenMP runtime's thread count (src/openmp.pyx)."""

__test__: dict[str, str]  # Cython's (empty) doctest dict
HAS_OPENMP: bool

def max_threads() -> int: ...
