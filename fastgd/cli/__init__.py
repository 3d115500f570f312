"""Command line: ``python -m fastgd train | demo | bench | info``."""
from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence

from fastgd.optim.table import NAMES

MAX_SIZE: int = 10**8  # bench allocates about 8 arrays of a size (params, grads, states, the reference's temporaries)
MAX_SEED: int = 2**32 - 1
MAX_ITERS: int = 10**8  # train keeps a Python float per step for its loss curve: about 3 GB at 10**8
MAX_HIDDEN: int = 10**5  # train's W1 is 64 × hidden: 51 MB at 10**5, and a step differences every weight


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command and run it."""
    parser = argparse.ArgumentParser(prog="python -m fastgd", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    train_cmd = commands.add_parser("train",
                                    help="train the textbook's TwoLayerNet on the digits with numerical gradients")
    train_cmd.add_argument("--optimizer", default="adam", choices=[name.lower() for name in NAMES])
    train_cmd.add_argument("--lr", type=_learning_rate, default=None, help="learning rate (default: per optimizer)")
    train_cmd.add_argument("--iters", type=_whole(1, MAX_ITERS), default=1000,
                           help=f"training steps, 1 to {MAX_ITERS:.0e} (default: 1000)")
    train_cmd.add_argument("--batch-size", type=_whole(1, sys.maxsize), default=100,
                           help="images per step (default: 100; at most the training set)")
    train_cmd.add_argument("--hidden", type=_whole(1, MAX_HIDDEN), default=50,
                           help=f"hidden units, 1 to {MAX_HIDDEN:.0e} (default: 50)")
    train_cmd.add_argument("--seed", type=_whole(0, MAX_SEED), default=0, help=f"0 to {MAX_SEED} (default: 0)")
    train_cmd.add_argument("--plot", metavar="PATH", type=_plot_path,
                           help="write an image (PNG, PDF, SVG, ...) of the loss and accuracy curves")
    train_cmd.add_argument("--no-progress", action="store_true", help="no progress bar")
    train_cmd.add_argument("--no-reference", action="store_true",
                           help="skip the numpy reference's time estimate (by default timed for about 1 s)")
    commands.add_parser("demo", help="the textbook's worked examples, fastgd beside the numpy reference")
    bench_cmd = commands.add_parser("bench", help="speed table: reference time ÷ fastgd time per function and size")
    bench_cmd.add_argument("--sizes", type=_sizes, default=(10**3, 10**5, 10**6),
                           help=f"comma-separated array sizes for the optimizers, 1 to {MAX_SIZE:.0e} "
                                "(default: 1000,100000,1000000)")
    commands.add_parser("info", help="version, compiled modules, SIMD level, threads, numpy: what a bug report needs")
    args = parser.parse_args(argv)
    if args.command == "info":
        from fastgd.cli import info

        info.main()
    elif args.command == "train":
        from fastgd.cli import train

        train.main(args.optimizer, args.lr, args.iters, args.batch_size, args.hidden, args.seed, args.plot,
                   progress=not args.no_progress, reference_budget=None if args.no_reference else 1.0)
    elif args.command == "demo":
        from fastgd.cli import demo

        demo.main()
    elif args.command == "bench":
        from fastgd.cli import bench

        bench.main(args.sizes)


def _whole(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``, or argparse's error saying so."""
    def whole(text: str) -> int:
        value = int(_parsed(text, int, "a whole number"))
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be {low} to {high}, got {value}")
        return value

    return whole


def _parsed(text: str, kind: type[int] | type[float], what: str) -> int | float:
    """``kind(text)``, or argparse's error naming what was expected."""
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None


def _learning_rate(text: str) -> float:
    value = float(_parsed(text, float, "a number"))
    if not (math.isfinite(value) and value > 0):  # 1e400 parses as inf
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return value


def _plot_path(text: str) -> str:
    """The plot's path, checked before training rather than after it: matplotlib, the format, the folder."""
    try:
        import matplotlib.figure
    except ImportError:
        raise argparse.ArgumentTypeError("needs matplotlib (pip install matplotlib, or the nn extra)") from None
    formats = matplotlib.figure.Figure().canvas.get_supported_filetypes()
    extension = os.path.splitext(text)[1].lstrip(".").lower()
    if extension not in formats:
        raise argparse.ArgumentTypeError(f"{text!r}: the file name must end in one of "
                                         f"{', '.join('.' + name for name in sorted(formats))}")
    folder = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f"{text!r}: no such directory {folder!r}")
    existed = os.path.exists(text)
    try:
        with open(text, "ab"):  # appends nothing: an existing file is left as it is until the plot replaces it
            pass
    except OSError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: cannot write there ({error.strerror})") from None
    if not existed:
        os.remove(text)
    return text


def _sizes(text: str) -> tuple[int, ...]:
    try:
        values = [float(part) for part in text.split(",")]  # "1e6" is a size too
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated sizes, got {text!r}") from None
    if not all(value.is_integer() and 1 <= value <= MAX_SIZE for value in values):  # inf and nan too
        raise argparse.ArgumentTypeError(f"sizes must be whole numbers from 1 to {MAX_SIZE:.0e}, got {text!r}")
    return tuple(int(value) for value in values)
