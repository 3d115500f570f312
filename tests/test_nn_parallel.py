"""fastgd.nn._parallel: ranges of a kernel job taken by the caller and a few pool threads."""
import threading
import time

import pytest

from fastgd.nn import _parallel


class Recorder:
    """A job that records which ranges ran, on which threads; ``fail`` raises in the caller's thread."""

    def __init__(self, n, fail=None, delay=0.0):
        self.n, self.fail, self.delay = n, fail, delay
        self.ranges, self.threads = [], set()
        self.lock = threading.Lock()

    def run(self, q0, q1):
        if self.fail is not None and threading.current_thread() is threading.main_thread():
            raise self.fail
        time.sleep(self.delay)
        with self.lock:
            self.ranges.append((q0, q1))
            self.threads.add(threading.current_thread().name)


@pytest.mark.parametrize("n", [0, 1, 63, 64, 65, 1000, 100_000])
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_every_parameter_once(n, threads):
    job = Recorder(n)
    _parallel.run(job, threads)
    covered = sorted(q for q0, q1 in job.ranges for q in range(q0, q1))
    assert covered == list(range(n))
    assert all(q1 - q0 >= min(_parallel.MIN_RANGE, n) for q0, q1 in sorted(job.ranges)[:-1])
    if threads == 1:
        assert job.threads <= {threading.main_thread().name}


def test_pool_threads_take_ranges_too():
    job = Recorder(10_000, delay=0.001)
    _parallel.run(job, 2)
    size = 10_000 // (2 * _parallel.RANGES_PER_THREAD)
    assert len(job.threads) == 2 and len(job.ranges) == -(-10_000 // size)


@pytest.mark.parametrize("error", [KeyboardInterrupt(), MemoryError()])
def test_an_interrupted_caller_stops_the_pool(error):
    job = Recorder(10_000, fail=error, delay=0.01)
    with pytest.raises(type(error)):
        _parallel.run(job, 2)
    assert len(job.ranges) < 2 * _parallel.RANGES_PER_THREAD  # the pool thread stopped taking ranges
