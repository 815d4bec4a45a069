"""Actionable duties and one definition of days overdue (issue 13.5), checked by hand on six cases.

Two bundled rules, alone in a rule set so every count below is the whole audit: the first
conversation within one week of first contact (LAB2020; a deadline) and nytteindsats of at most
13 weeks (an offer limit: due on start + 13 weeks − 1 day). As of 2021-06-30:

case     benefit period              first conversation          nytteindsats
NOW      2021-05-03 –                due 05-10, overdue 51 days  —
MISSED   2021-01-04 – 2021-02-15     due 01-11, overdue 35 days   —
                                     when the period ended (170 to the as-of date)
LASTDAY  2021-06-01 – 2021-06-30     due 06-08, overdue 22 days;  —
                                     the period runs today: actionable
LIMIT    2021-01-04 – 2021-03-31     met 01-05                   from 03-01, no end: due 05-30,
                                                                 overdue; the period ended before
                                                                 the limit passed: 0 days (not −60)
OPEN     2021-06-28 –                due 07-05, open             —
MET      2021-03-01 –                met 03-03                   —
"""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from engine.batch.fold import Auditor, days_late
from engine.core.check import Engine
from engine.core.duty import days_overdue
from engine.io.loading import LoadedCase
from engine.rulebook.ruleset import DEFAULT_RULES_DIR, load_ruleset
from models.case import Case

AS_OF = date(2021, 6, 30)
FIRST, LIMIT = "first-conversation-within-1-week", "nytteindsats-max-13-weeks"


def _case(case_id: str, start: str, end: str | None = None, events: tuple = ()) -> Case:
    benefit = {"type": "kontanthjaelp", "start": start, **({"end": end} if end else {})}
    return Case.model_validate({"case_id": case_id, "citizen": {"birth_date": "1980-05-05", "education": "none"},
                                "benefits": [benefit], "events": list(events)})


