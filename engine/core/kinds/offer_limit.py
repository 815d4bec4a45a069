"""kind ``offer_limit``: each offer must end within its duration limit (e.g. virksomhedspraktik
4 weeks close to the labour market, 13 weeks far from it, extendable to 26).

One obligation per matching offer, anchored on the offer's start; the rule applies when it is in
force on that day. The due date is the last day the offer may run: start + limit − 1 day (a 4-week
praktik from Monday 1 March ends Sunday 28 March). Status: ``met`` when the offer ended on or before
the due date (as of the as-of date), ``overdue`` after the due date when its recorded end is later or it
is still running after it, ``open`` until the limit passes (the ``why`` warns when the recorded end
is past it already). The limit is the first of the
rule's ``limits`` whose offer, employer and labour-market distance fit; the distance comes from the
routing (the category on the offer's start day). An offer marked ``extended: true`` gets the
``extended_max`` where the rule has one.

Exemptions never apply: a limit is not a duty to hold a conversation or give an offer (contract §2),
and a standby or less_intensive period does not make an offer that runs past its limit lawful, so
the schema refuses ``exempted_by`` on this kind (models/rules.py).
"""

from __future__ import annotations

from datetime import date
from typing import Optional

from engine.core.dates import ONE_DAY, add_months, offset_steps
from engine.core.profile import periods_as_of
from engine.core.duty import (MET, OPEN, OVERDUE, Duty, Kind, Why, clipped_reason, context, counting_of, events_counted, offset_of,
                              open_reason, overdue_reason)
from models.case import Case, Offer


def _limit(limits: tuple, offer: Offer, distance):
    """The first of the compiled limits (see ``compile_rule``) that fits the offer, or None."""
    for limit in limits:
        kind, employer, needs_distance = limit[:3]
        if kind != offer.offer:
            continue
        if employer is not None and employer != offer.employer:
            continue
        if needs_distance is not None and needs_distance != distance:
            continue
        return limit
    return None


def _next_assessment(case: Case, period, start: date) -> Optional[date]:
    """The first assessment in the period after ``start``, known on the as-of date (None: none)."""
    later = [a.date for a in case.assessments if start < a.date <= period.window_end and a.date >= period.first_day]
    return min(later) if later else None


def offer_kinds(rule) -> frozenset:
    """The kinds of offer the rule's limits can apply to (the engine skips a period without them)."""
    return frozenset(limit.offer for limit in rule.limits)


