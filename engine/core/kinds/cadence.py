"""kind ``cadence``: recurring windows, each needing ``count`` counting events (e.g. "samtale mindst
hver anden måned", "mindst fire gange inden for 12 løbende måneder").

Windows run back to back from ``anchor + start``: window k covers the days after
``anchor + start + k·every`` up to and including ``anchor + start + (k+1)·every`` (its due date), so
an event on a window's first boundary (typically the visitation conversation on the anchor day)
belongs to the window before it (the fixed reading, samples/overrides/fixed-cadences.yaml). With
``rolling`` (issue 15.6; the shipped rules) a met window's
successor opens on the day of its first counted event instead: "mindst hver anden måned" becomes a
maximum gap of two months between conversations (count 1), and "mindst fire gange inden for 12
løbende måneder" a rolling window — every 12 months that begin on a counted event must hold four
(the binding moments of a sliding window are the days an event drops out of it). An unmet window's
successor opens at its end, as in the fixed reading. Each window is its own obligation anchored on its first day: windows starting after the rule's
validity ends, or after the as-of date, or after the period ended, are not produced. A past window
without its events is overdue — an event after the window counts for the next window, not this one.
"""

from __future__ import annotations

from bisect import bisect_right

from engine.core.dates import ONE_DAY, Offset, add_months, add_offset, offset_steps
from engine.core.duty import (Duty, Kind, Why, category_spells, clipped_reason, context, counting_of, dates_counted, events_counted,
                              offset_of, spell_for, spell_reason, spell_until, status)
from engine.core.profile import anchor_reader
from models.case import Case


def _times(offset: Offset, k: int) -> Offset:
    return Offset(offset.months * k, offset.weeks * k, offset.days * k)


def compile_rule(rule):
    """The rule's evaluator, ``(case, period, tracer, router)`` as every kind's (engine/core/kinds)."""
    spec = rule.cadence
    category = rule.applies_to.category.value if rule.applies_to.category else None
    anchor_of = anchor_reader(rule.anchor.from_, category)
    counting = counting_of(rule.counts)
    every = offset_of(spec.every)
    start = offset_of(spec.start)
    count, max_windows, rolling = spec.count, spec.max_windows, spec.rolling
    valid_from, valid_to = rule.valid.from_, rule.valid.to
    # window k's end as an offset from the first window's start (k·every), taken once here: each
    # window's end is computed from the anchor, so month clipping never drifts (31 Jan + 2·1 month
    # = 31 Mar)
    window_ends = [offset_steps(_times(every, k + 1)) for k in range(max_windows)]

    on_due = rule.valid.judged_on == "due"  # a window judged on its last day, not its first (issue 15.5)
    in_force = rule.applies_to.category_in_force
    per_spell = rule.anchor.from_ == "category_assessed"

    def evaluate(case: Case, period, tracer: Why, router=None):
        if category is None:
            return _evaluate(case, period, tracer, anchor_of(period), None, None)
        # contract §1, the category in force (as engine/core/kinds/deadline.py): windows run from
        # each spell of the category where the rule is anchored on the assessment, and no window
        # opens after the spell ended; a window of another rule belongs to the latest spell in
        # force in it, and none is produced where the category is not in force in it
        spells = category_spells(case, period, category, in_force)
        if per_spell:
            duties = []
            for spell in spells:
                duties += _evaluate(case, period, tracer, spell.start, spell, None)
            return duties
        return _evaluate(case, period, tracer, anchor_of(period), None, spells)

    def _evaluate(case: Case, period, tracer: Why, anchor, own, spells):
        as_of = period.as_of
        if anchor is None or anchor > as_of:
            return []
        held = dates_counted(period, counting)  # by date
        first = add_offset(anchor, start)
        base = context(case, period, rule, tracer)
        explained = base.enabled
        if explained:
            base.note("windows", anchor=rule.anchor.from_, anchor_date=anchor, offset=start, every=every, first=first)
        last_day = period.window_end
        ended = period.ended
        if own is not None and own.end is not None and own.end < last_day:
            last_day = own.end  # no window opens after the category's spell ended
        duties = []
        next_open = first
        for k, (months, days) in enumerate(window_ends):
            opens = next_open  # a window opens where the one before it closed (rolling: at its first event)
            if rolling:
                due = add_offset(opens, every)
            else:
                due = (add_months(first, months) if months else first) + days  # add_offset's two steps
            next_open = due
            # the window must open inside the rule's validity (covers, inline), or, judged on the due
            # date, close inside it (windows closing before it comes into force are passed over)
            if opens > last_day:
                break
            judged = due if on_due else opens
            if valid_to is not None and judged > valid_to:
                break
            if judged < valid_from:
                continue
            spell = own
            if spells is not None:
                spell = spell_for(spells, opens + ONE_DAY, min(due, period.window_end))
                if spell is None:
                    continue  # the category is not in force in this window
            until = ended if spell is None else spell_until(period, spell)
            after = bisect_right(held, opens)
            inside = held[after:bisect_right(held, due)]  # opens < day <= due
            if until and until < due and (len(inside) < count or inside[count - 1] > until):
                # the period (or the category's spell) ended inside the window without the events:
                # the duty lapses; after a spell, a later spell may open further windows
                if until == ended:
                    break
                continue
            done_on = inside[count - 1] if len(inside) >= count else None
            if rolling and done_on is not None:
                next_open = inside[0]  # the next window runs from this one's first event
            why = base.copy() if explained else base
            shown = inside[:count]
            if explained:  # the steps' values cost too: the audit asks for none
                if spell is not None:
                    spell_reason(why, category, spell, until)
                label = rule.counts_label
                why.add("window", n=k + 1, start=opens, end=due, required=count, label=label)
                if rolling:
                    clipped_reason(why, opens, every.months)
                else:
                    clipped_reason(why, first, months)
                why.add("progress", done=len(shown), required=count, label=label,
                        events=events_counted(period, counting)[after:after + len(shown)])
            category_ended = spell is not None and until != ended
            st = status(case, rule, due, done_on, as_of, why, until, category_ended)
            duties.append(Duty(rule, period, st, due, opens, len(shown), count, why, done_on,
                               until if category_ended else None))
        return duties

    return evaluate


def describe(rule) -> list[str]:
    c = rule.cadence
    return [f"cadence: {c.count} × {rule.counts_label.en} in every {c.every.brief()} "
            f"from {rule.anchor.from_} + {c.start.brief()}"]


KIND = Kind("cadence", "cadence", compile_rule, describe)
