"""The ``deadline`` kind: N counting events by anchor + offset (one action per milestone).

durable_rules has already decided that the rule applies (engine/core/durable_backend.py); this module
does the per-case date work, which durable_rules cannot do (no dates, no aggregates). The pieces
every kind shares (counting, postponement, exemption, status, ``why``) are in engine/core/duty.py.

A rule is *compiled* once (``compile_rule``): everything an evaluation reads from the rule model
(its anchor, its milestones as month and day steps, its counting filter) is taken out of it then,
so evaluating it on a period reads only the period. The audit evaluates millions of them.
"""

from __future__ import annotations

from typing import Callable

from engine.core.dates import add_months, offset_steps
from engine.core.duty import (MET, QUIET, Duty, context, counting_of, dates_counted, offset_of, postpone, postponers,
                         postponing_periods, status)
from engine.core.profile import Period, anchor_reader
from models.case import Case
from models.rules import Rule

Evaluator = Callable[..., list[Duty]]  # (case, period, lang="da", explain_why=True, router=None)


def compile_rule(rule: Rule) -> Evaluator:
    """The evaluator of one deadline rule: the duties it gives one period (none where the duty
    lapsed). ``explain_why=False`` leaves every ``why`` empty and skips building the texts (the
    batch audit does not show them); statuses, dates and progress are the same either way.
    ``router`` is unused: every kind's evaluator takes the same arguments (engine/core/kinds)."""
    category = rule.applies_to.category.value if rule.applies_to.category else None
    anchor_of = anchor_reader(rule.anchor.from_, category)
    counting = counting_of(rule.counts)
    # (number, offset, months, the weeks and days as one timedelta, count): the steps of add_offset
    # (months first, clipped to the month's end, then days: contract §2), taken inline below
    steps = []
    for number, milestone in enumerate(rule.milestones, start=1):
        offset = offset_of(milestone.after)
        steps.append((number, offset, *offset_steps(offset), milestone.count))
    several = len(steps) > 1
    postponed = postponers(rule)
    # The quiet path (the audit): per milestone (count, anchor day -> due day before any
    # postponement). A caseload's anchors are calendar days, a few thousand at most, so the memo
    # stays small while most due dates are looked up instead of computed.
    quiet_steps: list = [(count, {}, months, days) for _, _, months, days, count in steps]

    def evaluate(case: Case, period: Period, lang: str = "da", explain_why: bool = True, router=None) -> list[Duty]:
        anchor = anchor_of(period)
        as_of = period.as_of
        if anchor is None or anchor > as_of:
            return []
        held = dates_counted(period, counting)
        postponing = postponing_periods(case, period, postponed) if postponed else None
        ended = period.ended
        duties = []
        if not explain_why:  # the audit: the same duties, no texts, due dates memoised (inline: the hot path)
            n = len(held)
            for count, dues, months, days in quiet_steps:
                due = dues.get(anchor)
                if due is None:
                    due = add_months(anchor, months) if months else anchor
                    if days:
                        due += days
                    dues[anchor] = due
                if postponing:
                    due = postpone(due, postponing, as_of, QUIET)
                if n >= count:
                    done_on = held[count - 1]
                    if done_on <= due:  # met on time: decided here, without asking status
                        duties.append(Duty(rule, period, MET, due, anchor, count, count, QUIET, done_on))
                        continue
                    done = count
                else:
                    if ended and ended < due:
                        continue  # the period ended before the due date without the duty done: it lapses
                    done, done_on = n, None
                duties.append(Duty(rule, period, status(case, rule, due, done_on, as_of, QUIET), due, anchor,
                                   done, count, QUIET, done_on))
            return duties
        base = context(period, rule, lang, True)
        for number, offset, months, days, count in steps:
            why = base.copy()
            due = add_months(anchor, months) if months else anchor
            if days:
                due += days
            if why.enabled:
                why.add("due", offset=offset.describe(lang), anchor=rule.anchor.describe(lang), date=due)
                if several:
                    why.add("milestone", n=number, required=count, due=due)
            if postponing:
                due = postpone(due, postponing, as_of, why)
            if len(held) >= count:
                done, done_on = count, held[count - 1]
            else:
                done, done_on = len(held), None
            if why.enabled:
                shown = held[:count]
                why.add("progress", done=done, required=count, label=rule.counts_label.get(lang),
                        dates=(": " + ", ".join(map(str, shown))) if shown else "")
            if done_on is None and ended and ended < due:
                continue  # the period ended before the due date without the duty done: it lapses
            st = status(case, rule, due, done_on, as_of, why)
            duties.append(Duty(rule, period, st, due, anchor, done, count, why, done_on))
        return duties

    return evaluate
