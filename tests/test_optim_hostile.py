"""Hostile input for the optimizers: dtypes, layouts, shared memory, subclasses, bad settings, bad checkpoints.

Every case gives the twin's numbers bit for bit (on the grad read in the param's dtype, before the
update: see fastgd.optim.fused), or raises TypeError/ValueError naming what is wrong with nothing
changed: params, states, counters (Adam's ``iter``).
"""
import numpy as np
import pytest
from arrays import same_bits, same_values
from hypothesis import given
from hypothesis import strategies as st

import fastgd
from fastgd import reference
from fastgd.optim import _kernels
from fastgd.optim.table import NAMES, TABLE

SMALL_NET = {"W1": (2, 3), "b1": (3,), "W2": (3, 4), "b2": (4,)}
STATEFUL = [row.name for row in TABLE if row.states]


def both(name, **settings):
    return getattr(fastgd, name)(**settings), getattr(reference, name)(**settings)


def snapshot(opt, params):
    """Everything an update may change, copied: params, state arrays, settings (counters included)."""
    checkpoint = opt.state_dict()
    return ({key: np.copy(value) for key, value in params.items()}, checkpoint["state"], checkpoint["settings"])


def assert_unchanged(opt, params, before):
    values, states, settings = before
    for key, value in values.items():
        assert same_bits(np.asarray(params[key]), np.asarray(value)), key
    assert opt.state_dict()["settings"] == settings
    now = opt.state_dict()["state"]
    for name, state in states.items():
        assert (now[name] is None) == (state is None), name
        if state is not None:
            assert now[name].keys() == state.keys()
            for key in state:
                assert same_bits(now[name][key], state[key]), (name, key)


def random_net(rng, dtype=np.float64):
    return {key: rng.standard_normal(shape).astype(dtype) for key, shape in SMALL_NET.items()}


def load_twin(twin, checkpoint, dtype=None):
    """Put the twin in the state of a fastgd checkpoint (the twin has no checkpoints of its own): its settings,
    and copies of its state arrays (converted to ``dtype``, if given, as fastgd converts them)."""
    for name, value in checkpoint["settings"].items():
        setattr(twin, name, value)
    for name, state in checkpoint["state"].items():
        setattr(twin, name, None if state is None else
                {key: np.array(value, dtype=dtype or np.asarray(value).dtype) for key, value in state.items()})


def trained(name, seed):
    """``(optimizer, params, rng)`` after one update of a small net: the state exists."""
    opt, rng = getattr(fastgd, name)(), np.random.default_rng(seed)
    params = random_net(rng)
    opt.update(params, random_net(rng))
    return opt, params, rng


# ---- item 7: an update is all or nothing ----

@pytest.mark.parametrize("name", NAMES)
def test_int_too_large_for_a_float_changes_nothing(name):
    opt = getattr(fastgd, name)()
    params = {"a": np.zeros(3), "b": 1.0}
    before = snapshot(opt, params)
    with pytest.raises(ValueError, match=r"grads\['b'\] is an int too large for a float"):
        opt.update(params, {"a": np.ones(3), "b": 10**400})
    assert_unchanged(opt, params, before)
    with pytest.raises(ValueError, match=r"params\['b'\] is an int too large"):
        opt.update({"a": np.zeros(3), "b": 10**400}, {"a": np.ones(3), "b": 1.0})
    assert_unchanged(opt, params, before)


@pytest.mark.parametrize("name", NAMES)
def test_scalar_keys_have_the_numbers_of_0d_float64_arrays(name):
    """10**200 fits a float, its square does not: Python's float arithmetic would raise, the kernel's IEEE
    arithmetic gives inf (or nan) as it does for arrays, and as the twin does on 0-d float64 arrays."""
    fast, slow = both(name, lr=0.1)
    rng = np.random.default_rng(0)
    params = {**random_net(rng), "s": 0.5}
    twin = {key: np.array(value) for key, value in params.items()}
    for grads in ({**random_net(rng), "s": 0.25}, {**random_net(rng), "s": 10**200}, {**random_net(rng), "s": 3}):
        fast.update(params, grads)
        with np.errstate(all="ignore"):
            slow.update(twin, {key: np.array(value, dtype=float) for key, value in grads.items()})
        assert type(params["s"]) is float
        for key in params:
            assert same_values(np.asarray(params[key]), twin[key]), key


