import os

import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=150, deadline=None)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


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
