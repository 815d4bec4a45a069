"""kind ``max_gap``: at most a given time between one counting event's end and the next one's start
(e.g. "højst fire uger mellem hvert tilbud"). Each gap is its own obligation, anchored on the day
the previous events ended; it is met by the next counting event (or an ``until`` event, such as
the start of an education) on or before that day + ``within``. With four weeks an offer ending
Friday 6 March must be followed by one starting by Friday 3 April: 27 days without an offer in
between, four weeks from end to start. No day is subtracted (unlike kind ``offer_limit``, where
the offer's first day counts): the end day belongs to the previous offer, not to the gap.

Overlapping events are merged: the gap runs from the latest end among the events started so far.
An event without an ``end`` is still running, so no gap is due after it. Gaps anchored after the
rule's validity ends are not produced (a rule applies when in force on the obligation's anchor).
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Optional

from engine.dates import add_offset
from engine.duty import Duty, context, counting_events, offset_of, status
from models.case import Case


def _counting(case: Case, period, rule) -> list[tuple[date, Optional[date]]]:
    """(start, end) of the counting events inside the period, known on the as-of date; end=None: running."""
    out = []
    for e in counting_events(period, rule.counts):
        out.append((e.date, e.end if hasattr(e, "end") else e.date))
    return sorted(out, key=lambda x: x[0])


def _first_until(case: Case, period, rule) -> Optional[date]:
    days = [e.date for e in counting_events(period, rule.max_gap.until)]
    return min(days) if days else None


def evaluate(rule, case: Case, period, lang: str = "da", explain_why: bool = True, router=None):
    within = offset_of(rule.max_gap.within)
    events = _counting(case, period, rule)
    until = _first_until(case, period, rule)
    as_of = period.as_of
    label = rule.counts_label.get(lang)
    base = context(period, rule, lang, explain_why)
    duties = []
    i = 0
    while i < len(events):
        start, end = events[i]
        # merge every event that starts before the running stretch has ended
        while end is not None and i + 1 < len(events) and events[i + 1][0] <= end:
            i += 1
            nxt_end = events[i][1]
            end = None if nxt_end is None else max(end, nxt_end)
        if end is None:
            break  # still running on the as-of date: no gap is due
        if end > as_of:
            break  # the stretch ends after the as-of date: no gap is due yet
        if not rule.valid.covers(end) or (until is not None and until <= end):
            break
        due = add_offset(end, within)
        following = events[i + 1][0] if i + 1 < len(events) else None
        done_on = following
        closed_by_until = until is not None and (following is None or until < following)
        if closed_by_until:
            done_on = until
        why = base.copy()
        if why.enabled:  # the texts' arguments cost too: the audit asks for none
            why.add("gap", end=end, within=within.describe(lang), due=due, label=label)
        if done_on is None and period.ended and period.ended < due:
            break  # the period ended inside the gap: the duty lapses
        st = status(case, rule, due, done_on, as_of, why)
        duties.append(Duty(rule, period, st, due, end, int(done_on is not None), 1, why, done_on))
        if done_on is None or closed_by_until:
            break
        i += 1
    return duties


def compile_rule(rule):
    """The rule's evaluator, ``(case, period, lang, explain_why, router)`` as every kind's (engine/kinds)."""
    return partial(evaluate, rule)