@pytest.mark.parametrize("name", STATEFUL)
def test_state_of_another_shape_is_refused(name):
    opt, params, rng = trained(name, 1)
    checkpoint = opt.state_dict()
    state = TABLE[NAMES.index(name)].states[0]
    checkpoint["state"][state]["W2"] = np.zeros((4, 3))
    opt.load_state_dict(checkpoint)
    before = snapshot(opt, params)
    with pytest.raises(ValueError, match=rf"state {state}\['W2'\] has shape \(4, 3\), but params\['W2'\] has shape"):
        opt.update(params, random_net(rng))
    assert_unchanged(opt, params, before)


@pytest.mark.parametrize("name", STATEFUL)
def test_param_that_changed_shape_is_refused(name):
    opt, params, rng = trained(name, 2)
    params["b2"] = np.ones(7)
    grads = {**random_net(rng), "b2": np.ones(7)}
    before = snapshot(opt, params)
    with pytest.raises(ValueError, match=r"params\['b2'\] has shape \(7,\)"):
        opt.update(params, grads)
    assert_unchanged(opt, params, before)


@pytest.mark.parametrize("name", STATEFUL)
def test_loaded_state_of_another_float_dtype_takes_the_params_dtype(name):
    fast, slow = both(name)
    rng = np.random.default_rng(3)
    params = random_net(rng)
    fast.update(params, random_net(rng))
    checkpoint = fast.state_dict()
    checkpoint["state"] = {n: {k: v.astype(np.float32) for k, v in s.items()} for n, s in checkpoint["state"].items()}
    fast.load_state_dict(checkpoint)
    load_twin(slow, checkpoint, np.float64)  # the twin on the states converted as fastgd converts them
    twin = {key: value.copy() for key, value in params.items()}
    for _ in range(3):
        grads = random_net(rng)
        fast.update(params, grads)
        slow.update(twin, grads)
    for key in params:
        assert same_bits(params[key], twin[key]), key


# ---- item 9, N3: grads sharing memory with params (their own or another key's): the reference's numbers ----

def _aliasing(pattern, buf):
    """``(params, grads)`` over views of ``buf`` (32 elements) that share memory as ``pattern`` says."""
    a, b, c = buf[:6], buf[8:14], buf[16:22]
    return {
        "grad is param": ({"w": a}, {"w": a}),
        "grad overlaps param": ({"w": a}, {"w": buf[1:7]}),
        "grad reversed over param": ({"w": a}, {"w": buf[5::-1]}),
        "grad strided over param": ({"w": buf[:12:2]}, {"w": buf[2:14:2]}),
        "two keys, one param": ({"a": a, "b": a}, {"a": b, "b": c}),
        "two keys, one param and grad": ({"a": a, "b": a}, {"a": a, "b": a}),
        "two keys, overlapping params": ({"a": a, "b": buf[3:9]}, {"a": b, "b": c}),
        "grad of one key is another's param": ({"a": a, "b": b, "s": 0.5}, {"a": b, "b": a, "s": 0.25}),
        "grad overlaps a later key's param": ({"a": a, "b": buf[24:30]}, {"a": buf[22:28], "b": c}),
        "two keys, one grad": ({"a": a, "b": b}, {"a": c, "b": c}),
    }[pattern]


ALIASING = ["grad is param", "grad overlaps param", "grad reversed over param", "grad strided over param",
            "two keys, one param", "two keys, one param and grad", "two keys, overlapping params",
            "grad of one key is another's param", "grad overlaps a later key's param", "two keys, one grad"]


@pytest.mark.parametrize("pattern", ALIASING)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", NAMES)
def test_grads_sharing_memory_with_params_give_the_reference_numbers(name, dtype, pattern):
    """N3: numpy's Nesterov reads the grad after a statement moved the params, AdamW decays every key
    before any Adam step: with shared memory the reference's numbers depend on that order."""
    fast, slow = both(name, lr=0.1)
    buf = np.random.default_rng(3).standard_normal(32).astype(dtype)
    twin = buf.copy()
    for _ in range(3):
        params, grads = _aliasing(pattern, buf)
        fast.update(params, grads)
        twin_params, twin_grads = _aliasing(pattern, twin)
        slow.update(twin_params, twin_grads)
        assert same_bits(buf, twin)
        assert params.get("s") == twin_params.get("s")


@given(st.sampled_from(NAMES), st.sampled_from([np.float64, np.float32]), st.integers(8, 40),
       st.integers(0, 8), st.integers(0, 8), st.sampled_from([1, 2, -1]), st.integers(1, 3))
