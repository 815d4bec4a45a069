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
            distance = router.distance(case, period, start) if router is not None and by_distance else None
            if distance is None and by_distance:
                # no category on the offer's start (issue 15.9): the seeds tie the distance to the
                # visitation (001:3410-3426, 3454-3470), so the visitation that followed the start
                # decides it; with none, the stricter limits apply (said so in the why)
                later = _next_assessment(case, period, start) if without == "next_assessment" else None
                if later is not None:
                    distance = router.distance(case, period, later)
                    if distance is not None and explained:
                        why.add("distance_from_later", date=later, distance=distance)
                if distance is None:
                    distance = "far" if without == "far" else "close"
                    if explained:
                        why.add("distance_assumed" if distance == "close" else "distance_assumed_far")
            limit = _limit(limits, offer, distance)
            if limit is None:
                continue  # e.g. a private løntilskud under a rule that limits public ones only
            longest, extended_longest = limit[3:]
            extended = extended_longest is not None and bool(offer.extended)
            offset = extended_longest if extended else longest
            months, days = last_day_steps[offset]
            due = (add_months(start, months) if months else start) + days  # add_offset − 1 day
            if explained:  # the steps' values cost too: the audit asks for none
                why.add("offer_limit", offer=offer.offer, start=start, limit=offset, distance=distance, due=due,
                        extended=extended, events=[offer])
                clipped_reason(why, start, months)
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
                    overdue_reason(why, due, as_of, period.ended)
            else:
                st, done_on = OPEN, None
                if explained:
                    open_reason(why, due, as_of)
            duties.append(Duty(rule, period, st, due, start, int(st is MET), 1, why, done_on))
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