def compile_rule(rule):
    """The rule's evaluator, ``(case, period, tracer, router)`` as every kind's (engine/core/kinds)."""
    counting = counting_of(rule.counts)
    by_distance = any(limit.distance for limit in rule.limits)  # then the routing is asked
    # (offer kind, employer, distance, the limit as an Offset, the extended limit or None): the
    # rule's limits read once, not per offer
    limits = tuple((limit.offer, limit.employer, limit.distance, offset_of(limit.max),
                    offset_of(limit.extended_max) if limit.extended_max is not None else None)
                   for limit in rule.limits)
    # an Offset -> add_offset's two steps with the day the limit excludes taken off the second:
    # start + limit − 1 day as one month step and one timedelta
    last_day_steps = {}
    for *_, longest, extended_longest in limits:
        for offset in (longest, extended_longest):
            if offset is not None:
                months, days = offset_steps(offset)
                last_day_steps[offset] = (months, days - ONE_DAY)
    valid_from, valid_to = rule.valid.from_, rule.valid.to
    without = rule.distance_without_category
    across = rule.limit_across_target_groups
    benefits = frozenset(rule.applies_to.benefits)

    def distance_on(case: Case, period, day: date, why: Why, router, explained: bool):
        """The labour-market distance in ``period`` on ``day`` (None: the rule has no distance limits)."""
        if router is None or not by_distance:
            return None
        distance = router.distance(case, period, day)
        if distance is None:
            # no category on the day (issue 15.9): the seeds tie the distance to the visitation
            # (001:3410-3426, 3454-3470), so the visitation that followed decides it; with none,
            # the stricter limits apply (said so in the why)
            later = _next_assessment(case, period, day) if without == "next_assessment" else None
            if later is not None:
                distance = router.distance(case, period, later)
                if distance is not None and explained:
                    why.add("distance_from_later", date=later, distance=distance)
            if distance is None:
                distance = "far" if without == "far" else "close"
                if explained:
                    why.add("distance_assumed" if distance == "close" else "distance_assumed_far")
        return distance

    def last_day(offer: Offer, limit: tuple):
        """(the offer's last day under ``limit``, the limit applied, extended, its months)."""
        longest, extended_longest = limit[3:]
        extended = extended_longest is not None and bool(offer.extended)
        offset = extended_longest if extended else longest
        months, days = last_day_steps[offset]
        start = offer.date
        return (add_months(start, months) if months else start) + days, offset, extended, months  # + limit − 1 day

    def _across_target_groups(case: Case, period, offer: Offer, due: date, why: Why, router, explained: bool):
        """Issue 15.8: an offer that goes on after the benefit changes (a målgruppeskift) may run in
        all no longer than the new group's limit allows (001:3440-3442): from each later period it
        runs into, the new group's limit counted from the offer's start — unless the old limit had
        passed before the change (then it was overdue under the old group already). Returns the due
        date and the later period whose group's limit applies (None: none)."""
        as_of = period.as_of
        runs_in = None
        runs_to = offer.end if offer.end is not None and offer.end <= as_of else as_of
        for later in periods_as_of(case, as_of):
            if later.index <= period.index:
                continue
            change = later.start
            if change <= offer.date or change > runs_to:
                continue
            if later.benefit.type not in benefits or due < change:
                break  # the rule does not cover the new group, or the limit had passed before the change
            limit = _limit(limits, offer, distance_on(case, later, change, why, router, explained))
            if limit is None:
                break
            new_due, offset, extended, months = last_day(offer, limit)
            if explained:
                why.add("target_group_changed", benefit=later.kind, change=change, limit=offset, due=new_due)
            due, runs_in = new_due, later
        return due, runs_in

    def evaluate(case: Case, period, tracer: Why, router=None):
        # The engine calls this only on periods with offers of the limited kinds (engine.core.kinds.NEEDS).
        offers = events_counted(period, counting)
        if not offers:
            return []  # none of the kinds this rule limits
        as_of = period.as_of
        base = context(case, period, rule, tracer)
        explained = base.enabled
        duties = []
        for offer in offers:
            if not isinstance(offer, Offer):
                continue
            start = offer.date
            if start < valid_from or (valid_to is not None and start > valid_to):
                continue  # the rule is not in force on the offer's start (covers, inline)
            why = base.copy() if explained else base
            distance = distance_on(case, period, start, why, router, explained)
            limit = _limit(limits, offer, distance)
            if limit is None:
                continue  # e.g. a private løntilskud under a rule that limits public ones only
            due, offset, extended, months = last_day(offer, limit)
            if explained:  # the steps' values cost too: the audit asks for none
                why.add("offer_limit", offer=offer.offer, start=start, limit=offset, distance=distance, due=due,
                        extended=extended, events=[offer])
                clipped_reason(why, start, months)
            runs_in = None  # the later benefit period the offer went on into (a målgruppeskift)
            if across and len(case.benefits) > period.index + 1:
                due, runs_in = _across_target_groups(case, period, offer, due, why, router, explained)
            ended = period.ended if runs_in is None else runs_in.ended
            end = offer.end
            done_on: Optional[date]
            if end is not None and end <= due and end <= as_of:  # ended within the limit, as known today
                st, done_on = MET, end
                if explained:
                    why.add("offer_ended", end=end, status=st)
            elif end is not None and end > due:
                # planned past the limit: open (with the warning) until the limit passes, then overdue
                st, done_on = (OVERDUE, None) if as_of > due else (OPEN, None)
                if explained:
                    why.add("offer_runs_past", end=end, days=(end - due).days, status=st)
            elif as_of > due:
                st, done_on = OVERDUE, None
                if explained:
                    overdue_reason(why, due, as_of, ended)
            else:
                st, done_on = OPEN, None
                if explained:
                    open_reason(why, due, as_of)
            duty = Duty(rule, period, st, due, start, int(st is MET), 1, why, done_on)
            if runs_in is not None:  # the offer goes on in the later period: it ends with that one
                duty.period_end = ended
                duty.actionable = (ended is None or ended >= as_of) if st is OPEN or st is OVERDUE else None
            duties.append(duty)
        return duties

    return evaluate


def describe(rule) -> list[str]:
    lines = []
    for limit in rule.limits:
        who = " ".join(x for x in (limit.distance, limit.employer) if x)
        extended = f" (extended: {limit.extended_max.brief()})" if limit.extended_max else ""
        lines.append(f"limit: {limit.offer}{' ' + who if who else ''} at most {limit.max.brief()}{extended}")
    return lines


KIND = Kind("offer_limit", "limits", compile_rule, describe, needs=offer_kinds, per_event_validity=True)
