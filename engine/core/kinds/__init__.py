"""Requirement kinds: each evaluates one kind of rule on one benefit period in plain Python, after
durable_rules has selected the rule. ``deadline`` is engine/core/kinds/deadline.py; the others are modules here.
A new rule of an existing kind needs only a rule file; a new kind needs a module with a
``compile_rule`` and an entry in COMPILERS.

``compile_rule(rule)`` returns the rule's evaluator, called as ``(case, period, tracer, router)``
and returning engine.core.duty.Duty records; the tracer (engine.core.duty.Why) is the null
``QUIET`` for the audit and an explaining one for ``check``, through the one path. The engine compiles each rule once per rule set.
"""

from __future__ import annotations

from engine.core.kinds import cadence, deadline, max_gap, offer_limit

COMPILERS = {
    "deadline": deadline.compile_rule,
    "max_gap": max_gap.compile_rule,
    "cadence": cadence.compile_rule,
    "offer_limit": offer_limit.compile_rule,
}


def compile_rule(rule):
    return COMPILERS[rule.kind](rule)


# Kinds that give nothing on a period without the offers they limit: kind -> rule -> the offer kinds
# that rule can limit. The engine skips the call where none of them is among the period's offers.
NEEDS = {"offer_limit": offer_limit.offer_kinds}

# Kinds whose obligations are anchored on events (each offer), not on the period's anchor: their
# validity is judged per event in Python, so the selector must not filter them on the period anchor.
PER_EVENT_VALIDITY = frozenset({"offer_limit"})
