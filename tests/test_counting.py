"""The counting filters engine/core/duty.py compiles from a rule's ``counts`` pick exactly the events the
plain reading (models.rules.spec_accepts: any match accepts the event) picks, in date order, for
every list of matches in the rule book and for generated ones of every shape the filters unroll."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core.duty import _selector, counting_of, dates_counted, events_counted
from engine.core.profile import periods_as_of
from engine.rulebook.ruleset import load_ruleset
from models.case import Case
from models.rules import EVENT_FIELDS, EventMatch, spec_accepts
from tests.strategies import case_dicts

AS_OF = date(2022, 6, 30)


def _rule_book_matches() -> list[list[EventMatch]]:
    out = []
    for rule in load_ruleset().rules:
        out.append(rule.counts)
        if rule.max_gap is not None:
            out.append(rule.max_gap.until)
    return out


@st.composite
def match_lists(draw):
    """One to three matches, each with up to two where/where_not conditions on real fields and values."""
    matches = []
    for _ in range(draw(st.integers(1, 3))):
        event_type = draw(st.sampled_from(["conversation", "conversation", "offer", "education_order", "literacy_test"]))
        fields = EVENT_FIELDS[event_type]
        where, where_not = {}, {}
        for name, values in fields.items():
            chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True))
            target = draw(st.sampled_from([None, where, where_not]))
            if target is not None:
                target[name] = chosen if len(chosen) > 1 else chosen[0]
        matches.append(EventMatch.model_validate({"type": event_type, "where": where, "where_not": where_not}))
    return matches


def _plainly(period, matches) -> list:
    specs = [m.spec for m in matches]
    return [e for e in period.events if any(spec_accepts(spec, e) for spec in specs)]


def _check(case: Case, matches: list[EventMatch]) -> None:
    for period in periods_as_of(case, AS_OF):
        counting = counting_of(matches)
        expected = _plainly(period, matches)
        assert events_counted(period, counting) == expected
        assert dates_counted(period, counting) == [e.date for e in expected]


@settings(max_examples=150, deadline=None)
@given(case_dicts(), st.sampled_from(_rule_book_matches()))
def test_the_rule_books_filters_count_what_the_plain_reading_counts(data, matches):
    _check(Case.model_validate(data), matches)


@settings(max_examples=300, deadline=None)
@given(case_dicts(), match_lists())
def test_generated_filters_count_what_the_plain_reading_counts(data, matches):
    _check(Case.model_validate(data), matches)


def test_every_shape_the_filters_unroll_is_exercised():
    """The shapes _selector specialises (one or two text fields, a where_not, mixed types, the
    generic test) all occur among generated match lists, so the tests above reach each branch."""
    shapes = {
        "one text field": [{"type": "offer", "where": {"offer": ["nytteindsats", "loentilskud"]}}],
        "two text fields": [{"type": "conversation", "where": {"by": "jobcenter"}},
                            {"type": "conversation", "where": {"kind": "joint"}}],
        "where_not": [{"type": "offer", "where_not": {"offer": "mentor"}}],
        "numbers": [{"type": "education_order", "where": {"step": ["2", "3"]}}],
        "two types": [{"type": "offer"}, {"type": "literacy_test"}],
        "both": [{"type": "conversation", "where": {"by": "jobcenter"}, "where_not": {"kind": "cv"}}],
    }
    case = Case.model_validate({
        "case_id": "S-1", "citizen": {"birth_date": "1990-01-01", "education": "none"},
        "benefits": [{"type": "kontanthjaelp", "start": "2021-01-04"}],
        "events": [
            {"type": "conversation", "date": "2021-01-05", "by": "jobcenter", "kind": "cv"},
            {"type": "conversation", "date": "2021-01-06", "by": "akasse", "kind": "joint"},
            {"type": "conversation", "date": "2021-01-07", "by": "jobcenter"},
            {"type": "offer", "date": "2021-02-01", "offer": "mentor"},
            {"type": "offer", "date": "2021-03-01", "offer": "nytteindsats"},
            {"type": "education_order", "date": "2021-03-02", "step": 2},
            {"type": "education_order", "date": "2021-03-03", "step": 1},
            {"type": "literacy_test", "date": "2021-03-04"},
        ]})
    selectors = set()
    for name, raw in shapes.items():
        matches = [EventMatch.model_validate(m) for m in raw]
        select = _selector(tuple(m.spec for m in matches))[1]
        # a Python function's code, or (compiled by mypyc) the callable's own class: one per lambda
        selectors.add(getattr(select, "__code__", type(select)))
        _check(case, matches)
        assert events_counted(periods_as_of(case, AS_OF)[0], counting_of(matches)), name  # each finds something
    assert len(selectors) == len(shapes)  # each shape took its own branch
