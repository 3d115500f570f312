# cython: auto_pickle=False
"""Jacobians by column groups: the coloring of a sparsity pattern's columns, the groups' points, and
the decompression of the groups' differences into the Jacobian's nonzeros.

Two columns may share a color (be perturbed together) when no row has a nonzero in both: a
distance-2 coloring of the columns in the bipartite graph of rows and columns. :func:`greedy`
gives each column, in a given order, the smallest color that no column sharing a row with it has
yet (first fit); its cost is the sum over rows of (nonzeros in the row) squared. :func:`transpose`
gives the columns' rows from the rows' columns.

:func:`groups` evaluates ``f`` with each group's elements moved together to a scheme's points (the
caller's ``x`` itself, restored), with the element operations of the finite-difference loops
(``diff_kernels.h``), so a group's point is bitwise the point those loops make for each of its
elements, and sums each group's values with the scheme's weights as ``fd_combine`` does;
:func:`decompress` divides each nonzero's sum by the distance its column's points take. The Python
layer (:mod:`fastgd.diff.sparse`) validates every argument; nothing here checks bounds, dtypes or layout.
"""
cimport numpy as cnp
from libc.math cimport isfinite
from libc.stdint cimport int32_t, int64_t

from diff_kernels cimport FD_F32, FD_F64, FD_MAX_POINTS, fd_load, fd_point, fd_shift, fd_store

import numpy as np

cnp.import_array()

ctypedef cnp.intp_t index_t
ctypedef fused slot_t:
    int32_t
    int64_t


def transpose(Py_ssize_t n, const index_t[::1] indptr, const index_t[::1] indices):
    """The pattern's columns: ``(col_ptr, rows)``, the rows of column ``c`` at ``rows[col_ptr[c]:col_ptr[c + 1]]``
    in increasing order, from its rows' columns (CSR ``indptr``, ``indices``; ``n`` columns)."""
    cdef Py_ssize_t m = indptr.shape[0] - 1, nnz = indices.shape[0], r, k, c
    col_ptr_array = np.zeros(n + 1, dtype=np.intp)
    rows_array = np.empty(nnz, dtype=np.intp)
    cdef index_t[::1] col_ptr = col_ptr_array
    cdef index_t[::1] rows = rows_array
    with nogil:
        for k in range(nnz):
            col_ptr[indices[k] + 1] += 1
        for c in range(n):
            col_ptr[c + 1] += col_ptr[c]
        for r in range(m):
            for k in range(indptr[r], indptr[r + 1]):
                c = indices[k]
                rows[col_ptr[c]] = r
                col_ptr[c] += 1
        for c in range(n, 0, -1):  # each pointer moved to the next column's start: shift back
            col_ptr[c] = col_ptr[c - 1]
        col_ptr[0] = 0
    return col_ptr_array, rows_array


cdef inline Py_ssize_t _first_free(const index_t[::1] forbidden, index_t[::1] colors, Py_ssize_t v,
                                   Py_ssize_t used) noexcept nogil:
    """Give ``v`` the smallest color not forbidden near it (``forbidden[c] == v``); the colors used so far."""
    cdef Py_ssize_t color = 0
    while forbidden[color] == v:
        color += 1
    colors[v] = color
    return color + 1 if color >= used else used


def greedy(const index_t[::1] indptr, const index_t[::1] indices, const index_t[::1] col_ptr,
           const index_t[::1] rows, const index_t[::1] order, index_t[::1] colors):
    """First-fit coloring of the columns in ``order`` (a permutation of all n): ``colors`` (n, written) and
    the number of colors. ``indptr``/``indices``: the rows' columns; ``col_ptr``/``rows``: the columns' rows."""
    cdef Py_ssize_t n = order.shape[0], i, k, kk, v, color, used = 0
    forbidden_array = np.full(n + 1, -1, dtype=np.intp)  # forbidden[c] == v: color c is taken near column v
    cdef index_t[::1] forbidden = forbidden_array
    with nogil:
        for i in range(n):
            colors[i] = -1
        for i in range(n):
            v = order[i]
            for k in range(col_ptr[v], col_ptr[v + 1]):
                for kk in range(indptr[rows[k]], indptr[rows[k] + 1]):
                    color = colors[indices[kk]]
                    if color >= 0:
                        forbidden[color] = v
            used = _first_free(forbidden, colors, v, used)
    return used


