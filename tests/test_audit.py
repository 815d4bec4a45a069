"""The batch audit on a small caseload whose figures are worked out by hand (tests/data/audit/, each
file says what happens to it), as of 2021-12-31.

Per case (status, days late):
  A1 kontanthjælp, nord/n1, jobparat: first conversation met, internship limit met, contact course
     met, ret og pligt met.
  A2 kontanthjælp, nord/n2, jobparat: first conversation met late (3), contact course met late (20),
     ret og pligt overdue (2021-08-01 → 152).
  A3 sygedagpenge, no team/caseworker/category: week-8 conversation met, contact course overdue
     (2021-07-04 → 180).
  A4 a-dagpenge from 2021-10-04, syd/s1: five open duties (two joint milestones, contact course,
     ret og pligt, third joint).
  A5 a-dagpenge, syd/s1, standby over 2021-07-04: standby lifts no a-dagpenge duty (001:4199-4203,
     issue #15.2): contact course overdue (180), ret og pligt overdue (180), 1st joint met, 2nd
     joint overdue (180), third joint open.
  A6 kontanthjælp since 2020-06-01, syd/s2, jobparat: first conversation met, contact course met,
     ret og pligt met late (45), wage-subsidy limit met.
  A7 kontanthjælp from 2021-04-06, syd/s1, jobparat, standby over 2021-10-06: first conversation
     met, contact course and ret og pligt exempt.
  bad.jsonl: one case with an unknown education (bad, counted, never stops the run).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from engine.batch.runner import AuditOptions, run_audit
from engine.batch.totals import median_of
from engine.io.sources import db_items, file_items
from engine.io.importer import import_paths
from engine.io.storage import db_url, iter_stored_json, open_db

DATA = Path(__file__).resolve().parent / "data" / "audit"
AS_OF = date(2021, 12, 31)
COURSE = "contact-course-4-conversations"
OFFER = "ret-og-pligt-offer-by-6-months"
FIRST = "first-conversation-within-1-week"
JOINT = "dagpenge-joint-conversations"


def counts(row: dict) -> tuple:
    return tuple(row[k] for k in ("population", "met", "met_late", "overdue", "open", "exempt"))


@pytest.fixture(scope="module")
def totals(engine):
    return run_audit(engine.ruleset, file_items([DATA]), AuditOptions(as_of=AS_OF), engine)


def test_cases_and_bad_cases_are_counted(totals):
    assert totals.cases == 7
    assert totals.bad == 1
    assert "bad.jsonl:1" in totals.bad_messages[0] and "education" in totals.bad_messages[0]


def test_counts_share_and_median_per_rule(totals):
    rules = {rule: tally.row() for rule, tally in totals.by_rule.items()}
    #                      population met late overdue open exempt
    assert counts(rules[FIRST]) == (4, 3, 1, 0, 0, 0)
    assert counts(rules[COURSE]) == (7, 2, 1, 2, 1, 1)
    assert counts(rules[OFFER]) == (6, 1, 1, 2, 1, 1)
    assert counts(rules[JOINT]) == (4, 1, 0, 1, 2, 0)
    assert counts(rules["dagpenge-third-joint-conversation"]) == (2, 0, 0, 0, 2, 0)
    assert counts(rules["sygedagpenge-first-conversation-week-8"]) == (1, 1, 0, 0, 0, 0)
    assert counts(rules["company-internship-duration-limit"]) == (1, 1, 0, 0, 0, 0)
    assert counts(rules["wage-subsidy-duration-limit"]) == (1, 1, 0, 0, 0, 0)
    assert sum(r["population"] for r in rules.values()) == 26
    # on-time share = met / (met + met late + overdue)
    assert rules[FIRST]["on_time_share"] == pytest.approx(3 / 4)
    assert rules[COURSE]["on_time_share"] == pytest.approx(2 / 5)
    assert rules[OFFER]["on_time_share"] == pytest.approx(1 / 4)
    assert rules["dagpenge-third-joint-conversation"]["on_time_share"] is None  # nothing decided yet
    # median days late over met-late and overdue duties
    assert rules[FIRST]["median_days_late"] == 3
    assert rules[COURSE]["median_days_late"] == 180  # 20, 180, 180
    assert rules[OFFER]["median_days_late"] == 152  # 45, 152, 180
    assert rules[JOINT]["median_days_late"] == 180


def test_counts_per_group(totals):
    def group(dim, rule, value):
        return counts(totals.groups[dim][(rule, value)].row())

    assert group("team", COURSE, "nord") == (2, 1, 1, 0, 0, 0)
    assert group("team", COURSE, "syd") == (4, 1, 0, 1, 1, 1)
    assert group("team", COURSE, "(none)") == (1, 0, 0, 1, 0, 0)
    assert totals.groups["team"][(COURSE, "nord")].median_days_late == 20
    assert group("caseworker", OFFER, "n1") == (1, 1, 0, 0, 0, 0)
    assert group("caseworker", OFFER, "n2") == (1, 0, 0, 1, 0, 0)
    assert group("caseworker", OFFER, "s1") == (3, 0, 0, 1, 1, 1)
    assert group("caseworker", OFFER, "s2") == (1, 0, 1, 0, 0, 0)
    assert group("category", FIRST, "jobparat") == (4, 3, 1, 0, 0, 0)
    assert group("category", COURSE, "(none)") == (3, 0, 0, 2, 1, 0)
    assert group("benefit", COURSE, "kontanthjaelp") == (4, 2, 1, 0, 0, 1)
    assert group("benefit", COURSE, "sygedagpenge") == (1, 0, 0, 1, 0, 0)
    assert group("benefit", JOINT, "a_dagpenge") == (4, 1, 0, 1, 2, 0)
    assert {value for (_, value) in totals.groups["team"]} == {"nord", "syd", "(none)"}


def test_star_early_effort_measure(totals):
    # cohort: A1, A2, A3, A5, A6 (A4 is under six months, A7's contact course is exempt)
    star = totals.star.row()
    assert (star["cohort"], star["four_conversations"], star["exempt"]) == (5, 2, 1)
    assert star["conversation_share"] == pytest.approx(0.4)
    # an offer is due for A1 (met), A2 (overdue), A5 (overdue) and A6 (met late); on time only A1
    assert (star["offer_required"], star["with_offer"]) == (4, 1)
    assert not star["conversation_flag"] and not star["offer_flag"]  # under 80 %, but a population under 10
    by_team = {team: t.row() for team, t in totals.star_by_team.items()}
    assert (by_team["nord"]["cohort"], by_team["nord"]["four_conversations"]) == (2, 1)
    assert (by_team["syd"]["cohort"], by_team["syd"]["exempt"], by_team["syd"]["offer_required"]) == (2, 1, 2)
    assert (by_team["(none)"]["cohort"], by_team["(none)"]["offer_required"]) == (1, 0)


def test_star_flags_below_80_percent_from_a_population_of_ten():
    from engine.batch.totals import StarTally
    assert StarTally.below(0.79, 10) and not StarTally.below(0.8, 10) and not StarTally.below(0.5, 9)


def test_passivity(totals):
    # six months: A1, A2, A3, A5, A6, A7 on benefit since 2021-06-30 or earlier; only A1 had an
    # offer running after that (A6's mentor support does not count)
    p = totals.passivity.row()
    assert (p["population_6m"], p["passive_6m"]) == (6, 5)
    # twelve months: only A6, whose løntilskud ran in January-March 2021
    assert (p["population_12m"], p["passive_12m"]) == (1, 0)
    syd = totals.passivity_by_team["syd"].row()
    assert (syd["population_6m"], syd["passive_6m"], syd["population_12m"]) == (3, 3, 1)


def test_overdue_list_most_days_first_with_reasons(totals):
    assert totals.overdue_count == 5
    listed = [(d.case_id, d.rule, d.days_overdue) for d in totals.overdue_list()]
    # ties: case id, then rule id, descending
    assert listed == [("AUD-A5", OFFER, 180), ("AUD-A5", JOINT, 180), ("AUD-A5", COURSE, 180),
                      ("AUD-A3", COURSE, 180), ("AUD-A2", OFFER, 152)]
    a2 = totals.overdue_list()[4]
    assert a2.team == "nord" and a2.caseworker == "n2" and a2.due == date(2021, 8, 1)
    assert "152" in a2.why  # the engine's own reason, e.g. "152 dage over fristen"


def test_top_list_is_bounded(engine):
    small = run_audit(engine.ruleset, file_items([DATA]), AuditOptions(as_of=AS_OF, top_limit=2), engine)
    assert small.overdue_count == 5 and len(small.overdue_list()) == 2


def test_full_overdue_list_and_rows_go_to_callbacks(engine):
    overdue, rows = [], []
    run_audit(engine.ruleset, file_items([DATA]),
              AuditOptions(as_of=AS_OF, on_overdue=overdue.extend, on_rows=rows.extend, chunk_size=2), engine)
    assert sorted(r["case_id"] for r in overdue) == ["AUD-A2", "AUD-A3", "AUD-A5", "AUD-A5", "AUD-A5"]
    assert len(rows) == 26
    a2 = [r for r in rows if r["case_id"] == "AUD-A2" and r["rule"] == OFFER][0]
    assert (a2["status"], a2["days_late"], a2["team"], a2["category"]) == ("overdue", 152, "nord", "jobparat")


def test_two_workers_give_the_same_figures(engine, totals):
    parallel = run_audit(engine.ruleset, file_items([DATA]), AuditOptions(as_of=AS_OF, workers=2, chunk_size=2))
    assert parallel.comparable() == totals.comparable()
    assert parallel.bad_messages == totals.bad_messages
    assert parallel.max_live_sessions == 1


def test_audit_over_the_database_equals_audit_over_the_files(tmp_path, engine, totals):
    db = open_db(db_url(str(tmp_path / "audit.sqlite")))
    import_paths(db, [DATA])
    from_db = run_audit(engine.ruleset, db_items(iter_stored_json(db)), AuditOptions(as_of=AS_OF), engine)
    expected = totals.comparable()
    got = from_db.comparable()
    assert (expected.pop("bad"), got.pop("bad")) == (1, 0)  # the bad case was rejected by the import
    assert got == expected


def test_exact_median_from_counts():
    assert median_of(Counter()) is None
    assert median_of(Counter({5: 1})) == 5
    assert median_of(Counter({1: 1, 10: 1})) == 5.5
    assert median_of(Counter({1: 2, 7: 1, 100: 1})) == 4  # 1 1 7 100
    assert median_of(Counter({3: 3, 9: 1})) == 3


def test_a_case_the_engine_cannot_evaluate_is_reported_and_the_run_goes_on(engine, monkeypatch):
    duties = engine.quiet_duties  # what the audit calls

    def failing_on_a3(case, *args, **kwargs):
        if case.case_id == "AUD-A3":
            raise ValueError("impossible period")
        return duties(case, *args, **kwargs)

    monkeypatch.setattr(engine, "quiet_duties", failing_on_a3)
    done = []
    totals = run_audit(engine.ruleset, file_items([DATA]), AuditOptions(as_of=AS_OF, chunk_size=3,
                                                                       on_progress=done.append), engine)
    assert (totals.cases, totals.bad) == (6, 2)
    assert any("a3-sygedagpenge.yaml" in m and "cannot be evaluated: ValueError: impossible period" in m
               for m in totals.bad_messages)
    assert sum(done) == 8  # progress counts every input item, good or bad


def test_the_top_list_reasons_built_at_the_end_are_the_engines_own(engine):
    """The top list explains its duties once, at the end (engine/batch/fold.py ``_explain_top``): each
    listed duty carries the same reason as in the full overdue list, which explains every duty as it
    goes, in one process and in two (a generated caseload large enough to prune the waiting cases)."""
    import json

    from engine.io.generate import generate_cases

    items = [("json", f"generated:{n}", json.dumps(c)) for n, c in enumerate(generate_cases(600, 7, AS_OF))]
    full: list[dict] = []
    every = run_audit(engine.ruleset, iter(items), AuditOptions(as_of=AS_OF, on_overdue=full.extend), engine)
    reason = {(r["case_id"], r["rule"], r["due"]): r["why"] for r in full}
    for workers in (1, 2):
        top = run_audit(engine.ruleset, iter(items), AuditOptions(as_of=AS_OF, top_limit=5, workers=workers,
                                                                   chunk_size=50), engine)
        listed = top.overdue_list()
        assert len(listed) == 5 and top.overdue_count == every.overdue_count > 20
        assert [d.row() for d in listed] == [d.row() for d in every.overdue_list()[:5]]
        for duty in listed:
            assert duty.why and duty.why == reason[(duty.case_id, duty.rule, duty.due.isoformat())]


def test_decoding_in_groups_changes_no_figure_and_no_position(engine, monkeypatch):
    """The audit decodes a few cases before it checks them (engine/batch/runner.py ``DECODE_GROUP``): the
    figures, the rows and the bad cases' positions are those of decoding one case at a time, with
    bad lines and other items on either side of a group's edge."""
    import json

    from engine.batch import runner as audit
    from engine.io.generate import generate_cases

    items = [("json", f"generated:{n}", json.dumps(c)) for n, c in enumerate(generate_cases(40, 3, AS_OF))]
    items[15:15] = [("json", "broken:1", "{not json")]  # the last item of the first group of sixteen
    items[16:16] = [("error", "missing.jsonl", "(file): no such file or directory")]  # the first of the second
    items.append(("json", "broken:2", '{"case_id": "X"}'))
    items[20:20] = list(file_items([DATA / "bad.jsonl"]))

    def audited(group: int):
        monkeypatch.setattr(audit, "DECODE_GROUP", group)
        rows: list[dict] = []
        totals = run_audit(engine.ruleset, iter(items), AuditOptions(as_of=AS_OF, chunk_size=25, on_rows=rows.extend),
                           engine)
        return totals.comparable(), totals.bad_first, rows

    one_at_a_time = audited(1)
    assert one_at_a_time[0]["cases"] == 40 and one_at_a_time[0]["bad"] == 4
    assert [position for position, _ in one_at_a_time[1]] == [15, 16, 20, 43]
    for group in (3, 16, 64):
        assert audited(group) == one_at_a_time
