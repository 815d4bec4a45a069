"""Case profiles: the few facts about one benefit period that decide which rules apply to it.

Dates and ages enter durable_rules as numbers, *quantised* to the boundaries the rule set actually
uses (validity dates, age limits). Two periods whose facts fall in the same buckets get the same
answer from any rule, so the answer is cached per profile and durable_rules is asked once per
distinct profile, not once per case.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional

from engine.dates import age_on, day_number
from engine.ruleset import RuleSet
from models.case import Benefit, Case, Category

ABSENT = -1  # a day that does not exist in this period (e.g. never assessed aktivitetsparat)
BEFORE_ALL = 0  # the representative of every day before the first boundary


def anchor_field(anchor: str, category: Optional[str] = None) -> str:
    if anchor == "category_assessed":
        return f"day_assessed_{category}"
    return f"day_{anchor}"


@dataclass(frozen=True)
class Period:
    """One benefit period as seen on the as-of date."""

    index: int
    benefit: Benefit
    as_of: date
    age: int  # on the start date (contract §4)
    assessed: dict  # Category -> first assessment date in the period, on or before as_of
    ended: Optional[date]  # the period's end where it is known on the as-of date

    @property
    def first_day(self) -> date:
        return self.benefit.first_day

    @property
    def window_end(self) -> date:
        """The last day whose events count: the period's end or the as-of date, whichever is first."""
        return min(self.ended, self.as_of) if self.ended else self.as_of

    def anchor(self, kind: str, category: Optional[str] = None) -> Optional[date]:
        if kind == "start":
            return self.benefit.start
        if kind == "contact":
            return self.benefit.contact
        if kind == "first_sick_day":
            return self.benefit.first_sick_day or self.benefit.start
        if kind == "category_assessed":
            return self.assessed.get(Category(category))
        raise ValueError(kind)


def periods_as_of(case: Case, as_of: date) -> list[Period]:
    """The benefit periods that exist on the as-of date (their first day on or before it)."""
    out = []
    for index, benefit in enumerate(case.benefits):
        if benefit.first_day > as_of:
            continue
        last = benefit.end if benefit.end is not None and benefit.end <= as_of else None
        window_end = min(last, as_of) if last else as_of
        assessed: dict = {}
        for a in sorted(case.assessments, key=lambda a: a.date):
            if benefit.first_day <= a.date <= window_end:
                assessed.setdefault(a.category, a.date)
        out.append(Period(index, benefit, as_of, age_on(case.citizen.birth_date, benefit.start), assessed, last))
    return out


class Quantiser:
    """Maps days and ages to the representative of their bucket between the rule set's boundaries."""

    def __init__(self, ruleset: RuleSet):
        days = set()
        ages = set()
        for rule in ruleset.rules:
            days.add(day_number(rule.valid.from_))
            if rule.valid.to is not None:
                days.add(day_number(rule.valid.to + timedelta(days=1)))
            for limit in (rule.applies_to.age_below, rule.applies_to.age_from):
                if limit is not None:
                    ages.add(limit)
        self.day_bounds = sorted(days)
        self.age_bounds = sorted(ages)
        self.categories = sorted({r.applies_to.category.value for r in ruleset.rules if r.applies_to.category})

    @staticmethod
    def _floor(bounds: list[int], value: int, below: int) -> int:
        i = bisect.bisect_right(bounds, value)
        return bounds[i - 1] if i else below

    def day(self, d: Optional[date]) -> int:
        return ABSENT if d is None else self._floor(self.day_bounds, day_number(d), BEFORE_ALL)

    def age(self, age: int) -> int:
        return self._floor(self.age_bounds, age, 0)

    def profile(self, case: Case, period: Period) -> dict:
        fact = {
            "t": "profile",
            "benefit": period.benefit.type.value,
            "education": case.citizen.education.value,
            "age": self.age(period.age),
        }
        for kind in ("start", "contact", "first_sick_day"):
            fact[anchor_field(kind)] = self.day(period.anchor(kind))
        for category in self.categories:
            fact[anchor_field("category_assessed", category)] = self.day(period.assessed.get(Category(category)))
        return fact
