"""Docstrings of fastgd's classes: their numpy twin's text, with fastgd's own examples."""
from __future__ import annotations

import inspect


def twin_doc(twin: type, examples: str) -> str:
    """``twin``'s docstring with its ``Examples`` section replaced by ``examples`` (the section's doctest lines).

    The result is dedented, as :func:`inspect.cleandoc` leaves a docstring.
    """
    head = inspect.cleandoc(twin.__doc__ or "").split("\nExamples\n--------\n")[0].rstrip()
    return f"{head}\n\nExamples\n--------\n{inspect.cleandoc(examples)}\n"


def fused_doc(twin: type, settings: str, rounded: str) -> str:
    """``twin``'s docstring with an example of its fused twin: three updates of one array.

    The example checks the update is in place and bit for bit the twin's, then shows the values
    (``rounded``: the repr of ``np.round(w, 6)``) for the constructor arguments ``settings``.
    """
    name = twin.__name__
    return twin_doc(twin, f"""
        >>> import numpy as np
        >>> from fastgd import {name}, reference
        >>> w = np.array([1.0, -2.0, 0.5])
        >>> params, twin = {{"w": w}}, {{"w": w.copy()}}
        >>> grads = {{"w": np.array([0.5, 0.25, -1.0])}}
        >>> fast, slow = {name}({settings}), reference.{name}({settings})
        >>> for _ in range(3):
        ...     fast.update(params, grads)
        ...     slow.update(twin, grads)
        >>> params["w"] is w, bool(np.array_equal(w, twin["w"]))  # in place, bit for bit the twin's numbers
        (True, True)
        >>> np.round(w, 6)
        {rounded}
    """)
