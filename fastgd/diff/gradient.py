"""Numerical gradients and gradient descent, with the textbook's interface, in compiled loops.

Every function here has a numpy twin of the same name in :mod:`fastgd.reference`.
"""
from __future__ import annotations

from typing import Any, Literal, cast, overload

import numpy as np
import numpy.typing as npt

from fastgd._typing import FloatT
from fastgd._typing import Objective as Objective  # the argument types, re-exported for annotations
from fastgd._typing import PythonObjective as PythonObjective
from fastgd._typing import RealScalar as RealScalar
from fastgd._typing import Workers as Workers
from fastgd._validate import count, finite_number
from fastgd.diff import _kernels
from fastgd.diff._core.c_level import THREADS_BOUND, raise_failure, team
from fastgd.diff._core.checks import self_overlapping
from fastgd.diff._core.factory import make_evaluator
from fastgd.diff._core.in_place import moved_error
from fastgd.diff._core.methods import GradientInfo, gradient
from fastgd.diff._core.objectives import c_objective
from fastgd.diff._core.schemes import SCHEMES, Method, scheme
from fastgd.diff._core.steps import AUTO, DEFAULT_H, StepsArg, check_moves, given_steps

Bounds = tuple[npt.ArrayLike | None, npt.ArrayLike | None]
# The short road of the textbook's call: the central row's compiled loop and its combine, looked up once.
_TEXTBOOK_LOOP = SCHEMES["central"].compiled
_TEXTBOOK_COMBINE = SCHEMES["central"].combine


@overload
def numerical_gradient(f: Objective, x: npt.NDArray[FloatT], h: StepsArg = None, *, method: Method = "central",
                       typical_x: npt.ArrayLike | None = None, bounds: Bounds | None = None,
                       full_output: Literal[False] = False, threads: int | None = None, vectorized: bool = False,
                       chunk_size: int | None = None, workers: Workers | None = None) -> npt.NDArray[FloatT]: ...
@overload
def numerical_gradient(f: Objective, x: npt.NDArray[FloatT], h: StepsArg = None, *, method: Method = "central",
                       typical_x: npt.ArrayLike | None = None, bounds: Bounds | None = None,
                       full_output: Literal[True], threads: int | None = None, vectorized: bool = False,
                       chunk_size: int | None = None, workers: Workers | None = None
                       ) -> tuple[npt.NDArray[FloatT], GradientInfo]: ...
@overload
def numerical_gradient(f: Objective, x: npt.NDArray[FloatT], h: StepsArg = None, *, method: Method = "central",
                       typical_x: npt.ArrayLike | None = None, bounds: Bounds | None = None,
                       full_output: bool, threads: int | None = None, vectorized: bool = False,
                       chunk_size: int | None = None, workers: Workers | None = None
                       ) -> npt.NDArray[FloatT] | tuple[npt.NDArray[FloatT], GradientInfo]: ...