def test_overlapping_views_give_the_reference_numbers(name, dtype, size, p_at, g_at, g_step, steps):
    fast, slow = both(name, lr=0.1)
    rng = np.random.default_rng(size)
    buf = rng.standard_normal(3 * size + 16).astype(dtype)
    twin = buf.copy()

    def views(b):
        p = b[p_at:p_at + size]
        g = b[g_at:g_at + size * abs(g_step):g_step] if g_step > 0 else b[g_at:g_at + size][::-1]
        return {"w": p}, {"w": g[:size]}

    for _ in range(steps):
        fast.update(*views(buf))
        slow.update(*views(twin))
    assert same_bits(buf, twin)


@pytest.mark.parametrize("name", STATEFUL)
def test_grad_that_is_a_state_array_gives_the_reference_numbers(name):
    fast, slow = both(name, lr=0.1)
    rng = np.random.default_rng(4)
    params = {"w": rng.standard_normal(5)}
    twin = {"w": params["w"].copy()}
    fast.update(params, {"w": np.ones(5)})
    slow.update(twin, {"w": np.ones(5)})
    state = TABLE[NAMES.index(name)].states[0]
    for _ in range(3):
        fast.update(params, {"w": getattr(fast, state)["w"]})
        slow.update(twin, {"w": getattr(slow, state)["w"].copy()})
    assert same_bits(params["w"], twin["w"])
    assert same_bits(getattr(fast, state)["w"], getattr(slow, state)["w"])


# ---- item 12: masked arrays are refused; other subclasses are updated element-wise in their memory ----

def _masked(rng):
    data = rng.standard_normal((3, 4))
    return np.ma.array(data, mask=rng.random((3, 4)) < 0.3)


@pytest.mark.parametrize("kind", ["param", "grad"])
@pytest.mark.parametrize("name", NAMES)
def test_masked_arrays_are_refused_by_name(name, kind):
    fast = getattr(fastgd, name)(lr=0.1)
    rng = np.random.default_rng(5)
    params = {"a": np.ones(2), "w": _masked(rng) if kind == "param" else rng.standard_normal((3, 4))}
    grads = {"a": np.ones(2), "w": _masked(rng) if kind == "grad" else rng.standard_normal((3, 4))}
    before = snapshot(fast, params)
    with pytest.raises(TypeError, match=rf"{kind}s\['w'\] is a masked array.*np.ma.getdata"):
        fast.update(params, grads)
    assert_unchanged(fast, params, before)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix's own
@pytest.mark.parametrize("shape", [(3, 4), (3, 3)])
@pytest.mark.parametrize("name", NAMES)
def test_matrices_are_updated_element_wise_in_place(name, shape):
    """np.matrix's ``**`` is a matrix power (the twin fails or squares the matrix): fastgd updates its elements,
    as the twin does the same memory seen as a plain array."""
    fast, slow = both(name, lr=0.1)
    rng = np.random.default_rng(5)
    p, twin = np.asmatrix(rng.standard_normal(shape)), rng.standard_normal(shape)
    p[...] = twin
    params = {"w": p}
    for _ in range(3):
        g = rng.standard_normal(shape)
        fast.update(params, {"w": np.asmatrix(g)})
        slow.update({"w": twin}, {"w": g})
    assert params["w"] is p and type(p) is np.matrix
    assert same_bits(np.asarray(p), twin)


# ---- item 17: unaligned arrays go through aligned copies ----

def unaligned(values):
    """A C-contiguous, writeable, misaligned copy of ``values``."""
    raw = np.zeros(values.nbytes + 1, dtype=np.uint8)
    out = raw[1:].view(values.dtype).reshape(values.shape)
    out[...] = values
    assert not out.flags.aligned and out.flags.c_contiguous
    return out


