#!/usr/bin/env python3
"""Run the textbook's own scripts unchanged and with their imports swapped to fastgd.book; compare what they print.

    python tools/book_scripts.py BOOK [--korean] [--only ch05/gradient_check.py ...] [--keep DIR]

``BOOK`` is a checkout of the book's repository, or a bare git directory of it
(oreilly-japan/deep-learning-from-scratch; with ``--korean``, WegraLee/deep-learning-from-scratch).
Its files are copied to a temporary directory, where ``dataset/mnist.py`` is replaced by a
synthetic stand-in with the same ``load_mnist`` (no download: deterministic 28×28 images, uint8
pixels, float32 after ``normalize``, the book's one-hot float64 labels). Each script then runs
twice, in a fresh interpreter seeded with ``np.random.seed(0)`` and matplotlib's Agg backend:

- ``book``: the script as it is, with the book's ``common`` package;
- ``fastgd``: the same script with each book import swapped for its mirror
  (``from common.X import`` → ``from fastgd.book.common.X import``, chapter imports such as
  ``from two_layer_net import`` → ``from fastgd.book.ch05.two_layer_net import``).

Long scripts get the same smaller iteration counts in both runs (the substitutions are listed
below); ``:numerical`` entries also switch the training loops to the numerical gradient their
comments offer; a few scripts get a last line printing what they compute but only plot. The
printed lines are compared: equal text, or the same words with every number within 1e-9
(absolute, or relative to numbers above 1). Exit status 1 if any script's lines differ or a run
fails.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Chapters 4 and 5's training loops with the numerical gradient their comments offer, a few small steps.
NUMERICAL_TRAINING = [("iters_num = 10000", "iters_num = 3"), ("batch_size = 100", "batch_size = 10"),
                      ("#grad = network.numerical_gradient", "grad = network.numerical_gradient"),
                      ("grad = network.gradient(", "#grad = network.gradient(")]
# script -> substitutions applied to both runs (to keep them short on the stand-in data)
SCRIPTS: dict[str, list[tuple[str, str]]] = {
    "ch04/gradient_1d.py": [],
    "ch04/gradient_simplenet.py": [],
    "ch04/gradient_method.py": [],
    "ch04/train_neuralnet.py": [("iters_num = 10000", "iters_num = 200")],
    "ch04/train_neuralnet.py:numerical": NUMERICAL_TRAINING,
    "ch05/gradient_check.py": [],
    "ch05/train_neuralnet.py": [("iters_num = 10000", "iters_num = 200")],
    "ch05/train_neuralnet.py:numerical": NUMERICAL_TRAINING,
    "ch06/optimizer_compare_naive.py": [],
    "ch06/optimizer_compare_mnist.py": [("max_iterations = 2000", "max_iterations = 201")],
    "ch06/weight_init_compare.py": [("max_iterations = 2000", "max_iterations = 201")],
    "ch06/batch_norm_gradient_check.py": [],
    "ch06/batch_norm_test.py": [("max_epochs = 20", "max_epochs = 3"),
                                ("weight_scale_list = np.logspace(0, -4, num=16)",
                                 "weight_scale_list = np.logspace(0, -4, num=5)")],  # ko reads [4]
    "ch06/overfit_weight_decay.py": [("max_epochs = 201", "max_epochs = 11")],
    "ch06/overfit_dropout.py": [("epochs=301", "epochs=11")],
    "ch06/hyperparameter_optimization.py": [("optimization_trial = 100", "optimization_trial = 3")],
    "ch07/gradient_check.py": [],
    "ch07/train_convnet.py": [("max_epochs = 20", "max_epochs = 1"),
                              ("#x_train, t_train = x_train[:5000], t_train[:5000]",
                               "x_train, t_train = x_train[:300], t_train[:300]"),
                              ("#x_test, t_test = x_test[:1000], t_test[:1000]",
                               "x_test, t_test = x_test[:100], t_test[:100]")],
}

# script -> a line appended to both runs, printing what the script computes but does not print
EPILOGUES: dict[str, str] = {
    "ch04/gradient_method.py": "print(x, x_history[:3])",
    "ch04/train_neuralnet.py": "print(train_loss_list[-5:])",
    "ch04/train_neuralnet.py:numerical": "print(train_loss_list)",
    "ch05/train_neuralnet.py": "print(train_loss_list[-5:])",
    "ch05/train_neuralnet.py:numerical": "print(train_loss_list)",
}

STAND_IN = '''"""A synthetic stand-in for MNIST with the book's load_mnist (no download): deterministic, its shapes."""
import numpy as np


