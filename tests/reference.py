"""A plain-Python reference for the part durable_rules decides: which rules apply to a benefit
period. It reads the rule's conditions directly off the real (unquantised) case, so it checks both
durable_rules and the profile quantisation. Kept deliberately naive."""

from engine.core.dates import age_on
from engine.core.kinds import PER_EVENT_VALIDITY


def reference_applies(rule, case, period) -> bool:
    a = rule.applies_to
    benefit = period.benefit
    if benefit.type not in a.benefits:
        return False
    age = age_on(case.citizen.birth_date, benefit.start)
    if a.age_below is not None and not age < a.age_below:
        return False
    if a.age_from is not None and not age >= a.age_from:
        return False
    if a.education is not None and case.citizen.education not in a.education:
        return False
    window_end = min(benefit.end, period.as_of) if benefit.end and benefit.end <= period.as_of else period.as_of
    assessed = [x for x in case.assessments
                if a.category is not None and x.category == a.category and benefit.first_day <= x.date <= window_end]
    if a.category is not None and not assessed:
        return False
    anchors = {
        "start": benefit.start,
        "contact": benefit.first_contact or benefit.start,
        "first_sick_day": benefit.first_sick_day or benefit.start,
        "category_assessed": min((x.date for x in assessed), default=None),
    }
    anchor = anchors[rule.anchor.from_]
    if rule.kind in PER_EVENT_VALIDITY or rule.anchor.from_ == "category_assessed":
        # validity judged on each event's day (offer limits) or each spell of the category, by the kind
        return anchor is not None
    if rule.valid.judged_on == "due":  # judged on the due date, by the kind: the anchor may precede the validity
        return rule.valid.to is None or anchor <= rule.valid.to
    return rule.valid.from_ <= anchor and (rule.valid.to is None or anchor <= rule.valid.to)
