"""The rule-file side of the requirement kinds and the routing tables: every citation quotes its
seed, the schema refuses a kind without its parameters, and a scenario catches a wrong routing."""

from datetime import date

import pytest
from pydantic import ValidationError

from engine.rulebook.citations import check_citations, find_seeds
from engine.rulebook.ruleset import DEFAULT_RULES_DIR, load_ruleset
from engine.batch.scenarios import Expectation, Scenario, ScenarioSpec, run_scenario
from models.case import Case
from models.rules import Rule, RoutingRule


def test_every_citation_quotes_its_seed_lines():
    seeds = find_seeds()
    if seeds is None:
        pytest.skip("the seeds (shared/seeds) are not next to this checkout")
    assert check_citations(DEFAULT_RULES_DIR, seeds) == []


BASE = {
    "id": "x-rule", "title": {"da": "x", "en": "x"}, "valid": {"from": "2014-01-01", "regime": "T"},
    "applies_to": {"benefits": ["kontanthjaelp"]}, "anchor": {"from": "contact"},
    "counts": [{"type": "offer"}], "counts_label": {"da": "x", "en": "x"},
    "source": {"file": "003_a58a8433921039c8.txt", "lines": "1-2", "quote": "abc"},
}


@pytest.mark.parametrize("kind, part", [("deadline", "milestones"), ("max_gap", "max_gap"),
                                        ("cadence", "cadence"), ("offer_limit", "limits")])
def test_a_kind_without_its_parameters_is_refused(kind, part):
    with pytest.raises(ValidationError, match=f"needs '{part}'"):
        Rule.model_validate({**BASE, "kind": kind})


def test_parameters_of_another_kind_are_refused():
    with pytest.raises(ValidationError, match="belongs to kind 'cadence'"):
        Rule.model_validate({**BASE, "milestones": [{"count": 1, "after": {"days": 7}}],
                             "cadence": {"every": {"months": 2}, "count": 1}})


def test_a_routing_value_outside_its_aspect_is_refused():
    with pytest.raises(ValidationError, match="track cannot be kontanthjaelp"):
        RoutingRule.model_validate({"id": "r", "decide": "track", "value": "kontanthjaelp",
                                    "valid": {"from": "2014-01-01", "regime": "T"}, "why": {"da": "x", "en": "x"},
                                    "source": BASE["source"]})


def test_a_wrong_routing_expectation_is_reported(engine):
    case = Case.model_validate({"case_id": "K-1", "citizen": {"birth_date": "1990-01-01", "education": "none"},
                                "benefits": [{"type": "uddannelseshjaelp", "start": "2015-01-05"}]})
    spec = ScenarioSpec(name="wrong", as_of="2015-02-01", case={},
                        expect=Expectation(exhaustive=False, routing={"benefit_route": "kontanthjaelp", "rate": "youth"}))
    outcome = run_scenario(engine, Scenario("test", spec, case))
    assert outcome.problems == ["routing.benefit_route: expected kontanthjaelp, got uddannelseshjaelp"]


def test_the_coverage_table_names_only_existing_rules_and_every_catalogue_rule():
    from engine.rulebook.coverage import DEFAULT_CATALOGUES, check_coverage, load_coverage

    ruleset = load_ruleset()
    report = check_coverage(load_coverage(), ruleset, DEFAULT_CATALOGUES if DEFAULT_CATALOGUES.is_dir() else None)
    assert report.problems == []
    encoded = {r for _, e in report.rows() for r in e.rules}
    assert {"youth-max-4-weeks-between-offers", "aktivitetsparat-youth-conversation-every-2-months",
            "company-internship-duration-limit", "kontanthjaelp-cv-on-jobnet-within-3-weeks"} <= encoded


def test_the_coverage_check_reports_a_rule_the_rule_set_lacks():
    from engine.rulebook.coverage import Catalogue, Coverage, Entry, check_coverage

    coverage = Coverage(reasons={"financing": "x"}, catalogues=[Catalogue(file="none.md", entries=[
        Entry(id="a", status="encoded", rules=["no-such-rule"]),
        Entry(id="b", status="not_encoded", reason="unheard-of")])])
    problems = check_coverage(coverage, load_ruleset(), None).problems
    assert any("no rule 'no-such-rule'" in p for p in problems)
    assert any("unknown reason 'unheard-of'" in p for p in problems)


