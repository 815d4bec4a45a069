"""The what-if evaluates only the rules a change touches and takes the other duties over from the
baseline: that must give exactly what a full evaluation under the candidate gives."""

from datetime import date
from pathlib import Path

import pytest

from engine.rulebook.overrides import load_rules
from engine.rulebook.ruleset import load_ruleset
from engine.batch.whatif import WhatIf, changed_rule_ids
from engine.io.loading import LoadedCase, read_cases

ROOT = Path(__file__).resolve().parent.parent
OVERRIDES = sorted((ROOT / "samples" / "overrides").glob("*.yaml"))
CASES = [x.case for x in read_cases([ROOT / "samples" / "caseload", ROOT / "samples" / "cases"])
         if isinstance(x, LoadedCase)]


@pytest.mark.parametrize("override", OVERRIDES, ids=[p.stem for p in OVERRIDES])
def test_partial_candidate_equals_full_candidate(override):
    baseline = load_ruleset()
    whatif = WhatIf(baseline, load_rules(override))
    for as_of in (date(2020, 6, 30), date(2021, 12, 31)):
        for case in CASES:
            base = whatif.baseline.check(case, as_of, explain_why=False, with_routing=whatif._routing)
            quick = whatif._candidate_quietly(case, as_of, "da", base)
            full = whatif.candidate.check(case, as_of, explain_why=False, with_routing=whatif._routing)
            assert quick.to_contract() == full.to_contract(), (override.stem, case.case_id, as_of)


def test_changed_rule_ids():
    baseline = load_ruleset()
    assert changed_rule_ids(baseline, baseline) == frozenset()
    six = load_rules(ROOT / "samples" / "overrides" / "six-conversations.yaml")
    assert changed_rule_ids(baseline, six) == {"contact-course-4-conversations"}
