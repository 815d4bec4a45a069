"""kind ``cadence``: recurring windows, each needing ``count`` counting events (e.g. "samtale mindst
hver anden måned", "mindst fire gange inden for 12 løbende måneder").

Windows run back to back from ``anchor + start``: window k covers the days after
``anchor + start + k·every`` up to and including ``anchor + start + (k+1)·every`` (its due date), so
an event on a window's first boundary (typically the visitation conversation on the anchor day)
belongs to the window before it. "12 løbende måneder" is read as consecutive 12-month windows, which
a caseworker can check by hand; a sliding window would flag the same cases one window later at most.
Each window is its own obligation anchored on its first day: windows starting after the rule's
validity ends, or after the as-of date, or after the period ended, are not produced. A past window
without its events is overdue — an event after the window counts for the next window, not this one.
"""

from __future__ import annotations

from functools import lru_cache

from engine.dates import Offset, add_offset
from engine.duty import Duty, context, counting_dates, offset_of, status
from models.case import Case


@lru_cache(maxsize=1024)
def _times(offset: Offset, k: int) -> Offset:
    return Offset(offset.months * k, offset.weeks * k, offset.days * k)


def evaluate(case: Case, period, rule, lang: str = "da", explain_why: bool = True, router=None):
    spec = rule.cadence
    category = rule.applies_to.category.value if rule.applies_to.category else None
    anchor = period.anchor(rule.anchor.from_, category)
    as_of = period.as_of
    if anchor is None or anchor > as_of:
        return []
    held = counting_dates(case, period, rule.counts)
    every = offset_of(spec.every)
    first = add_offset(anchor, offset_of(spec.start))
    label = rule.counts_label.get(lang)
    base = context(period, rule, lang, explain_why)
    last_day = period.window_end
    duties = []
    for k in range(spec.max_windows):
        # computed from the anchor each time, so month clipping never drifts (31 Jan + 2·1 month = 31 Mar)
        opens = add_offset(first, _times(every, k))
        due = add_offset(first, _times(every, k + 1))
        if opens > last_day or not rule.valid.covers(opens):
            break
        inside = [d for d in held if opens < d <= due]
        if period.ended and period.ended < due and len(inside) < spec.count:
            break  # the period ended inside the window without the events: the duty lapses
        done_on = inside[spec.count - 1] if len(inside) >= spec.count else None
        why = base.copy()
        shown = inside[: spec.count]
        if why.enabled:  # the texts' arguments cost too: the audit asks for none
            why.add("window", n=k + 1, start=opens, end=due, required=spec.count, label=label)
            why.add("progress", done=len(shown), required=spec.count, label=label,
                    dates=(": " + ", ".join(map(str, shown))) if shown else "")
        st = status(case, rule, due, done_on, as_of, why)
        duties.append(Duty(rule, period, st, due, opens, len(shown), spec.count, why, done_on))
    return duties
