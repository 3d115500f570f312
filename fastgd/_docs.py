"""Docstrings of fastgd's classes: their numpy twin's text, with fastgd's own examples."""
from __future__ import annotations

import inspect


def twin_doc(twin: type, examples: str) -> str:
    """``twin``'s docstring with its ``Examples`` section replaced by ``examples`` (the section's doctest lines).

    The result is dedented, as :func:`inspect.cleandoc` leaves a docstring.
    """
    head = inspect.cleandoc(twin.__doc__ or "").split("\nExamples\n--------\n")[0].rstrip()
    return f"{head}\n\nExamples\n--------\n{inspect.cleandoc(examples)}\n"

