"""The ``deadline`` kind: N counting events by anchor + offset (one action per milestone).

durable_rules has already decided that the rule applies (engine/durable_backend.py); this module
does the per-case date work, which durable_rules cannot do (no dates, no aggregates). The pieces
every kind shares (counting, postponement, exemption, status, ``why``) are in engine/duty.py.
"""

from __future__ import annotations

from engine.dates import add_offset
from engine.duty import Duty, context, counting_dates, duty, offset_of, postpone, postponing_periods, status
from engine.profile import Period
from models.case import Case
from models.rules import Rule


def evaluate_rule(case: Case, period: Period, rule: Rule, lang: str = "da", explain_why: bool = True,
                  router=None) -> list[Duty]:
    """The duties one applicable rule gives one period (none where the duty lapsed).

    ``explain_why=False`` leaves every ``why`` empty and skips building the texts (the batch audit
    does not show them); statuses, dates and progress are the same either way. ``router`` is
    unused: every kind's evaluator takes the same arguments (engine/kinds).
    """
    category = rule.applies_to.category.value if rule.applies_to.category else None
    anchor = period.anchor(rule.anchor.from_, category)
    if anchor is None or anchor > period.as_of:
        return []
    as_of = period.as_of
    held = counting_dates(case, period, rule.counts)
    base = context(period, rule, lang, explain_why)
    postponing = postponing_periods(case, period, rule) if rule.postponed_by else []
    duties = []
    for number, milestone in enumerate(rule.milestones, start=1):
        why = base.copy()
        offset = offset_of(milestone.after)
        due = add_offset(anchor, offset)
        if why.enabled:
            why.add("due", offset=offset.describe(lang), anchor=rule.anchor.describe(lang), date=due)
            if len(rule.milestones) > 1:
                why.add("milestone", n=number, required=milestone.count, due=due)
        due = postpone(due, postponing, as_of, why)
        shown = held[: milestone.count]
        done_on = shown[-1] if len(shown) == milestone.count else None
        if why.enabled:
            why.add("progress", done=len(shown), required=milestone.count, label=rule.counts_label.get(lang),
                    dates=(": " + ", ".join(map(str, shown))) if shown else "")
        if done_on is None and period.ended and period.ended < due:
            continue  # the period ended before the due date without the duty done: it lapses
        st = status(case, rule, due, done_on, as_of, why)
        duties.append(duty(rule, period, st, due, anchor, len(shown), milestone.count, why, done_on))
    return duties
