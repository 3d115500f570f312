"""Benchmark fixtures."""
import pytest

from fastgd.cli.conditions import describe
from fastgd.reference.examples import simple_net_loss as make_simple_net_loss

START = describe()  # this conftest is imported as the run starts


@pytest.fixture
def simple_net_loss():
    """The textbook's 2×3 softmax/cross-entropy net: ``(f, W)`` with ``f`` ignoring its argument."""
    return make_simple_net_loss()


def pytest_benchmark_update_machine_info(config, machine_info):
    """The command and the conditions (threads, BLAS threads, load) at the start, for bench/report.py."""
    args = " ".join(config.invocation_params.args)
    machine_info["fastgd_conditions"] = {"command": f"pytest {args}", "start": START}


def pytest_benchmark_update_json(config, benchmarks, output_json):
    """The conditions at the end of the run, for bench/report.py."""
    output_json["fastgd_conditions_at_end"] = describe()
