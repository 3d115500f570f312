"""``python -m fastgd``: the demo and the speed table, end to end in a subprocess."""
import importlib.util
import re
import subprocess
import sys

import pytest


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
    rows = [line for line in out.splitlines() if re.search(r"\s\d+\.\d$", line)]
    jacobian_rows = 3 if importlib.util.find_spec("scipy") else 2  # jacobian, hessian, sparse (with scipy)
    assert len(rows) == 6 + jacobian_rows + 7 * 3  # gradient cases + those + each optimizer at 4 small params, 2 sizes
    assert any(row.startswith("hessian, np.sum(x**2), n = 30") for row in rows)
    assert any(row.startswith("Adam.update, n=1e+03") for row in rows)


def test_info_reports_what_a_bug_report_needs(tmp_path):
    out = run("info", tmp_path=tmp_path)
    import fastgd

    assert out.splitlines()[0] == f"fastgd {fastgd.__version__}"
    assert re.search(r"^numpy \d+\.\d+", out, re.M)
    assert re.search(r"SIMD level picked at run time by the optimizer kernels: (avx2|sse2|compiler default)", out)
    assert re.search(r"^OpenMP: (on, \d+ threads|off)", out, re.M)


def test_bench_rejects_bad_sizes(tmp_path):
    result = subprocess.run([sys.executable, "-m", "fastgd", "bench", "--sizes", "ten"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 2 and "comma-separated sizes" in result.stderr


def test_train_tiny_run_writes_a_plot(tmp_path):
    for module in ("sklearn", "tqdm", "matplotlib"):  # the nn extra
        pytest.importorskip(module)
    out = run("train", "--iters", "30", "--no-progress", "--plot", "curves.png", tmp_path=tmp_path)
    accuracy = re.search(r"test accuracy (\d\.\d+)", out)
    assert accuracy and float(accuracy.group(1)) > 0.3  # 30 Adam steps already learn something
    assert re.search(r"numpy reference \(estimate: timed on 2 steps, extrapolated to 30\): \d+ s", out)
    assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