def numerical_gradient(f: Objective, x: npt.NDArray[FloatT], h: StepsArg = None, *, method: Method = "central",
                       typical_x: npt.ArrayLike | None = None, bounds: Bounds | None = None,
                       full_output: bool = False, threads: int | None = None, vectorized: bool = False,
                       chunk_size: int | None = None, workers: Workers | None = None
                       ) -> npt.NDArray[FloatT] | tuple[npt.NDArray[FloatT], GradientInfo]:
    """Finite-difference gradient of ``f`` at ``x``, perturbing ``x`` in place.

    With the defaults, the textbook's central difference: for each element ``x[i]``, in the
    order ``np.nditer`` visits them (memory order), ``x[i] = v + h``, ``f1 = f(x)``,
    ``x[i] = v - h``, ``f2 = f(x)``, ``grad[i] = (f1 - f2) / (2*h)``, ``x[i] = v``, with
    ``h = 1e-4``: the same IEEE operations in the same order as
    :func:`fastgd.reference.numerical_gradient`, so the result is bitwise identical to it.
    ``h=``, ``method=``, ``bounds=`` and ``full_output=`` choose the steps, the scheme, the
    points allowed and the error estimates (see the README's "Accuracy and error estimates").

    Parameters
    ----------
    f : callable or C-level objective
        ``f(x) -> real scalar``. It is called with ``x`` itself, so a closure that
        ignores its argument and reads the same array elsewhere sees every perturbation.
        Or a C function ``double f(n, double *x, void *user_data)`` (``n`` an ``int`` or
        ``intptr_t``) or ``int f(n, double *x, double *value, void *user_data)``, given as a
        ``scipy.LowLevelCallable``, a ctypes or cffi function pointer, a numba ``@cfunc`` or
        a PyCapsule named by its signature: the loop then runs without the GIL. A NaN
        return, or a nonzero status, raises :class:`fastgd.ObjectiveError` with ``x`` restored.
    x : numpy.ndarray
        Point, any shape, a real floating dtype, writeable. Strided views are perturbed
        in the caller's memory. Restored bitwise, even if ``f`` raises. A C-level
        objective needs a C-contiguous float64 ``x``.
    h : float, array_like or 'auto', optional
        The step. A float (finite, > 0) is used as given, as a Python float (a weak scalar under
        NEP 50), and divided by: the textbook's ``(f(x + h) - f(x - h)) / (2*h)``. An array
        (broadcasting to ``x``'s shape) gives each element its own step; ``'auto'`` picks one per
        element from the method's order and the scale of ``x``
        (``eps**(1/(order+1)) * max(|x|, typical_x)``, plus a second try at a step relative to
        ``|x|`` alone where ``|x|`` is far below ``typical_x``: see :mod:`fastgd.diff._core.steps`).
        ``'auto'`` steps are powers of two. The estimate is divided by the distance its points actually
        take (``(x + h) - (x - h)`` for the central difference, ``(x + h) - x`` for a forward one: exact
        for a linear ``f`` whatever the points round to), except at the textbook's default step.
        Default (None): the textbook's 1e-4 for ``method='central'``, divided by ``2 * h`` as the book
        does (bit for bit its numbers); ``'auto'`` for every other method.
    method : str, optional
        ``'central'`` (default: 2 evaluations per element, second order), ``'forward'``,
        ``'backward'`` (1 per element, plus ``f(x)`` once; first order), ``'central4'`` (4 per
        element, fourth order), ``'complex'`` (1 per element at ``x + i h``: exact to rounding
        for an analytic ``f`` that accepts complex arrays; ``f`` is called with a complex copy
        of ``x``, which is not touched, first at ``x`` itself, whose value must have no imaginary
        part, and once more where every imaginary part is 0, to tell an ``f`` that drops it; not
        for C-level objectives), ``'richardson'`` (the
        central differences at ``h`` and ``h/2`` extrapolated -- 4 per element -- with an error
        estimate, and a second try at a better step for elements whose estimate says so).
    typical_x : float or array_like, optional
        With ``h='auto'``: the scale below which ``|x|`` is not taken as the scale on which
        ``f`` varies (default 1).
    bounds : (lb, ub), optional
        ``f`` is only evaluated in ``lb <= x <= ub`` (scalars or arrays broadcasting to ``x``;
        None for no bound): an element whose points would leave the box takes a one-sided
        scheme of the same order, its step shrunk if needed. ``x`` must lie within. (A complex
        step never leaves ``x``'s real values and ignores them.)
    full_output : bool, optional
        Also return a :class:`fastgd.diff.GradientInfo`: a per-element error estimate,
        status and number of evaluations. ``'richardson'`` estimates its error from its own
        points and the central difference at a quarter of the step (2 more per element); the
        fixed-order methods evaluate the scheme a second time at half the step (twice the cost);
        ``'complex'`` too, and a real second difference for the rounding of ``x`` inside ``f``
        (2 more per element). The gradient returned is the same. Status 0 means the estimate is
        meant to bound the real error; -1 that it could not be trusted (see
        :mod:`fastgd.diff._core.estimates`).
    threads : int, optional
        For a C-level objective: up to this many threads (default
        :func:`fastgd.get_num_threads`), each perturbing a private copy of ``x``, once a short
        single-threaded start shows the work left is long enough to pay for them (about 0.2 ms),
        and no more than the CPUs other processes leave free. The objective
        must then be thread-safe (pass ``threads=1`` if it is not). Results are identical to
        one thread's. A Python ``f`` runs on the calling thread: spread it with ``workers=``.
    vectorized : bool, optional
        Call ``f`` once per chunk with stacked perturbed points, shape ``(m, *x.shape)``;
        it must return ``m`` values. ``f`` must read its argument (``x`` itself is not
        perturbed). Results equal the scalar mode's for an ``f`` that computes the same
        thing row by row.
    chunk_size : int, optional
        Points per vectorized call (default: batches of at most 512 KB, which stay in cache).
    workers : int or map-like, optional
        Spread the evaluations: an int starts (and keeps) a process pool of that many
        workers (``f`` must be picklable); or any ``map(f, points)``-like callable or an
        object with ``.map`` (``multiprocessing.Pool``, ``concurrent.futures`` executors,
        a Dask client's ``get_executor()``). ``f`` must read its argument.

    Returns
    -------
    grad : numpy.ndarray
        Gradient with the shape and dtype of ``x``.
    info : GradientInfo
        Only with ``full_output=True``.

    Raises
    ------
    TypeError
        ``f`` is not callable, ``x`` is not a real floating array, ``f`` returns something
        other than a real scalar, or, with ``method='complex'``, ``f`` does not take and return
        complex numbers, is complex-valued at ``x`` or drops the imaginary part of its argument
        (or is a C-level objective).
    ValueError
        ``x`` is read-only, ``h`` is not finite and > 0 (or vanishes next to ``x``: ``x + h == x``),
        ``method`` is unknown, ``x`` is outside ``bounds``, or ``f`` is a NULL function pointer.
    RuntimeError
        ``f`` resized or reallocated ``x`` (its values may change; its memory may not).
    fastgd.ObjectiveError
        A C-level objective returned NaN or a nonzero status.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import numerical_gradient
    >>> numerical_gradient(lambda x: x[0]**2 + x[1]**2, np.array([3.0, 4.0]))
    array([6., 8.])

    Any shape; the numpy twin's numbers, bit for bit; ``x`` restored:

    >>> from fastgd import reference
    >>> def cubes(x):
    ...     return np.sum(x**3)
    >>> x = np.array([[0.5, -1.0], [2.0, 3.0]])
    >>> g = numerical_gradient(cubes, x)
    >>> bool(np.array_equal(g, reference.numerical_gradient(cubes, x)))
    True
    >>> x
    array([[ 0.5, -1. ],
           [ 2. ,  3. ]])
    >>> np.round(g, 6)  # 3 * x**2
    array([[ 0.75,  3.  ],
           [12.  , 27.  ]])

    Far from 1, the fixed step fails; ``h='auto'`` and the accurate methods do not:

    >>> x = np.array([1e-8, 2e-8, -3e-8])
    >>> def worst(g):
    ...     return float(np.max(np.abs(g / (3 * x**2) - 1)))  # the largest relative error
    >>> worst(numerical_gradient(cubes, x)) > 1e6  # h = 1e-4 is far larger than x
    True
    >>> [worst(numerical_gradient(cubes, x, "auto", method=m)) < 1e-8 for m in ("central", "richardson", "complex")]
    [True, True, True]

    An error estimate, a status and the evaluations per element:

    >>> grad, info = numerical_gradient(cubes, x, method="richardson", full_output=True)
    >>> bool(np.all(np.abs(grad - 3 * x**2) <= info.error)), info.status.tolist(), info.nfev.tolist()
    (True, [0, 0, 0], [12, 12, 12])

    One call per chunk of perturbed points, with ``vectorized=True``:

    >>> numerical_gradient(lambda X: np.sum(X**2, axis=-1), np.array([3.0, 4.0]), vectorized=True)
    array([6., 8.])
    """
    if (h is None and method == "central" and typical_x is None and bounds is None and full_output is False
            and threads is None and vectorized is False and chunk_size is None and workers is None):
        # The short road: the textbook's call, straight to its loop (None where f or x needs the checks below).
        grad = _kernels.textbook(f, x, _TEXTBOOK_LOOP, DEFAULT_H, _TEXTBOOK_COMBINE, moved_error)
        if grad is None:
            objective = c_objective(f)
            if objective is not None:
                grad = _kernels.c_textbook(objective, x, _TEXTBOOK_LOOP, DEFAULT_H, THREADS_BOUND, team, raise_failure)
        if grad is not None:
            return cast("npt.NDArray[FloatT]", grad)
    row = scheme(method)
    evaluator = make_evaluator(f, x, threads, vectorized, chunk_size, workers, row)
    if _textbook(method, h) and typical_x is None and bounds is None and not full_output:
        return cast("npt.NDArray[FloatT]", evaluator.derivative(x, DEFAULT_H, False))
    return gradient(evaluator, x, method, h, typical_x, bounds, full_output)


