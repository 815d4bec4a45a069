"""The ``deadline`` kind: N counting events by anchor + offset (one action per milestone).

durable_rules has already decided that the rule applies (engine/durable_backend.py); this module
does the per-case date work, which durable_rules cannot do (no dates, no aggregates). The pieces
every kind shares (counting, postponement, exemption, status, ``why``) are in engine/duty.py.
"""

from __future__ import annotations

from engine.dates import add_offset
from engine.duty import Duty, context, counting_dates, offset_of, postpone, postponing_periods, status
from engine.profile import Period
from models.case import Case
from models.memo import IdentityMemo
from models.rules import Rule


def evaluate_rule(case: Case, period: Period, rule: Rule, lang: str = "da", explain_why: bool = True,
                  router=None) -> list[Duty]:
    """The duties one applicable rule gives one period (none where the duty lapsed).

    ``explain_why=False`` leaves every ``why`` empty and skips building the texts (the batch audit
    does not show them); statuses, dates and progress are the same either way. ``router`` is
    unused: every kind's evaluator takes the same arguments (engine/kinds).
    """
    anchor_kind, category, milestones = _shape(rule)
    anchor = period.anchor(anchor_kind, category)
    as_of = period.as_of
    if anchor is None or anchor > as_of:
        return []
    held = counting_dates(case, period, rule.counts)
    base = context(period, rule, lang, explain_why)
    postponing = postponing_periods(case, period, rule) if rule.postponed_by else None
    ended = period.ended
    duties = []
    for number, offset, count in milestones:
        why = base.copy()
        due = add_offset(anchor, offset)
        if why.enabled:
            why.add("due", offset=offset.describe(lang), anchor=rule.anchor.describe(lang), date=due)
            if len(milestones) > 1:
                why.add("milestone", n=number, required=count, due=due)
        if postponing:
            due = postpone(due, postponing, as_of, why)
        shown = held[:count]
        done_on = shown[-1] if len(shown) == count else None
        if why.enabled:
            why.add("progress", done=len(shown), required=count, label=rule.counts_label.get(lang),
                    dates=(": " + ", ".join(map(str, shown))) if shown else "")
        if done_on is None and ended and ended < due:
            continue  # the period ended before the due date without the duty done: it lapses
        st = status(case, rule, due, done_on, as_of, why)
        duties.append(Duty(rule, period, st, due, anchor, len(shown), count, why, done_on))
    return duties


def _shape_of(rule: Rule) -> tuple:
    """(anchor kind, category text or None, ((milestone number, offset, count), …))."""
    category = rule.applies_to.category.value if rule.applies_to.category else None
    milestones = tuple((number, offset_of(m.after), m.count) for number, m in enumerate(rule.milestones, start=1))
    return rule.anchor.from_, category, milestones


_shape = IdentityMemo(_shape_of)  # what every evaluation of a rule reads, taken out of the model once
