"""Turn a pytest-benchmark JSON file into the markdown table of RESULTS.md.

Usage: ``python bench/report.py results.json``. Each group gets its medians and
"reference ÷ this" ratios; a group with an "f calls only" line also gets fastgd's
and the reference's overhead per element beyond those calls. A line with a ``scale`` extra
info timed part of the work (its label says which): its median is multiplied by ``scale``.
"""
import json
import re
import sys


def _label(bench):
    """The implementation a benchmark measured: its ``label`` extra info, else its ``name`` param."""
    return bench.get("extra_info", {}).get("label") or bench["params"]["name"]


def rows(results):
    """Yield markdown rows: group, implementation, median, reference ÷ median."""
    groups = {}
    for bench in results["benchmarks"]:
        scale = bench.get("extra_info", {}).get("scale", 1)
        groups.setdefault(bench["group"], {})[_label(bench)] = bench["stats"]["median"] * scale
    for group, medians in groups.items():
        ref = next((median for name, median in medians.items() if name.startswith("reference")), None)
        for name, median in medians.items():
            ratio = f"{ref / median:.2f}×" if ref else ""
            yield f"| {group} | {name} | {_format(median)} | {ratio} |"
        floor = medians.get("f calls only")
        n = re.search(r"n=(\d+)", group)
        if floor and n and "fastgd" in medians:
            for name in ("fastgd", "reference"):
                overhead = (medians[name] - floor) / int(n.group(1)) * 1e6
                yield f"| {group} | {name}: overhead per element beyond the 2n calls | {overhead:.3f} µs | |"


def _format(seconds):
    return f"{seconds * 1e3:,.2f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:,.2f} µs"


def main(path):
    with open(path) as fh:
        results = json.load(fh)
    print(f"Machine: {results['machine_info']['cpu']['brand_raw']}, "
          f"Python {results['machine_info']['python_version']}, {results['datetime'][:10]}\n")
    print("| case | implementation | median | reference ÷ this |")
    print("| --- | --- | ---: | ---: |")
    for row in rows(results):
        print(row)


if __name__ == "__main__":
    main(sys.argv[1])
