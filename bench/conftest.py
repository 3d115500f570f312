"""Benchmark fixtures."""
import pytest

from fastgd.reference.examples import simple_net_loss as make_simple_net_loss


@pytest.fixture
def simple_net_loss():
    """The textbook's 2×3 softmax/cross-entropy net: ``(f, W)`` with ``f`` ignoring its argument."""
    return make_simple_net_loss()