@pytest.mark.parametrize("which", ["param", "grad", "state"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", NAMES)
def test_unaligned_arrays_give_the_reference_numbers(name, dtype, which):
    fast, slow = both(name, lr=0.1)
    rng = np.random.default_rng(6)
    p0, g0 = rng.standard_normal(4099).astype(dtype), rng.standard_normal(4099).astype(dtype)
    params, twin = {"w": unaligned(p0) if which == "param" else p0.copy()}, {"w": p0.copy()}
    grads = {"w": unaligned(g0) if which == "grad" else g0}
    if which == "state":
        for state in TABLE[NAMES.index(name)].states:
            setattr(fast, state, {"w": unaligned(np.zeros(4099, dtype))})
    for _ in range(3):
        fast.update(params, grads)
        slow.update(twin, {"w": g0})
    assert same_bits(np.ascontiguousarray(params["w"]), twin["w"])


# ---- item 16: clear errors naming the argument ----

def test_params_and_grads_must_be_mappings():
    arr = np.ones(3)
    with pytest.raises(TypeError, match="params must be a dict"):
        fastgd.SGD().update([arr], [arr])
    with pytest.raises(TypeError, match="grads must be a dict"):
        fastgd.SGD().update({"w": arr}, [arr])


@pytest.mark.parametrize("value, error", [(2.5, TypeError), (True, TypeError), ("2", TypeError), (None, TypeError),
                                          (np.float64(2), TypeError), (0, ValueError), (-3, ValueError)])
def test_set_num_threads_rejects(value, error):
    before = fastgd.get_num_threads()
    with pytest.raises(error, match="threads"):
        fastgd.set_num_threads(value)
    assert fastgd.get_num_threads() == before


BAD_CHECKPOINTS = [
    (None, TypeError, "state_dict must be a mapping"),
    ([], TypeError, "state_dict must be a mapping"),
    ({"settings": None, "state": {}}, TypeError, r"state_dict\['settings'\] must be a mapping"),
    ({"settings": {}, "state": {}}, ValueError, r"state_dict\['settings'\] .* missing \[.*'lr'"),
    ({"state": {}}, TypeError, r"state_dict\['settings'\]"),
    ("checkpoint", TypeError, "state_dict must be a mapping"),
]


@pytest.mark.parametrize("checkpoint, error, message", BAD_CHECKPOINTS)
@pytest.mark.parametrize("name", NAMES)
def test_load_state_dict_rejects(name, checkpoint, error, message):
    opt = getattr(fastgd, name)()
    before = opt.state_dict()
    with pytest.raises(error, match=message):
        opt.load_state_dict(checkpoint)
    assert opt.state_dict()["settings"] == before["settings"]


@pytest.mark.parametrize("name", STATEFUL)
def test_load_state_dict_rejects_bad_state(name):
    opt = getattr(fastgd, name)()
    opt.update({"w": np.ones(3)}, {"w": np.ones(3)})
    state = TABLE[NAMES.index(name)].states[0]
    for value, error, message in [
        ("not a dict", TypeError, rf"state_dict\['state'\]\['{state}'\] must be a mapping"),
        ({"w": "abc"}, TypeError, rf"\['{state}'\]\['w'\] must be a real floating array"),
        ({"w": [[1.0], [1.0, 2.0]]}, TypeError, rf"\['{state}'\]\['w'\] must be a real floating array"),
        ({"w": np.arange(3)}, TypeError, "got dtype int64"),
    ]:
        checkpoint = opt.state_dict()
        checkpoint["state"][state] = value
        with pytest.raises(error, match=message):
            opt.load_state_dict(checkpoint)
    checkpoint = opt.state_dict()
    checkpoint["state"]["other"] = None
    with pytest.raises(ValueError, match=r"unknown \[\"'other'\"\]"):
        opt.load_state_dict(checkpoint)


@given(st.sampled_from(TABLE), st.data())
def test_any_hyper_parameter_is_accepted_as_a_float_or_refused_by_name(row, data):
    arg = data.draw(st.sampled_from([h.name for h in row.hyper_parameters]))
    value = data.draw(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**400), 10**400),
                                st.booleans(), st.none(), st.text(max_size=3), st.just(np.float32(0.5))))
    try:
        opt = getattr(fastgd, row.name)(**{arg: value})
    except (TypeError, ValueError) as error:
        assert arg in str(error)
    else:
        assert type(getattr(opt, arg)) is float


