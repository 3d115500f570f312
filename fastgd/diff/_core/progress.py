"""``progress=True``: a tqdm bar over the evaluations of a long derivative (tqdm is an optional dependency).

:func:`optional_bar` gives a :class:`Progress`, which the evaluators count their evaluations on as
they return (:meth:`fastgd.diff._core.evaluator.Evaluator.counting`): :meth:`Progress.counted` wraps a
Python ``f`` (counting stacked points for the vectorized evaluator), :meth:`Progress.counted_map` a
``workers=`` map, and the C loops report their progress themselves. The bar appears only once a
computation has run for :data:`DELAY` seconds, and it is closed however the computation ends (Ctrl-C
included), with ``x`` restored by the evaluator.
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


class Progress:
    """A bar and the counters that owe it evaluations (told by :meth:`flush`, when the computation ends)."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self._counters: list[Counted] = []

    def update(self, evaluations: int) -> None:
        """``evaluations`` more done."""
        self.bar.update(evaluations)

    def counted(self, f: Callable[[Any], Any], stacked: bool = False) -> Counted:
        """``f`` counting its evaluations (``stacked``: each call evaluates ``len(points)`` points)."""
        counter = Counted(f, self.bar, stacked)
        self._counters.append(counter)
        return counter

    def counted_map(self, map_: Callable[..., Iterable[Any]]) -> Callable[..., Iterator[Any]]:
        """``map_`` whose results are counted as they arrive."""
        def counting(f: Callable[[Any], Any], points: Any) -> Iterator[Any]:
            for value in map_(f, points):
                self.bar.update(1)
                yield value
        return counting

    def flush(self) -> None:
        """Tell the bar every evaluation counted and not yet told."""
        for counter in self._counters:
            counter.flush()

    def settle(self) -> None:
        """The computation is done: its evaluations, told, are the bar's total (a total known only as it ran)."""
        self.flush()
        self.bar.total = self.bar.n


@contextlib.contextmanager
def optional_bar(enabled: bool, total: int, description: str) -> Iterator[Progress | None]:
    """A :class:`Progress` on :func:`bar` if ``enabled``, else None; flushed and closed on the way out."""
    if not enabled:
        yield None
        return
    with bar(total, description) as shown:
        progress = Progress(shown)
        try:
            yield progress
        finally:
            progress.flush()