def _textbook(method: str, h: object) -> bool:
    """True for the textbook's call: the central difference at its default step, divided by ``2 * h`` (bitwise)."""
    return method == "central" and h is None


def numerical_gradient_2d(f: PythonObjective, X: npt.NDArray[FloatT], h: StepsArg = None, *,
                          method: Method = "central") -> npt.NDArray[FloatT]:
    """Gradient of ``f`` at each row of a 2-D ``X``; a 1-D ``X`` is one point.

    ``f`` is called with the row view ``X[r]``, perturbed in place, exactly as
    :func:`numerical_gradient` does for a single point.

    Parameters
    ----------
    f : callable
        ``f(x) -> real scalar`` for one point ``x`` (a row of ``X``).
    X : numpy.ndarray
        1-D point or 2-D stack of points, a real floating dtype, writeable.
    h, method
        As for :func:`numerical_gradient`; an array ``h`` has ``X``'s shape (a step per element of
        every row) or broadcasts to one row's.

    Returns
    -------
    numpy.ndarray
        Gradients with the shape and dtype of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import numerical_gradient_2d
    >>> numerical_gradient_2d(lambda x: x[0]**2 + x[1]**2, np.array([[3.0, 4.0], [0.0, 2.0]]))
    array([[6., 8.],
           [0., 4.]])
    >>> numerical_gradient_2d(lambda x: np.sum(x**3), np.array([[1e-9, 1e9]]), method="complex")
    array([[3.e-18, 3.e+18]])
    """
    evaluator = make_evaluator(f, X, scheme=scheme(method))
    if X.ndim not in (1, 2):
        raise ValueError(f"X must be 1-D (one point) or 2-D (one point per row), got {X.ndim}-D")
    if not _textbook(method, h):
        if X.ndim == 1:
            return gradient(evaluator, X, method, h, None, None)
        grad = np.empty(X.shape, dtype=X.dtype)
        per_row = isinstance(h, np.ndarray) and h.shape == X.shape
        for r in range(len(X)):
            grad[r] = gradient(evaluator, X[r], method, cast("npt.NDArray[Any]", h)[r] if per_row else h, None, None)
        return grad
    if X.ndim == 1:
        return cast("npt.NDArray[FloatT]", evaluator.derivative(X, DEFAULT_H, False))
    return cast("npt.NDArray[FloatT]", evaluator.rows(X, DEFAULT_H, False))


