"""Print the peers' pass counts: ``python tests/peers/report.py`` (from the project's root).

Runs ``tests/peers/test_peers.py`` and counts, per suite: the cases offered (every case but those of a
feature fastgd lacks), those that pass, those failing for an item of issue 17 (strict xfails), those
failing because fastgd keeps another meaning on purpose (documented), those failing for another reason,
and the features counted apart. With ``--markdown``, a table for docs/peers.md.
"""
from __future__ import annotations

import collections
import pathlib
import re
import sys

import pytest

HERE = pathlib.Path(__file__).parent


class Outcomes:
    """A pytest plugin recording each case's outcome by suite."""

    def __init__(self) -> None:
        self.counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        self.items: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        match = re.search(r"test_peer_case\[(.+?): ", report.nodeid)
        if match is None or (report.when != "call" and not (report.when == "setup" and report.skipped)):
            return
        suite = match.group(1)
        if report.skipped and not hasattr(report, "wasxfail"):
            self.counts[suite]["feature"] += 1
        elif hasattr(report, "wasxfail"):
            reason = report.wasxfail
            item = re.match(r"(?:reason: )?issue 17 (item \d+)", reason)
            if item and report.skipped:
                self.counts[suite]["issue 17"] += 1
                self.items[suite][item.group(1)] += 1
            elif report.skipped and re.match(r"(?:reason: )?documented", reason):
                self.counts[suite]["documented"] += 1
            elif report.skipped:
                self.counts[suite]["other gap"] += 1
            else:
                self.counts[suite]["failed"] += 1  # an xpass under strict=True: fixed, the mark must go
        elif report.passed:
            self.counts[suite]["passed"] += 1
        else:
            self.counts[suite]["failed"] += 1


def main() -> int:
    outcomes = Outcomes()
    code = pytest.main([str(HERE / "test_peers.py"), "-q", "-p", "no:cacheprovider", "--no-header",
                        "-o", "addopts="], plugins=[outcomes])
    rows = []
    for suite, count in outcomes.counts.items():
        offered = (count["passed"] + count["issue 17"] + count["documented"] + count["other gap"]
                   + count["failed"])
        items = ", ".join(f"{item}: {n}" for item, n in sorted(outcomes.items[suite].items(),
                                                                  key=lambda kv: int(kv[0].split()[1])))
        rows.append((suite, count["passed"], offered, count["issue 17"], items, count["documented"],
                     count["other gap"], count["failed"], count["feature"]))
    if "--markdown" in sys.argv:
        print("| suite | passed / offered | issue 17, open (strict xfail) | documented differences (strict xfail) "
              "| other gaps (strict xfail) | failed | features (not offered) |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for suite, passed, offered, issue, items, documented, gap, failed, feature in rows:
            print(f"| {suite} | {passed} / {offered} | {issue}{f' ({items})' if items else ''} | {documented} | {gap} "
                  f"| {failed} | {feature} |")
    else:
        print()
        for suite, passed, offered, issue, items, documented, gap, failed, feature in rows:
            print(f"{suite}: {passed} / {offered} offered pass; issue 17 open: {issue} ({items}); documented: "
                  f"{documented}; other gaps: {gap}; failed: {failed}; features not offered: {feature}")
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
