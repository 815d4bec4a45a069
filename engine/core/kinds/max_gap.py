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

from engine.core.dates import add_offset, covers
from engine.core.duty import Duty, Kind, Why, context, counting_of, events_counted, offset_of, status
from models.case import Case


def compile_rule(rule):
    """The rule's evaluator, ``(case, period, tracer, router)`` as every kind's (engine/core/kinds).
    What it reads from the rule model (the gap, the counting filters, the validity) is taken out of
    it here, once, as the other kinds do. (Few periods reach a gap rule: unlike the kinds every
    period runs, it adds offsets and tests the validity with the shared functions.)"""
    within = offset_of(rule.max_gap.within)
    counting = counting_of(rule.counts)
    until_counting = counting_of(rule.max_gap.until) if rule.max_gap.until else None
    valid_from, valid_to = rule.valid.from_, rule.valid.to

    def evaluate(case: Case, period, tracer: Why, router=None):
        counted = events_counted(period, counting)
        if not counted:
            return []  # no event, no gap after one
        # (start, end) of each counting event, by date as the period keeps them; end None: running.
        # An event kind without an ``end`` lasts its day.
        events = [(e.date, e.end if hasattr(e, "end") else e.date) for e in counted]
        until_events = events_counted(period, until_counting) if until_counting is not None else ()
        until = min(e.date for e in until_events) if until_events else None
        as_of = period.as_of
        ended = period.ended
        base = context(case, period, rule, tracer)
        explained = base.enabled
        duties = []
        i = 0
        last = len(events) - 1
        while i <= last:
            first = i
            start, end = events[i]
            # merge every event that starts before the running stretch has ended
            while end is not None and i < last and events[i + 1][0] <= end:
                i += 1
                nxt_end = events[i][1]
                end = None if nxt_end is None else max(end, nxt_end)
            if end is None:
                break  # still running on the as-of date: no gap is due
            if end > as_of:
                break  # the stretch ends after the as-of date: no gap is due yet
            if not covers(valid_from, valid_to, end) or (until is not None and until <= end):
                break  # the rule is not in force on the gap's first day, or the duty ended
            due = add_offset(end, within)
            following = events[i + 1][0] if i < last else None
            done_on = following
            closed_by_until = until is not None and (following is None or until < following)
            if closed_by_until:
                done_on = until
            why = base.copy() if explained else base
            if explained:  # the steps' values cost too: the audit asks for none
                # the events of the stretch that ended, and the one that closed the gap (if any)
                closing = [e for e in until_events if e.date == until] if closed_by_until else counted[i + 1:i + 2]
                why.add("gap", end=end, within=within, due=due, label=rule.counts_label, events=counted[first:i + 1],
                        closed_by=closing[:1])
            if done_on is None and ended and ended < due:
                break  # the period ended inside the gap: the duty lapses
            st = status(case, rule, due, done_on, as_of, why, ended)
            duties.append(Duty(rule, period, st, due, end, int(done_on is not None), 1, why, done_on))
            if done_on is None or closed_by_until:
                break
            i += 1
        return duties

    return evaluate


def describe(rule) -> list[str]:
    gap = rule.max_gap
    until = f"; ends with {', '.join(u.type for u in gap.until)}" if gap.until else ""
    return [f"gap: at most {gap.within.brief()} from one {rule.counts_label.en} ending to the next starting{until}"]


KIND = Kind("max_gap", "max_gap", compile_rule, describe)