def star(const index_t[::1] indptr, const index_t[::1] indices, const index_t[::1] order, index_t[::1] colors):
    """A greedy star coloring of an undirected graph (Gebremedhin, Manne & Pothen, SIAM Review 47, 2005,
    Algorithm 4.1): adjacent vertices differ, and every path on four vertices takes at least three colors.
    ``indptr``/``indices``: each vertex's neighbours (symmetric, no self-loops); vertices colored in ``order``
    (a permutation of all n), each with the smallest color not forbidden -- a neighbour's color; a color of a
    vertex two steps away through an uncolored neighbour; and through a colored neighbour ``w``, the color of
    ``x`` if ``x`` has another neighbour colored as ``w`` (``v - w - x - y`` would take two colors).
    Writes ``colors`` (n) and returns the number of colors."""
    cdef Py_ssize_t n = order.shape[0], i, k, kx, ky, v, w, x, y, used = 0
    forbidden_array = np.full(n + 1, -1, dtype=np.intp)  # forbidden[c] == v: color c is taken near vertex v
    cdef index_t[::1] forbidden = forbidden_array
    with nogil:
        for i in range(n):
            colors[i] = -1
        for i in range(n):
            v = order[i]
            for k in range(indptr[v], indptr[v + 1]):
                w = indices[k]
                if colors[w] >= 0:
                    forbidden[colors[w]] = v
                for kx in range(indptr[w], indptr[w + 1]):
                    x = indices[kx]
                    if x == v or colors[x] < 0:
                        continue
                    if colors[w] < 0:
                        forbidden[colors[x]] = v
                        continue
                    for ky in range(indptr[x], indptr[x + 1]):
                        y = indices[ky]
                        if y != w and colors[y] == colors[w]:
                            forbidden[colors[x]] = v
                            break
            used = _first_free(forbidden, colors, v, used)
    return used


def is_coloring(const index_t[::1] indptr, const index_t[::1] indices, const index_t[::1] colors,
                Py_ssize_t ncolors):
    """True if no row has two columns of one color (``colors`` in ``[0, ncolors)``)."""
    seen_array = np.full(ncolors, -1, dtype=np.intp)
    cdef index_t[::1] seen = seen_array
    cdef Py_ssize_t m = indptr.shape[0] - 1, r, k, color
    cdef bint valid = True
    with nogil:
        for r in range(m):
            for k in range(indptr[r], indptr[r + 1]):
                color = colors[indices[k]]
                if seen[color] == r:
                    valid = False
                seen[color] = r
    return valid


cdef inline int _type(cnp.ndarray a) noexcept:
    return FD_F64 if cnp.PyArray_TYPE(a) == cnp.NPY_DOUBLE else FD_F32


def values_and_steps(cnp.ndarray x, const index_t[::1] positions, object steps, double h, tuple point_offsets,
                     tuple weights, tuple widened, double[::1] values, double[::1] taken, double[::1] distances):
    """The elements at byte ``positions[i]`` of ``x``'s data: their values as float64s, their steps ``h_i`` =
    ``steps[i]`` (float64) or ``h`` into ``taken``, and the distances their points take (``sum_k weights[k] *
    (x_k - v)``, x_k the point ``v + point_offsets[k] * h_i`` as the loops store it: ``fd_distance``) into
    ``distances``. Returns the first ``i`` whose value is not finite or one of whose points does not move, or
    -1."""
    cdef int type = _type(x), k, npoints = len(point_offsets)
    cdef char* data = <char*>cnp.PyArray_DATA(x)
    cdef const double* hs = &h if steps is None else <const double*>cnp.PyArray_DATA(steps)
    cdef Py_ssize_t stride = 0 if steps is None else 1, i, first = -1
    cdef double offsets[FD_MAX_POINTS]
    cdef double w[FD_MAX_POINTS]
    cdef int wide[FD_MAX_POINTS]
    cdef double moved, distance
    cdef bint still
    for k in range(npoints):
        offsets[k], w[k], wide[k] = point_offsets[k], weights[k], widened[k]
    with nogil:
        for i in range(positions.shape[0]):
            values[i] = fd_load(type, data + positions[i])
            taken[i] = hs[i * stride]
            distance = 0.0
            still = False
            for k in range(npoints):
                moved = fd_point(type, values[i], offsets[k] * taken[i], wide[k]) - values[i]
                still = still or moved == 0.0
                distance = w[k] * moved if k == 0 else distance + w[k] * moved
            distances[i] = distance
            if first < 0 and (still or not (isfinite(values[i]) and isfinite(distance))):
                first = i
    return first


