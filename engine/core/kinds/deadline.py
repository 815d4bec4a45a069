"""The ``deadline`` kind: N counting events by anchor + offset (one action per milestone).

durable_rules has already decided that the rule applies (engine/core/durable_backend.py); this module
does the per-case date work, which durable_rules cannot do (no dates, no aggregates). The pieces
every kind shares (counting, postponement, exemption, status, ``why``) are in engine/core/duty.py.

A rule is *compiled* once (``compile_rule``): everything an evaluation reads from the rule model
(its anchor, its milestones as month and day steps, its counting filter) is taken out of it then,
so evaluating it on a period reads only the period. The audit evaluates millions of them.
"""

from __future__ import annotations

from typing import Callable, Optional

from engine.core.dates import add_months, add_offset, offset_steps
from engine.core.duty import (Duty, Kind, Why, category_spells, clipped_reason, context, counting_of, dates_counted, events_counted, offset_of,
                              Spell, postpone, postponers, postponing_periods, spell_for, spell_reason, spell_until, status)
from engine.core.profile import Period, anchor_reader
from models.case import Case
from models.rules import Rule

Evaluator = Callable[..., list[Duty]]  # (case, period, tracer, router=None)


def compile_rule(rule: Rule) -> Evaluator:
    """The evaluator of one deadline rule: the duties it gives one period (none where the duty
    lapsed). One path whatever the tracer (engine.core.duty.Why): the null tracer ``QUIET`` (the
    batch audit) records nothing and the texts' values are not built; statuses, dates and progress
    are the same either way. ``router`` is unused: every kind's evaluator takes the same arguments
    (engine/core/kinds)."""
    category = rule.applies_to.category.value if rule.applies_to.category else None
    anchor_of = anchor_reader(rule.anchor.from_, category)
    counting = counting_of(rule.counts)
    # (number, offset, count, anchor day -> due day before any postponement, months, the weeks and
    # days as one timedelta): the steps of add_offset (months first, clipped to the month's end,
    # then days: contract §2), taken inline below. A caseload's anchors are calendar days, a few
    # thousand at most, so the memo stays small while most due dates are looked up, not computed.
    steps: list = []
    for number, milestone in enumerate(rule.milestones, start=1):
        offset = offset_of(milestone.after)
        steps.append((number, offset, milestone.count, {}, *offset_steps(offset)))
    several = len(steps) > 1
    postponed = postponers(rule)
    in_force = rule.applies_to.category_in_force
    per_spell = rule.anchor.from_ == "category_assessed"
    valid = rule.valid
    trial = rule.akasse_trial_counts
    trial_counting = counting_of(trial.counts) if trial is not None else None
    trial_within = offset_of(trial.within) if trial is not None else None
    on_due = valid.judged_on == "due"  # the law in force when the duty falls due (issue 15.5)

    def evaluate(case: Case, period: Period, tracer: Why, router=None) -> list[Duty]:
        if category is None:
            return _evaluate(case, period, tracer, anchor_of(period), None, None, router)
        # contract §1: the category in force, not "ever assessed" (003:3194-3196): a rule anchored
        # on the assessment runs anew from each spell of the category (in force on its anchor,
        # judged here, not by durable_rules); another rule's duty belongs to the latest spell in
        # force from its anchor up to its due date (or the window's end)
        spells = category_spells(case, period, category, in_force)
        if per_spell:
            duties = []
            for spell in spells:
                if on_due or valid.covers(spell.start):
                    duties += _evaluate(case, period, tracer, spell.start, spell, None, router)
            return duties
        return _evaluate(case, period, tracer, anchor_of(period), None, spells, router)

    def _evaluate(case: Case, period: Period, tracer: Why, anchor, own: Optional[Spell],
                  spells: Optional[list], router) -> list[Duty]:
        as_of = period.as_of
        if anchor is None or anchor > as_of:
            return []
        held = dates_counted(period, counting)
        trial_until = None
        if trial_counting is not None and trial_within is not None and router is not None:
            # issue 15.3: the a-kasse holds the contact course in the trial's first months, so its
            # conversations then count too (the events the rule counts anyway are not counted twice)
            placed = router.decide(case, period, "akasse_trial", period.window_end)
            if placed is not None and placed.value == "akasse":
                trial_until = add_offset(anchor, trial_within)
                counted = {id(e) for e in events_counted(period, counting)}
                extra = [e.date for e in events_counted(period, trial_counting)
                         if e.date <= trial_until and id(e) not in counted]
                if extra:
                    held = sorted(held + extra)
        n = len(held)
        postponing = postponing_periods(case, period, postponed) if postponed else None
        ended = period.ended
        base = context(case, period, rule, tracer)
        explained = base.enabled
        duties = []
        for number, offset, count, dues, months, days in steps:
            due = dues.get(anchor)
            if due is None:
                due = add_months(anchor, months) if months else anchor
                if days:
                    due += days
                dues[anchor] = due
            if on_due and not valid.covers(due):
                continue  # the rule is not in force on the due date: no duty under it (the other regime's)
            spell = own
            if spells is not None:  # a category rule not anchored on the assessment
                spell = spell_for(spells, anchor, min(due, period.window_end))
                if spell is None:
                    continue  # the category was not in force from the anchor to the due date: no duty
            until = ended if spell is None else spell_until(period, spell)
            why = base.copy() if explained else base
            if explained:  # the steps' values cost too: the audit asks for none
                if spell is not None and category is not None:
                    spell_reason(why, category, spell, until)
                why.add("due", offset=offset, anchor=rule.anchor.from_, anchor_date=anchor, date=due)
                clipped_reason(why, anchor, months)
                if several:
                    why.add("milestone", n=number, required=count, due=due)
            if postponing:
                due = postpone(due, postponing, as_of, why)
            if n >= count:
                done, done_on = count, held[count - 1]
            else:
                done, done_on = n, None
            if explained:
                if trial_until is not None:
                    why.add("akasse_trial_counts", until=trial_until)
                why.add("progress", done=done, required=count, label=rule.counts_label,
                        events=_counted(period, counting, trial_counting, trial_until)[:count])
            if until and until < due and (done_on is None or done_on > until):
                continue  # the period (or the category) ended before the due date without the duty done: it lapses
            category_ended = spell is not None and until != ended
            duties.append(Duty(rule, period, status(case, rule, due, done_on, as_of, why, until, category_ended), due,
                               anchor, done, count, why, done_on, until if category_ended else None))
        return duties

    return evaluate


def _counted(period: Period, counting: tuple, trial_counting, trial_until) -> list:
    """The events counted, for the texts and the trace: with the a-kasse's up to ``trial_until``."""
    events = events_counted(period, counting)
    if trial_until is None:
        return events
    own = {id(e) for e in events}
    extra = [e for e in events_counted(period, trial_counting) if e.date <= trial_until and id(e) not in own]
    return sorted(events + extra, key=lambda e: e.date)


def describe(rule: Rule) -> list[str]:
    return [f"due: {m.count} × {rule.counts_label.en} by {rule.anchor.from_} + {m.after.brief()}"
            for m in rule.milestones]


KIND = Kind("deadline", "milestones", compile_rule, describe)
