"""Requirement kinds beyond ``deadline`` (engine/evaluate.py): each module evaluates one kind of rule
on one benefit period in plain Python, after durable_rules has selected the rule. A new rule of an
existing kind needs only a rule file; a new kind needs a module here and an entry in KINDS. Every
evaluator takes ``(case, period, rule, lang, explain_why, router)`` and returns engine.duty.Duty records."""

from __future__ import annotations

from engine.kinds import cadence, max_gap, offer_limit

KINDS = {
    "max_gap": max_gap.evaluate,
    "cadence": cadence.evaluate,
    "offer_limit": offer_limit.evaluate,
}

# Kinds that give nothing on a period without events of this type: the engine skips the call.
NEEDS = {"offer_limit": "offer"}

# Kinds whose obligations are anchored on events (each offer), not on the period's anchor: their
# validity is judged per event in Python, so the selector must not filter them on the period anchor.
PER_EVENT_VALIDITY = frozenset({"offer_limit"})

