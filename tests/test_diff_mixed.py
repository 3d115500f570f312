"""The engine's mixed second derivatives (and vector values) give the numbers of the plain loop.

``plain_mixed`` is the specification, written as simply as possible: visit the pairs of elements
a < b in the order ``np.nditer`` visits them, move the first to the outer scheme's point k and the
second to the inner scheme's point kb (``v + offset*h`` in x's dtype, or ``float(v) + offset*h``
when widened), call ``f``, restore both, sum ``(w_k * u_kb) * f`` in the order (k, kb) and divide
by ``(den * h_a) * (inner den * h_b)`` -- with exact steps, by ``D_a * D_b``, the distances each
element's points took (``sum_k w_k (x_k - v)``, left to right); the result goes to both ``[pa, pb]``
and ``[pb, pa]``.
The compiled loops, for a Python ``f`` and for a C objective on any number of threads, must give
its numbers bit for bit.
"""
import numpy as np
import pytest
from arrays import same_bits
from test_diff_engine import SCHEMES_UNDER_TEST, distance, plain, vector_f, vector_of

from fastgd.diff._core import c_level, in_place
from fastgd.diff._core.schemes import SCHEMES

# schemes without f(x): the mixed loops take those
MIXED_SCHEMES = {name: scheme for name, scheme in SCHEMES_UNDER_TEST.items() if not scheme.centre_weight}


def plain_mixed(f, x, scheme, inner, h, exact):
    """The specification of the mixed loops (see the module docstring); the diagonal is NaN."""
    order = [it.multi_index for it in _visits(x)]
    steps = np.broadcast_to(np.asarray(h, dtype=np.float64), x.shape)
    out = np.full((x.size, x.size), np.nan)

    def moved(v, offset, step, widened):
        return float(v) + offset * step if widened else v + offset * step

    def divisor(idx, row):
        v, step = x[idx], float(steps[idx])
        if not exact:
            return row.denominator * step
        total = None
        for weight, offset, widened in zip(row.weights, row.offsets, row.widened, strict=True):
            term = weight * distance(v, x.dtype.type(moved(v, offset, step, widened)))
            total = term if total is None else total + term
        return total

    for a, ia in enumerate(order):
        for ib in order[a + 1:]:
            va, vb, ha, hb = x[ia], x[ib], float(steps[ia]), float(steps[ib])
            total = None
            for k, (offset, widened) in enumerate(zip(scheme.offsets, scheme.widened, strict=True)):
                for kb, (offset_b, widened_b) in enumerate(zip(inner.offsets, inner.widened, strict=True)):
                    x[ia] = moved(va, offset, ha, widened)
                    x[ib] = moved(vb, offset_b, hb, widened_b)
                    value = float(f(x))
                    x[ia], x[ib] = va, vb
                    term = (scheme.weights[k] * inner.weights[kb]) * value
                    total = term if total is None else total + term
            pa, pb = np.ravel_multi_index(ia, x.shape), np.ravel_multi_index(ib, x.shape)
            out[pa, pb] = out[pb, pa] = total / (divisor(ia, scheme) * divisor(ib, inner))
    return out


def _visits(x):
    it = np.nditer(x, flags=["multi_index", "zerosize_ok"], op_flags=[["readonly"]])
    while not it.finished:
        yield it
        it.iternext()


def coupled(v):
    """A function whose every pair of elements interacts, returning a numpy float64 or float32 scalar."""
    flat = v.ravel()
    return np.sum(flat**3) + np.prod(flat[:3]) + np.sin(flat).sum() * flat[0]


