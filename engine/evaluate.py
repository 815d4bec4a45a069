"""Plain-Python evaluation of one rule on one benefit period: windows, counts, due dates, status.

durable_rules has already decided that the rule applies (engine/durable_backend.py); this module
does the per-case date work, which durable_rules cannot do (no dates, no aggregates).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable, Optional

from engine import explain
from engine.dates import Offset, add_offset, covers
from engine.profile import Period
from models.actions import Action, Progress, Status
from models.case import Case, Exemption, Offer
from models.rules import EventMatch, Postponement, Rule

_MAX_POSTPONEMENTS = 100  # chained postponements; a bound so a cycle can never hang an audit


def offset_of(rule_offset) -> Offset:
    return Offset(rule_offset.months, rule_offset.weeks, rule_offset.days)


def _value(event, field: str) -> Optional[str]:
    value = getattr(event, field, None)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # rule files match on text: `where: {step: ["2", "3"]}`
    return getattr(value, "value", value)


def _one_of(value: Optional[str], allowed) -> bool:
    return value in (allowed if isinstance(allowed, list) else [allowed])


def matches(event, match: EventMatch) -> bool:
    if event.type != match.type:
        return False
    if any(not _one_of(_value(event, f), v) for f, v in match.where.items()):
        return False
    return not any(_one_of(_value(event, f), v) for f, v in match.where_not.items())


_PREDICATES: dict[int, tuple] = {}  # id(EventMatch) -> (the match, its compiled predicate)


def predicate(match: EventMatch):
    """``matches`` compiled for one EventMatch (allowed values as sets), cached: the audit's hot path."""
    hit = _PREDICATES.get(id(match))
    if hit is None or hit[0] is not match:  # keeping the match in the entry means its id cannot be reused
        kind = match.type
        where = [(f, frozenset(v if isinstance(v, list) else [v])) for f, v in match.where.items()]
        where_not = [(f, frozenset(v if isinstance(v, list) else [v])) for f, v in match.where_not.items()]

        def test(event) -> bool:
            if event.type != kind:
                return False
            for f, allowed in where:
                if _value(event, f) not in allowed:
                    return False
            for f, refused in where_not:
                if _value(event, f) in refused:
                    return False
            return True

        hit = _PREDICATES[id(match)] = (match, test)
    return hit[1]


def counting_dates(case: Case, period: Period, matchers: Iterable[EventMatch]) -> list[date]:
    """Dates of the events that count for a duty: inside the period and not after the as-of date."""
    tests = [predicate(m) for m in matchers]
    first, last = period.first_day, period.window_end
    out = []
    for e in case.events:
        if first <= e.date <= last:
            for test in tests:
                if test(e):
                    out.append(e.date)
                    break
    out.sort()
    return out


def _postponing_periods(case: Case, period: Period, rule: Rule) -> list[tuple[date, Optional[date], str]]:
    """(start, end, what) periods that move a due date they cover, known on the as-of date."""
    out = []
    for p in rule.postponed_by:
        if p.exemption:
            out += [(x.start, x.end, p.exemption) for x in case.exemptions
                    if x.kind == p.exemption and x.start <= period.as_of]
        else:
            out += [(e.date, e.end, p.offer) for e in case.events
                    if isinstance(e, Offer) and e.offer == p.offer and period.first_day <= e.date <= period.window_end]
    return out


def _postpone(due: date, periods, as_of: date, lang: str, why: Optional[list[str]]) -> date:
    if not periods:
        return due
    moved = False
    for _ in range(_MAX_POSTPONEMENTS):
        # A period that covers the due date moves it; once moved, a renewal that starts the next day
        # (a new 6-month mentor period, 003:4699-4701) continues the postponement.
        covering = [p for p in periods
                    if covers(p[0], p[1], due) or (moved and p[0] == due + timedelta(days=1))]
        if not covering:
            return due
        start, end, what = max(covering, key=lambda p: p[1] or date.max)
        what_text = explain.name(explain.EXEMPTION_NAMES, what, lang)
        if end is None:  # still running: the duty waits, it is not late today
            new = max(due, as_of)
            if why is not None:
                why.append(explain.text("postponed_open", lang, old=due, new=new, what=what_text, start=start))
            return new
        if end <= due:
            return due
        if why is not None:
            why.append(explain.text("postponed", lang, old=due, new=end, what=what_text, start=start, end=end))
        due = end
        moved = True
    return due


def _exemption(case: Case, rule: Rule, due: date, as_of: date) -> Optional[Exemption]:
    for x in case.exemptions:
        # An exemption granted after the as-of date does not exist yet for this evaluation.
        if x.kind in rule.exempted_by and x.start <= as_of and covers(x.start, x.end, due):
            return x
    return None


