"""fastgd's optimizers and their twins against the textbook's own code, both editions.

The textbook's ``common/optimizer.py`` is read from a local clone and executed, never copied into
fastgd: ``FASTGD_TEXTBOOK_JA`` / ``FASTGD_TEXTBOOK_KO`` name a checkout or a bare git directory of
oreilly-japan/deep-learning-from-scratch and WegraLee/deep-learning-from-scratch (default: the
mirrors of the development machine). Without a clone the edition's tests are skipped.
"""
import importlib
import os
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import fastgd
from fastgd import reference
from fastgd.optim.table import NAMES

EDITIONS = {  # edition: (environment variable, default clone, its class name -> fastgd's where they differ)
    "ja": ("FASTGD_TEXTBOOK_JA", "/work/.mirror/oreilly-japan+deep-learning-from-scratch/repo", {}),
    "ko": ("FASTGD_TEXTBOOK_KO", "/work/.mirror/WegraLee+deep-learning-from-scratch/repo",
           {"Nesterov": "NesterovKorean"}),
}
SMALL_NET = {"W1": (4, 5), "b1": (5,), "W2": (5, 3), "b2": (3,)}


def _textbook_source(edition, path):
    """``(text of the edition's file at path, its clone)``; the test is skipped without a clone."""
    variable, default, _ = EDITIONS[edition]
    clone = Path(os.environ.get(variable, default))
    if (clone / path).is_file():
        return (clone / path).read_text(encoding="utf-8"), clone
    if (clone / "HEAD").is_file():  # a bare git directory
        done = subprocess.run(["git", "--git-dir", str(clone), "show", f"HEAD:{path}"], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"no {path} in {clone}")
        return done.stdout, clone
    pytest.skip(f"no clone of the {edition} edition at {clone} (set {variable})")


def _textbook_module(edition):
    source, clone = _textbook_source(edition, "common/optimizer.py")
    module = types.ModuleType(f"textbook_{edition}_optimizer")
    exec(compile(source, f"{clone}/common/optimizer.py", "exec"), module.__dict__)  # noqa: S102
    return module


def _textbook_name(edition, name):
    """The edition's class for fastgd's ``name`` (None: the edition's class of that name is another optimizer)."""
    renames = EDITIONS[edition][2]
    for theirs, ours in renames.items():
        if ours == name:
            return theirs
    return None if name in renames else name


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("edition, name", [(edition, name) for edition in EDITIONS for name in NAMES])
def test_same_bits_as_the_textbook(edition, name, dtype):
    textbook = _textbook_module(edition)
    textbook_name = _textbook_name(edition, name)
    if not hasattr(textbook, textbook_name or ""):
        pytest.skip(f"the {edition} edition has no {name}")
    rng = np.random.default_rng(9)
    start = {key: rng.standard_normal(shape).astype(dtype) for key, shape in SMALL_NET.items()}
    steps = [{key: rng.standard_normal(shape).astype(dtype) for key, shape in SMALL_NET.items()} for _ in range(20)]
    runs = {}
    for label, make in (("textbook", getattr(textbook, textbook_name)), ("twin", getattr(reference, name)),
                        ("fastgd", getattr(fastgd, name))):
        params = {key: value.copy() for key, value in start.items()}
        opt = make(lr=0.05)
        for grads in steps:
            opt.update(params, grads)
        runs[label] = params
    for key in SMALL_NET:
        assert np.array_equal(runs["twin"][key], runs["textbook"][key]), key
        assert np.array_equal(runs["fastgd"][key], runs["textbook"][key]), key


def test_the_two_nesterov_orders_differ():
    params = {"ja": {"w": np.ones(3)}, "ko": {"w": np.ones(3)}}
    ja, ko = fastgd.Nesterov(lr=0.1), fastgd.NesterovKorean(lr=0.1)
    for _ in range(2):
        ja.update(params["ja"], {"w": np.ones(3)})
        ko.update(params["ko"], {"w": np.ones(3)})
    assert not np.array_equal(params["ja"]["w"], params["ko"]["w"])


def _demo_paths(edition, optimizers, monkeypatch):
    """Run the edition's ch06/optimizer_compare_naive.py (the 2-D demo on Python floats) with ``optimizers`` as its
    ``common.optimizer``; return the paths it plots: one (x history, y history) per optimizer."""
    source, clone = _textbook_source(edition, "ch06/optimizer_compare_naive.py")
    paths = []

    def plot(*args, **kwargs):
        if isinstance(args[0], list):
            paths.append((list(args[0]), list(args[1])))

    class PyPlot(types.ModuleType):  # every other pyplot call does nothing
        def __getattr__(self, name):
            return lambda *args, **kwargs: None

    pyplot = PyPlot("matplotlib.pyplot")
    pyplot.plot = plot
    monkeypatch.setitem(sys.modules, "matplotlib", types.SimpleNamespace(pyplot=pyplot))
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", pyplot)
    monkeypatch.setitem(sys.modules, "common", types.ModuleType("common"))
    monkeypatch.setitem(sys.modules, "common.optimizer", optimizers)
    path = f"{clone}/ch06/optimizer_compare_naive.py"
    exec(compile(source, path, "exec"), {"__name__": "__main__", "__file__": path})  # noqa: S102
    return paths


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_books_2d_demo_on_python_floats_plots_the_same_paths(edition, monkeypatch):
    book = _demo_paths(edition, _textbook_module(edition), monkeypatch)
    mirror = "fastgd.book.common.optimizer" if edition == "ja" else "fastgd.book.ko.common.optimizer"
    fast = _demo_paths(edition, importlib.import_module(mirror), monkeypatch)
    assert len(book) == len(fast) == 4  # SGD, Momentum, AdaGrad, Adam
    assert fast == book
    assert all(type(x) is float for xs, _ in fast for x in xs)  # Python floats stay Python floats
