"""Write bench/RESULTS.md, the current tables, from one pytest-benchmark JSON file.

    pytest bench --benchmark-json=results.json [--benchmark-max-time=0.2 ...]
    python bench/report.py results.json > bench/RESULTS.md

One section per benchmark module, one table per group: each implementation's median and the
reference's median over it ("reference ÷ this": above 1× is faster than the numpy reference). A
group with an "f calls only" line also gets the overhead per element beyond those calls. A line
with a ``scale`` extra info timed part of the work (its label says which): its median is
multiplied by ``scale``. The header prints what the run recorded: the command, the machine, the
versions, and the conditions (threads, BLAS threads, load average) at its start and end, which
bench/conftest.py adds to the JSON. Earlier results live in git's history of this file.
"""
from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from typing import Any


def _label(bench: dict[str, Any]) -> str:
    """The implementation a benchmark measured: its ``label`` extra info, else its ``name`` param."""
    params = bench.get("params") or {}
    return str(bench.get("extra_info", {}).get("label") or params.get("name") or bench["name"])


def _module(bench: dict[str, Any]) -> str:
    return str(bench["fullname"].split("::")[0])


def _format(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:,.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def rows(benchmarks: list[dict[str, Any]]) -> Iterator[str]:
    """Markdown rows (group, implementation, median, reference ÷ median) of one module's benchmarks."""
    groups: dict[str, dict[str, float]] = {}
    for bench in benchmarks:
        scale = bench.get("extra_info", {}).get("scale", 1)
        groups.setdefault(bench["group"] or bench["name"], {})[_label(bench)] = bench["stats"]["median"] * scale
    for group, medians in groups.items():
        ref = next((median for name, median in medians.items() if name.startswith("reference")), None)
        for name, median in medians.items():
            yield f"| {group} | {name} | {_format(median)} | {f'{ref / median:.2f}×' if ref else ''} |"
        floor = medians.get("f calls only")
        n = re.search(r"n=(\d+)", group)
        if floor and n:
            for name in ("fastgd", "reference"):
                if name in medians:
                    overhead = (medians[name] - floor) / int(n.group(1)) * 1e6
                    yield f"| {group} | {name}: overhead per element beyond the calls of f | {overhead:.3f} µs | |"


def report(results: dict[str, Any]) -> str:
    """The whole markdown document."""
    machine, commit = results["machine_info"], results.get("commit_info", {})
    conditions = machine.get("fastgd_conditions", {})
    lines = [
        "# Benchmark results",
        "",
        "The current tables, written by `python bench/report.py results.json > bench/RESULTS.md` from one run of",
        "",
        f"    {conditions.get('command', 'pytest bench --benchmark-json=results.json')}",
        "",
        f"on {results['datetime'][:16].replace('T', ' ')} UTC, {machine['cpu'].get('brand_raw', '?')}, "
        f"{machine.get('cpu', {}).get('count', '?')} CPUs, Python {machine['python_version']}, "
        f"commit {str(commit.get('id', '?'))[:10]}{' (with uncommitted changes)' if commit.get('dirty') else ''}.",
        "",
        f"- at the start: {conditions.get('start', 'not recorded')}",
        f"- at the end: {results.get('fastgd_conditions_at_end', 'not recorded')}",
        "",
        "Medians; \"reference ÷ this\" is the numpy reference's median over the line's (above 1×: faster).",
        "Absolute times drift 2-3× with the machine's load: compare lines of one run, and read the load above.",
        "Earlier results are in git's history of this file and in CHANGELOG.md.",
    ]
    modules: dict[str, list[dict[str, Any]]] = {}
    for bench in results["benchmarks"]:
        modules.setdefault(_module(bench), []).append(bench)
    for module, benchmarks in modules.items():
        lines += ["", f"## `{module}`", "", "| case | implementation | median | reference ÷ this |",
                  "| --- | --- | ---: | ---: |", *rows(benchmarks)]
    return "\n".join(lines) + "\n"


def main(path: str) -> None:
    with open(path, encoding="utf-8") as fh:
        sys.stdout.write(report(json.load(fh)))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
