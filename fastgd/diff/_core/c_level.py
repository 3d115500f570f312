"""The C-level evaluator: a C objective over a C-contiguous float64 ``x``, without the GIL, on one or more
threads (each perturbing a private copy of ``x``; the caller's own ``x`` on one thread).

Single calls of the objective from Python (``f(x)`` itself, a sparse Jacobian's groups) go through
:class:`fastgd.diff._core.c_calls.CFunction`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from fastgd import _threads
from fastgd.diff import _kernels
from fastgd.diff._core.c_calls import CFunction
from fastgd.diff._core.checks import output_count
from fastgd.diff._core.evaluator import Base, Mask, Values, steps_in
from fastgd.diff._core.objectives import CObjective, ObjectiveError
from fastgd.diff._core.progress import Progress
from fastgd.diff._core.schemes import Scheme
from fastgd.diff._core.steps import Steps
from fastgd.diff._core.values import Vector

#: The most threads a run may start when none are asked for: every CPU this process may use (one without
#: OpenMP). Which of them it does start is asked only once the work left pays for a team (:func:`team`).
THREADS_BOUND: int = _threads.MAX_THREADS if _threads.HAS_OPENMP else 1


def team(bound: int) -> int:
    """The threads a run asked to use the default count starts: :func:`fastgd.get_num_threads` capped by the
    CPUs other processes leave free (the run caps it at ``bound``)."""
    return _threads.team_size(_threads.get_num_threads())


def _asked(threads: int) -> int:
    """The threads a run asked to use ``threads`` starts: that many, capped by the CPUs other processes leave free."""
    return _threads.team_size(threads)


class COnThreads(Base):
    """A C-level objective over a C-contiguous float64 ``x``, on up to ``threads`` threads (None: as many as
    :func:`fastgd.get_num_threads` says when a team pays)."""

    progress: Progress | None = None

    def __init__(self, objective: CObjective, scheme: Scheme, threads: int | None) -> None:
        self.objective = objective
        self.scheme = scheme
        self.threads = threads

    def _run(self, x: npt.NDArray[Any], h: Steps, exact: bool, m: int = -1, elements: Mask = None,
             values: Values = None, inner: Scheme | None = None) -> _kernels.CObjectiveRun:
        o = self.objective
        threads, asked = self.threads, cast("Callable[[int], int]", _asked)
        if threads is None:  # a vector function's scratch is sized by its threads: count them now
            threads, asked = (_threads.get_num_threads(), asked) if m >= 0 else (THREADS_BOUND, team)
        return _kernels.CObjectiveRun(cast(int, o.address), o.user_data, m, o.wide_n, o.status, x.size,
                                      self.scheme.compiled, steps_in(h, None), exact, threads, o.keepalive,
                                      None if elements is None else _targets(elements), values,
                                      None if inner is None else inner.compiled, asked)

    def derivative(self, x: npt.NDArray[Any], h: Steps, exact: bool, elements: Mask = None, values: Values = None,
                   out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        out = np.empty(x.shape) if out is None else out
        if x.size:
            visits = x.size if elements is None else int(np.count_nonzero(elements))
            _run(self._run(x, h, exact, -1, elements, values), x, out, self._evaluations(visits))
        return out

    def jacobian(self, x: npt.NDArray[Any], h: Steps, exact: bool, vector: Vector,
                 out: npt.NDArray[np.float64] | None = None, elements: Mask = None) -> npt.NDArray[np.float64]:
        out = np.empty((vector.m, x.size)) if out is None else out
        visits = x.size if elements is None else int(np.count_nonzero(elements))
        if visits:
            m = vector.m if self.objective.vector else -1
            _run(self._run(x, h, exact, m, elements), x, out, self._evaluations(visits))
        return out

    def _evaluations(self, visits: int) -> _Reporter | None:
        """Progress by elements done: the scheme's points per element, and f(x) at the end if it is used."""
        if self.progress is None:
            return None
        per = self.scheme.evaluations_per_element
        return _Reporter(self.progress, lambda done: done * per, visits * per + bool(self.scheme.centre_weight))

    def mixed(self, x: npt.NDArray[Any], h: Steps, exact: bool, inner: Scheme,
              out: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        n = x.size
        if n > 1:
            reporter = None
            if self.progress is not None:
                per = self.scheme.evaluations_per_element * inner.evaluations_per_element
                # row i: a pair with each later element
                reporter = _Reporter(self.progress, lambda rows: per * (rows * (n - 1) - rows * (rows - 1) // 2),
                                     per * (n * (n - 1) // 2))
            _run(self._run(x, h, exact, inner=inner), x, out, reporter)
            lower = np.tril_indices(n, -1)
            out[lower] = out.T[lower]  # the loops write each row's upper part
        return out

    def descend(self, x: npt.NDArray[Any], h: Steps, exact: bool, lr: float, step_num: int,
                history: npt.NDArray[Any] | None) -> None:
        if x.size:
            raise_failure(*self._run(x, h, exact).descend(x, lr, step_num, history))

    def value(self, x: npt.NDArray[Any], m: int | None = None) -> object:
        value = CFunction(self.objective, 1 if m is None else m)(x)
        if self.progress is not None:
            self.progress.update(1)
        return value

    def values(self, points: Sequence[npt.NDArray[Any]], m: int | None = None) -> Iterable[object]:
        return map(CFunction(self.objective, 1 if m is None else m), points)

    def outputs(self, m: object, default: int | None = None) -> int:
        return output_count(default if m is None else m, self.objective)

    def vector(self, x: npt.NDArray[Any], m: object, centre: bool) -> Vector:
        return Vector(self.outputs(m))  # F(x), where the scheme needs it, is evaluated by the loops

    def point_function(self, m: int) -> Callable[[npt.NDArray[Any]], object]:
        call = CFunction(self.objective, m)
        return call if self.progress is None else self.progress.counted(call)

    def counting(self, progress: Progress) -> COnThreads:
        other = COnThreads(self.objective, self.scheme, self.threads)
        other.progress = progress
        return other


class _Reporter:
    """``progress(done)`` for a C run: ``per_visit(done)`` evaluations so far on ``progress``; :meth:`finish`
    brings it to the run's ``total``."""

    def __init__(self, progress: Progress, per_visit: Callable[[int], int], total: int) -> None:
        self.progress, self.per_visit, self.total, self.told = progress, per_visit, total, 0

    def __call__(self, done: int) -> None:
        now = min(self.per_visit(done), self.total)
        self.progress.update(now - self.told)
        self.told = now

    def finish(self) -> None:
        self.progress.update(self.total - self.told)
        self.told = self.total


def _run(run: _kernels.CObjectiveRun, x: npt.NDArray[Any], out: npt.NDArray[Any], reporter: _Reporter | None) -> None:
    """A derivative run of the C loops into ``out``, reported on ``reporter``; its failure raised."""
    raise_failure(*run.derivative(x, out, reporter))
    if reporter is not None:
        reporter.finish()


def raise_failure(status: int, element: int) -> None:
    """Turn a C loop's ``(status, element)`` into :class:`ObjectiveError` (nothing for success)."""
    if status == 0:
        return
    where = "at x itself" if element == _kernels.AT_X else f"at element {element}"
    if status == _kernels.NAN_STATUS:
        raise ObjectiveError(f"the C objective returned NaN {where} (x is restored)")
    raise ObjectiveError(f"the C objective returned status {status} {where} (x is restored)")


def _targets(elements: npt.NDArray[np.bool_]) -> npt.NDArray[np.intp]:
    """The C-order positions of the elements to visit."""
    return np.flatnonzero(elements).astype(np.intp)
