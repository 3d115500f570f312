"""``python -m fastgd``: the demo and the speed table, end to end in a subprocess."""
import importlib.util
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

import fastgd
from fastgd.optim.table import NAMES


def run(*args, tmp_path):
    result = subprocess.run([sys.executable, "-m", "fastgd", *args], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_demo_shows_identical_results(tmp_path):
    out = run("demo", tmp_path=tmp_path)
    rows = [line for line in out.splitlines() if line.startswith(("numerical_gradient", "gradient_descent", "2x3"))]
    assert len(rows) == 8
    assert all(row.rstrip().endswith("yes") for row in rows), out
    assert re.search(r"fastgd \d+\.\d+ µs, reference \d+\.\d+ µs", out)


def test_bench_prints_a_ratio_per_case(tmp_path):
    out = run("bench", "--sizes", "10,1000", tmp_path=tmp_path)
    rows = [line for line in out.splitlines() if re.search(r"\s\d+\.\d$", line) and not line.startswith("conditions")]
    jacobian_rows = 3 if importlib.util.find_spec("scipy") else 2  # jacobian, hessian, sparse (with scipy)
    # gradient cases + those + each optimizer at 4 small params and 2 sizes
    assert len(rows) == 6 + jacobian_rows + len(NAMES) * 3
    assert any(row.startswith("hessian, np.sum(x**2), n = 30") for row in rows)
    assert any(row.startswith("Adam.update, n=1e+03") for row in rows)


def test_info_reports_what_a_bug_report_needs(tmp_path):
    out = run("info", tmp_path=tmp_path)
    import fastgd

    assert out.splitlines()[0] == f"fastgd {fastgd.__version__}"
    assert re.search(r"^numpy \d+\.\d+", out, re.M)
    assert re.search(r"SIMD level picked at run time by the optimizer kernels: (avx2|sse2|compiler default)", out)
    assert re.search(r"^OpenMP: (on, \d+ threads|off)", out, re.M)


def test_info_lists_every_compiled_module(tmp_path):
    """Each compiled module ships its stub (stubtest checks they match): the stubs name them all."""
    out = run("info", tmp_path=tmp_path)
    root = pathlib.Path(fastgd.__file__).parent
    stubs = sorted(".".join(("fastgd", *p.relative_to(root).with_suffix("").parts)) for p in root.rglob("*.pyi"))
    listed = re.search(r"^compiled modules \((\d+)\): (.*)$", out, re.M)
    assert listed and listed.group(2).split(", ") == stubs and int(listed.group(1)) == len(stubs) >= 6


def _fails_at_once(*args, tmp_path):
    """The command stops at the argument, before any work (argparse's exit status 2), with no traceback."""
    result = subprocess.run([sys.executable, "-m", "fastgd", *args], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    return result.stderr


@pytest.mark.parametrize("lr", ["nan", "inf", "-inf", "-1", "0", "1e400", "x"])
def test_train_rejects_a_bad_learning_rate(lr, tmp_path):
    assert "error: argument --lr:" in _fails_at_once("train", "--lr", lr, tmp_path=tmp_path)


@pytest.mark.parametrize("seed", ["-1", "2**32", "4294967296", "1.5"])
def test_train_rejects_a_bad_seed(seed, tmp_path):
    assert "error: argument --seed:" in _fails_at_once("train", "--seed", seed, tmp_path=tmp_path)


@pytest.mark.parametrize(("option", "value"), [
    ("--iters", "99999999999999999999"), ("--iters", "9223372036854775808"), ("--iters", "100000001"),
    ("--iters", "0"), ("--iters", "1.5"), ("--hidden", "99999999999"), ("--hidden", "100001"),
    ("--hidden", "-1"), ("--batch-size", "0")])
def test_train_rejects_counts_it_cannot_run(option, value, tmp_path):
    """N15: a huge --iters was an OverflowError from tqdm, a huge --hidden a MemoryError."""
    assert f"error: argument {option}:" in _fails_at_once("train", option, value, tmp_path=tmp_path)


@pytest.mark.parametrize("path", ["/nonexistent/dir/x.png", "curves.unknown", "curves", "sub/"])
def test_train_checks_the_plot_path_before_training(path, tmp_path):
    pytest.importorskip("matplotlib")
    (tmp_path / "sub").mkdir()
    assert "error: argument --plot:" in _fails_at_once("train", "--plot", path, tmp_path=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub"]  # nothing written


@pytest.mark.parametrize("sizes", ["inf", "1e30", "nan", "1.5", "0", "-3", "10,", "100000001"])
def test_bench_rejects_sizes_it_cannot_run(sizes, tmp_path):
    assert "error: argument --sizes:" in _fails_at_once("bench", "--sizes", sizes, tmp_path=tmp_path)


def test_bench_rejects_bad_sizes(tmp_path):
    assert "comma-separated sizes" in _fails_at_once("bench", "--sizes", "ten", tmp_path=tmp_path)


def test_train_tiny_run_writes_a_plot(tmp_path):
    for module in ("sklearn", "tqdm", "matplotlib"):  # the nn extra
        pytest.importorskip(module)
    out = run("train", "--iters", "30", "--no-progress", "--plot", "curves.png", tmp_path=tmp_path)
    accuracy = re.search(r"test accuracy (\d\.\d+)", out)
    assert accuracy and float(accuracy.group(1)) > 0.3  # 30 Adam steps already learn something
    # within its 1 s budget: the whole step on a quiet machine, part of it on a busy one
    assert re.search(r"numpy reference \(estimate: [\d,]+ of the 3,760 parameters' differences of one step timed, "
                     r"extrapolated to 30 steps\): \d+ s", out)
    assert len(re.findall(r"^conditions: fastgd .* threads \d+; BLAS .*; load average ", out, re.M)) == 2
    assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_train_can_skip_the_reference(tmp_path):
    for module in ("sklearn", "tqdm"):
        pytest.importorskip(module)
    out = run("train", "--iters", "3", "--no-progress", "--no-reference", tmp_path=tmp_path)
    assert "test accuracy" in out and "numpy reference" not in out


def test_the_reference_estimate_keeps_to_its_budget():
    from fastgd.cli.train import reference_seconds_per_step
    from fastgd.nn import TwoLayerNet

    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((50, 64)), np.eye(10)[rng.integers(0, 10, 50)]
    small = TwoLayerNet(64, 5, 10, rng=rng)
    seconds, timed, total = reference_seconds_per_step(small, x[:2], t[:2], budget=10.0)
    assert timed == total == 64 * 5 + 5 + 5 * 10 + 10 and seconds > 0  # a whole step, when it fits
    big = TwoLayerNet(64, 2000, 10, rng=rng)
    params = {key: value.copy() for key, value in big.params.items()}
    seconds, timed, total = reference_seconds_per_step(big, x, t, budget=0.05)
    assert 4 <= timed < total == 64 * 2000 + 2000 + 2000 * 10 + 10 and seconds > 0
    assert all(np.array_equal(big.params[key], params[key]) for key in params)  # the net itself untouched


def test_the_accuracy_panel_shows_a_curve_at_100_percent(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from fastgd.cli.train import _plot

    saved = []
    monkeypatch.setattr(Figure, "savefig", lambda fig, *args, **kwargs: saved.append(fig))
    _plot(tmp_path / "x.png", [2.0, 1.0], [1.0, 2.0], [0.9, 1.0], [0.8, 0.95])
    bottom, top = saved[0].axes[1].get_ylim()
    assert bottom == 0 and top > 1.0
