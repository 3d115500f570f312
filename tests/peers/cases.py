"""A peer's test case as data: its name (the peer's test, and what it varies), how fastgd runs it through
:mod:`adapter` under the peer's assertion, and why it is not offered (a feature fastgd lacks) or fails
(an item of issue 17 still open, a meaning fastgd keeps on purpose, or another gap)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    """One case: ``run()`` returns if fastgd meets the peer's assertion, raises if not."""

    name: str
    run: Callable[[], object]
    feature: str | None = None  #: what fastgd lacks: the case is counted apart, not offered
    defect: tuple[int, str] | None = None  #: (issue 17 item, what fails): a strict xfail until fixed
    gap: str | None = None  #: fails for a reason issue 17 does not list: a strict xfail, reported apart
    documented: str | None = None  #: fails because fastgd keeps another meaning on purpose (documented where)
