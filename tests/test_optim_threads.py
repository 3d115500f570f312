"""fastgd's thread engine (``fastgd._pool``) and the optimizers on it: one setting over the OpenMP runtime,
capped, passive helpers that never spin, woken only for work that pays, safe after fork.

Thread counts are observed from outside: in a fresh subprocess, the threads of the process
(``/proc/self/task``) before and after updates that are large enough to wake helpers.
"""
import multiprocessing as mp
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from arrays import same_bits

import fastgd
from fastgd import _pool, _threads, reference
from fastgd.optim import _kernels
from fastgd.optim.table import NAMES

threadpoolctl = pytest.importorskip("threadpoolctl")
needs_openmp = pytest.mark.skipif(not _threads.HAS_OPENMP, reason="built without OpenMP: one thread")
needs_proc = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts threads in /proc/self/task")
LARGE = 4_000_000  # elements: an Adam update of many times the work that pays a helper's wake-up


def run_python(code, timeout=120):
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr
    return done.stdout


@needs_openmp
def test_threadpoolctl_sees_and_limits_the_openmp_runtime():
    openmp = [info for info in threadpoolctl.threadpool_info() if info["user_api"] == "openmp"]
    assert openmp, "fastgd's OpenMP runtime is not visible to threadpoolctl"
    chosen = _threads._chosen
    try:
        _threads._chosen = None  # as before any set_num_threads: follow the OpenMP runtime
        with threadpoolctl.threadpool_limits(1, user_api="openmp"):
            assert fastgd.get_num_threads() == 1
        assert fastgd.get_num_threads() == min(openmp[0]["num_threads"], _threads.MAX_THREADS)
    finally:
        _threads._chosen = chosen


@needs_openmp
@needs_proc
def test_helpers_start_only_when_allowed_and_stay_few():
    out = run_python(f"""
import os, numpy as np, threadpoolctl, fastgd
fastgd._threads.LOAD_INTERVAL = float("inf")  # whatever else runs on this machine: the setting decides
def threads():
    return len(os.listdir("/proc/self/task"))
p, g = {{"w": np.ones({LARGE})}}, {{"w": np.ones({LARGE})}}
opt = fastgd.Adam()
with threadpoolctl.threadpool_limits(1, user_api="openmp"):
    assert fastgd.get_num_threads() == 1
    before = threads()
    for _ in range(3):
        opt.update(p, g)
    print(threads() - before)
fastgd.set_num_threads(2)
for _ in range(3):
    opt.update(p, g)
print(threads() - before)
fastgd.set_num_threads(100000)
print(fastgd.get_num_threads() == fastgd._threads.MAX_THREADS)
for _ in range(3):
    opt.update(p, g)
print(threads() - before <= fastgd._threads.MAX_THREADS - 1)
""")
    limited, two, capped, few = out.split()
    assert limited == "0"  # threadpool_limits(1): no helper
    assert two == "1"  # two threads: one helper, started on first use
    assert capped == "True" and few == "True"


@needs_openmp
def test_huge_thread_count_is_capped_and_updates_do_not_crash():
    out = run_python("""
import numpy as np, fastgd
fastgd.set_num_threads(100000)
for n in (40000, 400000, 4000000):
    p = {"w": np.ones(n)}
    fastgd.Adam().update(p, {"w": np.ones(n)})
    fastgd.SGD().update(p, {"w": np.ones(n)})
print(fastgd.get_num_threads(), fastgd._threads.MAX_THREADS)
""")
    got, cap = out.split()
    assert got == cap


@needs_openmp
@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="no fork")
def test_updates_work_in_a_forked_child_after_helpers_started():
    run_python(f"""
import os, numpy as np, fastgd
fastgd.set_num_threads(2)
p, g = {{"w": np.ones({LARGE})}}, {{"w": np.ones({LARGE})}}
fastgd.Adam().update(p, g)  # helpers started
pid = os.fork()
if pid == 0:
    q = {{"w": np.ones({LARGE})}}
    fastgd.Adam().update(q, g)
    os._exit(0 if np.all(q["w"] < 1) else 3)
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, status
""", timeout=60)


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("name", NAMES)
def test_any_thread_count_gives_the_reference_bits(name, threads):
    rng = np.random.default_rng(11)
    n = 3 * _kernels.PARALLEL_MIN + 5  # several chunks, not a multiple of any
    start, steps = rng.standard_normal(n), [rng.standard_normal(n) for _ in range(3)]
    before = fastgd.get_num_threads()
    fastgd.set_num_threads(threads)
    try:
        fast, slow = getattr(fastgd, name)(), getattr(reference, name)()
        params, twin = {"w": start.copy()}, {"w": start.copy()}
        for grad in steps:
            fast.update(params, {"w": grad})
            slow.update(twin, {"w": grad})
    finally:
        fastgd.set_num_threads(before)
    assert same_bits(params["w"], twin["w"])


