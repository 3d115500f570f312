"""fastgd.optim against its numpy twin fastgd.reference.optimizer, which shares no code with it."""
import ast
import copy
import inspect
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from arrays import float_views, same_bits, same_values, view_in_layout
from hypothesis import given
from hypothesis import strategies as st

import fastgd
from fastgd.optim import fused as fast
from fastgd.optim.table import NAMES, TABLE
from fastgd.reference import optimizer as slow

# One non-default value per constructor argument, so each coefficient is exercised; a new setting
# name needs its value here (a KeyError says so), a new optimizer nothing.
NON_DEFAULT = {"lr": 0.05, "momentum": 0.7, "weight_decay": 0.1, "decay_rate": 0.9, "beta1": 0.8, "beta2": 0.99}
SETTINGS = {row.name: [{}, {h.name: NON_DEFAULT[h.name] for h in row.hyper_parameters}] for row in TABLE}
CASES = [(name, settings) for name in NAMES for settings in SETTINGS[name]]
SMALL_NET = {"W1": (2, 3), "b1": (3,), "W2": (3, 4), "b2": (4,)}


def pair(name, **settings):
    return getattr(fast, name)(**settings), getattr(slow, name)(**settings)


def random_params(rng, shapes, dtype=np.float64):
    return {key: rng.standard_normal(shape).astype(dtype) for key, shape in shapes.items()}


def run_both(name, settings, params, grad_steps):
    """Run fastgd and reference side by side on copies; return both params dicts and optimizers."""
    opt_fast, opt_slow = pair(name, **settings)
    p_fast = {k: v.copy() for k, v in params.items()}
    p_slow = {k: v.copy() for k, v in params.items()}
    for grads in grad_steps:
        opt_fast.update(p_fast, grads)
        opt_slow.update(p_slow, grads)
    return p_fast, p_slow, opt_fast, opt_slow


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.longdouble])
@pytest.mark.parametrize("name, settings", CASES)
def test_many_steps_bitwise_identical(name, settings, dtype):
    rng = np.random.default_rng(1)
    shapes = {**SMALL_NET, "scalar": (), "empty": (0, 3), "big": (70_001,)}
    params = random_params(rng, shapes, dtype)
    steps = [random_params(rng, shapes, dtype) for _ in range(25)]
    p_fast, p_slow, opt_fast, opt_slow = run_both(name, settings, params, steps)
    for key in shapes:
        assert same_values(p_fast[key], p_slow[key]), key
        for state in TABLE[NAMES.index(name)].states:  # the twin's 0-d states may have become numpy scalars
            assert same_values(getattr(opt_fast, state)[key], np.asarray(getattr(opt_slow, state)[key])), (state, key)
    assert not np.array_equal(p_fast["W1"], params["W1"])  # something happened


@pytest.mark.parametrize("param", [np.ones(3, np.float16), np.float16(1.0)])
@pytest.mark.parametrize("name", NAMES)
def test_float16_params_are_refused_by_name(name, param):
    """numpy rounds every float16 operation to float16, which the float32 kernel would not: no silent other numbers."""
    params = {"ok": np.ones(2), "half": param}
    opt = getattr(fast, name)()
    with pytest.raises(TypeError, match=r"params\['half'\].*float16.*convert it to float32"):
        opt.update(params, {"ok": np.ones(2), "half": np.ones_like(param)})
    assert np.array_equal(params["ok"], np.ones(2)) and opt.state_dict()["state"] == dict.fromkeys(opt._row.states)


@pytest.mark.parametrize("threads", [1, 2])
def test_threads_give_identical_results(threads):
    rng = np.random.default_rng(2)
    shapes = {"w": (100_003,)}  # above the parallel threshold, not a multiple of the chunk
    params, steps = random_params(rng, shapes), [random_params(rng, shapes) for _ in range(3)]
    before = fastgd.get_num_threads()
    fastgd.set_num_threads(threads)
    try:
        for name in NAMES:
            p_fast, p_slow, _, _ = run_both(name, {}, params, steps)
            assert same_bits(p_fast["w"], p_slow["w"]), name
    finally:
        fastgd.set_num_threads(before)


def test_threads_default_honours_omp_num_threads(tmp_path):
    code = "import fastgd; print(fastgd.get_num_threads())"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert out.stdout.strip() == "1", out.stderr


def test_set_num_threads_rejects_zero():
    with pytest.raises(ValueError, match="threads"):
        fastgd.set_num_threads(0)


@given(float_views(dtypes=[np.dtype(np.float64), np.dtype(np.float32)], max_dims=3),
       st.sampled_from(CASES), st.integers(1, 4))
