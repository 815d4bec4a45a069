"""Invariants of the engine over generated cases (hypothesis), and durable_rules against the
plain-Python reference."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings, strategies as st

from engine.core.durable_backend import _alternatives
from engine.core.profile import fields_read, periods_as_of
from models.actions import Status
from models.case import Case
from tests.reference import reference_applies
from tests.strategies import as_of_dates, cases

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONVERSATION_RULES = {"contact-course-4-conversations", "first-conversation-within-1-week",
                      "sygedagpenge-first-conversation-week-8", "dagpenge-joint-conversations",
                      "dagpenge-third-joint-conversation"}
RANK = {Status.open: 0, Status.overdue: 0, Status.met_late: 1, Status.exempt: 2, Status.met: 3}


def key(action):
    return (action.rule, action.benefit, action.anchor, action.progress.required)


@SETTINGS
@given(cases, as_of_dates)
def test_durable_rules_agrees_with_the_reference(engine, case, as_of):
    for period in periods_as_of(case, as_of):
        expected = {r.key for r in engine.ruleset.rules if reference_applies(r, case, period)}
        assert set(engine.applicable(case, period)) == expected


def test_a_profile_keeps_every_fact_durable_rules_reads(engine):
    """The profile drops the facts no rule for its benefit reads (engine/core/profile.py): every field a
    rule's durable_rules conditions name must be among those it keeps."""
    for rule in engine.ruleset.rules:
        for terms in _alternatives(rule):
            named = set()
            for term in terms:  # {"benefit": "kontanthjaelp"} or {"$gte": {"day_start": 737000}}
                (key, value), = term.items()
                named |= set(value) if isinstance(value, dict) else {key}
            assert named - {"t"} <= fields_read(rule), rule.key


@SETTINGS
@given(cases, as_of_dates)
def test_output_is_deterministic_and_event_order_does_not_matter(engine, case, as_of):
    first = engine.check(case, as_of).to_contract()
    assert engine.check(case, as_of).to_contract() == first
    reordered = case.model_copy(update={"events": list(reversed(case.events)),
                                        "assessments": list(reversed(case.assessments))})
    assert engine.check(reordered, as_of).to_contract() == first


@SETTINGS
@given(cases, as_of_dates, st.integers(0, 400), st.sampled_from(["individual", "joint", "visitation"]))
def test_adding_a_conversation_never_makes_a_conversation_duty_worse(engine, case, as_of, offset, kind):
    start = case.benefits[0].first_day
    extra = {"date": (start + timedelta(days=offset)).isoformat(), "type": "conversation", "kind": kind}
    more = Case.model_validate({**case.model_dump(mode="json"), "events": [*case.model_dump(mode="json")["events"], extra]})
    before = {key(a): a for a in engine.check(case, as_of).actions if a.rule in CONVERSATION_RULES}
    after = {key(a): a for a in engine.check(more, as_of).actions if a.rule in CONVERSATION_RULES}
    for k, old in before.items():
        assert k in after, f"{k} disappeared"
        new = after[k]
        assert new.progress.done >= old.progress.done
        assert RANK[new.status] >= RANK[old.status], (old.status, new.status)


@SETTINGS
@given(cases, as_of_dates, st.integers(1, 800))
def test_moving_the_as_of_date_forward_never_unmeets_a_duty(engine, case, as_of, forward):
    before = engine.check(case, as_of).actions
    after = {key(a): a for a in engine.check(case, as_of + timedelta(days=forward)).actions}
    for a in before:
        if a.status is Status.met:
            assert after[key(a)].status is Status.met
            assert after[key(a)].done_on == a.done_on


@SETTINGS
@given(cases, as_of_dates, st.integers(1, 60))
def test_what_happens_after_the_as_of_date_does_not_exist(engine, case, as_of, later):
    data = case.model_dump(mode="json")
    day = (as_of + timedelta(days=later)).isoformat()
    future = [{"date": day, "type": "conversation"}, {"date": day, "type": "offer", "offer": "nytteindsats"},
              {"date": day, "type": "literacy_test"}]
    exemptions = [{"kind": kind, "start": day} for kind in ("standby", "less_intensive", "ret_og_pligt_postponed")]
    assessments = [{"date": day, "category": "aktivitetsparat"}]
    with_future = Case.model_validate({**data, "events": data["events"] + future,
                                       "exemptions": data["exemptions"] + exemptions,
                                       "assessments": data["assessments"] + assessments})
    assert engine.check(with_future, as_of).to_contract() == engine.check(case, as_of).to_contract()


@SETTINGS
@given(cases, as_of_dates)
def test_actions_are_well_formed_and_sorted(engine, case, as_of):
    result = engine.check(case, as_of)
    for a in result.actions:
        assert 0 <= a.progress.done <= a.progress.required
        assert (a.status in (Status.met, Status.met_late)) == (a.done_on is not None)
        if a.status is Status.open:
            assert as_of <= a.due
        if a.status is Status.overdue:
            assert as_of > a.due
        if a.status is Status.met:
            assert a.done_on <= a.due
        if a.status is Status.met_late:
            assert a.done_on > a.due
        assert a.anchor <= as_of
    assert [x.sort_key() for x in result.actions] == sorted(x.sort_key() for x in result.actions)
