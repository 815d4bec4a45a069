"""Routing invariants over generated cases (hypothesis): one benefit route and one valid category
set for every case, decided only by what the routing rules look at."""

from datetime import date

from hypothesis import HealthCheck, given, settings, strategies as st

from engine.core.dates import age_on
from engine.core.routing import CASH_BENEFITS
from tests.strategies import as_of_dates, cases

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
YOUTH = ["aabenlyst_uddannelsesparat", "uddannelsesparat", "aktivitetsparat"]
ADULT = ["jobparat", "aktivitetsparat"]
REFORM = date(2014, 1, 1)


def _routing(engine, case, as_of):
    result = engine.check(case, as_of)
    started = [b for b in case.benefits if b.first_day <= as_of]
    assert (result.routing is None) == (not started)
    return result.routing


@SETTINGS
@given(cases, as_of_dates)
def test_every_case_gets_exactly_one_benefit_route_and_one_valid_category_set(engine, case, as_of):
    routing = _routing(engine, case, as_of)
    if routing is None:
        return
    aspects = [d.aspect for d in routing.decisions]
    assert len(aspects) == len(set(aspects)), "an aspect was decided twice"
    assert aspects.count("benefit_route") == 1 and aspects.count("categories") == 1
    cash = routing.benefit in CASH_BENEFITS
    if cash:
        assert routing.benefit_route in CASH_BENEFITS
        if routing.decided_on >= REFORM:
            assert routing.categories in (YOUTH, ADULT)
            assert (routing.categories == YOUTH) == (routing.benefit_route == "uddannelseshjaelp")
            assert routing.track == ("education" if routing.categories == YOUTH else "job")
        else:
            assert routing.benefit_route == "kontanthjaelp" and routing.categories == []
        assert routing.rate in ("youth", "adult")
    else:
        # integrationsydelse recipients are assessed jobparat or aktivitetsparat (issue #15.7,
        # 004:363-364, 001:3798-3800); the other benefits have no visitation categories
        assigned = ADULT if routing.benefit == "integrationsydelse" and routing.decided_on >= REFORM else []
        assert routing.benefit_route == routing.benefit and routing.categories == assigned
        assert routing.rate is None
    assert routing.benefit_matches_route == (routing.benefit_route == routing.benefit)
    if routing.current_category is None:
        assert routing.category_valid is None
    else:
        assert routing.category_valid == (routing.current_category in routing.categories)


@SETTINGS
@given(cases, as_of_dates)
def test_the_2014_route_follows_age_and_education(engine, case, as_of):
    routing = _routing(engine, case, as_of)
    if routing is None or routing.benefit not in CASH_BENEFITS or routing.decided_on < REFORM:
        return
    age = age_on(case.citizen.birth_date, routing.decided_on)  # A22: the age on the decision date
    assert routing.age == age
    without = case.citizen.education.value != "erhvervskompetencegivende"
    assert (routing.benefit_route == "uddannelseshjaelp") == (age < 30 and without)
    assert (routing.rate == "youth") == (age < 30)


@SETTINGS
@given(cases, as_of_dates)
def test_distance_follows_the_category_for_cash_benefits(engine, case, as_of):
    routing = _routing(engine, case, as_of)
    if routing is None or routing.benefit not in CASH_BENEFITS or routing.decided_on < REFORM:
        return
    expected = {None: None, "aktivitetsparat": "far"}.get(routing.current_category, "close")
    assert routing.labour_market_distance == expected


@SETTINGS
@given(cases, as_of_dates, st.sampled_from(["FOA", "Min a-kasse", "HK", None]))
def test_the_akasse_trial_is_decided_for_a_dagpenge_only(engine, case, as_of, akasse):
    citizen = case.citizen.model_copy(update={"akasse": akasse})
    routing = _routing(engine, case.model_copy(update={"citizen": citizen}), as_of)
    if routing is None:
        return
    if routing.benefit != "a_dagpenge":
        assert routing.akasse_trial is None
        return
    assert routing.akasse_trial in ("akasse", "jobcenter")
    if routing.akasse_trial == "akasse":
        assert akasse in ("FOA", "Min a-kasse")
        assert date(2020, 1, 1) <= routing.period_start <= date(2023, 12, 31)