def test_strided_views_are_updated_in_place(arrays, case, steps):
    base, view, layout = arrays
    twin = base.copy(order="K")
    twin_view = view_in_layout(twin, layout)
    rng = np.random.default_rng(steps)
    opt_fast, opt_slow = pair(case[0], **case[1])
    for _ in range(steps):
        grad = rng.standard_normal(view.shape).astype(view.dtype)
        p_fast, p_slow = {"w": view}, {"w": twin_view}
        opt_fast.update(p_fast, {"w": grad})
        opt_slow.update(p_slow, {"w": grad})
        assert p_fast["w"] is view
    assert same_values(base, twin)  # the caller's memory holds the update, bit for bit


@pytest.mark.parametrize("param_dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name, settings", CASES)
def test_gradients_of_another_dtype_or_layout_are_read_in_the_params_dtype(name, settings, param_dtype):
    """The twin given the grad converted to the param's dtype: numpy on the raw grad would mix the roundings of
    the two dtypes operation by operation (``lr * g`` in float32 for a float32 grad of a float64 param)."""
    rng = np.random.default_rng(3)
    params = random_params(rng, {"W": (4, 6)}, param_dtype)
    for grad in (rng.standard_normal((6, 4)).T, rng.standard_normal((4, 6)).astype(np.float32),
                 rng.standard_normal((4, 6)), rng.integers(-3, 3, (4, 6)), rng.standard_normal((4, 12))[:, ::2],
                 rng.standard_normal((4, 6)).astype(">f8"), rng.integers(0, 9, (4, 6)).astype(np.uint8)):
        opt_fast, opt_slow = pair(name, **settings)
        p_fast, p_slow = {"W": params["W"].copy()}, {"W": params["W"].copy()}
        for _ in range(3):
            opt_fast.update(p_fast, {"W": grad})
            opt_slow.update(p_slow, {"W": grad.astype(param_dtype)})
        assert same_bits(p_fast["W"], p_slow["W"]), grad.dtype


def zero_d(value):
    return np.array(value, dtype=np.float64)


SCALARS = {  # a scalar param's type: the float type fastgd updates it in (as a 0-d array)
    float: np.float64, np.float64: np.float64, np.float32: np.float32, np.longdouble: np.longdouble,
    int: np.float64, np.int64: np.float64, zero_d: np.float64,
}


@pytest.mark.parametrize("scalar", list(SCALARS))
@pytest.mark.parametrize("name, settings", CASES)
def test_textbook_2d_toy_with_scalars(name, settings, scalar):
    """f(x, y) = x**2 / 20 + y**2 from (-7, 2) with scalar params (the textbook's are Python floats): each keeps its
    type (a Python int becomes a float) and has the numbers of the twin on 0-d arrays of its float type."""
    dtype = SCALARS[scalar]
    opt_fast, opt_slow = pair(name, **settings)
    p_fast = {"x": scalar(-7), "y": scalar(2)}
    p_slow = {"x": np.array(-7, dtype), "y": np.array(2, dtype)}
    for _ in range(30):
        for params, opt in ((p_fast, opt_fast), (p_slow, opt_slow)):
            opt.update(params, {"x": params["x"] / 10.0, "y": 2.0 * params["y"]})
    for key in ("x", "y"):
        expected_type = float if scalar in (float, int, np.int64) else np.ndarray if scalar is zero_d else scalar
        assert type(p_fast[key]) is expected_type
        assert same_bits(np.asarray(p_fast[key], dtype), p_slow[key])
        assert p_fast[key] != (-7.0 if key == "x" else 2.0)


@pytest.mark.parametrize("name, settings", CASES)
def test_python_floats_have_the_twins_numbers_on_python_floats(name, settings):
    """The textbook's own 2-D demo (ch06/optimizer_compare_naive.py) runs on Python floats: the same numbers."""
    opt_fast, opt_slow = pair(name, **settings)
    p_fast, p_slow = {"x": -7.0, "y": 2.0}, {"x": -7.0, "y": 2.0}
    for _ in range(30):
        for params, opt in ((p_fast, opt_fast), (p_slow, opt_slow)):
            opt.update(params, {"x": params["x"] / 10.0, "y": 2.0 * params["y"]})
            assert float(params["x"]) != -7.0
        assert (p_fast["x"], p_fast["y"]) == (p_slow["x"], p_slow["y"])
    assert type(p_fast["x"]) is float


@pytest.mark.parametrize("name", NAMES)
def test_params_are_updated_in_place(name):
    rng = np.random.default_rng(4)
    params = random_params(rng, SMALL_NET)
    held = dict(params)  # what the layers hold
    before = {k: v.copy() for k, v in params.items()}
    getattr(fast, name)().update(params, random_params(rng, SMALL_NET))
    for key in SMALL_NET:
        assert params[key] is held[key]
        assert not np.array_equal(held[key], before[key])


