"""The one place an evaluator is chosen: :func:`make_evaluator`, from ``f`` and the mode arguments.

Above this module the derivatives see only the protocol of :mod:`fastgd.diff._core.evaluator`; here
the arguments are checked and the kind is picked: a C-level objective runs on threads
(:class:`~fastgd.diff._core.c_level.COnThreads`), a Python ``f`` in place
(:class:`~fastgd.diff._core.in_place.InPlace`), stacked (``vectorized=True``,
:class:`~fastgd.diff._core.on_copies.Batched`) or through a map (``workers=``,
:class:`~fastgd.diff._core.on_copies.Mapped`).
"""
from __future__ import annotations

from typing import Any, cast

import numpy.typing as npt

from fastgd import _threads
from fastgd._validate import check_callable, check_float_array, optional_positive_count
from fastgd.diff._core import checks
from fastgd.diff._core.c_level import COnThreads
from fastgd.diff._core.evaluator import Evaluator
from fastgd.diff._core.in_place import InPlace
from fastgd.diff._core.objectives import c_objective
from fastgd.diff._core.on_copies import Batched, Mapped, mapper
from fastgd.diff._core.schemes import SCHEMES, Scheme


def make_evaluator(f: object, x: object, threads: object = None, vectorized: bool = False, chunk_size: object = None,
                   workers: object = None, scheme: Scheme = SCHEMES["central"], vector: bool = False) -> Evaluator:
    """Check ``f``, ``x`` and the mode arguments; the evaluator that runs ``scheme`` for them.

    ``vector``: ``f`` may be a C vector function ``F(n, x, m, out, user_data)`` (for a Jacobian).
    """
    objective = c_objective(f)
    if objective is not None and objective.vector and not vector:
        raise TypeError("f is a C vector function F(n, x, m, out, user_data): its derivative is a Jacobian, "
                        "not a gradient")
    check_float_array(x)
    checks.modes(vectorized, workers)
    if objective is not None:
        if vectorized or workers is not None:
            raise ValueError("vectorized= and workers= are for Python objectives, not C-level ones")
        if scheme.imaginary:
            raise TypeError("method='complex' evaluates f at complex points, and a C-level objective takes "
                            "double *x: there is no complex step for it (use method='richardson' or 'central4')")
        checks.c_point(cast("npt.NDArray[Any]", x), objective)
        return COnThreads(objective, scheme, None if threads is None else _threads.thread_count(threads))
    check_callable(f)
    checks.python_threads(threads)
    chunk = optional_positive_count(chunk_size, "chunk_size")
    if vectorized:
        return Batched(f, scheme, chunk)
    if workers is not None:
        return Mapped(f, scheme, *mapper(workers, f))
    return InPlace(f, scheme)
