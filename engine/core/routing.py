"""Routing decisions: which benefit, rate, track, visitation categories, labour-market distance and
a-kasse placement a benefit period belongs to (rules/routing.yaml, models.rules.RoutingRule).

Each aspect is a decision table: the first routing rule in file order whose conditions hold and
which is in force on the decision date gives the value. This is evaluated in plain Python, not with
durable_rules: "first match wins" is an ordering that durable_rules (which fires every matching
rule) would have to re-impose afterwards, the conditions use the current category (which the
profile cache does not quantise) and a table lookup per period costs microseconds.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple, Optional

from engine import texts
from engine.core.dates import age_on, covers
from engine.core.profile import Period
from models.actions import Routing, RoutingDecision
from models.case import Case, Category
from models.rules import RoutingRule

ASPECTS = ("benefit_route", "rate", "track", "categories", "labour_market_distance", "akasse_trial")
CASH_BENEFITS = ("kontanthjaelp", "uddannelseshjaelp")

_NO_RULE = {"benefit_route": "no_route_rule", "categories": "no_categories"}  # why-texts (engine/texts.py)


def current_category(case: Case, period: Period, on: date) -> Optional[Category]:
    """The latest assessment inside the period on or before ``on`` (contract §1: the latest is in force)."""
    inside = [(a.date, a.category.value) for a in case.assessments if period.first_day <= a.date <= on]
    # two assessments on one day: a fixed order (by name), so the input's order never matters
    return Category(max(inside)[1]) if inside else None


class _Conditions(NamedTuple):
    """A routing rule's conditions, taken out of the model once per Router: ``decide`` reads them per
    case and aspect (the what-if routes every case twice)."""

    rule: RoutingRule
    valid_from: date
    valid_to: Optional[date]
    benefits: Optional[frozenset]
    age_below: Optional[int]
    age_from: Optional[int]
    education: Optional[frozenset]
    assessed: Optional[bool]
    category: Optional[frozenset]
    akasse: Optional[frozenset]  # casefolded
    started_from: Optional[date]
    started_to: Optional[date]
    age_at_start: bool  # ages on the period's start, not the decision date (issue 15.3)

    @classmethod
    def of(cls, rule: RoutingRule) -> "_Conditions":
        w = rule.when
        return cls(rule, rule.valid.from_, rule.valid.to,
                   frozenset(w.benefits) if w.benefits is not None else None, w.age_below, w.age_from,
                   frozenset(w.education) if w.education is not None else None, w.assessed,
                   frozenset(w.category) if w.category is not None else None,
                   frozenset(a.casefold() for a in w.akasse) if w.akasse is not None else None,
                   w.started_from, w.started_to, w.age_on == "start")


def _holds(w: _Conditions, case: Case, period: Period, category: Optional[Category], on: date) -> bool:
    if not covers(w.valid_from, w.valid_to, on):
        return False
    if w.benefits is not None and period.benefit.type not in w.benefits:
        return False
    if w.age_below is not None or w.age_from is not None:
        # A22: the route is decided on the decision date, so ages are taken on that date too; a
        # citizen who turns 30 on uddannelseshjælp is routed to kontanthjælp (flagged for re-routing)
        age = age_on(case.citizen.birth_date, period.start if w.age_at_start else on)
        if w.age_below is not None and not age < w.age_below:
            return False
        if w.age_from is not None and not age >= w.age_from:
            return False
    if w.education is not None and case.citizen.education not in w.education:
        return False
    if w.assessed is not None and (category is not None) != w.assessed:
        return False
    if w.category is not None and category not in w.category:
        return False
    if w.akasse is not None and (case.citizen.akasse or "").strip().casefold() not in w.akasse:
        return False
    if w.started_from is not None and period.start < w.started_from:
        return False
    if w.started_to is not None and period.start > w.started_to:
        return False
    return True


class Router:
    """The routing tables of one rule set."""

    def __init__(self, rules: tuple[RoutingRule, ...]):
        self.tables = {aspect: [_Conditions.of(r) for r in rules if r.decide == aspect] for aspect in ASPECTS}

    def decide(self, case: Case, period: Period, aspect: str, on: date,
               category: Optional[Category] = None) -> Optional[RoutingRule]:
        """The routing rule that decides ``aspect`` for the period on ``on`` (None: no rule)."""
        for conditions in self.tables[aspect]:
            if _holds(conditions, case, period, category, on):
                return conditions.rule
        return None

    def distance(self, case: Case, period: Period, on: date) -> Optional[str]:
        """close | far on a given day (offer duration limits use the day the offer starts)."""
        rule = self.decide(case, period, "labour_market_distance", on, current_category(case, period, on))
        return rule.value if rule else None

    def route(self, case: Case, period: Period, lang: str = "da", explain: bool = True) -> Routing:
        """Where the period belongs. ``explain=False`` leaves out the decisions (which rule decided
        each aspect, why and its source): the values are the same (the what-if compares them)."""
        on = period.window_end
        category = current_category(case, period, on)
        values: dict[str, object] = {}
        decisions = []
        benefit = period.benefit.type.value
        for aspect in ASPECTS:
            rule = self.decide(case, period, aspect, on, category)
            if rule is not None:
                values[aspect] = rule.value
                if explain:
                    decisions.append(RoutingDecision.build(aspect=aspect, value=rule.value, rule=rule.id,
                                                           why=rule.why.get(lang), source=rule.source.cite()))
            elif aspect in _NO_RULE:
                values[aspect] = benefit if aspect == "benefit_route" else []
                if explain:
                    decisions.append(RoutingDecision.build(aspect=aspect, value=values[aspect], rule=None, source=None,
                                                           why=texts.text(_NO_RULE[aspect], lang, benefit=benefit)))
        categories = list(values.get("categories") or [])
        current = category.value if category else None
        # built without validation: every value comes from validated rule files (the audit's hot path)
        return Routing.build(
            benefit=benefit,
            period_start=period.start,
            decided_on=on,
            age=age_on(case.citizen.birth_date, on),
            benefit_route=values["benefit_route"],
            benefit_matches_route=values["benefit_route"] == benefit,
            rate=values.get("rate"),
            track=values.get("track"),
            categories=categories,
            current_category=current,
            category_valid=(current in categories) if current is not None else None,
            labour_market_distance=values.get("labour_market_distance"),
            akasse_trial=values.get("akasse_trial"),
            decisions=decisions,
        )


def routing_period(periods: list[Period]) -> Optional[Period]:
    """The period in force on the as-of date, else the latest one before it."""
    if not periods:
        return None
    running = [p for p in periods if p.ended is None]
    return max(running or periods, key=lambda p: p.benefit.start)