def test_threads_updating_at_once_share_the_helpers_safely():
    rng = np.random.default_rng(12)
    starts = [rng.standard_normal(LARGE // 4) for _ in range(4)]
    grad = rng.standard_normal(LARGE // 4)
    results = [None] * 4

    def train(i):
        params = {"w": starts[i].copy()}
        opt = fastgd.Adam()
        for _ in range(3):
            opt.update(params, {"w": grad})
        results[i] = params["w"]

    before = fastgd.get_num_threads()
    fastgd.set_num_threads(2)
    try:
        workers = [threading.Thread(target=train, args=(i,)) for i in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
    finally:
        fastgd.set_num_threads(before)
    for i in range(4):
        twin, opt = {"w": starts[i].copy()}, reference.Adam()
        for _ in range(3):
            opt.update(twin, {"w": grad})
        assert results[i] is not None and same_bits(results[i], twin["w"])


def _spin(stop):
    while not stop.is_set():
        pass


@pytest.fixture
def fresh_load_reading(monkeypatch):
    monkeypatch.setattr(_threads, "_sample", None)
    monkeypatch.setattr(_threads, "_spare", None)
    monkeypatch.setattr(_threads, "LOAD_INTERVAL", 0.0)


@pytest.mark.parametrize("idle, ours, threads, expected", [
    (0.0, 0.0, 4, 1),  # every CPU busy with other processes: one thread
    (1e6, 0.0, 4, 4),  # idle machine: all wanted
    (0.0, 1e6, 3, 3),  # this process itself was busy: its own CPUs count as free
    (1e6, 0.0, 1, 1),
])
def test_team_size_follows_the_cpus_other_processes_leave(fresh_load_reading, idle, ours, threads, expected):
    readings = iter([(0.0, 0.0), (idle, ours)])
    assert _threads.team_size(threads, lambda: next(readings)) == threads  # no interval measured yet
    time.sleep(0.01)
    assert _threads.team_size(threads, lambda: next(readings)) == expected


def test_team_size_without_a_load_reading_is_the_setting(fresh_load_reading):
    assert _threads.team_size(3, lambda: None) == 3
    assert _threads.team_size(3, lambda: None) == 3


@needs_proc
def test_team_size_shrinks_beside_processes_busy_on_every_cpu(fresh_load_reading):
    stop = mp.Event()
    hogs = [mp.Process(target=_spin, args=(stop,), daemon=True) for _ in range(_threads.MAX_THREADS)]
    for hog in hogs:
        hog.start()
    try:
        time.sleep(0.3)
        _threads.team_size(2)
        time.sleep(0.3)  # this process sleeps, the others hold every CPU
        assert _threads.team_size(2) == 1
    finally:
        stop.set()
        for hog in hogs:
            hog.join()


# ---- the engine itself: fastgd._pool, driven by its test job ----

def test_one_thread_runs_every_chunk_in_order_on_the_caller():
    status, done, workers = _pool.run(100, 7, 1)
    assert status == 0 and done == 100 and np.all(workers == 0)


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_a_chunk_that_returns_nonzero_stops_the_job_after_a_prefix(threads):
    status, done, workers = _pool.run(200, 10, threads, ns_per_element=2000.0, stop_at=95)
    assert status == 1
    assert 100 <= done <= 200 and done % 10 == 0  # the stopping chunk's end, or a later chunk already claimed
    assert np.all(workers[:done] >= 0) and np.all(workers[done:] == -1)


@pytest.mark.parametrize("threads", [2, 3])
def test_many_threads_run_every_element_once_and_number_the_workers(threads):
    status, done, workers = _pool.run(64, 1, threads, ns_per_element=20_000.0)  # 1.3 ms: worth helpers
    assert status == 0 and done == 64
    assert set(np.unique(workers)) <= set(range(threads)) and 0 in workers  # the caller always works


@needs_proc
def test_helpers_start_only_for_work_that_pays_and_then_sleep():
    out = run_python("""
import time
from fastgd import _pool
_pool.run(64, 1, 2, ns_per_element=100.0)  # 6 us of work: the caller alone
print(_pool.helpers())
_pool.run(64, 1, 2, ns_per_element=50_000.0)  # 3 ms: a helper is started
print(_pool.helpers())
time.sleep(0.05)
start = time.process_time()
time.sleep(0.5)  # the helper has no job: it must sleep, not spin
print(time.process_time() - start)
""")
    small, large, idle_cpu = out.split()
    assert small == "0" and large == "1"
    assert float(idle_cpu) < 0.05  # a spinning helper would have used about 0.5 s