def test_a_new_rule_of_an_existing_kind_needs_only_data():
    """A cadence rule written only as data (here: a conversation every fourth week on sygedagpenge)
    is selected by durable_rules and evaluated by the cadence kind without any engine change."""
    from engine.core.check import Engine
    from engine.rulebook.ruleset import ruleset_from_rules

    base = load_ruleset()
    extra = Rule.model_validate({
        **BASE, "id": "sygedagpenge-conversation-every-4-weeks", "kind": "cadence",
        "valid": {"from": "2015-01-01", "to": "2019-12-31", "regime": "T"},
        "applies_to": {"benefits": ["sygedagpenge"]}, "anchor": {"from": "first_sick_day"},
        "cadence": {"start": {"weeks": 8}, "every": {"weeks": 4}, "count": 1},
        "counts": [{"type": "conversation", "where": {"by": "jobcenter"}}],
    })
    engine = Engine(ruleset_from_rules("t", "1", (*base.rules, extra), routing=base.routing))
    case = Case.model_validate({
        "case_id": "K-2", "citizen": {"birth_date": "1980-01-01", "education": "none"},
        "benefits": [{"type": "sygedagpenge", "start": "2016-01-18", "first_sick_day": "2016-01-04"}],
        "events": [{"date": "2016-03-10", "type": "conversation"}]})
    actions = [a for a in engine.check(case, date(2016, 4, 20)).actions if a.rule == extra.id]
    assert [(str(a.anchor), str(a.due), a.status.value) for a in actions] == [
        ("2016-02-29", "2016-03-28", "met"), ("2016-03-28", "2016-04-25", "open")]


# --- issue 15.5 and 15.11: what check notes and the audit counts (LEGAL) ---------------------------

def _case(benefit: dict, case_id: str = "N-1") -> Case:
    return Case.model_validate({"case_id": case_id, "citizen": {"birth_date": "1980-05-01",
                                "education": "erhvervskompetencegivende"}, "benefits": [benefit]})


UNCOVERED = {"type": "sygedagpenge", "start": "2019-05-06", "first_sick_day": "2019-04-29"}
COVERED = {"type": "sygedagpenge", "start": "2019-11-04", "first_sick_day": "2019-10-28"}


def test_check_notes_a_period_the_regime_change_left_without_a_duty(engine):
    result = engine.check(_case(UNCOVERED), date(2020, 3, 1), "en")
    assert [(n.code, n.date, n.benefit, n.period_start) for n in result.notes] == \
        [("uncovered_by_regime_change", date(2020, 1, 1), "sygedagpenge", date(2019, 5, 6))]
    assert "regime change on 2020-01-01" in result.notes[0].text
    assert result.to_contract()["notes"][0]["code"] == "uncovered_by_regime_change"
    # the contact course counted from 2019-11-04 falls due 2020-05-04, under the new law: covered
    covered = engine.check(_case(COVERED), date(2020, 3, 1), "en")
    assert covered.notes == [] and "notes" not in covered.to_contract()
    # a period that started after the change, or one evaluated before it, is not noted
    assert engine.check(_case(UNCOVERED), date(2019, 12, 31), "en").notes == []


def test_check_says_when_the_as_of_date_is_past_the_law_the_rules_know(engine):
    assert engine.ruleset.known_through == date(2021, 12, 31)
    later = engine.check(_case(COVERED), date(2026, 3, 1), "da")
    assert [n.code for n in later.notes] == ["beyond_known_law"]
    assert "2021-12-31" in later.notes[0].text
    assert engine.check(_case(COVERED), date(2021, 12, 31), "da").notes == []


def test_the_audit_counts_uncovered_periods(engine):
    from engine.batch.fold import Auditor
    from engine.io.loading import LoadedCase

    auditor = Auditor(engine, date(2020, 3, 1))
    for n, benefit in enumerate((UNCOVERED, COVERED, UNCOVERED)):
        auditor.add(LoadedCase("t", _case(benefit, f"N-{n}")))
    totals = auditor.finish()
    assert totals.uncovered == 2 and totals.comparable()["uncovered"] == 2