cdef inline bint _is_vector_of(object r, Py_ssize_t m) noexcept:
    """r is a 1-D ndarray of m native, aligned float64s in C order."""
    return (type(r) is cnp.ndarray and cnp.PyArray_TYPE(<cnp.ndarray>r) == cnp.NPY_DOUBLE
            and cnp.PyArray_NDIM(<cnp.ndarray>r) == 1 and cnp.PyArray_SIZE(<cnp.ndarray>r) == m
            and cnp.PyArray_ISCARRAY_RO(<cnp.ndarray>r) and cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray>r))


cdef void _accumulate(double* total, const double* values, Py_ssize_t m, double weight, bint first) noexcept nogil:
    cdef Py_ssize_t i
    if first:
        for i in range(m):
            total[i] = weight * values[i]
    else:
        for i in range(m):
            total[i] = total[i] + weight * values[i]


def accumulate(double[::1] total, const double[::1] values, double weight, bint first):
    """``total = weight * values`` (``first``), else ``total + weight * values``: a scheme's sum, left to right."""
    _accumulate(&total[0] if total.shape[0] else NULL, &values[0] if values.shape[0] else NULL, total.shape[0],
                weight, first)


#: Status of :func:`groups`: done, or f moved or resized x (its memory cannot be touched).
OK = 0
MOVED = 1


def groups(object f, cnp.ndarray x, const index_t[::1] starts, const index_t[::1] positions,
           const double[::1] values, const double[::1] steps, tuple point_offsets, tuple widened,
           tuple weights, double[:, ::1] totals, object as_values):
    """For each group ``g``: ``f(x)`` with the group's elements moved to each of the scheme's points in turn, and
    ``totals[g] = sum_k weights[k] * f_k``, left to right.

    The elements ``i`` of group ``g``, ``starts[g] <= i < starts[g + 1]``, are at byte ``positions[i]`` of
    ``x``'s data, with value ``values[i]`` and step ``steps[i]``; at point ``k`` an element is
    ``value + point_offsets[k] * step``, as the loops shift one element. ``x`` itself is moved, and restored
    after each group and when ``f`` raises. ``as_values(value)``: f's value as m float64s (or it raises), for
    values that are not such an array already. Returns OK, or MOVED if f moved or resized x."""
    cdef int type = _type(x)
    cdef Py_ssize_t m = totals.shape[1], npoints = len(point_offsets), g, k, i
    cdef char* data = <char*>cnp.PyArray_DATA(x)
    cdef tuple shape = (<object>x).shape
    cdef double offset
    cdef int wide
    cdef bint moved
    cdef object r
    for g in range(starts.shape[0] - 1):
        moved = False
        try:
            for k in range(npoints):
                offset = point_offsets[k]
                wide = widened[k]
                with nogil:
                    for i in range(starts[g], starts[g + 1]):
                        fd_shift(type, data + positions[i], values[i], offset * steps[i], wide)
                r = f(x)
                moved = <char*>cnp.PyArray_DATA(x) != data or (<object>x).shape != shape
                if moved:
                    return MOVED  # x's memory may be gone: restore nothing
                if not _is_vector_of(r, m):
                    r = as_values(r)
                _accumulate(&totals[g, 0], <const double*>cnp.PyArray_DATA(r), m, weights[k], k == 0)
        finally:
            if not moved:
                with nogil:
                    for i in range(starts[g], starts[g + 1]):
                        fd_store(type, data + positions[i], values[i])
    return OK


def decompress(const slot_t[::1] slots, const slot_t[::1] columns, const double[::1] totals,
               const double[::1] distances, double[::1] data, object targets, Py_ssize_t offset):
    """Each nonzero ``j``: ``data[k] = totals[slots[j] - offset] / distances[columns[j]]``, with ``k = targets[j]``
    (an intp array), or ``k = j`` (``targets`` None). ``slots[j]``: its group's sum in its row r,
    ``group * m + r``; ``columns[j]``: where its column's distance (:func:`values_and_steps`) is. Returns the
    first ``j`` whose value is not finite, or -1."""
    cdef Py_ssize_t j, k, first = -1
    cdef const index_t* where = NULL if targets is None else <const index_t*>cnp.PyArray_DATA(targets)
    with nogil:
        for j in range(slots.shape[0]):
            k = j if where == NULL else where[j]
            data[k] = totals[slots[j] - offset] / distances[columns[j]]
            if first < 0 and not isfinite(data[k]):
                first = j
    return first
