"""Command line: ``python -m fastgd train | demo | bench | info``."""
from __future__ import annotations

import argparse
from collections.abc import Sequence

from fastgd.optim.table import NAMES


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command and run it."""
    parser = argparse.ArgumentParser(prog="python -m fastgd", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    train_cmd = commands.add_parser("train",
                                    help="train the textbook's TwoLayerNet on the digits with numerical gradients")
    train_cmd.add_argument("--optimizer", default="adam", choices=[name.lower() for name in NAMES])
    train_cmd.add_argument("--lr", type=float, default=None, help="learning rate (default: per optimizer)")
    train_cmd.add_argument("--iters", type=_positive, default=1000, help="training steps (default: 1000)")
    train_cmd.add_argument("--batch-size", type=_positive, default=100)
    train_cmd.add_argument("--hidden", type=_positive, default=50, help="hidden units (default: 50)")
    train_cmd.add_argument("--seed", type=int, default=0)
    train_cmd.add_argument("--plot", metavar="PATH", help="write a PNG of the loss and accuracy curves")
    train_cmd.add_argument("--no-progress", action="store_true", help="no progress bar")
    commands.add_parser("demo", help="the textbook's worked examples, fastgd beside the numpy reference")
    bench_cmd = commands.add_parser("bench", help="speed table: reference time ÷ fastgd time per function and size")
    bench_cmd.add_argument("--sizes", type=_sizes, default=(10**3, 10**5, 10**6),
                       help="comma-separated array sizes for the optimizers (default: 1000,100000,1000000)")
    commands.add_parser("info", help="version, SIMD level, OpenMP threads, numpy: what a bug report needs")
    args = parser.parse_args(argv)
    if args.command == "info":
        from fastgd.cli import info

        info.main()
    elif args.command == "train":
        from fastgd.cli import train

        train.main(args.optimizer, args.lr, args.iters, args.batch_size, args.hidden, args.seed, args.plot,
                    progress=not args.no_progress)
    elif args.command == "demo":
        from fastgd.cli import demo

        demo.main()
    elif args.command == "bench":
        from fastgd.cli import bench

        bench.main(args.sizes)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(float(part)) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated sizes, got {text!r}") from None
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError("sizes must be >= 1")
    return sizes