@overload
def gradient_descent(f: Objective, init_x: npt.NDArray[FloatT], lr: float = 0.01, step_num: int = 100, *,
                     history: Literal[False] = False, h: StepsArg = None, method: Method = "central",
                     threads: int | None = None, vectorized: bool = False, chunk_size: int | None = None,
                     workers: Workers | None = None) -> npt.NDArray[FloatT]: ...
@overload
def gradient_descent(f: Objective, init_x: npt.NDArray[FloatT], lr: float = 0.01, step_num: int = 100, *,
                     history: Literal[True], h: StepsArg = None, method: Method = "central",
                     threads: int | None = None, vectorized: bool = False, chunk_size: int | None = None,
                     workers: Workers | None = None) -> tuple[npt.NDArray[FloatT], npt.NDArray[FloatT]]: ...
@overload
def gradient_descent(f: Objective, init_x: npt.NDArray[FloatT], lr: float = 0.01, step_num: int = 100, *,
                     history: bool, h: StepsArg = None, method: Method = "central", threads: int | None = None,
                     vectorized: bool = False, chunk_size: int | None = None, workers: Workers | None = None
                     ) -> npt.NDArray[FloatT] | tuple[npt.NDArray[FloatT], npt.NDArray[FloatT]]: ...
def gradient_descent(f: Objective, init_x: npt.NDArray[FloatT], lr: float = 0.01, step_num: int = 100, *,
                     history: bool = False, h: StepsArg = None, method: Method = "central",
                     threads: int | None = None, vectorized: bool = False, chunk_size: int | None = None,
                     workers: Workers | None = None
                     ) -> npt.NDArray[FloatT] | tuple[npt.NDArray[FloatT], npt.NDArray[FloatT]]:
    """Run ``step_num`` steps of ``x -= lr * numerical_gradient(f, x)`` in compiled code.

    Parameters
    ----------
    f : callable or C-level objective
        ``f(x) -> real scalar``, or a C function as :func:`numerical_gradient` takes:
        then the whole loop runs in C, without the GIL.
    init_x : numpy.ndarray
        Start point, a real floating dtype, writeable: updated in place and returned.
    lr : float, optional
        Learning rate, finite. Used as a Python float (a weak scalar under NEP 50).
    step_num : int, optional
        Number of steps, >= 0.
    history : bool, optional
        Also return the visited points, shape ``(step_num, *init_x.shape)``, each the
        point before its step (what the textbook's path plot draws).
    h, method
        As for :func:`numerical_gradient`. A fixed ``h`` (a float or an array) with
        ``'central'``, ``'forward'``, ``'backward'`` or ``'central4'`` runs the whole loop
        compiled; ``h='auto'``, ``'complex'`` and ``'richardson'`` compute each step's gradient
        as :func:`numerical_gradient` does and update ``x -= lr * grad`` in between.
    threads, vectorized, chunk_size, workers
        As for :func:`numerical_gradient`.

    Returns
    -------
    x : numpy.ndarray
        ``init_x`` itself, after the last step.
    path : numpy.ndarray
        Only with ``history=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd import gradient_descent
    >>> x = gradient_descent(lambda x: x[0]**2 + x[1]**2, np.array([-3.0, 4.0]), lr=0.1)
    >>> bool(np.all(np.abs(x) < 1e-8))
    True

    The path, and the numpy twin's numbers:

    >>> from fastgd import reference
    >>> x, path = gradient_descent(lambda x: x[0]**2 + x[1]**2, np.array([-3.0, 4.0]), lr=0.1, step_num=3,
    ...                            history=True)
    >>> path  # each step multiplies x by 1 - 2 * lr
    array([[-3.  ,  4.  ],
           [-2.4 ,  3.2 ],
           [-1.92,  2.56]])
    >>> twin = reference.gradient_descent(lambda x: x[0]**2 + x[1]**2, np.array([-3.0, 4.0]), lr=0.1, step_num=3)
    >>> bool(np.array_equal(x, twin))
    True

    Another method:

    >>> gradient_descent(lambda x: np.sum((x - 1e9)**2), np.array([0.0, 3e9]), lr=0.5, step_num=1,
    ...                  method="complex")
    array([1.e+09, 1.e+09])
    """
    if (h is None and method == "central" and history is False and threads is None and vectorized is False
            and chunk_size is None and workers is None and type(lr) is float and type(step_num) is int):
        # The short roads: the whole descent in one call (None where f, x, lr or step_num need the checks below).
        if _kernels.textbook_descend(f, init_x, _TEXTBOOK_LOOP, DEFAULT_H, _TEXTBOOK_COMBINE, lr, step_num,
                                     moved_error):
            return init_x
        objective = c_objective(f)
        if objective is not None and _kernels.c_descend(objective, init_x, _TEXTBOOK_LOOP, DEFAULT_H, lr, step_num,
                                                        THREADS_BOUND, team, raise_failure):
            return init_x
    row = scheme(method)
    evaluator = make_evaluator(f, init_x, threads, vectorized, chunk_size, workers, row)
    textbook = _textbook(method, h)
    step = (DEFAULT_H if method == "central" else AUTO) if h is None else h
    steps = given_steps(step, init_x) if row.single_pass and not (isinstance(step, str) and step == AUTO) else None
    lr = finite_number(lr, "lr")
    step_num = count(step_num, "step_num")
    path = np.empty((step_num, *init_x.shape), dtype=init_x.dtype) if history else None
    if steps is not None and not self_overlapping(init_x):  # the compiled update writes element by element
        if not textbook:
            check_moves(init_x, steps, row)
        evaluator.descend(init_x, steps, not textbook, lr, step_num, path)
    elif init_x.size:
        for k in range(step_num):
            if path is not None:  # history
                path[k] = init_x
            init_x -= lr * gradient(evaluator, init_x, method, h, None, None)
    return (init_x, path) if path is not None else init_x
