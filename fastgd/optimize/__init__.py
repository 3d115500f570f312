"""``scipy.optimize`` with fastgd's derivatives: :func:`minimize`, :func:`least_squares` and :func:`root` take
scipy's signatures, pass everything through to scipy, and put fastgd's finite differences where scipy would
use its own -- built from the same ``bounds`` object scipy takes, so they never evaluate ``f`` outside them
(the optimizer's own iterates are its own: ``trust-constr``'s may leave the box), and sharing the optimizer's
last ``f(x)``, so a forward-difference gradient costs ``n`` calls of ``f``, as scipy's ``'2-point'`` does.

Where scipy names a finite-difference scheme (``jac='2-point'``, ``'3-point'``, ``'cs'``, or nothing), fastgd
takes the same scheme (forward, central, complex step) at scipy's steps; a callable ``jac``, ``hess`` or
``hessp`` (or ``jac=True``) is passed through untouched. What scipy cannot do from ``f`` alone, this layer
does: ``trust-ncg``/``trust-krylov`` get Hessian-vector products (:func:`fastgd.hessp_of`) and ``dogleg``/
``trust-exact`` a Hessian (:func:`fastgd.hessian_of`) when none is given; ``hess_sparsity=`` (a pattern or a
:class:`fastgd.SparseHessian`) gives ``trust-constr`` and ``Newton-CG`` sparse Hessians. ``diff_options=`` takes
fastgd's own options for the derivatives (``h``, ``threads``, ``vectorized``, ``chunk_size``, ``workers``).

Needs scipy.
"""
from __future__ import annotations

from fastgd.optimize.drivers import least_squares, minimize, root

__all__ = ["minimize", "least_squares", "root"]