def test_every_second_month_is_a_maximum_gap_and_the_fixed_reading_an_override(engine):
    """Issue 15.6: a conversation on 03-10 moves the next window to (03-10, 05-10]: overdue on
    06-01. The fixed windows (samples/overrides/fixed-cadences.yaml) would allow 03-10 to 06-05."""
    from engine.core.check import Engine
    from engine.rulebook.overrides import load_rules
    from pathlib import Path

    case = Case.model_validate({
        "case_id": "ROLL", "citizen": {"birth_date": "1995-06-01", "education": "grundskole"},
        "benefits": [{"type": "uddannelseshjaelp", "start": "2015-02-02"}],
        "assessments": [{"date": "2015-02-05", "category": "aktivitetsparat"}],
        "events": [{"date": "2015-02-05", "type": "conversation", "kind": "visitation"},
                   {"date": "2015-03-10", "type": "conversation"}]})

    def windows(e):
        return sorted((a.anchor, a.due, a.status.value) for a in e.check(case, date(2015, 6, 1), "en").actions
                      if a.rule == "aktivitetsparat-youth-conversation-every-2-months")

    assert windows(engine) == [(date(2015, 2, 5), date(2015, 4, 5), "met"),
                               (date(2015, 3, 10), date(2015, 5, 10), "overdue"),
                               (date(2015, 5, 10), date(2015, 7, 10), "open")]
    fixed = Engine(load_rules(Path(DEFAULT_RULES_DIR).parent / "samples" / "overrides" / "fixed-cadences.yaml"))
    assert windows(fixed) == [(date(2015, 2, 5), date(2015, 4, 5), "met"),
                              (date(2015, 4, 5), date(2015, 6, 5), "open")]


def test_explain_says_where_month_end_clipping_or_the_29_february_reading_decided(engine):
    """Issue 15.9: the rounding that decided a date is a why-line (and a trace step)."""
    from engine.io.loading import LoadedCase, read_cases
    from pathlib import Path

    sample = Path(DEFAULT_RULES_DIR).parent / "samples" / "cases" / "a-dagpenge-month-end-2021.yaml"
    [loaded] = [x for x in read_cases([sample]) if isinstance(x, LoadedCase)]
    actions = engine.check(loaded.case, date(2021, 12, 31), "en", trace=True).actions
    clipped = [a for a in actions if any(s["step"] == "clipped" for s in a.trace)]
    assert clipped and any("has no day 31: the month's last day" in line for a in clipped for line in a.why)
    leap = Case.model_validate({"case_id": "LEAP", "citizen": {"birth_date": "1996-02-29", "education": "grundskole"},
                                "benefits": [{"type": "a_dagpenge", "start": "2021-02-28"}]})
    [order] = [a for a in engine.check(leap, date(2021, 3, 20), "en").actions if a.rule == "education-order"]
    assert "born 29 February: in a common year the birthday is 1 March, so on 2021-02-28 the age is 24" in order.why


def test_an_offer_the_matrix_does_not_allow_is_noted_and_counted(engine):
    """Issue 15.8: løntilskud to an åbenlyst uddannelsesparat young person (the blank cell of the
    youth offer matrix, 003:3940) is a check note and an audit figure, not a duty."""
    from engine.batch.fold import Auditor
    from engine.io.loading import LoadedCase

    def case(category):
        return Case.model_validate({
            "case_id": f"M-{category}", "citizen": {"birth_date": "1996-06-01", "education": "ungdomsuddannelse"},
            "benefits": [{"type": "uddannelseshjaelp", "start": "2021-02-01"}],
            "assessments": [{"date": "2021-02-03", "category": category}],
            "events": [{"date": "2021-02-20", "type": "offer", "offer": "loentilskud", "end": "2021-05-20",
                        "employer": "private"}]})

    flagged = engine.check(case("aabenlyst_uddannelsesparat"), date(2021, 4, 1), "en")
    assert [(n.code, n.date) for n in flagged.notes] == [("offer_not_available", date(2021, 2, 20))]
    assert "003_a58a8433921039c8.txt:3940" in flagged.notes[0].text
    assert engine.check(case("aktivitetsparat"), date(2021, 4, 1), "en").notes == []
    auditor = Auditor(engine, date(2021, 4, 1))
    auditor.add(LoadedCase("t", case("aabenlyst_uddannelsesparat")))
    auditor.add(LoadedCase("t", case("uddannelsesparat")))
    assert auditor.finish().offers_not_available == 1
