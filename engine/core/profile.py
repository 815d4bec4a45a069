"""Case profiles: the few facts about one benefit period that decide which rules apply to it.

Dates and ages enter durable_rules as numbers, *quantised* to the boundaries the rule set actually
uses (validity dates, age limits). Two periods whose facts fall in the same buckets get the same
answer from any rule, so the answer is cached per profile and durable_rules is asked once per
distinct profile, not once per case. A profile holds only the facts that some rule for its benefit
reads (``fields_read``): the others take one fixed value, so two periods that differ only in facts
no rule of theirs looks at (a kontanthjælp period's first sick day) share one profile.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from operator import attrgetter
from dataclasses import dataclass
from datetime import date
from typing import Callable, Optional

from engine.core.dates import ONE_DAY, age_on, day_number
from engine.rulebook.ruleset import RuleSet
from models.case import Benefit, Case
from models.rules import Rule

ABSENT = -1  # a day that does not exist in this period (e.g. never assessed aktivitetsparat)
BEFORE_ALL = 0  # the representative of every day before the first boundary
# The values of the facts no rule for a period's benefit reads (a day no rule reads is as good as absent)
UNREAD_DAY, UNREAD_AGE, UNREAD_TEXT = ABSENT, 0, "-"


def anchor_field(anchor: str, category: Optional[str] = None) -> str:
    if anchor == "category_assessed":
        return f"day_assessed_{category}"
    return f"day_{anchor}"


def fields_read(rule: Rule) -> set[str]:
    """The profile fields a rule's conditions read (engine/core/durable_backend.py builds them): its
    anchor's day, the assessment day of its category, the age where it has an age limit, the
    education where it names one. ``benefit`` is read by every rule."""
    applies = rule.applies_to
    category = applies.category.value if applies.category else None
    fields = {"benefit", anchor_field(rule.anchor.from_, category)}
    if category is not None:
        fields.add(anchor_field("category_assessed", category))
    if applies.age_below is not None or applies.age_from is not None:
        fields.add("age")
    if applies.education:
        fields.add("education")
    return fields


@dataclass(slots=True, eq=False)  # built for every period of every case: a plain, cheap init
class Period:
    """One benefit period as seen on the as-of date (read-only once built)."""

    index: int
    benefit: Benefit
    kind: str  # the benefit's type as text (what duties and profiles record)
    as_of: date
    age: int  # on the start date (contract §4)
    assessed: dict  # category value ("jobparat"…) -> first assessment date in the period, on or before as_of
    ended: Optional[date]  # the period's end where it is known on the as-of date
    first_day: date  # the first day whose events count (first contact or first sick day if earlier)
    window_end: date  # the last day whose events count: the period's end or the as-of date
    events: list  # the case's events from first_day to window_end, by date: what every rule reads (never changed)
    by_type: dict  # the same events grouped by type, each group by date
    offer_kinds: frozenset  # the kinds of offer among them ("nytteindsats"…): which offer limits can apply
    # the benefit's dates, read once here as plain attributes: rules and profiles read them per
    # period, and a pydantic model's attribute costs more than a slot's
    start: date
    contact: date  # first_contact, or the start where none is given (contract §4)
    first_sick_day: date  # first_sick_day, or the start where none is given
    end: Optional[date]  # the benefit's end as recorded (None: open-ended), known on the as-of date or not
    dated: dict  # memo of engine.core.duty.dates_counted


def anchor_reader(kind: str, category: Optional[str] = None) -> Callable[[Period], Optional[date]]:
    """The function that reads a rule's anchor day from a period (None: the period has none, e.g.
    never assessed in the category). Chosen once per rule, when the kinds compile it (engine/core/kinds)."""
    if kind == "start":
        return attrgetter("start")
    if kind == "contact":
        return attrgetter("contact")
    if kind == "first_sick_day":
        return attrgetter("first_sick_day")
    if kind == "category_assessed":
        return lambda period: period.assessed.get(category)
    raise ValueError(kind)


_EVENT_DATE = attrgetter("date")
_OFFER_KIND = attrgetter("offer")
_NO_OFFERS: frozenset = frozenset()
_NOT_ASSESSED: dict = {}  # shared by every period without assessments: read only, never changed


def periods_as_of(case: Case, as_of: date) -> list[Period]:
    """The benefit periods that exist on the as-of date (their first day on or before it).

    The audit's hot path (every case of a caseload): the benefit's fields are read once each, and
    the events are grouped by a plain loop (map/compress measured slower here)."""
    out = []
    events = sorted(case.events, key=_EVENT_DATE)  # once per case; each period takes its slice
    days: Optional[list] = None  # the events' dates, for bisecting: only where a period does not take them all
    assessments = sorted(case.assessments, key=_EVENT_DATE) if case.assessments else ()  # these have a date too
    birth = case.citizen.birth_date
    for index, benefit in enumerate(case.benefits):
        start, contact, sick = benefit.start, benefit.first_contact, benefit.first_sick_day
        first_day = start  # Benefit.first_day, inline
        if contact is None:
            contact = start
        elif contact < first_day:
            first_day = contact
        if sick is None:
            sick = start
        elif sick < first_day:
            first_day = sick
        if first_day > as_of:
            continue
        end = benefit.end
        last = end if end is not None and end <= as_of else None
        window_end = as_of if last is None else last
        assessed: dict = _NOT_ASSESSED
        if assessments:
            assessed = {}
            for a in assessments:
                if first_day <= a.date <= window_end:
                    assessed.setdefault(a.category._value_, a.date)  # text keys: an Enum hashes in Python
        if not events or (first_day <= events[0].date and events[-1].date <= window_end):
            inside = events  # the common case: one period holds every event (its own sorted list)
        else:
            if days is None:
                days = [e.date for e in events]
            inside = events[bisect_left(days, first_day):bisect_right(days, window_end)]
        by_type: dict = {}
        for e in inside:
            event_type = e.type
            group = by_type.get(event_type)
            if group is None:
                by_type[event_type] = [e]
            else:
                group.append(e)
        offers = by_type.get("offer")
        # _value_: the member's plain attribute (``.value`` is a descriptor; this runs per period)
        out.append(Period(index, benefit, benefit.type._value_, as_of,
                          age_on(birth, start),
                          assessed, last, first_day, window_end, inside, by_type,
                          frozenset(map(_OFFER_KIND, offers)) if offers else _NO_OFFERS,
                          start, contact, sick, end, {}))
    return out


class Quantiser:
    """Maps days and ages to the representative of their bucket between the rule set's boundaries."""

    def __init__(self, ruleset: RuleSet):
        days = set()
        ages = set()
        for rule in ruleset.rules:
            days.add(day_number(rule.valid.from_))
            if rule.valid.to is not None:
                days.add(day_number(rule.valid.to + ONE_DAY))
            for limit in (rule.applies_to.age_below, rule.applies_to.age_from):
                if limit is not None:
                    ages.add(limit)
        self.day_bounds = sorted(days)
        self.age_bounds = sorted(ages)
        self._day_dates = [date.fromordinal(d) for d in self.day_bounds]
        self._day_floor = [BEFORE_ALL, *self.day_bounds]  # indexed by bisect_right on _day_dates
        self._age_floor = [0, *self.age_bounds]
        self.categories = sorted({r.applies_to.category.value for r in ruleset.rules if r.applies_to.category})
        self._category_fields = [(c, anchor_field("category_assessed", c)) for c in self.categories]
        self._never_assessed = (ABSENT,) * len(self._category_fields)
        # benefit type -> what its profile reads: (education, age, start, contact, first sick day,
        # the categories in ``categories`` order, each None where not read). A benefit no rule
        # names reads nothing: its profile is its type alone, and only the sentinel fires.
        reads: dict[str, set[str]] = {}
        for rule in ruleset.rules:
            for benefit in rule.applies_to.benefits:
                reads.setdefault(benefit.value, set()).update(fields_read(rule))
        self._reads = {benefit: ("education" in f, "age" in f, "day_start" in f, "day_contact" in f,
                                 "day_first_sick_day" in f,
                                 tuple(c if name in f else None for c, name in self._category_fields))
                       for benefit, f in reads.items()}
        self._reads_nothing = (False, False, False, False, False, (None,) * len(self._category_fields))

    def day(self, d: Optional[date]) -> int:
        """The day number of the boundary on or before ``d`` (BEFORE_ALL before the first, ABSENT
        for no day). Bisected on dates, so no day number is computed per call."""
        return ABSENT if d is None else self._day_floor[bisect_right(self._day_dates, d)]

    def key(self, case: Case, period: Period) -> tuple:
        """The profile's values in ``fields`` order: what the applicability caches are keyed on.
        A fact no rule for the period's benefit reads takes its UNREAD value. ``day`` inlined: this
        runs for every period of every case."""
        floor, dates = self._day_floor, self._day_dates
        kind = period.kind
        education, age, start, contact, sick, categories = self._reads.get(kind, self._reads_nothing)
        assessed = period.assessed
        return (kind, case.citizen.education._value_ if education else UNREAD_TEXT,
                self._age_floor[bisect_right(self.age_bounds, period.age)] if age else UNREAD_AGE,
                floor[bisect_right(dates, period.start)] if start else UNREAD_DAY,
                floor[bisect_right(dates, period.contact)] if contact else UNREAD_DAY,  # start where none is given
                floor[bisect_right(dates, period.first_sick_day)] if sick else UNREAD_DAY,
                *([UNREAD_DAY if c is None or (d := assessed.get(c)) is None else floor[bisect_right(dates, d)]
                   for c in categories] if assessed else self._never_assessed))

    @property
    def fields(self) -> tuple[str, ...]:
        return ("benefit", "education", "age", "day_start", "day_contact", "day_first_sick_day",
                *[name for _, name in self._category_fields])

    def fact(self, key: tuple) -> dict:
        """The profile fact durable_rules is given for a ``key``."""
        return {"t": "profile", **dict(zip(self.fields, key))}

    def profile(self, case: Case, period: Period) -> dict:
        return self.fact(self.key(case, period))
