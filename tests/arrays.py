"""Hypothesis strategies for the arrays fastgd takes: every float dtype, shape and layout."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

FLOAT_DTYPES = [
    np.dtype(np.float64),
    np.dtype(np.float32),
    np.dtype(np.float16),
    np.dtype(np.longdouble),
    np.dtype(">f8"),  # byte-swapped: takes the numpy-scalar path
]
LAYOUTS = ["c", "fortran", "transposed", "stepped", "reversed"]


def view_in_layout(base, layout):
    """The view of ``base`` that ``layout`` names (``base`` itself for "c" and "fortran")."""
    if layout == "transposed":
        return base.T
    if layout == "stepped":
        return base[(slice(None, None, 2),) * base.ndim + (Ellipsis,)]
    if layout == "reversed":
        return base[(slice(None, None, -1),) * base.ndim + (Ellipsis,)]
    return base


@st.composite
def float_views(draw, dtypes=FLOAT_DTYPES, min_dims=0, max_dims=4, max_side=4):
    """Draw ``(base, view, layout)``: a writeable float array and a view of it in ``layout``.

    The view shares memory with ``base``; a closure reading ``base`` sees every
    in-place perturbation of the view.
    """
    dtype = draw(st.sampled_from(dtypes))
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0, max_side=max_side))
    layout = draw(st.sampled_from(LAYOUTS))
    if layout == "stepped":
        shape = tuple(2 * n for n in shape)
    base = draw(hnp.arrays(dtype, shape, elements=st.floats(-4, 4, width=16)))
    if layout == "fortran":
        base = np.asfortranarray(base)
    return base, view_in_layout(base, layout), layout


def same_values(a, b):
    """Equal dtype, shape and values, NaNs equal and the signs of zeros alike."""
    return (
        a.dtype == b.dtype
        and a.shape == b.shape
        and np.array_equal(a, b, equal_nan=True)
        and np.array_equal(np.signbit(a), np.signbit(b))
    )


def same_bits(a, b):
    """True if ``a`` and ``b`` hold the same values bit for bit (NaN payloads included).

    longdouble leaves padding bytes unspecified, so it is compared by :func:`same_values`.
    """
    if a.dtype == np.longdouble:
        return same_values(a, b)
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
