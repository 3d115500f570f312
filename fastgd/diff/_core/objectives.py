"""Recognise C-level objectives: scipy LowLevelCallable, ctypes, cffi, PyCapsule, numba @cfunc.

These C signatures are taken, with ``n`` (and ``m``) an ``int`` or a 64-bit integer (``intptr_t``,
``Py_ssize_t``, ``long`` on LP64, ``int64_t``):

- ``double f(n, double *x, void *user_data)``: a NaN return is an error;
- ``int f(n, double *x, double *value, void *user_data)``: writes the value, returns 0, or a
  nonzero status on error;
- vector functions (Jacobians): ``void F(n, const double *x, m, double *out, void *user_data)``
  writing m values (a NaN among them is an error), or ``int F(n, const double *x, m, double *out,
  void *user_data)`` returning 0 or a nonzero status.

Any error becomes :class:`ObjectiveError` with ``x`` restored.
"""
from __future__ import annotations

import ctypes
import functools
import re
import types
from _ctypes import CFuncPtr  # ctypes._CFuncPtr, under its own (exported) name
from collections import OrderedDict
from typing import NamedTuple, cast


class ObjectiveError(ValueError, RuntimeError):
    """A C-level objective reported an error (a NaN return or a nonzero status).

    Raised by :func:`fastgd.numerical_gradient` and :func:`fastgd.gradient_descent`, with ``x``
    restored; a ``ValueError`` and a ``RuntimeError``.

    Examples
    --------
    >>> import ctypes
    >>> import numpy as np
    >>> from fastgd import ObjectiveError, numerical_gradient
    >>> c_objective = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_int, ctypes.POINTER(ctypes.c_double), ctypes.c_void_p)
    >>> nan = c_objective(lambda n, x, user_data: float("nan"))  # double f(int n, double *x, void *user_data)
    >>> x = np.array([1.0, 2.0])
    >>> try:
    ...     numerical_gradient(nan, x)
    ... except ObjectiveError as error:
    ...     print(error)
    the C objective returned NaN at element 0 (x is restored)
    >>> x
    array([1., 2.])
    """


class CObjective(NamedTuple):
    """A C function pointer with its calling convention, ready for the kernels."""

    address: int | None  #: None or 0 for a NULL pointer, which :func:`c_objective` rejects
    user_data: int  #: the void * handed to every call (0 for NULL)
    wide_n: bool  #: n (and m) are 64-bit integers (else C ints)
    status: bool  #: the variant that returns a status (``int f(n, x, &value, user_data)``, ``int F(...)``)
    vector: bool  #: a vector function ``F(n, x, m, out, user_data)``
    keepalive: object  #: what owns the code and the user data


_N_BITS: dict[str, int] = {
    "int": 8 * ctypes.sizeof(ctypes.c_int), "int32_t": 32,
    "long": 8 * ctypes.sizeof(ctypes.c_long), "longlong": 64, "int64_t": 64,
    "intptr_t": 8 * ctypes.sizeof(ctypes.c_void_p), "ssize_t": 8 * ctypes.sizeof(ctypes.c_ssize_t),
    "Py_ssize_t": 8 * ctypes.sizeof(ctypes.c_ssize_t), "ptrdiff_t": 8 * ctypes.sizeof(ctypes.c_void_p),
    "npy_intp": 8 * ctypes.sizeof(ctypes.c_void_p),
}
# looked up with any restype or argtype, hence object keys
_CTYPES_NAMES: dict[object, str] = {ctypes.c_int: "int", ctypes.c_long: "long", ctypes.c_longlong: "longlong",
                                    ctypes.c_double: "double", ctypes.c_void_p: "void*", None: "void"}
SIGNATURES: tuple[str, ...] = ("double (int, double *, void *)", "double (intptr_t, double *, void *)",
                               "int (intptr_t, double *, double *, void *)",
                               "void (intptr_t, const double *, intptr_t, double *, void *)",
                               "int (intptr_t, const double *, intptr_t, double *, void *)")
_SCALAR = re.compile(r"(double|int)\((\w+),(?:const)?double\*,(double\*,)?void\*\)")
_VECTOR = re.compile(r"(void|int)\((\w+),(?:const)?double\*,(\w+),double\*,void\*\)")

_capsule_name = ctypes.pythonapi.PyCapsule_GetName
_capsule_name.restype, _capsule_name.argtypes = ctypes.c_char_p, [ctypes.py_object]
_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype, _capsule_pointer.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
_capsule_context = ctypes.pythonapi.PyCapsule_GetContext
_capsule_context.restype, _capsule_context.argtypes = ctypes.c_void_p, [ctypes.py_object]

