"""``python -m fastgd``: the command line of :mod:`fastgd.cli`."""
from fastgd.cli import main

if __name__ == "__main__":
    main()