@given(st.sampled_from(STATEFUL), st.data())
def test_any_checkpoint_loads_and_updates_like_the_reference_or_is_refused(name, data):
    fast, slow = both(name)
    rng = np.random.default_rng(7)
    params = random_net(rng)
    fast.update(params, random_net(rng))
    checkpoint = fast.state_dict()
    state = data.draw(st.sampled_from(TABLE[NAMES.index(name)].states))
    key = data.draw(st.sampled_from(list(SMALL_NET)))
    checkpoint["state"][state][key] = data.draw(st.one_of(
        st.none(), st.text(max_size=2), st.integers(),
        st.just(np.zeros((1,) + SMALL_NET[key])), st.just(np.zeros(SMALL_NET[key], np.float32)),
        st.just(np.full(SMALL_NET[key], np.nan)), st.just(np.zeros(SMALL_NET[key], np.int8)),
        st.just(np.zeros(SMALL_NET[key], ">f8")), st.just(np.zeros(SMALL_NET[key], np.float16))))
    try:
        fast.load_state_dict(checkpoint)
    except (TypeError, ValueError):
        return
    load_twin(slow, fast.state_dict(), np.float64)  # the twin on the states converted as fastgd converts them
    twin = {k: v.copy() for k, v in params.items()}
    grads = random_net(rng)
    before = snapshot(fast, params)
    try:
        slow.update(twin, grads)
    except Exception:
        with pytest.raises((TypeError, ValueError)):
            fast.update(params, grads)
        assert_unchanged(fast, params, before)
        return
    try:
        fast.update(params, grads)
    except (TypeError, ValueError):  # refused (a state of another shape the reference broadcast)
        assert_unchanged(fast, params, before)
        return
    for k in params:
        assert same_bits(params[k], twin[k]), k


@given(st.sampled_from(NAMES), st.sampled_from(["f8", "f4", "g", ">f8", "<f4", ">f4"]),
       st.sampled_from(["same", "f8", "f4", "i8", "u1", ">f8", "f2"]),
       st.sampled_from(["c", "T", "stepped", "reversed"]))
def test_any_dtype_and_layout_gives_the_reference_numbers(name, p_dtype, g_dtype, layout):
    fast, slow = both(name, lr=0.1)
    rng = np.random.default_rng(8)
    base = rng.standard_normal((6, 8)).astype(p_dtype)
    twin_base = base.copy()
    view = {"c": lambda b: b, "T": lambda b: b.T, "stepped": lambda b: b[::2, ::3],
            "reversed": lambda b: b[::-1]}[layout]
    g_dtype = p_dtype if g_dtype == "same" else g_dtype
    for _ in range(3):
        grad = (rng.standard_normal(view(base).shape) * 3).astype(g_dtype)
        fast.update({"w": view(base)}, {"w": grad})
        slow.update({"w": view(twin_base)}, {"w": grad.astype(base.dtype)})  # the grad read in the param's dtype
    assert same_values(base, twin_base)


# ---- the kernel interface ----

def test_kernel_interface_is_checked():
    with pytest.raises(ValueError, match="no optimizer kernel named 'adamx'"):
        _kernels.Kernel("adamx")
    adam = _kernels.Kernel("adam")
    assert adam.n_states == 2 and adam.settings == ("lr", "beta1", "beta2", "iter")
    p, g, m, v, extra = (np.zeros(8) for _ in range(5))
    settings = {"lr": 0.5, "beta1": 0.5, "beta2": 0.5, "iter": 0}
    with pytest.raises(ValueError, match="takes 2 state arrays, got 3"):
        adam.run(p, g, [m, v, extra], settings)
    with pytest.raises(ValueError, match="takes 2 state arrays, got 1"):
        adam.run(p, g, [m], settings)
    with pytest.raises(ValueError, match="takes the settings lr, beta1, beta2, iter"):
        adam.run(p, g, [m, v], {k: c for k, c in settings.items() if k != "iter"})
    with pytest.raises(ValueError, match="C-contiguous aligned arrays of one float dtype"):
        adam.run(p, g[::2].copy(), [m, v], settings)
    assert adam.run(p, np.ones(8), [m, v], settings)["iter"] == 1  # prepare advanced the counter
    assert np.all(m == 0.5) and np.all(p < 0)


def test_every_row_names_a_registered_kernel_with_its_settings_and_state_count():
    assert sorted(_kernels.KERNELS) == sorted(row.kernel for row in TABLE)
    for row in TABLE:
        kernel = _kernels.Kernel(row.kernel)
        assert kernel.n_states == len(row.states), row.name
        assert sorted(kernel.settings) == sorted(row.settings), row.name


def test_a_row_and_its_kernel_that_disagree_stop_the_import(monkeypatch):
    from dataclasses import replace

    from fastgd.optim import fused
    adam = TABLE[NAMES.index("Adam")]
    with pytest.raises(ImportError, match="kernel 'adam' has the settings lr, beta1, beta2, iter"):
        fused._fused_class(replace(adam, counters=()))
    with pytest.raises(ImportError, match="kernel 'adam' updates 2 states"):
        fused._fused_class(replace(adam, states=("m",)))
