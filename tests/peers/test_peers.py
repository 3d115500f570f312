"""The peers' own test cases run against fastgd (through :mod:`adapter`, their tolerances untouched).

A case for a feature fastgd lacks is skipped with the reason ``"feature: ..."`` (counted apart); a case
that fails because of a defect of issue 17 is a strict xfail naming the item, so it fails loudly once
fixed; a case failing because fastgd keeps another meaning on purpose is a strict xfail "documented: ..."
(where, and why); a case failing for a reason issue 17 does not list is a strict xfail "not in issue 17: ...".
``python tests/peers/report.py`` prints the pass counts per suite (docs/peers.md).
"""
import finitediff_jl
import numdifftools_cases
import pytest
import scipy_differentiate
import scipy_numdiff

pytest.importorskip("scipy")

SUITES = [scipy_numdiff, scipy_differentiate, numdifftools_cases, finitediff_jl]


def params():
    for suite in SUITES:
        for case in suite.CASES:
            marks = []
            if case.feature is not None:
                marks.append(pytest.mark.skip(reason=f"feature: {case.feature}"))
            elif case.defect is not None:
                item, what = case.defect
                marks.append(pytest.mark.xfail(strict=True, reason=f"issue 17 item {item}: {what}"))
            elif case.documented is not None:
                marks.append(pytest.mark.xfail(strict=True, reason=f"documented: {case.documented}"))
            elif case.gap is not None:
                marks.append(pytest.mark.xfail(strict=True, reason=f"not in issue 17: {case.gap}"))
            yield pytest.param(case, id=f"{suite.SUITE}: {case.name}", marks=marks)


def test_names_are_unique():
    for suite in SUITES:
        names = [case.name for case in suite.CASES]
        assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


@pytest.mark.parametrize("case", list(params()))
def test_peer_case(case):
    case.run()