def _images(n, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    prototypes = np.random.default_rng(1234).random((10, 28, 28)) ** 4  # one blurred pattern per class
    images = prototypes[labels] * 200 + rng.random((n, 28, 28)) * 55
    images[rng.random((n, 28, 28)) < 0.6] = 0  # mostly background, as MNIST
    return images.astype(np.uint8).reshape(n, 784), labels


def _one_hot(labels):
    out = np.zeros((labels.size, 10))
    out[np.arange(labels.size), labels] = 1
    return out


def load_mnist(normalize=True, flatten=True, one_hot_label=False):
    (x_train, t_train), (x_test, t_test) = _images(6000, 1), _images(1000, 2)
    if normalize:
        x_train, x_test = x_train.astype(np.float32) / 255.0, x_test.astype(np.float32) / 255.0
    if one_hot_label:
        t_train, t_test = _one_hot(t_train), _one_hot(t_test)
    if not flatten:
        x_train, x_test = x_train.reshape(-1, 1, 28, 28), x_test.reshape(-1, 1, 28, 28)
    return (x_train, t_train), (x_test, t_test)
'''

LAUNCHER = ("import sys, runpy, numpy as np, matplotlib; matplotlib.use('Agg'); np.random.seed(0); "
            "sys.argv = [sys.argv[1]]; runpy.run_path(sys.argv[0], run_name='__main__')")
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
CHAPTER_MODULES = {"two_layer_net", "simple_convnet", "gradient_2d"}  # imported from the script's own folder


def swap_imports(source: str, chapter: str, package: str) -> str:
    """The script with each book import taken from fastgd's mirror (``package``: fastgd.book or fastgd.book.ko)."""
    source = re.sub(r"^(\s*)from common\.(\w+) import", rf"\1from {package}.common.\2 import", source, flags=re.M)
    for module in CHAPTER_MODULES:
        source = re.sub(rf"^(\s*)from {module} import", rf"\1from {package}.{chapter}.{module} import", source,
                        flags=re.M)
    return source


def same_line(a: str, b: str, tolerance: float = 1e-9) -> bool:
    """Equal text, or the same words with every number within ``tolerance`` (relative above 1)."""
    if a == b:
        return True
    if NUMBER.sub("#", a) != NUMBER.sub("#", b):
        return False
    for x, y in zip(NUMBER.findall(a), NUMBER.findall(b), strict=True):
        u, v = float(x), float(y)
        if abs(u - v) > tolerance * max(1.0, abs(u), abs(v)):
            return False
    return True


def copy_book(book: Path, into: Path) -> None:
    if (book / "HEAD").exists() and not (book / ".git").exists():  # a bare git directory
        files = subprocess.run(["git", "-C", str(book), "ls-tree", "-r", "--name-only", "HEAD"], check=True,
                               capture_output=True, text=True).stdout.split()
        for name in files:
            if name.endswith(".py") or name.endswith(".pkl"):
                target = into / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(subprocess.run(["git", "-C", str(book), "show", f"HEAD:{name}"], check=True,
                                                  capture_output=True).stdout)
    else:
        shutil.copytree(book, into, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".git"))
    (into / "dataset" / "mnist.py").write_text(STAND_IN)


def run(script: Path, python: str, env: dict[str, str]) -> tuple[list[str], float, str]:
    start = time.perf_counter()
    done = subprocess.run([python, "-c", LAUNCHER, script.name], cwd=script.parent, env=env, capture_output=True,
                          text=True)
    elapsed = time.perf_counter() - start
    error = "" if done.returncode == 0 else (done.stderr.strip().splitlines() or ["failed"])[-1]
    return done.stdout.splitlines(), elapsed, error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("book", type=Path, help="the book's repository (a checkout or a bare git directory)")
    parser.add_argument("--korean", action="store_true", help="the Korean edition: swap to fastgd.book.ko")
    parser.add_argument("--only", nargs="*", default=None, help="these scripts (e.g. ch05/gradient_check.py)")
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    parser.add_argument("--python", default=sys.executable, help="the interpreter (with fastgd importable)")
    args = parser.parse_args(argv)
    package = "fastgd.book.ko" if args.korean else "fastgd.book"
    work = args.keep or Path(tempfile.mkdtemp(prefix="book-scripts-"))
    copy_book(args.book, work)
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")])}
    failures = 0
    for entry in args.only or list(SCRIPTS):
        name = entry.split(":")[0]
        source_path = work / name
        if not source_path.exists():
            print(f"{entry}: not in this edition")
            continue
        source = source_path.read_text(encoding="utf-8")
        for old, new in SCRIPTS.get(entry, []):
            if old not in source:
                print(f"{entry}: note: {old!r} not found, left as it is")
            source = source.replace(old, new)
        if entry in EPILOGUES:
            source += "\n" + EPILOGUES[entry] + "\n"
        outputs = {}
        for variant, text in (("book", source), ("fastgd", swap_imports(source, name.split("/")[0], package))):
            stem = entry.replace("/", "_").replace(".py", "").replace(":", "_")
            path = source_path.with_name(f"_{variant}_{stem}.py")
            path.write_text(text, encoding="utf-8")
            outputs[variant] = run(path, args.python, env)
        (book_lines, book_time, book_error), (fast_lines, fast_time, fast_error) = outputs["book"], outputs["fastgd"]
        equal = sum(a == b for a, b in zip(book_lines, fast_lines, strict=False))
        close = len(book_lines) == len(fast_lines) and all(
            same_line(a, b) for a, b in zip(book_lines, fast_lines, strict=True))
        ok = close and not book_error and not fast_error
        failures += not ok
        errors = "".join(f"; {variant} error: {error}" for variant, error in (("book", book_error),
                                                                              ("fastgd", fast_error)) if error)
        print(f"{entry}: {'same' if ok else 'DIFFERENT'} — {len(book_lines)} lines, {equal} identical"
              f"{'' if equal == len(book_lines) else ', the others within 1e-9'}; "
              f"book {book_time:.1f} s, fastgd {fast_time:.1f} s{errors}")
        if not close:
            for a, b in zip(book_lines, fast_lines, strict=False):
                if not same_line(a, b):
                    print(f"    book:   {a}\n    fastgd: {b}")
                    break
    if args.keep is None:
        shutil.rmtree(work)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
