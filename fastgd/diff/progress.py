"""``progress=True``: a tqdm bar over the evaluations of a long derivative (tqdm is an optional dependency).

The bar counts evaluations of ``f`` as they return: :class:`Counted` wraps a Python ``f`` (for the
in-place and vectorized evaluators, counting stacked points) and :func:`counted_map` wraps a
``workers=`` map. It appears only once a computation has run for :data:`DELAY` seconds, and it is
closed however the computation ends (Ctrl-C included), with ``x`` restored by the evaluator.
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

#: Seconds before the bar appears: quick computations print nothing.
DELAY: float = 0.5


def bar(total: int, description: str) -> Any:
    """A tqdm bar over ``total`` evaluations, shown after :data:`DELAY` seconds (a context manager)."""
    try:
        from tqdm.auto import tqdm  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        raise ImportError("progress=True needs tqdm (pip install tqdm)") from None
    return tqdm(total=total, desc=description, unit="f", delay=DELAY, leave=False)


class Counted:
    """``f`` that counts its evaluations on ``bar`` (``stacked``: one call evaluates ``len(points)`` points).

    Updates are batched: the bar is told every ``every`` evaluations, and once more by :meth:`flush`.
    """

    def __init__(self, f: Callable[[Any], Any], bar: Any, stacked: bool = False, every: int = 64) -> None:
        self.f, self.bar, self.stacked, self.every = f, bar, stacked, every
        self.pending = 0

    def __call__(self, x: Any) -> Any:
        r = self.f(x)
        self.pending += len(x) if self.stacked else 1
        if self.pending >= self.every:
            self.bar.update(self.pending)
            self.pending = 0
        return r

    def flush(self) -> None:
        """Tell the bar the evaluations not yet counted."""
        self.bar.update(self.pending)
        self.pending = 0


def counted_map(map_: Callable[..., Iterable[Any]], bar: Any) -> Callable[..., Iterator[Any]]:
    """``map_`` whose results are counted on ``bar`` as they arrive."""
    def counting(f: Callable[[Any], Any], points: Any) -> Iterator[Any]:
        for value in map_(f, points):
            bar.update(1)
            yield value
    return counting


@contextlib.contextmanager
def optional_bar(enabled: bool, total: int, description: str) -> Iterator[Any]:
    """:func:`bar` if ``enabled``, else None; closed on the way out."""
    if not enabled:
        yield None
        return
    with bar(total, description) as progress:
        yield progress
