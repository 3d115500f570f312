"""README.md as a new user reads it: every ```python block runs as pasted, in a fresh interpreter of this
environment; its test command is the first thing CI runs; the examples run. (Skipped where the tests run
outside a clone, as tools/check-wheel runs them.)"""
import ast
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
pytestmark = pytest.mark.skipif(not README.exists(), reason="no README.md beside the tests (not a clone)")


def blocks(language):
    return re.findall(rf"^```{language}\n(.*?)^```$", README.read_text(encoding="utf-8"), re.S | re.M)


def needs(code):
    """The top-level modules a block imports that are not fastgd's or numpy's."""
    modules = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return sorted(modules - {"numpy", "fastgd"})


def test_readme_has_its_blocks():
    assert len(blocks("python")) >= 7 and len(blocks("bash")) >= 3
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 150  # a front page, not a manual


@pytest.mark.parametrize("index", range(len(blocks("python")) if README.exists() else 0))
def test_python_block_runs_as_pasted(index, tmp_path):
    code = blocks("python")[index]
    for module in needs(code):  # an extra the README names beside the block (the test command installs it)
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"needs {module}")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"README block {index}:\n{code}\n{result.stderr}"
    assert result.stdout.strip()  # each block prints what it shows


def test_the_readme_test_command_is_what_ci_runs_first():
    command = next(block.strip() for block in blocks("bash") if "pytest" in block)
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    first_command = next(line for line in ci if line.startswith("python3 -m venv"))
    assert first_command.startswith(command), (first_command, command)


@pytest.mark.parametrize("script", sorted(p.name for p in (ROOT / "examples").glob("*.py")) if README.exists() else [])
def test_example_runs(script, tmp_path):
    code = (ROOT / "examples" / script).read_text()
    for module in needs(code):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"needs {module}")
    result = subprocess.run([sys.executable, str(ROOT / "examples" / script)], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
