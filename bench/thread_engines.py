"""The thread engines side by side: the same element work run serially, by an OpenMP team, by fastgd's
pool (``fastgd._pool``, now every kernel's engine) and by Python threads taking ranges (as
``fastgd.nn._parallel`` did before the nets moved to the pool), quiet and beside a process that keeps one
core busy.

    python bench/thread_engines.py [--threads 2] [--seconds 0.4]

Builds a probe extension in a temporary folder first (needs Cython and a C compiler with OpenMP). Per
engine and job size it prints the median wall time of a job ÷ the serial one's, the CPU time the process
used per job ÷ the serial one's (spinning threads show here), and, beside the busy process, that process's
progress ÷ its progress beside the serial runs (what the engine takes from a neighbour). Job sizes: the
serial time of one job, from 10 µs to 10 ms.
"""
import argparse
import contextlib
import multiprocessing as mp
import os
import pathlib
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

PROBE = r'''
# cython: language_level=3, boundscheck=False, wraparound=False
from cython.parallel cimport prange
from libc.math cimport sqrt
from pool cimport fastgd_parallel_for, fastgd_pool_import

fastgd_pool_import()

cdef double[::1] OUT = None


cdef inline void element(double *out, Py_ssize_t i) noexcept nogil:
    cdef double x = <double>i
    cdef int k
    for k in range(40):
        x = sqrt(x + 1.0)
    out[i] = x


cdef int elements(void *ctx, Py_ssize_t lo, Py_ssize_t hi, int worker) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(lo, hi):
        element(<double *>ctx, i)
    return 0


def serial(double[::1] out):
    with nogil:
        elements(&out[0], 0, out.shape[0], 0)


def openmp(double[::1] out, int threads):
    cdef Py_ssize_t i
    for i in prange(out.shape[0], nogil=True, num_threads=threads, schedule="static"):
        element(&out[0], i)


def pool(double[::1] out, int threads, Py_ssize_t chunk):
    with nogil:
        fastgd_parallel_for(out.shape[0], chunk, elements, &out[0], threads, NULL)


cdef class Job:
    """A job for :func:`python_threads`: ``run(q0, q1)`` without the GIL."""
    cdef double[::1] out
    cdef readonly Py_ssize_t n

    def __init__(self, double[::1] out):
        self.out = out
        self.n = out.shape[0]

    def run(self, Py_ssize_t q0, Py_ssize_t q1):
        with nogil:
            elements(&self.out[0], q0, q1, 0)
'''


def build_probe(src_dir):
    """Compile the probe (OpenMP on) into a temporary folder; return the imported module."""
    from Cython.Build import cythonize
    from setuptools import Extension, setup

    work = pathlib.Path(tempfile.mkdtemp(prefix="fastgd-engines-"))
    (work / "engines_probe.pyx").write_text(PROBE)
    extension = Extension("engines_probe", [str(work / "engines_probe.pyx")], include_dirs=[src_dir],
                          extra_compile_args=["-O3", "-fopenmp"], extra_link_args=["-fopenmp"])
    cwd = os.getcwd()
    os.chdir(work)
    try:
        setup(ext_modules=cythonize([extension], include_path=[src_dir], quiet=True),
              script_args=["build_ext", "--inplace", "-q"])
    finally:
        os.chdir(cwd)
    sys.path.insert(0, str(work))
    import engines_probe
    return engines_probe


def _neighbour(stop, count):
    n = 0
    while not stop.is_set():
        for _ in range(10000):
            n += 1
        count.value = n


class Neighbour:
    """A process keeping one core busy; ``progress()`` reads how far it got."""

    def __enter__(self):
        self.stop, self.count = mp.Event(), mp.Value("q", 0, lock=False)
        self.process = mp.Process(target=_neighbour, args=(self.stop, self.count), daemon=True)
        self.process.start()
        time.sleep(0.3)
        return self

    def progress(self):
        return self.count.value

    def __exit__(self, *exc):
        self.stop.set()
        self.process.join()


_executors = {}


def python_threads(job, threads, ranges_per_thread=16, min_range=64):
    """The nets' former engine: the caller and ``threads - 1`` executor threads take ranges of ``job`` in turn."""
    n = job.n
    size = max(min_range, n // (ranges_per_thread * threads))
    starts = iter(range(0, n, size))
    lock = threading.Lock()

    def take_ranges():
        while True:
            with lock:
                q0 = next(starts, None)
            if q0 is None:
                return
            job.run(q0, min(n, q0 + size))

    if threads not in _executors:
        _executors[threads] = ThreadPoolExecutor(threads - 1)
    futures = [_executors[threads].submit(take_ranges) for _ in range(threads - 1)] if n > size else []
    take_ranges()
    for future in futures:
        future.result()


def engines(probe, threads):
    return {
        "serial": lambda out: probe.serial(out),
        f"OpenMP team ({threads})": lambda out: probe.openmp(out, threads),
        f"fastgd pool ({threads})": lambda out: probe.pool(out, threads, max(16, out.shape[0] // 64)),
        f"Python threads ({threads})": lambda out: python_threads(probe.Job(out), threads),
    }


def measure(run, out, seconds, neighbour):
    """``(median wall s per job, CPU s per job, neighbour progress per s)`` over about ``seconds``."""
    walls, jobs = [], 0
    cpu0, start = time.process_time(), time.perf_counter()
    progress0 = neighbour.progress() if neighbour else 0
    while time.perf_counter() - start < seconds:
        t = time.perf_counter()
        run(out)
        walls.append(time.perf_counter() - t)
        jobs += 1
    elapsed = time.perf_counter() - start
    cpu = (time.process_time() - cpu0) / jobs
    rate = (neighbour.progress() - progress0) / elapsed if neighbour else float("nan")
    return statistics.median(walls), cpu, rate


def main(threads=2, seconds=0.4, rounds=3):
    src = str(pathlib.Path(__file__).resolve().parent.parent / "src")
    probe = build_probe(src)
    runs = engines(probe, threads)
    out = np.empty(1)
    probe.serial(out)
    t = time.perf_counter()
    for _ in range(1000):
        probe.serial(out)
    per_element = (time.perf_counter() - t) / 1000
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; one element ≈ {per_element * 1e9:.0f} ns; "
          f"{rounds} alternating rounds of {seconds} s per line, medians")
    print(f"{'job (serial time)':18} {'engine':22} {'quiet: wall':>12} {'cpu':>6} "
          f"{'busy: wall':>11} {'cpu':>6} {'neighbour':>10}")
    for target in (1e-5, 1e-4, 1e-3, 1e-2):
        out = np.empty(max(1, int(target / per_element)))
        results = {}
        for busy in (False, True):
            with Neighbour() if busy else contextlib.nullcontext() as neighbour:
                samples = {label: [] for label in runs}
                for _ in range(rounds):
                    for label, run in runs.items():
                        samples[label].append(measure(run, out, seconds / rounds, neighbour))
                for label, values in samples.items():
                    results[label, busy] = tuple(statistics.median(v[i] for v in values) for i in range(3))
        base_q, base_b = results["serial", False], results["serial", True]
        for label in runs:
            q, b = results[label, False], results[label, True]
            print(f"{f'{target * 1e6:.0f} µs':18} {label:22} {q[0] / base_q[0]:11.2f}× {q[1] / base_q[1]:5.2f}× "
                  f"{b[0] / base_b[0]:10.2f}× {b[1] / base_b[1]:5.2f}× {b[2] / base_b[2]:9.2f}×", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=0.4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    main(args.threads, args.seconds, args.rounds)
