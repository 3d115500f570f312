"""Print pip constraints pinning every floor in pyproject.toml (``name>=v`` -> ``name==v``).

The floors of the runtime dependencies, of the build requirements and of the extras named on the
command line; where two extras floor the same package, the higher floor (pip installs one version).
CI installs the package with these constraints to prove that the oldest versions pyproject.toml
allows still build and pass the tests:

    python tools/oldest_constraints.py test,bench,nn,parallel > oldest.txt
    PIP_CONSTRAINT=oldest.txt pip install ".[test,bench,nn,parallel]"

``PIP_CONSTRAINT`` (not ``-c``) reaches the isolated build environment too: Cython, setuptools and
numpy are built with at their floors as well.
"""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*>=\s*([0-9][0-9A-Za-z.]*)\s*$")


def floors(extras: list[str], pyproject: Path = Path(__file__).resolve().parents[1] / "pyproject.toml"
           ) -> dict[str, str]:
    """``{name: floor}`` for the build requirements, the dependencies and ``extras``."""
    config = tomllib.loads(pyproject.read_text())
    optional = config["project"]["optional-dependencies"]
    unknown = sorted(set(extras) - set(optional))
    if unknown:
        raise SystemExit(f"no such extra in pyproject.toml: {', '.join(unknown)}")
    requirements = [*config["build-system"]["requires"], *config["project"]["dependencies"],
                    *(line for extra in extras for line in optional[extra])]
    found: dict[str, str] = {}
    for line in requirements:
        match = REQUIREMENT.match(line)
        if match is None:
            raise SystemExit(f"not a plain 'name>=version' floor: {line!r}")
        name, version = re.sub(r"[-_.]+", "-", match.group(1)).lower(), match.group(2)
        if name not in found or _key(version) > _key(found[name]):
            found[name] = version
    return found


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


if __name__ == "__main__":
    chosen = [extra for extra in (sys.argv[1] if len(sys.argv) > 1 else "").split(",") if extra]
    print("\n".join(f"{name}=={version}" for name, version in sorted(floors(chosen).items())))
