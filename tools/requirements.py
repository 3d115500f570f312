"""Requirements read from pyproject.toml, for pip: the floors pinned, or an extra's lines alone.

    python tools/requirements.py floors test,bench,nn   # name==floor for every 'name>=floor'
    python tools/requirements.py extras lint,docs       # the extras' requirements, one a line

``floors``: the build requirements, the runtime dependencies and the named extras; where two floor
the same package, the higher floor (pip installs one version). CI installs with these pinned to
prove that the oldest versions pyproject.toml allows build, install together and pass the tests:

    python tools/requirements.py floors test,bench > oldest.txt
    PIP_CONSTRAINT=oldest.txt pip install ".[test,bench]"

``PIP_CONSTRAINT`` (not ``-c``) also reaches pip's isolated build environment: Cython, setuptools
and numpy build the package at their floors too.

``extras``: what ``pip install ".[lint,docs]"`` would add, without building the package again:
``pip install -r <(python tools/requirements.py extras lint,docs)``.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import tomllib

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
FLOOR = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*>=\s*([0-9][0-9A-Za-z.]*)\s*$")


def extras(names: list[str]) -> list[str]:
    """The requirement lines of the named extras, in pyproject's order."""
    optional = tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"]
    unknown = sorted(set(names) - set(optional))
    if unknown:
        raise SystemExit(f"no such extra in pyproject.toml: {', '.join(unknown)}")
    return [line for name in names for line in optional[name]]


def floors(names: list[str]) -> dict[str, str]:
    """``{name: floor}`` for the build requirements, the dependencies and the named extras."""
    config = tomllib.loads(PYPROJECT.read_text())
    found: dict[str, str] = {}
    for line in (*config["build-system"]["requires"], *config["project"]["dependencies"], *extras(names)):
        match = FLOOR.match(line)
        if match is None:
            raise SystemExit(f"not a plain 'name>=version' floor: {line!r}")
        name, version = re.sub(r"[-_.]+", "-", match.group(1)).lower(), match.group(2)
        if name not in found or _key(version) > _key(found[name]):
            found[name] = version
    return found


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("floors", "extras"):
        raise SystemExit(__doc__)
    chosen = [name for name in sys.argv[2].split(",") if name]
    lines = ([f"{name}=={version}" for name, version in sorted(floors(chosen).items())] if sys.argv[1] == "floors"
             else extras(chosen))
    print("\n".join(lines))
