"""Command line: ``python -m fastgd demo``."""
import argparse


def main(argv=None):
    """Parse the command and run it."""
    parser = argparse.ArgumentParser(prog="python -m fastgd", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="the textbook's worked examples, fastgd beside the numpy reference")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from fastgd import _demo

        _demo.main()


if __name__ == "__main__":
    main()