# the usual Python callables, answered at once (the others are looked at more closely)
_PYTHON_CALLABLES: frozenset[type] = frozenset({types.FunctionType, types.MethodType, types.BuiltinFunctionType,
                                                functools.partial})
# id(f) -> (f, CObjective); f is kept, so its id stays its own
_cache: OrderedDict[int, tuple[object, CObjective]] = OrderedDict()
_CACHE_SIZE: int = 64


class _Convention(NamedTuple):
    wide_n: bool
    status: bool
    vector: bool


def _convention(signature: str, source: str) -> _Convention:
    """How to call a function of a normalised signature like ``double(int,double*,void*)``."""
    scalar, vector = _SCALAR.fullmatch(signature), _VECTOR.fullmatch(signature)
    if scalar is not None and (scalar.group(1) == "int") == bool(scalar.group(3)):
        bits = _N_BITS.get(scalar.group(2))
        if bits is not None:
            return _Convention(bits == 64, scalar.group(1) == "int", False)
    if vector is not None:
        bits, m_bits = _N_BITS.get(vector.group(2)), _N_BITS.get(vector.group(3))
        if bits is not None and bits == m_bits:
            return _Convention(bits == 64, vector.group(1) == "int", True)
    raise TypeError(f"{source} has signature {signature!r}; fastgd takes one of: " + "; ".join(SIGNATURES))


def _normalise(signature: str) -> str:
    return re.sub(r"\s+", "", signature.replace("long long", "longlong")).replace("(*)", "")


def _from_capsule(capsule: object, keepalive: object) -> CObjective:
    name = _capsule_name(capsule)
    if name is None:
        raise TypeError("a PyCapsule objective must be named by its C signature, e.g. "
                        f"{SIGNATURES[0]!r}")
    convention = _convention(_normalise(name.decode()), "the PyCapsule")
    return CObjective(_capsule_pointer(capsule, name), _capsule_context(capsule) or 0, *convention, keepalive)


def _from_ctypes(fn: CFuncPtr) -> CObjective:
    if fn.argtypes is None:
        raise TypeError("a ctypes objective needs argtypes set")
    names = [_CTYPES_NAMES.get(fn.restype)]
    for arg in fn.argtypes:
        pointee = getattr(arg, "_type_", None)
        names.append("double*" if pointee is ctypes.c_double else _CTYPES_NAMES.get(arg))
    signature = f"{names[0]}({','.join(str(name) for name in names[1:])})"
    convention = _convention(signature, "the ctypes function")
    return CObjective(ctypes.cast(fn, ctypes.c_void_p).value, 0, *convention, fn)


def _from_cffi(fn: object) -> CObjective:
    # stubtest does not read pyproject's ignore_missing_imports: cffi ships no type hints
    import cffi  # type: ignore[import-untyped, unused-ignore]

    ffi = cffi.FFI()
    convention = _convention(_normalise(ffi.typeof(fn).cname), "the cffi function")
    return CObjective(int(ffi.cast("uintptr_t", fn)), 0, *convention, fn)


def _resolve(f: object) -> CObjective | None:
    if type(f).__name__ == "LowLevelCallable" and type(f).__module__.startswith("scipy"):
        # scipy keeps a capsule named by the signature; a LowLevelCallable is a tuple
        return _from_capsule(tuple.__getitem__(cast("tuple[object, ...]", f), 0), f)
    if type(f).__name__ == "PyCapsule":
        return _from_capsule(f, f)
    if isinstance(f, CFuncPtr):
        return _from_ctypes(f)
    if type(f).__module__ == "_cffi_backend":
        return _from_cffi(f)
    if isinstance(pointer := getattr(f, "ctypes", None), CFuncPtr):  # a numba @cfunc
        return _from_ctypes(pointer)._replace(keepalive=f)
    return None


def c_objective(f: object) -> CObjective | None:
    """The :class:`CObjective` behind ``f``, or None for an ordinary Python callable.

    Raises
    ------
    TypeError
        ``f`` is a C function with a signature fastgd does not take.
    ValueError
        ``f`` is a NULL function pointer (ctypes or cffi).
    """
    if type(f) in _PYTHON_CALLABLES:
        return None
    key = id(f)
    hit = _cache.get(key)
    if hit is not None and hit[0] is f:
        return hit[1]
    objective = _resolve(f)
    if objective is not None and not objective.address:
        raise ValueError(f"f is a NULL function pointer ({type(f).__name__}): there is no C function to call")
    if objective is not None:  # Python callables are not kept alive here
        _cache[key] = (f, objective)
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)  # the oldest
    return objective
