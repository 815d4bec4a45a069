"""Audit readings fixed after review: lateness stops at the end of the duty's benefit period, an
offer with no end is running, the category in force ignores input order, variants share a title,
STAR and passivmåling count the same citizens as six months on their benefit."""

from datetime import date
from typing import Optional

from engine.batch.fold import Auditor, _last_active_day, category_on, days_late
from engine.report import titles_of
from engine.rulebook.ruleset import load_ruleset
from models.case import Case, Offer


def case(**extra) -> Case:
    return Case.model_validate({
        "case_id": "AUD-R1",
        "citizen": {"birth_date": "1980-01-01", "education": "none"},
        "benefits": [{"type": "kontanthjaelp", "start": "2021-01-04", "end": "2021-08-31"}],
        **extra,
    })


def test_an_overdue_duty_is_late_until_its_period_ended_not_until_today(engine):
    c = case()
    duties = engine.duties(c, date(2022, 12, 31))
    course = next(d for d in duties if d.rule == "contact-course-4-conversations")
    assert course.status.value == "overdue" and course.due == date(2021, 7, 4)
    assert days_late(course, date(2022, 12, 31)) == (date(2021, 8, 31) - date(2021, 7, 4)).days
    assert days_late(course, date(2021, 8, 1)) == 28  # still running on the as-of date


def test_an_offer_with_no_end_is_running_and_mentor_is_not_active():
    def offer(kind: str, start: str, end: Optional[str] = None) -> Offer:
        return Offer.model_validate({"type": "offer", "date": start, "offer": kind, "end": end})

    as_of = date(2021, 12, 31)
    assert _last_active_day([offer("nytteindsats", "2021-01-10")], as_of) == as_of  # still running
    assert _last_active_day([offer("mentor", "2021-11-01")], as_of) is None  # mentor is not active
    assert _last_active_day([offer("virksomhedspraktik", "2022-01-03")], as_of) is None  # not started yet
    assert _last_active_day([offer("virksomhedspraktik", "2021-03-01", "2021-03-28"),
                             offer("loentilskud", "2021-02-01", "2021-05-31")], as_of) == date(2021, 5, 31)


def test_the_category_in_force_does_not_depend_on_input_order():
    a = [{"date": "2021-01-05", "category": "jobparat"}, {"date": "2021-01-05", "category": "aktivitetsparat"}]
    assert category_on(case(assessments=a), date(2021, 2, 1)) == category_on(case(assessments=a[::-1]), date(2021, 2, 1))


def test_variants_share_one_title_marked_as_covering_them_all():
    titles = titles_of(load_ruleset())
    assert titles["education-order"]["en"].endswith("(all variants)")
    assert titles["contact-course-4-conversations"]["en"] == "Four conversations in the first six months"


def test_star_and_passivity_agree_on_who_is_six_months_on_benefit_at_a_month_end(engine):
    """Started 31 August: six months on as of 28 February by the contract's month arithmetic
    (31 August + 6 months = 28 February), though 28 February − 6 months is 28 August. STAR's cohort
    and passivmåling's population both count the citizen; a day earlier, neither does."""
    started = Case.model_validate({
        "case_id": "AUD-R2",
        "citizen": {"birth_date": "1980-01-01", "education": "none", "team": "syd"},
        "benefits": [{"type": "kontanthjaelp", "start": "2020-08-31"}],
    })
    for as_of, counted in ((date(2021, 2, 28), 1), (date(2021, 2, 27), 0)):
        auditor = Auditor(engine, as_of)
        auditor.fold(started, engine.duties(started, as_of))
        totals = auditor.finish()
        assert totals.star.cohort == counted, as_of
        assert totals.passivity.population[6] == counted, as_of
        assert totals.passivity.passive[6] == counted, as_of  # no offer at all: passive
