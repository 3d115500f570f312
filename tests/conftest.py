import _thread
import os
import signal

import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=150, deadline=None)
settings.register_profile("dev", max_examples=60, deadline=None)
# FASTGD_HYPOTHESIS_PROFILE chooses one outright (.ci/run's oldest-versions stage: dev)
settings.load_profile(os.environ.get("FASTGD_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def pytest_runtest_setup(item):
    """``@pytest.mark.sends_sigint`` tests Ctrl-C themselves (``_thread.interrupt_main``); where SIGINT is
    ignored (``nohup ... &``) or handled elsewhere, Python never raises it and such a test would wait for
    the whole loop it means to interrupt: skip it there."""
    handler = signal.getsignal(signal.SIGINT)
    if item.get_closest_marker("sends_sigint") and handler is not signal.default_int_handler:
        pytest.skip(f"SIGINT is not delivered as KeyboardInterrupt here (its handler: {handler!r})")


@pytest.fixture(autouse=True)
def _sigint_tests_are_marked(request, monkeypatch):
    """A test that calls ``_thread.interrupt_main`` without ``@pytest.mark.sends_sigint`` fails (after
    its run): unmarked, it would not be skipped where SIGINT is ignored, and would hang there."""
    if request.node.get_closest_marker("sends_sigint"):
        yield
        return
    calls = []
    original = _thread.interrupt_main

    def recording(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)
    monkeypatch.setattr(_thread, "interrupt_main", recording)
    yield
    assert not calls, "this test sends SIGINT: mark it @pytest.mark.sends_sigint"


@pytest.fixture
def bars(monkeypatch):
    """The progress bars fastgd makes (``progress=True``), recorded: their ``n`` and ``total`` after a run."""
    import fastgd.diff._core.progress

    made = []
    original = fastgd.diff._core.progress.bar

    def recording(total, description):
        bar = original(total, description)
        made.append(bar)
        return bar
    monkeypatch.setattr(fastgd.diff._core.progress, "bar", recording)
    return made


@pytest.fixture
def whole_team(monkeypatch):
    """C objectives get every thread they ask for, however busy the machine (a team is still only
    started where the work left pays for it): the threaded loops run whatever else runs beside the tests."""
    from fastgd import _threads

    monkeypatch.setattr(_threads, "team_size", lambda threads=None: threads)