def test_state_is_created_lazily():
    opt = fast.Adam()
    assert opt.m is None and opt.v is None and opt.iter == 0
    opt.update({"w": np.ones(3)}, {"w": np.ones(3)})
    assert opt.iter == 1 and set(opt.m) == {"w"} and opt.m["w"].shape == (3,)


BAD_INPUTS = [
    ({"W": np.ones(3)}, {}, KeyError, "grads has no entry for params key 'W'"),
    ({"W": np.ones(3)}, {"W": np.ones(4)}, ValueError, r"grads\['W'\] has shape \(4,\)"),
    ({"W": np.ones(3)}, {"W": 1.0}, ValueError, r"grads\['W'\] is a scalar"),
    ({"W": np.ones(3)}, {"W": np.array(["a", "b", "c"])}, TypeError, r"grads\['W'\]"),
    ({"W": np.ones(3)}, {"W": "0.1"}, TypeError, r"grads\['W'\]"),
    ({"W": np.arange(3)}, {"W": np.ones(3)}, TypeError, r"params\['W'\] must be a real floating array"),
    ({"W": np.ones(3, dtype=complex)}, {"W": np.ones(3)}, TypeError, r"params\['W'\]"),
    ({"W": "weights"}, {"W": np.ones(3)}, TypeError, r"params\['W'\] must be a float array or a real scalar"),
    ({"W": None}, {"W": 1.0}, TypeError, r"params\['W'\]"),
    ({"x": 1.0}, {"x": np.ones(2)}, TypeError, r"grads\['x'\]"),
    ({"x": True}, {"x": 1.0}, TypeError, r"params\['x'\]"),
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad_params, bad_grads, error, message", BAD_INPUTS)
def test_bad_input_changes_nothing(name, bad_params, bad_grads, error, message):
    rng = np.random.default_rng(5)
    good = random_params(rng, SMALL_NET)
    params = {**good, **bad_params}  # good keys first: they must not be touched either
    grads = {**random_params(rng, SMALL_NET), **bad_grads}
    before = {k: v.copy() for k, v in good.items()}
    opt = getattr(fast, name)()
    opt.update(dict(good), random_params(rng, SMALL_NET))  # some state already exists
    state_before = opt.state_dict()
    with pytest.raises(error, match=message):
        opt.update(params, grads)
    for key in SMALL_NET:
        assert same_bits(params[key], before[key]) or same_bits(params[key], good[key])
        assert params[key] is good[key]
    _assert_same_state(opt.state_dict(), state_before)


def test_read_only_param_is_a_value_error():
    w = np.ones(3)
    w.flags.writeable = False
    other = np.ones(2)
    with pytest.raises(ValueError, match=r"params\['w'\] is read-only"):
        fast.SGD().update({"a": other, "w": w}, {"a": np.ones(2), "w": np.ones(3)})
    assert np.array_equal(other, np.ones(2))


BAD_SETTINGS = {  # per constructor argument: (bad value, error)
    "lr": [(-0.1, ValueError), (np.nan, ValueError), ("0.1", TypeError), (10**400, ValueError), (True, TypeError)],
    "weight_decay": [(-1.0, ValueError), (np.nan, ValueError)],
    "momentum": [(np.inf, ValueError), (-0.9, ValueError)],
    "decay_rate": [(1.5, ValueError), (None, TypeError)],
    "beta1": [(1.0, ValueError)],
    "beta2": [(-0.1, ValueError)],
}


@pytest.mark.parametrize("name, setting, value, error", [
    (row.name, h.name, value, error) for row in TABLE for h in row.hyper_parameters
    for value, error in BAD_SETTINGS[h.name]
])
def test_bad_hyper_parameters(name, setting, value, error):
    with pytest.raises(error, match=setting):
        getattr(fast, name)(**{setting: value})
    opt = getattr(fast, name)()
    before = getattr(opt, setting)
    with pytest.raises(error, match=setting):  # assignments are checked too
        setattr(opt, setting, value)
    assert getattr(opt, setting) == before


@pytest.mark.parametrize("name", NAMES)
def test_a_hyper_parameter_changed_between_updates_is_used(name):
    """A learning-rate schedule: ``opt.lr = ...`` between updates, as with the twin."""
    rng = np.random.default_rng(7)
    params = random_params(rng, SMALL_NET)
    steps = [random_params(rng, SMALL_NET) for _ in range(4)]
    opt_fast, opt_slow = pair(name)
    p_fast, p_slow = ({k: v.copy() for k, v in params.items()} for _ in range(2))
    for i, grads in enumerate(steps):
        for opt, p in ((opt_fast, p_fast), (opt_slow, p_slow)):
            opt.lr = 0.1 / (i + 1)
            opt.update(p, grads)
    for key in params:
        assert same_bits(p_fast[key], p_slow[key]), key


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
@pytest.mark.parametrize("name", NAMES)
def test_copies_continue_bit_for_bit(name, how):
    rng = np.random.default_rng(8)
    params = random_params(rng, SMALL_NET)
    opt = getattr(fast, name)(lr=0.05)
    opt.update(params, random_params(rng, SMALL_NET))
    twin = pickle.loads(pickle.dumps(opt)) if how == "pickle" else copy.deepcopy(opt)
    assert type(twin) is type(opt) and twin.state_dict()["settings"] == opt.state_dict()["settings"]
    twin_params = {k: v.copy() for k, v in params.items()}
    grads = random_params(rng, SMALL_NET)
    opt.update(params, grads)
    twin.update(twin_params, grads)
    for key in params:
        assert same_bits(params[key], twin_params[key]), key


def test_the_product_neither_subclasses_nor_calls_its_twins():
    for name in NAMES:
        assert not any(cls.__module__.startswith("fastgd.reference") for cls in type.mro(getattr(fast, name)))
    code = f"""
import numpy as np
import fastgd
from fastgd.reference import optimizer as twins
def refuse(*args, **kwargs):
    raise AssertionError("a twin ran")
for name in twins.__all__:
    getattr(twins, name).update = refuse
    getattr(twins, name).__init__ = refuse
for name in {list(NAMES)!r}:
    params = {{"w": np.ones(3), "s": 1.0}}
    getattr(fastgd, name)().update(params, {{"w": np.ones(3), "s": 0.5}})
    assert params["w"][0] != 1.0
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr


def test_the_twins_import_numpy_and_the_standard_library_only():
    tree = ast.parse(inspect.getsource(slow))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"__future__", "collections", "typing", "numpy"}, imported


@pytest.mark.parametrize("name", NAMES)
def test_signature_matches_reference(name):
    assert inspect.signature(getattr(fast, name)) == inspect.signature(getattr(slow, name))


def _assert_same_state(a, b):
    assert a["settings"] == b["settings"]
    for name, state in a["state"].items():
        if state is None or b["state"][name] is None:
            assert state is b["state"][name]
            continue
        assert state.keys() == b["state"][name].keys()
        for key in state:
            assert same_bits(state[key], b["state"][name][key])


@pytest.mark.parametrize("name, settings", CASES)
def test_state_dict_round_trip_continues_bit_for_bit(name, settings):
    rng = np.random.default_rng(6)
    params = {**random_params(rng, SMALL_NET), "s": 0.5}
    steps = [{**random_params(rng, SMALL_NET), "s": float(rng.standard_normal())} for _ in range(10)]
    opt = getattr(fast, name)(**settings)
    for grads in steps[:5]:
        opt.update(params, grads)
    checkpoint = opt.state_dict()
    resumed_params = {k: np.copy(v) if isinstance(v, np.ndarray) else v for k, v in params.items()}
    resumed = getattr(fast, name)()
    resumed.load_state_dict(checkpoint)
    _assert_same_state(resumed.state_dict(), checkpoint)
    for grads in steps[5:]:
        opt.update(params, grads)
        resumed.update(resumed_params, grads)
    for key in params:
        assert np.array_equal(params[key], resumed_params[key])
    # and the reference, run straight through, agrees
    reference = getattr(slow, name)(**settings)
    ref_params = {**random_params(np.random.default_rng(6), SMALL_NET), "s": 0.5}
    for grads in steps:
        reference.update(ref_params, grads)
    for key in params:
        assert np.array_equal(params[key], ref_params[key])


def test_load_state_dict_checks_settings():
    opt = fast.Adam()
    checkpoint = opt.state_dict()
    checkpoint["settings"]["beta1"] = 2.0
    with pytest.raises(ValueError, match="beta1"):
        opt.load_state_dict(checkpoint)
    assert opt.beta1 == 0.9


def test_type_checkers_see_every_row():
    """fused.py declares each class for type checkers (twin's attributes, Optimizer's methods): one per row."""
    tree = ast.parse(inspect.getsource(fast))
    block = next(node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    declared = [node.name for node in block.body if isinstance(node, ast.ClassDef)]
    listed = next(ast.literal_eval(node.value) for node in block.body if isinstance(node, ast.AnnAssign) and node.value)
    assert declared == listed == list(NAMES)