CASES = [
    _case("NOW", "2021-05-03"),
    _case("MISSED", "2021-01-04", "2021-02-15"),
    _case("LASTDAY", "2021-06-01", "2021-06-30"),
    _case("LIMIT", "2021-01-04", "2021-03-31", ({"type": "conversation", "date": "2021-01-05"},
                                                {"type": "offer", "offer": "nytteindsats", "date": "2021-03-01"})),
    _case("OPEN", "2021-06-28"),
    _case("MET", "2021-03-01", events=({"type": "conversation", "date": "2021-03-03"},)),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    rules = tmp_path_factory.mktemp("rules")
    (rules / "ruleset.yaml").write_text("name: two-rules\nversion: '1'\n", encoding="utf-8")
    for name, rule_id, variant in (("first-conversation", FIRST, "lab2020"), ("offer-limits", LIMIT, None)):
        family = yaml.safe_load((DEFAULT_RULES_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
        family["rules"] = [r for r in family["rules"] if r["id"] == rule_id and r.get("variant") == variant]
        assert len(family["rules"]) == 1
        (rules / f"{name}.yaml").write_text(yaml.safe_dump(family, allow_unicode=True), encoding="utf-8")
    return Engine(load_ruleset(rules))


def _actions(engine, case_id: str) -> dict:
    [case] = [c for c in CASES if c.case_id == case_id]
    return {a.rule: a for a in engine.check(case, AS_OF, "en").actions}


def test_check_says_whether_each_duty_can_still_be_done(engine):
    now = _actions(engine, "NOW")[FIRST]
    assert (now.status.value, now.actionable, now.period_end) == ("overdue", True, None)
    assert now.why[-1] == "51 days overdue"
    missed = _actions(engine, "MISSED")[FIRST]
    assert (missed.status.value, missed.actionable, missed.period_end) == ("overdue", False, date(2021, 2, 15))
    assert missed.why[-1] == "35 days overdue when the benefit period ended on 2021-02-15"
    last_day = _actions(engine, "LASTDAY")[FIRST]
    assert (last_day.status.value, last_day.actionable, last_day.period_end) == ("overdue", True, date(2021, 6, 30))
    assert last_day.why[-1] == "22 days overdue"
    limit = _actions(engine, "LIMIT")
    assert (limit[FIRST].status.value, limit[FIRST].actionable, limit[FIRST].period_end) == \
        ("met", None, date(2021, 3, 31))
    assert (limit[LIMIT].status.value, limit[LIMIT].due, limit[LIMIT].actionable) == ("overdue", date(2021, 5, 30), False)
    assert limit[LIMIT].why[-1] == "0 days overdue when the benefit period ended on 2021-03-31"
    opened = _actions(engine, "OPEN")[FIRST]
    assert (opened.status.value, opened.actionable) == ("open", True)
    met = _actions(engine, "MET")[FIRST]
    assert (met.status.value, met.actionable, met.period_end) == ("met", None, None)
    # the contract's JSON leaves the extensions out where they say nothing
    assert "actionable" not in met.model_dump(mode="json", exclude_none=True)


def test_days_overdue_is_one_definition_and_never_negative(engine):
    days = {}
    for case in CASES:
        for duty in engine.duties(case, AS_OF):
            days[(case.case_id, duty.rule)] = (days_overdue(duty, AS_OF), days_late(duty, AS_OF))
    assert days == {("NOW", FIRST): (51, 51), ("MISSED", FIRST): (35, 35), ("LASTDAY", FIRST): (22, 22),
                    ("LIMIT", FIRST): (0, None), ("LIMIT", LIMIT): (0, 0), ("OPEN", FIRST): (0, None),
                    ("MET", FIRST): (0, None)}


def _audit(engine, keep_overdue: bool):
    auditor = Auditor(engine, AS_OF, "en", keep_overdue=keep_overdue)
    for position, case in enumerate(CASES):
        auditor.add(LoadedCase(case.case_id, case), position)
    totals = auditor.finish()
    return totals, auditor.take_rows()[1]


def test_the_audit_counts_overdue_now_apart_from_missed(engine):
    totals, _ = _audit(engine, keep_overdue=False)
    first, limit = totals.by_rule[FIRST], totals.by_rule[LIMIT]
    assert first.counts == {"met": 2, "met_late": 0, "overdue": 3, "open": 1, "exempt": 0}
    assert (first.overdue_now, first.missed, first.median_days_late) == (2, 1, 35)
    assert (limit.population, limit.overdue, limit.overdue_now, limit.missed, limit.median_days_late) == (1, 1, 0, 1, 0)
    assert {k: first.row()[k] for k in ("overdue", "overdue_now", "missed")} == {"overdue": 3, "overdue_now": 2, "missed": 1}
    assert (totals.overdue_count, totals.missed_count) == (2, 2)
    # the most overdue: what can still be done, most days first, each with its reason
    assert [(d.case_id, d.days_overdue, d.actionable, d.why.split("; ")[-1]) for d in totals.overdue_list()] == [
        ("NOW", 51, True, "51 days overdue"), ("LASTDAY", 22, True, "22 days overdue")]
    assert totals.groups["team"][(FIRST, "(none)")].missed == 1
    assert totals.comparable()["missed_count"] == 2


def test_the_overdue_csv_lists_every_overdue_duty_with_days_its_reason_agrees_with(engine):
    totals, rows = _audit(engine, keep_overdue=True)
    assert (totals.overdue_count, totals.missed_count) == (2, 2)
    got = sorted((r["case_id"], r["rule"], r["days_overdue"], r["actionable"], r["period_end"], r["why"].split("; ")[-1])
                 for r in rows)
    assert got == [
        ("LASTDAY", FIRST, 22, True, "2021-06-30", "22 days overdue"),
        ("LIMIT", LIMIT, 0, False, "2021-03-31", "0 days overdue when the benefit period ended on 2021-03-31"),
        ("MISSED", FIRST, 35, False, "2021-02-15", "35 days overdue when the benefit period ended on 2021-02-15"),
        ("NOW", FIRST, 51, True, None, "51 days overdue"),
    ]
