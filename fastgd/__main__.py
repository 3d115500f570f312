"""Command line: ``python -m fastgd demo | bench``."""
import argparse


def main(argv=None):
    """Parse the command and run it."""
    parser = argparse.ArgumentParser(prog="python -m fastgd", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="the textbook's worked examples, fastgd beside the numpy reference")
    bench = commands.add_parser("bench", help="speed table: reference time ÷ fastgd time per function and size")
    bench.add_argument("--sizes", type=_sizes, default=(10**3, 10**5, 10**6),
                       help="comma-separated array sizes for the optimizers (default: 1000,100000,1000000)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from fastgd import _demo

        _demo.main()
    elif args.command == "bench":
        from fastgd import _bench

        _bench.main(args.sizes)


def _sizes(text):
    try:
        sizes = tuple(int(float(part)) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated sizes, got {text!r}") from None
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError("sizes must be >= 1")
    return sizes


if __name__ == "__main__":
    main()