def evaluate_rule(case: Case, period: Period, rule: Rule, lang: str = "da", explain_why: bool = True) -> list[Action]:
    """The actions one applicable rule gives one period (none where the duty lapsed).

    ``explain_why=False`` leaves every ``why`` empty and skips building the texts (the batch audit
    does not show them); statuses, dates and progress are the same either way.
    """
    category = rule.applies_to.category.value if rule.applies_to.category else None
    anchor = period.anchor(rule.anchor.from_, category)
    if anchor is None or anchor > period.as_of:
        return []
    as_of = period.as_of
    held = counting_dates(case, period, rule.counts)
    if not explain_why:
        return _quiet_actions(case, period, rule, lang, anchor, held)
    label = rule.counts_label.get(lang)
    context = [explain.text("benefit", lang, benefit=explain.name(explain.BENEFIT_NAMES, period.benefit.type.value, lang),
                            start=period.benefit.start)]
    if period.ended:
        context.append(explain.text("benefit_ended", lang, end=period.ended))
    if rule.applies_to.age_below is not None or rule.applies_to.age_from is not None:
        context.append(explain.text("age", lang, age=period.age))
    if category:
        context.append(explain.text("assessed", lang, category=category, date=period.assessed[rule.applies_to.category]))
    context.append(explain.text("regime", lang, start=rule.valid.from_, regime=rule.valid.regime))

    actions = []
    postponing = _postponing_periods(case, period, rule)
    for number, milestone in enumerate(rule.milestones, start=1):
        why = list(context)
        offset = offset_of(milestone.after)
        due = add_offset(anchor, offset)
        why.append(explain.text("due", lang, offset=offset.describe(lang), anchor=rule.anchor.describe(lang), date=due))
        if len(rule.milestones) > 1:
            why.append(explain.text("milestone", lang, n=number, required=milestone.count, due=due))
        due = _postpone(due, postponing, as_of, lang, why)
        done_on = held[milestone.count - 1] if len(held) >= milestone.count else None
        shown = held[: milestone.count]
        why.append(explain.text("progress", lang, done=len(shown), required=milestone.count, label=label,
                                dates=(": " + ", ".join(map(str, shown))) if shown else ""))
        if done_on is None and period.ended and period.ended < due:
            continue  # the period ended before the due date without the duty done: it lapses
        status = _status(case, rule, due, done_on, as_of, lang, why)
        actions.append(Action(
            rule=rule.id,
            title=rule.title.get(lang),
            status=status,
            due=due,
            anchor=anchor,
            progress=Progress(done=len(shown), required=milestone.count),
            source=rule.source.cite(),
            why=why,
            done_on=_done_on(status, done_on),
            benefit=period.benefit.type.value,
        ))
    return actions


def _done_on(status: Status, done_on: Optional[date]) -> Optional[date]:
    """``done_on`` belongs to met and met_late only: an exempt duty done late reports no date."""
    return done_on if status in (Status.met, Status.met_late) else None


def _quiet_actions(case: Case, period: Period, rule: Rule, lang: str, anchor: date, held: list[date]) -> list[Action]:
    """evaluate_rule without the ``why`` texts: the same decisions, fewer strings."""
    actions = []
    postponing = _postponing_periods(case, period, rule) if rule.postponed_by else []
    as_of = period.as_of
    for milestone in rule.milestones:
        due = _postpone(add_offset(anchor, offset_of(milestone.after)), postponing, as_of, lang, None)
        count = milestone.count
        done_on = held[count - 1] if len(held) >= count else None
        if done_on is None and period.ended and period.ended < due:
            continue
        status = _status(case, rule, due, done_on, as_of, lang, None)
        actions.append(Action(
            rule=rule.id,
            title=rule.title.get(lang),
            status=status,
            due=due,
            anchor=anchor,
            progress=Progress(done=min(len(held), count), required=count),
            source=rule.source.cite(),
            why=[],
            done_on=_done_on(status, done_on),
            benefit=period.benefit.type.value,
        ))
    return actions


def _status(case: Case, rule: Rule, due: date, done_on: Optional[date], as_of: date, lang: str,
            why: Optional[list[str]]) -> Status:
    if why is None:  # no texts wanted
        if done_on is not None and done_on <= due:
            return Status.met
        if _exemption(case, rule, due, as_of) is not None:
            return Status.exempt
        if done_on is not None:
            return Status.met_late
        return Status.open if as_of <= due else Status.overdue
    if done_on is not None and done_on <= due:
        why.append(explain.text("met", lang, date=done_on))
        return Status.met
    exemption = _exemption(case, rule, due, as_of)
    if exemption is not None:
        why.append(explain.text("exempt", lang, what=explain.name(explain.EXEMPTION_NAMES, exemption.kind, lang),
                                start=exemption.start, end=explain.open_end(exemption.end, lang)))
        return Status.exempt
    if done_on is not None:
        why.append(explain.text("met_late", lang, days=(done_on - due).days, date=done_on))
        return Status.met_late
    if as_of <= due:
        days = (due - as_of).days
        why.append(explain.text("open", lang, days=days) if days else explain.text("open_today", lang))
        return Status.open
    why.append(explain.text("overdue", lang, days=(as_of - due).days))
    return Status.overdue