@pytest.mark.parametrize("scheme", MIXED_SCHEMES.values(), ids=MIXED_SCHEMES)
@pytest.mark.parametrize("inner", [SCHEMES["central"], SCHEMES_UNDER_TEST["five points"]], ids=["central", "five"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("exact", [False, True])
def test_in_place_mixed_matches_the_plain_loop(scheme, inner, dtype, exact):
    base = np.linspace(-1.0, 2.0, 6, dtype=dtype).reshape(2, 3)
    for x in (base, base.T, base[:, ::2]):  # pairs in memory order, results at C positions
        before = base.copy()
        h = np.geomspace(1e-3, 3e-3, x.size).reshape(x.shape)
        expected = plain_mixed(coupled, x, scheme, inner, h, exact)
        got = np.full((x.size, x.size), np.nan)
        in_place.InPlace(coupled, scheme).mixed(x, h, exact, inner, got)
        assert same_bits(base, before)
        assert same_bits(got, expected)


def test_mixed_values_must_be_real_scalars_and_x_is_restored():
    x = np.linspace(0.5, 1.5, 4)
    calls = iter(range(100))
    evaluator = in_place.InPlace(lambda v: np.ones(2) if next(calls) == 5 else 1.0, SCHEMES["central"])
    with pytest.raises(TypeError, match="real scalar"):
        evaluator.mixed(x, 1e-3, True, SCHEMES["central"], np.empty((4, 4)))
    assert np.array_equal(x, np.linspace(0.5, 1.5, 4))


def test_f_raising_in_the_mixed_loop_restores_both_elements():
    x = np.linspace(0.5, 1.5, 5)
    calls = iter(range(100))

    def f(v):
        if next(calls) == 11:
            raise ArithmeticError("boom")
        return float(np.sum(v**2))
    with pytest.raises(ArithmeticError):
        in_place.InPlace(f, SCHEMES["central"]).mixed(x, 1e-3, True, SCHEMES["central"], np.empty((5, 5)))
    assert np.array_equal(x, np.linspace(0.5, 1.5, 5))


def test_f_resizing_x_in_the_mixed_loop_is_a_runtime_error():
    x = np.linspace(0.5, 1.5, 5).copy()
    with pytest.raises(RuntimeError, match="resized or reallocated x"):
        in_place.InPlace(lambda v: v.resize(1000, refcheck=False), SCHEMES["central"]).mixed(
            x, 1e-3, True, SCHEMES["central"], np.empty((5, 5)))


# --- vector values: any array F returns takes the same path to the same numbers -----------------------

@pytest.mark.parametrize("kind", ["float64 array", "float32 array", "2-D array", "list", "strided view"])
def test_vector_values_of_every_kind_match_the_plain_loop(kind):
    make = {"float64 array": lambda r: r, "float32 array": lambda r: r.astype(np.float32),
            "2-D array": lambda r: np.stack([r, r]), "list": lambda r: list(r),
            "strided view": lambda r: np.repeat(r, 2)[::2]}[kind]
    x = np.linspace(-1.0, 2.0, 6).reshape(2, 3)
    F = lambda v: make(vector_f(v))
    vector = vector_of(F(x))
    for scheme in SCHEMES_UNDER_TEST.values():
        expected = plain(F, x, scheme, 1e-3, True, vector=True)
        assert same_bits(in_place.InPlace(F, scheme).jacobian(x, 1e-3, True, vector), expected)


# --- C-level objectives --------------------------------------------------------------------------------

numba = pytest.importorskip("numba")
from objectives import sum_cubes, through_python  # noqa: E402

from fastgd.diff._core.objectives import c_objective  # noqa: E402


@pytest.mark.parametrize("scheme", MIXED_SCHEMES.values(), ids=MIXED_SCHEMES)
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("exact", [False, True])
def test_c_mixed_matches_the_plain_loop(scheme, threads, exact, whole_team):
    x = np.linspace(-1.5, 2.0, 120)  # long enough for the team to join after the single-threaded start
    h = np.geomspace(1e-4, 1e-2, x.size)
    expected = plain_mixed(through_python(sum_cubes), x, scheme, SCHEMES["central"], h, exact)
    got = np.full((x.size, x.size), np.nan)
    c_level.COnThreads(c_objective(sum_cubes), scheme, threads).mixed(x, h, exact, SCHEMES["central"], got)
    assert same_bits(got, expected)


def test_c_runs_report_their_progress():
    """A counted C run tells its evaluations as the loops go, and all of them (f(x) included) by the end."""
    from fastgd.diff._core.progress import Progress

    class Bar:
        n = 0
        seen = []

        def update(self, evaluations):
            self.n += evaluations
            self.seen.append(self.n)

    x = np.linspace(-1.5, 2.0, 300)
    for name, evaluations in (("central", 2 * x.size), ("forward", x.size + 1)):
        bar = Bar()
        bar.seen = []
        run = c_level.COnThreads(c_objective(sum_cubes), SCHEMES[name], 1).counting(Progress(bar))
        run.derivative(x, 1e-3, False)
        assert len(bar.seen) > 1 and bar.seen == sorted(bar.seen) and bar.n == evaluations
